"""Tokenizer for BM25 over zh-TW marketing text.

bm25s' default tokenizer keeps a whole Chinese run as one token, and jieba's dictionary is
Simplified Chinese; character unigrams + bigrams need no dictionary and match any spelling the
staff type (吃到飽 matches 網路吃到飽, 光世代 matches 光世代方案). ASCII words and numbers stay
whole and lower-cased so 5G, iPhone and 1399 remain single tokens.
"""

from __future__ import annotations

import re
import unicodedata

TOKENIZER_VERSION = "cjk-uni-bi-v1"

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[a-z0-9]+(?:\.[0-9]+)?")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_MIXED = re.compile(r"[a-z]+|[0-9]+(?:\.[0-9]+)?")
# "4g"/"5g" name a network generation: splitting them would turn them into the digit "5".
_GENERATION = re.compile(r"^[2-6]g$")
# Characters that carry no meaning alone in a query; bigrams with them are still kept.
STOP_UNIGRAMS = frozenset("的了嗎呢吧啊呀喔哦是在和與及或也都就還要我你您他她它們這那有個")


def normalize(text: str) -> str:
    """NFKC folds full-width letters and digits (５Ｇ → 5G); thousands separators are removed."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return _THOUSANDS.sub("", folded)


def tokenize(text: str) -> list[str]:
    """Tokens of one text, in order, duplicates kept (BM25 needs term frequencies)."""
    tokens: list[str] = []
    for match in _RUN.finditer(normalize(text)):
        run = match.group()
        if run[0].isascii():
            tokens.append(run)
            parts = _MIXED.findall(run)
            if len(parts) > 1 and not _GENERATION.match(run):
                tokens.extend(parts)  # iphone16 also yields iphone + 16; 50gb yields 50 + gb
            continue
        tokens.extend(ch for ch in run if ch not in STOP_UNIGRAMS)
        tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    return tokens


def tokenize_many(texts: list[str]) -> list[list[str]]:
    return [tokenize(text) for text in texts]
