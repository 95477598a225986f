"""BM25 side of the hybrid retriever, on bm25s with our own token lists.

bm25s is fed plain token lists (its `Tokenizer` objects cannot be saved in 0.3.16); we persist
the token lists ourselves and rebuild the sparse matrix on load, which takes milliseconds.
"""

from __future__ import annotations

import logging

import bm25s
import numpy as np

from .tokenize import tokenize

# bm25s logs at INFO for every index build; keep the service log quiet.
logging.getLogger("bm25s").setLevel(logging.WARNING)


class LexicalIndex:
    """Full-corpus BM25 scores for a query; ranking and filtering happen in the retriever."""

    def __init__(self, corpus_tokens: list[list[str]], *, k1: float = 1.2, b: float = 0.75) -> None:
        self.size = len(corpus_tokens)
        self._bm25 = bm25s.BM25(k1=k1, b=b, method="lucene")
        # An empty document would make bm25s drop it from the matrix; keep positions aligned.
        safe = [tokens or ["\x00"] for tokens in corpus_tokens]
        self._bm25.index(safe, show_progress=False)
        self._vocab: dict[str, int] = self._bm25.vocab_dict

    def scores(self, query: str) -> np.ndarray:
        """BM25 score per document (0 when no query token occurs in it)."""
        return self.scores_for_tokens(tokenize(query))

    def scores_for_tokens(self, tokens: list[str]) -> np.ndarray:
        ids = [self._vocab[t] for t in tokens if t in self._vocab]
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(ids), dtype=np.float32)
