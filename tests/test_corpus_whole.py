"""Both real OpenAI specs generate whole, import, type-check, and their examples round-trip."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from corpus import V2_2024, WHOLE_2026, Example, corpus_file, iter_examples

from runmodels.api import generate
from runmodels.build.names import snake
from runmodels.build.package_ir import build_package
from runmodels.spec.tree import load_file

pytestmark = pytest.mark.slow  # whole OpenAI specs: generation, real black and mypy

CASES = {"oa2024": V2_2024, "oa2026": WHOLE_2026}

# Examples whose JSON *types* contradict their own schema (not just null or missing): non-strict
# decoding keeps the value as it arrived, so these round-trip too, and `deviations()` must list a
# wrong type at exactly this path (and at no other).
CONTRADICTIONS = {
    "#/components/schemas/GraderMulti x-oaiMeta.example": "$.graders",  # array for one grader
    "#/components/schemas/RealtimeTranscriptionSessionCreateResponseGA x-oaiMeta.example":
        "$.audio.input.format",  # a string where the schema has an object
    "#/components/schemas/ResponseQueuedEvent x-oaiMeta.example": "$.response.created_at",
    "#/components/schemas/BetaResponseQueuedEvent x-oaiMeta.example": "$.response.created_at",
    "POST /fine_tuning/alpha/graders/run x-oaiMeta.examples[0]": "$.metadata.token_usage",
    "POST /vector_stores/{vector_store_id}/search x-oaiMeta.examples[0]": "$.search_query",
}


@pytest.fixture(scope="module", params=sorted(CASES))
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> tuple[str, Path, Path]:
    name = request.param
    spec = corpus_file(CASES[name])
    out = tmp_path_factory.mktemp(name)
    result = generate(spec, out, name)
    assert result.written, "nothing was generated"
    return name, spec, out


def _import(name: str, out: Path) -> ModuleType:
    if str(out) not in sys.path:
        sys.path.insert(0, str(out))
    return importlib.import_module(name)


def test_every_component_schema_is_generated(generated: tuple[str, Path, Path]) -> None:
    name, spec, out = generated
    doc = load_file(spec)
    keys = set(doc["components"]["schemas"])
    pkg = build_package(spec, name)
    named = dict(pkg.schema_names)
    missing = sorted(keys - set(named))
    assert not missing, f"schemas dropped: {missing[:20]}"
    module = _import(name, out)
    absent = [py for py in named.values() if not hasattr(module, py)]
    assert not absent, absent[:20]
    print(f"{name}: {len(keys)} component schemas, {len(pkg.entities)} entities, "
          f"{len(pkg.modules)} modules, {len(pkg.operations)} operations")


def test_generated_package_passes_mypy_strict(generated: tuple[str, Path, Path]) -> None:
    name, _, out = generated
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", name],
        cwd=out, capture_output=True, text=True, check=False, timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]


def test_generated_package_is_exactly_black_formatted(generated: tuple[str, Path, Path]) -> None:
    """The fast formatter must give black's output byte for byte; real black is the judge."""
    name, _, out = generated
    result = subprocess.run(
        [sys.executable, "-m", "black", "--check", "--quiet", "--line-length", "88",
         "--target-version", "py310", "--workers", "2", name],
        cwd=out, capture_output=True, text=True, check=False, timeout=1800,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def _event_schemas(doc: dict[str, Any]) -> dict[str, str]:
    """SSE event name -> the component its `data` holds, read from the event schemas."""
    found: dict[str, str] = {}
    candidates = []
    for schema in doc["components"]["schemas"].values():
        candidates.append(schema)
        if isinstance(schema, dict):
            candidates.extend(schema.get("oneOf") or schema.get("anyOf") or [])
    for schema in candidates:
        props = schema.get("properties") if isinstance(schema, dict) else None
        if not isinstance(props, dict):
            continue
        event, data = props.get("event"), props.get("data")
        values = event.get("enum") if isinstance(event, dict) else None
        ref = data.get("$ref") if isinstance(data, dict) else None
        if isinstance(values, list) and len(values) == 1 and isinstance(ref, str):
            found.setdefault(str(values[0]), ref.rsplit("/", 1)[-1])
    return found


def _decoder(module: ModuleType, py_name: str) -> Any:
    target = getattr(module, py_name)
    if hasattr(target, "from_dict"):
        return target.from_dict
    return getattr(module, f"decode_{snake(py_name)}")


def test_every_matched_example_round_trips(generated: tuple[str, Path, Path]) -> None:
    name, spec, out = generated
    doc = load_file(spec)
    names = dict(build_package(spec, name).schema_names)
    events = _event_schemas(doc)
    module = _import(name, out)
    counts: Counter[str] = Counter()
    failures: list[str] = []
    for example in iter_examples(doc):
        counts["found"] += 1
        key = events.get(example.event or "") if example.event else example.schema
        if key not in names:
            continue
        try:
            data = example.data()
        except json.JSONDecodeError:
            counts["not JSON"] += 1
            continue
        counts["matched"] += 1
        if _round_trips(module, names[key], data, example, failures):
            counts["round-tripped"] += 1
            counts["of them contradict their schema"] += example.where in CONTRADICTIONS
    print(f"{name} examples: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    assert not failures, "\n".join(failures[:30])
    assert counts["round-tripped"] >= 50


def _round_trips(module: ModuleType, py_name: str, data: Any, example: Example,
                 failures: list[str]) -> bool:
    expected_path = CONTRADICTIONS.get(example.where)
    try:
        value = _decoder(module, py_name)(data)
        encoded = module.encode(value)
    except module.DecodeError as exc:
        failures.append(f"{example.where} as {py_name}: {exc}")
        return False
    mistyped = [d.path for d in module.deviations(value) if d.kind == "wrong_type"]
    if mistyped != ([expected_path] if expected_path else []):
        failures.append(f"{example.where}: wrong types at {mistyped}, expected {expected_path}")
        return False
    if encoded != data:
        failures.append(f"{example.where} as {py_name}: to_dict(from_dict(x)) != x")
        return False
    return True
