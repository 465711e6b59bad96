"""Regenerating with a warm cache after a spec edit gives exactly what a cold run gives.

The incremental store (generator/runmodels/incremental.py) reuses rendered modules whose inputs did not
change; every test here edits a spec, regenerates with the cache of the previous run, and
compares with a generation from an empty cache, byte for byte.  Each edit is chosen so that a
stale module would show: a renamed schema used elsewhere, an enum whose values change type
(the union listing it decodes differently, with no change to the union itself), a nested union
gaining a variant (the outer union's dispatch changes), lines added above everything.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from runmodels import incremental
from runmodels.api import render as render_files
from runmodels.build.package_ir import build_package
from runmodels.emit import render
from runmodels.ir.nodes import Origin
from runmodels.options import Options

ROOT = Path(__file__).resolve().parents[1]
RUNS = (ROOT / "specs" / "runs_v2.yaml").read_text(encoding="utf-8")

NESTED = """\
openapi: 3.1.0
info: {title: Nested, version: "1"}
components:
  schemas:
    Kind:
      type: string
      enum: [alpha, beta]
    Cat:
      type: object
      properties:
        type: {type: string, enum: [cat]}
        lives: {type: integer}
      required: [type]
    Dog:
      type: object
      properties:
        type: {type: string, enum: [dog]}
      required: [type]
    Bird:
      type: object
      properties:
        type: {type: string, enum: [bird]}
      required: [type]
    Pet:
      oneOf:
        - $ref: "#/components/schemas/Cat"
        - $ref: "#/components/schemas/Dog"
    Animal:
      description: A pet (nested union) or a kind.
      oneOf:
        - $ref: "#/components/schemas/Pet"
        - $ref: "#/components/schemas/Kind"
    Owner:
      type: object
      properties:
        animal: {$ref: "#/components/schemas/Animal"}
        kind: {$ref: "#/components/schemas/Kind"}
"""


def _edit(text: str, old: str, new: str, count: int = 1) -> str:
    assert text.count(old) >= count, old
    return text.replace(old, new) if count == -1 else text.replace(old, new, count)


EDITS = {
    "description": (RUNS, lambda t: _edit(t, "The last error associated with a run.",
                                          "The last error of a run (edited).")),
    "renamed schema used elsewhere": (RUNS, lambda t: _edit(t, "RunLastError", "RunFailure", -1)),
    "property added to a referenced model": (RUNS, lambda t: _edit(
        t, "      properties:\n        code:\n          type: string\n          description: One of",
        "      properties:\n        retry_after:\n          type: integer\n"
        "        code:\n          type: string\n          description: One of")),
    "enum member added": (RUNS, lambda t: _edit(t, "        - incomplete\n        - expired\n",
                                                "        - incomplete\n        - expired\n"
                                                "        - paused\n")),
    "enum values become integers (union over it unchanged)": (RUNS, lambda t: _edit(
        t, "      type: string\n      title: Response format mode\n"
        "      description: \"`auto` is the default value.\"\n      enum: [auto]",
        "      type: integer\n      title: Response format mode\n"
        "      description: \"`auto` is the default value.\"\n      enum: [1, 2]")),
    "lines added above every schema": (RUNS, lambda t: _edit(
        t, "servers:\n", "x-note: |\n  one\n  two\n  three\nservers:\n")),
    "nested union gains a variant": (NESTED, lambda t: _edit(
        t, "        - $ref: \"#/components/schemas/Dog\"\n",
        "        - $ref: \"#/components/schemas/Dog\"\n"
        "        - $ref: \"#/components/schemas/Bird\"\n")),
    "enum used by a union and a model changes type": (NESTED, lambda t: _edit(
        t, "      type: string\n      enum: [alpha, beta]", "      type: integer\n      enum: [1, 2]")),
}


@pytest.fixture
def count_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    rendered: list[str] = []
    original = render.render_module

    def counting(env, pkg, module, head):  # type: ignore[no-untyped-def]
        rendered.append(module.name)
        return original(env, pkg, module, head)

    monkeypatch.setattr(render, "render_module", counting)
    return rendered


@pytest.mark.slow
@pytest.mark.parametrize("name", list(EDITS))
def test_warm_regeneration_after_an_edit_equals_a_cold_one(
        name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count_renders: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    original, edit = EDITS[name]
    spec = tmp_path / "spec" / "api.yaml"
    spec.parent.mkdir()
    warm_cache = tmp_path / "warm"
    spec.write_text(original, encoding="utf-8")
    before, _ = render_files(Options(spec, "pkg"), cache_dir=warm_cache)
    total = len(count_renders)
    edited = edit(original)
    assert edited != original
    spec.write_text(edited, encoding="utf-8")
    count_renders.clear()
    warm, warm_warnings = render_files(Options(spec, "pkg"), cache_dir=warm_cache)
    warm_rendered = len(count_renders)
    cold, cold_warnings = render_files(Options(spec, "pkg"), cache_dir=tmp_path / f"cold-{name}")
    assert warm.keys() == cold.keys()
    stale = [path for path in cold if warm[path] != cold[path]]
    assert not stale, f"warm regeneration differs from a cold one in {stale}"
    assert warm_warnings == cold_warnings
    # moving lines changes no code (headers name the spec, not its hash); other edits show
    assert (warm == before) == (name == "lines added above every schema")
    assert warm_rendered < total, "the warm run re-rendered every module: nothing was reused"


@pytest.mark.slow
def test_unchanged_modules_are_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      count_renders: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "api.yaml"
    spec.write_text(RUNS, encoding="utf-8")
    render_files(Options(spec, "pkg"), cache_dir=tmp_path / "cache")
    count_renders.clear()
    spec.write_text(EDITS["description"][1](RUNS), encoding="utf-8")
    render_files(Options(spec, "pkg"), cache_dir=tmp_path / "cache")
    # the edited schema's module, and the one module that looks RunLastError up (run.py)
    assert sorted(count_renders) == ["run", "run_last_error"]


def test_module_rendering_ignores_origins(tmp_path: Path) -> None:
    """The store's digests leave `Origin` out: rendering must never read it."""
    pkg = build_package(ROOT / "specs" / "runs_v2.yaml", "runs")
    moved = {name: dataclasses.replace(e, origin=Origin("elsewhere.yaml", "/x", 999, 9))
             for name, e in pkg.entities.items()}
    other = dataclasses.replace(pkg, entities=moved)
    env = render.environment()
    head = render.header(pkg)
    for module in pkg.modules:
        assert render.render_module(env, pkg, module, head) == render.render_module(
            env, other, module, head), module.name


def test_lookup_recorder_records_what_rendering_reads() -> None:
    pkg = build_package(ROOT / "specs" / "runs_v2.yaml", "runs")
    recorder = incremental.LookupRecorder(pkg.entities)
    recorder.get("Run")
    assert "Run" in recorder
    _ = recorder["RunStatus"]
    assert recorder.seen == {"Run", "RunStatus"}
    list(recorder.items())
    assert incremental.EVERYTHING in recorder.seen


def test_planned_paths_are_the_rendered_paths() -> None:
    for spec, client in ((ROOT / "specs" / "runs_v2.yaml", True),
                         (ROOT / "specs" / "runs_v2.yaml", False)):
        pkg = build_package(spec, "runs", client=client)
        assert render.planned_paths(pkg) == list(render.render_package(pkg))
