"""Blocks → chunks: one heading path each, whole sentences, CJK-weighted size, sentence overlap.

Size is counted in weighted characters (`text_weight`): a CJK character counts `cjk_weight`
(3 by default: the e5 tokenizer spends about one token per Chinese character and one per ~4
Latin letters), so a Chinese chunk and an English chunk of the same target hold about as many
tokens. A chunk closes before the sentence that would take it past `target`; the next one
starts with the last whole sentences of the previous one (up to `overlap`). Only a sentence
heavier than `max_weight` is cut, at clause marks (，、,;) first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace

from .models import Block, Chunk, Progress
from .sentences import ends_sentence, split_long, split_sentences
from .text import join_pieces, text_weight


@dataclass(frozen=True, slots=True)
class ChunkOptions:
    target: int = 1000  # weighted characters, ~250 tokens
    max_weight: int = 1500  # a single sentence above this is cut at clause marks (~380 tokens)
    overlap: int = 150  # whole sentences from the end of the previous chunk
    cjk_weight: float = 3.0


@dataclass(slots=True)
class _Unit:
    text: str
    weight: float
    block: int  # index of the source block: units of one block join inline, blocks by newline
    page: int | None
    page_end: int | None
    inline: bool  # sentences of a paragraph (joined by a space or nothing) vs lines


def _units(blocks: list[tuple[int, Block]], options: ChunkOptions) -> list[_Unit]:
    units: list[_Unit] = []
    for index, block in blocks:
        inline = block.kind == "paragraph"
        if inline:
            pieces = split_sentences(block.text)
        elif block.kind == "code":
            pieces = [line for line in block.text.split("\n") if line.strip()]
        else:
            pieces = [p for line in block.text.split("\n") for p in split_sentences(line)]
        if inline and units and units[-1].inline and not ends_sentence(units[-1].text):
            previous = units[-1]
            if previous.page is not None and block.page not in (None, previous.page_end) and pieces:
                # a sentence running from the foot of one PDF page onto the next: keep it whole
                previous.text = join_pieces(previous.text, pieces.pop(0))
                previous.weight = text_weight(previous.text, options.cjk_weight)
                previous.page_end = block.page
        for piece in pieces:
            weight = text_weight(piece, options.cjk_weight)
            parts = (
                split_long(piece, options.max_weight, options.cjk_weight)
                if weight > options.max_weight
                else [piece]
            )
            for part in parts:
                units.append(
                    _Unit(
                        part,
                        text_weight(part, options.cjk_weight),
                        index,
                        block.page,
                        block.page,
                        inline,
                    )
                )
    return units


def _join(units: list[_Unit]) -> str:
    text = ""
    for i, unit in enumerate(units):
        if i and units[i - 1].block == unit.block and unit.inline:
            text = join_pieces(text, unit.text)
        else:
            text = f"{text}\n{unit.text}" if text else unit.text
    return text


def _pack(units: list[_Unit], options: ChunkOptions) -> list[list[_Unit]]:
    """Greedy packing up to `target`, each new chunk starting with an overlap of whole sentences."""
    groups: list[list[_Unit]] = []
    current: list[_Unit] = []
    weight = 0.0
    fresh = False  # does `current` hold anything the previous chunk did not?
    for unit in units:
        if current and fresh and weight + 1 + unit.weight > options.target:  # +1: the joiner
            groups.append(current)
            tail: list[_Unit] = []
            tail_weight = 0.0
            for previous in reversed(current[1:]):
                if tail_weight + previous.weight > options.overlap:
                    break
                tail.insert(0, previous)
                tail_weight += previous.weight + (1 if len(tail) > 1 else 0)
            if tail and tail_weight + 1 + unit.weight > options.target:
                tail, tail_weight = [], 0.0
            current, weight, fresh = tail, tail_weight, False
        weight += unit.weight + (1 if current else 0)
        current.append(unit)
        fresh = True
    if current and fresh:
        groups.append(current)
    return groups


def _sections(blocks: tuple[Block, ...]) -> list[tuple[tuple[str, ...], list[tuple[int, Block]]]]:
    """Runs of body blocks under one heading path; a heading always starts a new run."""
    sections: list[tuple[tuple[str, ...], list[tuple[int, Block]]]] = []
    for index, block in enumerate(blocks):
        if block.kind == "heading" or not sections or sections[-1][0] != block.heading_path:
            sections.append((block.heading_path, []))
        if block.kind != "heading" and block.text.strip():
            sections[-1][1].append((index, block))
    return [section for section in sections if section[1]]


def chunk_blocks(
    blocks: tuple[Block, ...],
    document_hash: str,
    options: ChunkOptions | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> tuple[Chunk, ...]:
    """Chunks in reading order with stable ids (document hash, ordinal) and content hashes."""
    options = options or ChunkOptions()
    chunks: list[Chunk] = []
    for path, members in _sections(blocks):
        for group in _pack(_units(members, options), options):
            text = _join(group)
            pages = [p for u in group for p in (u.page, u.page_end) if p is not None]
            ordinal = len(chunks)
            draft = Chunk(
                id=f"{document_hash[:16]}-{ordinal:04d}",
                ordinal=ordinal,
                text=text,
                heading_path=path,
                page_start=min(pages) if pages else None,
                page_end=max(pages) if pages else None,
                content_hash="",
                weight=text_weight(text, options.cjk_weight),
            )
            digest = hashlib.sha256(draft.embed_text.encode("utf-8")).hexdigest()
            chunks.append(replace(draft, content_hash=digest))
        if on_progress:
            on_progress(Progress("chunk", members[-1][0] + 1, len(blocks), "blocks"))
    if on_progress:
        on_progress(Progress("chunk", len(blocks), len(blocks), "blocks"))
    return tuple(chunks)
