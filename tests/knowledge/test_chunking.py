"""Sentence boundaries (Chinese and English), chunk sizes, overlap, ids and content hashes."""

from __future__ import annotations

import itertools

import pytest

from mcp_servers.knowledge.ingest import Block, ChunkOptions, chunk_blocks, split_sentences
from mcp_servers.knowledge.ingest.text import text_weight

from .documents import EN_SENTENCES, ZH_SENTENCES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("客戶可以續約。需先繳清欠費！", ["客戶可以續約。", "需先繳清欠費！"]),
        ("要續約嗎？好。", ["要續約嗎？", "好。"]),
        ("月租 399；網路 5G。", ["月租 399；", "網路 5G。"]),
        ("請稍候……我查一下。", ["請稍候……", "我查一下。"]),
        ("他說：「可以續約。」然後離開。", ["他說：「可以續約。」", "然後離開。"]),
        (
            "Dr. Chen paid NT$1,399.50 today. He left.",
            ["Dr. Chen paid NT$1,399.50 today.", "He left."],
        ),
        ("It costs 3.5 dollars. Fine!", ["It costs 3.5 dollars.", "Fine!"]),
        ("Bring an ID, e.g. a passport. Thanks.", ["Bring an ID, e.g. a passport.", "Thanks."]),
        ("J. R. Lin signed. Done?", ["J. R. Lin signed.", "Done?"]),
        ("See No. 5 on the list. OK.", ["See No. 5 on the list.", "OK."]),
        ("Visit example.com now. Bye.", ["Visit example.com now.", "Bye."]),
        ("Wait... What? Really!", ["Wait...", "What?", "Really!"]),
        ('He said "yes." Then left.', ['He said "yes."', "Then left."]),
        ("Renew now.續約請洽門市。", ["Renew now.", "續約請洽門市。"]),
        ("No end mark", ["No end mark"]),
        ("", []),
    ],
)
def test_sentence_boundaries(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def _paragraphs(
    sentences: tuple[str, ...], repeat: int, path: tuple[str, ...]
) -> tuple[Block, ...]:
    joiner = "" if sentences is ZH_SENTENCES else " "
    return tuple(Block(joiner.join(sentences), path) for _ in range(repeat))


OPTIONS = ChunkOptions(target=300, max_weight=450, overlap=100, cjk_weight=3.0)


@pytest.mark.parametrize("sentences", [EN_SENTENCES, ZH_SENTENCES], ids=["english", "chinese"])
def test_chunks_are_whole_sentences_within_the_target(sentences: tuple[str, ...]) -> None:
    chunks = chunk_blocks(_paragraphs(sentences, 4, ("Guide",)), "a" * 64, OPTIONS)
    assert len(chunks) >= 4
    for chunk in chunks:
        pieces = [s for line in chunk.text.split("\n") for s in split_sentences(line)]
        assert set(pieces) <= set(sentences), chunk.text
        assert chunk.weight <= OPTIONS.target
        assert chunk.heading_path == ("Guide",)


def test_cjk_characters_weigh_more_so_chinese_chunks_hold_fewer_characters() -> None:
    english = chunk_blocks(_paragraphs(EN_SENTENCES, 6, ()), "a" * 64, OPTIONS)
    chinese = chunk_blocks(_paragraphs(ZH_SENTENCES, 12, ()), "b" * 64, OPTIONS)
    longest_en = max(len(c.text) for c in english)
    longest_zh = max(len(c.text) for c in chinese)
    assert longest_zh * 2 < longest_en
    assert text_weight("續約", 3.0) == 6.0 and text_weight("ok", 3.0) == 2.0


def test_next_chunk_starts_with_the_last_whole_sentences_of_the_previous() -> None:
    chunks = chunk_blocks(_paragraphs(ZH_SENTENCES, 3, ()), "c" * 64, OPTIONS)
    assert len(chunks) >= 3
    for previous, current in itertools.pairwise(chunks):
        before, after = split_sentences(previous.text), split_sentences(current.text)
        shared = max(k for k in range(len(before)) if before[len(before) - k :] == after[:k])
        assert shared >= 1, (previous.text, current.text)
        assert text_weight("".join(after[:shared]), 3.0) <= OPTIONS.overlap


def test_no_overlap_when_disabled() -> None:
    options = ChunkOptions(target=300, max_weight=450, overlap=0)
    chunks = chunk_blocks(_paragraphs(EN_SENTENCES, 3, ()), "d" * 64, options)
    total = sum(len(split_sentences(c.text)) for c in chunks)
    assert total == 3 * len(EN_SENTENCES)


def test_an_overlong_sentence_is_cut_at_clause_marks() -> None:
    clauses = [f"第{i}項條款適用於所有續約客戶" for i in range(40)]
    sentence = "，".join(clauses) + "。"
    chunks = chunk_blocks((Block(sentence),), "e" * 64, OPTIONS)
    assert len(chunks) > 1
    for chunk in chunks[:-1]:
        assert chunk.text.endswith("，")
        assert chunk.weight <= OPTIONS.max_weight
    assert chunks[-1].text.endswith("。")


def test_a_sentence_without_any_mark_is_cut_only_as_the_last_resort() -> None:
    words = " ".join(f"word{i}" for i in range(300)) + "."
    chunks = chunk_blocks((Block(words),), "f" * 64, OPTIONS)
    assert all(c.weight <= OPTIONS.max_weight for c in chunks)
    assert " ".join(c.text for c in chunks) == words  # cut at spaces, nothing lost


def test_chunks_never_cross_a_heading() -> None:
    blocks = (
        Block("Fees", ("Fees",), kind="heading"),
        Block(EN_SENTENCES[0], ("Fees",)),
        Block("Roaming", ("Fees", "Roaming"), kind="heading"),
        Block(EN_SENTENCES[3], ("Fees", "Roaming")),
        Block("Empty section", ("Empty section",), kind="heading"),
        Block("Stores", ("Stores",), kind="heading"),
        Block("- Taipei\n- Tainan", ("Stores",), kind="list"),
    )
    chunks = chunk_blocks(blocks, "0" * 64)
    assert [(c.heading_path, c.text) for c in chunks] == [
        (("Fees",), EN_SENTENCES[0]),
        (("Fees", "Roaming"), EN_SENTENCES[3]),
        (("Stores",), "- Taipei\n- Tainan"),
    ]
    assert chunks[1].embed_text == "Fees > Roaming\n" + EN_SENTENCES[3]


def test_ids_come_from_document_hash_and_ordinal_content_hash_from_text() -> None:
    blocks = _paragraphs(EN_SENTENCES, 3, ("Guide",))
    first = chunk_blocks(blocks, "1" * 64, OPTIONS)
    again = chunk_blocks(blocks, "1" * 64, OPTIONS)
    other = chunk_blocks(blocks, "2" * 64, OPTIONS)
    assert [c.id for c in first] == [c.id for c in again]
    assert [c.id for c in first] == [f"{'1' * 16}-{i:04d}" for i in range(len(first))]
    assert {c.id for c in first}.isdisjoint(c.id for c in other)
    assert [c.content_hash for c in first] == [c.content_hash for c in other]  # same text
    renamed = chunk_blocks(_paragraphs(EN_SENTENCES, 3, ("Manual",)), "1" * 64, OPTIONS)
    assert renamed[0].content_hash != first[0].content_hash  # the path is part of what is embedded


def test_citation_names_path_and_page_span() -> None:
    blocks = (
        Block("客戶可在合約到期前六十天內辦理", ("手冊", "續約"), page=3),
        Block("續約。", ("手冊", "續約"), page=4),
    )
    (chunk,) = chunk_blocks(blocks, "9" * 64)
    assert chunk.text == "客戶可在合約到期前六十天內辦理續約。"
    assert chunk.citation == "手冊 > 續約, pages 3-4"
