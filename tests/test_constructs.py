"""One small spec per construct real specs use; each has a golden output and round trips.

Refresh the golden files after an intended change (or create the one of a new spec) with:
UPDATE_SNAPSHOTS=1 python -m pytest tests/test_constructs.py — a missing golden fails; it is
never written unless asked.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from runmodels.api import generate
from runmodels.build.names import snake
from runmodels.build.package_ir import build_package
from runmodels.spec.tree import load_file

HERE = Path(__file__).resolve().parent / "constructs"
SPECS = sorted(p for p in HERE.iterdir() if p.suffix in (".yaml", ".json"))
GOLDEN = HERE / "golden"
UPDATE_COMMAND = "UPDATE_SNAPSHOTS=1 python -m pytest tests/test_constructs.py"
# payloads that strict decoding must reject, with the JSON paths it must name; every other
# payload of x-test-payloads must decode strictly without a problem
STRICT_REJECTS = {
    ("enums_consts_defaults", "Holder", 1): ["$.level"],  # an enum value the spec lacks
    ("unions", "Holder", 0): ["$.animals[3]"],  # a union member of an unknown kind
    ("unions", "Holder", 4): ["$.mixed"],  # a string the union's enum lacks
    ("shadowing_and_mixed_enums", "Decorated", 2): ["$.level"],  # in neither enum of the union
    ("shadowing_and_mixed_enums", "Decorated", 3): ["$.level"],
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("constructs")
    for spec in SPECS:
        generate(spec, out, f"c_{spec.stem}")
    sys.path.insert(0, str(out))
    return out


def _snapshot(package_dir: Path) -> str:
    parts = []
    for path in sorted((package_dir / "models").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        parts.append(f"# ---- models/{path.name}\n" + text.split("\n", 1)[1])
    return "\n".join(parts)


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_golden_output(built: Path, spec: Path) -> None:
    actual = _snapshot(built / f"c_{spec.stem}")
    golden = GOLDEN / f"{spec.stem}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        golden.write_text(actual, encoding="utf-8")
    assert golden.is_file(), (
        f"no golden output for {spec.name}; review the generated models, then create it with: "
        f"{UPDATE_COMMAND}")
    assert actual == golden.read_text(encoding="utf-8"), (
        f"{golden.name} differs; if intended: {UPDATE_COMMAND}")


def _decode(module: ModuleType, name: str) -> Any:
    target = getattr(module, name)
    return target.from_dict if hasattr(target, "from_dict") else getattr(
        module, f"decode_{snake(name)}")


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_payloads_round_trip(built: Path, spec: Path) -> None:
    module = importlib.import_module(f"c_{spec.stem}")
    cases = load_file(spec)["x-test-payloads"]
    python_names = dict(build_package(spec, "p").schema_names)
    for key, payloads in cases.items():
        schema = python_names[key]
        for i, payload in enumerate(payloads):
            value = _decode(module, schema)(payload)
            assert module.encode(value) == payload, (schema, payload)
            expected = STRICT_REJECTS.get((spec.stem, key, i), [])
            assert _strict_problems(module, schema, payload) == expected, (key, i, payload)


def _strict_problems(module: ModuleType, schema: str, payload: Any) -> list[str]:
    """The JSON paths strict decoding reports for payload ([] when it decodes)."""
    try:
        value = _decode(module, schema)(payload, strict=True)
    except module.DecodeError as exc:
        return [path for path, _ in exc.errors]
    assert module.encode(value) == payload
    return []


def test_every_strict_rejection_names_an_existing_payload() -> None:
    for stem, key, i in STRICT_REJECTS:
        assert len(load_file(HERE / f"{stem}.yaml")["x-test-payloads"][key]) > i


@pytest.mark.slow
def test_all_construct_packages_pass_mypy_strict(built: Path) -> None:
    names = [f"c_{spec.stem}" for spec in SPECS]
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                             *names], cwd=built, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:]


@pytest.mark.slow
def test_all_construct_packages_are_black_formatted(built: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "black", "--check", "--line-length", "88",
                             "--target-version", "py310", "."], cwd=built, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr[-4000:]


def test_union_dispatch(built: Path) -> None:
    m = importlib.import_module("c_unions")
    holder = m.Holder.from_dict({
        "pet": {"kind": "dog"},
        "animals": [{"kind": "cat"}, {"kind": "bird"}, {"kind": "dragon"}],
        "mixed": 3, "untagged": {"name": "n"},
    })
    assert type(holder.pet).__name__ == "Dog"
    assert [type(a).__name__ for a in holder.animals] == ["Cat", "Bird", "UnknownVariant"]
    assert holder.mixed == 3 and type(holder.untagged).__name__ == "UntaggedByName"
    assert m.Holder.from_dict({"mixed": "auto"}).mixed == m.Mode.AUTO
    assert m.Holder.from_dict({"mixed": ["a"]}).mixed == ["a"]
    assert type(m.Holder.from_dict({"untagged": {"id": 1}}).untagged).__name__ == "UntaggedById"


def test_odd_names_are_safe_and_distinct(built: Path) -> None:
    m = importlib.import_module("c_odd_identifiers")
    import dataclasses
    import keyword

    names = [f.name for f in dataclasses.fields(m.Class)]
    assert len(names) == len(set(names))
    assert all(n.isidentifier() and not keyword.iskeyword(n) for n in names)
    assert not any(n.startswith("__") for n in names if n != "_extra")
    assert {"class_", "def_", "match", "case", "type", "object", "str_", "list_"} <= set(names)
    assert m.Colors.RED.value == "red" and m.Colors("RED").is_known
    assert {c.value for c in m.Colors} == {"red", "RED", "", "1st", "class", "mro", "_sunder_",
                                           "name", "value"}
    assert hasattr(m, "Model_2faSettings")


def test_inline_names(built: Path) -> None:
    m = importlib.import_module("c_inline_naming")
    for name in ("Run", "RunRequiredAction", "RunRequiredActionSubmitToolOutputs",
                 "RunRequiredActionSubmitToolOutputsToolCallsItem", "RunStatus", "RunStatus2"):
        assert hasattr(m, name), name
    assert issubclass(m.RunStatus2, m.OpenStrEnum)


def test_references_across_files_and_siblings(built: Path) -> None:
    order = importlib.import_module("c_ref_other_file").Order.from_dict(
        {"id": "o", "customer": {"name": "A", "address": {"city": "X", "zip": None}}})
    assert order.customer.address.zip is None
    m = importlib.import_module("c_ref_siblings")
    assert m.Holder.from_dict({"usage": None, "described": {}}, strict=True).usage is None
    with pytest.raises(m.DecodeError, match="described: null is not allowed"):
        m.Holder.from_dict({"usage": None, "described": None}, strict=True)


def test_constraints_and_closed_objects(built: Path) -> None:
    m = importlib.import_module("c_maps_and_free_form")
    with pytest.raises(m.DecodeError, match="unknown field"):
        m.Closed.from_dict({"only": "x", "more": 1}, strict=True)
    assert m.Closed.from_dict({"only": "x", "more": 1}).to_dict() == {"only": "x", "more": 1}
    with pytest.raises(m.DecodeError, match=r"counts\.a: expected int"):
        m.Holder.from_dict({"counts": {"a": "1"}}, strict=True)
    kept = m.Holder.from_dict({"counts": {"a": "1"}})  # lenient: kept as it arrived, and listed
    assert kept.to_dict() == {"counts": {"a": "1"}} and kept.counts is m.UNSET
    assert [(d.kind, d.path) for d in m.deviations(kept)] == [("wrong_type", "$.counts.a")]
    frag = importlib.import_module("c_fragment")
    with pytest.raises(frag.DecodeError, match="length must be <= 10"):
        frag.Tag.from_dict({"label": "much too long"}, strict=True)


def test_deep_recursion(built: Path) -> None:
    m = importlib.import_module("c_recursion")
    node: dict[str, Any] = {"name": "leaf"}
    for i in range(200):
        node = {"name": f"n{i}", "children": [node]}
    assert m.Node.from_dict(node).to_dict() == node
