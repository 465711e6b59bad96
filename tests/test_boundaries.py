"""Strict decoding at the edge of every constraint, and the JSON path of every kind of key.

Each limit is tried at the limit, one past and one short, because an off-by-one (`>=` for `>`,
an exclusive bound made inclusive) passes every test that uses values far from the limit.
Lengths count code points, as JSON Schema says: astral characters and combining marks count one
each. The packages are generated from small specs into a temporary folder, so what is tested is
what the generator and the runtime produce together.
"""

from __future__ import annotations

import importlib
import json
import math
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from runmodels.api import generate

LOW, HIGH = 1.5, 3  # the numeric bounds of the spec below; floats and ints on purpose
ODD_KEYS = ["plain", "with space", 'quo"te', "back\\slash", "ключ", "😀", "123", "1st", "",
            "a.b", "[0]", "x-y", "$ref", "_under", "new\nline"]


def _spec(dialect: str) -> dict[str, Any]:
    if dialect == "3.0":  # boolean exclusiveMinimum/exclusiveMaximum beside minimum/maximum
        exclusive = {"type": "number", "minimum": LOW, "exclusiveMinimum": True,
                     "maximum": HIGH, "exclusiveMaximum": True}
    else:
        exclusive = {"type": "number", "exclusiveMinimum": LOW, "exclusiveMaximum": HIGH}
    return {
        "openapi": "3.0.3" if dialect == "3.0" else "3.1.0",
        "info": {"title": "boundaries", "version": "1"},
        "paths": {},
        "components": {"schemas": {
            "Bounds": {"type": "object", "properties": {
                "text": {"type": "string", "minLength": 2, "maxLength": 4},
                "items": {"type": "array", "items": {"type": "integer"},
                          "minItems": 2, "maxItems": 4},
                "props": {"type": "object", "additionalProperties": {"type": "integer"},
                          "minProperties": 2, "maxProperties": 4},
                "inclusive": {"type": "number", "minimum": LOW, "maximum": HIGH},
                "exclusive": exclusive,
                "count": {"type": "integer", "minimum": 0, "maximum": 10},
                "code": {"type": "string", "pattern": "^[a-z]+$"},
                "tags": {"type": "array", "items": {"type": "string", "maxLength": 3}},
                "scores": {"type": "object",
                           "additionalProperties": {"type": "integer", "maximum": 9}},
                "keyed": {"type": "object", "propertyNames": {"maxLength": 3},
                          "additionalProperties": {"type": "string"}},
                "grid": {"type": "array",
                         "items": {"type": "array", "items": {"type": "integer"}}},
            }},
            "OddKeys": {"type": "object", "properties": {
                key: {"type": "integer"} for key in ODD_KEYS}},
            "Closed": {"type": "object", "additionalProperties": False,
                       "properties": {"only": {"type": "string"}}},
        }},
    }


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ModuleType]]:
    out = tmp_path_factory.mktemp("boundaries")
    built = {}
    for dialect in ("3.0", "3.1"):
        spec = out / f"bounds_{dialect.replace('.', '')}.json"
        spec.write_text(json.dumps(_spec(dialect)), encoding="utf-8")
        generate(spec, out, spec.stem, client=False)
        built[dialect] = spec.stem
    sys.path.insert(0, str(out))
    try:
        yield {dialect: importlib.import_module(name) for dialect, name in built.items()}
    finally:
        sys.path.remove(str(out))


@pytest.fixture(scope="module")
def m(packages: dict[str, ModuleType]) -> ModuleType:
    return packages["3.1"]


def problems(module: ModuleType, cls: str, data: dict[str, Any]) -> list[tuple[str, str]]:
    """Every (json_path, what) strict decoding reports for data; [] when it is accepted."""
    try:
        getattr(module, cls).from_dict(data, strict=True)
    except module.DecodeError as exc:
        return list(exc.errors)
    return []


def paths(module: ModuleType, cls: str, data: dict[str, Any]) -> list[str]:
    return [path for path, _ in problems(module, cls, data)]


def _accepted_leniently(module: ModuleType, data: dict[str, Any]) -> None:
    """Constraints are strict-mode checks only: the lenient decode keeps the value as it came."""
    assert module.Bounds.from_dict(data).to_dict() == data


# --- sizes: at the limit, one past, one short -----------------------------------------------
SIZES = [  # field, the value at min, at max; values one short and one past are derived
    ("text", "ab", "abcd"),
    ("items", [1, 2], [1, 2, 3, 4]),
    ("props", {"a": 1, "b": 2}, {"a": 1, "b": 2, "c": 3, "d": 4}),
]


def _longer(value: Any) -> Any:
    if isinstance(value, str):
        return value + "z"
    if isinstance(value, list):
        return [*value, 9]
    return {**value, "zz": 9}


def _shorter(value: Any) -> Any:
    if isinstance(value, str):
        return value[:-1]
    if isinstance(value, list):
        return value[:-1]
    return dict(list(value.items())[:-1])


@pytest.mark.parametrize(("field", "at_min", "at_max"), SIZES, ids=[s[0] for s in SIZES])
def test_sizes_at_their_limits_pass(m: ModuleType, field: str, at_min: Any, at_max: Any) -> None:
    for value in (at_min, _longer(at_min), _shorter(at_max), at_max):
        assert problems(m, "Bounds", {field: value}) == [], value


@pytest.mark.parametrize(("field", "at_min", "at_max"), SIZES, ids=[s[0] for s in SIZES])
def test_sizes_one_past_their_limits_fail(m: ModuleType, field: str, at_min: Any,
                                          at_max: Any) -> None:
    for value, bound in ((_shorter(at_min), ">= 2"), (_longer(at_max), "<= 4")):
        found = problems(m, "Bounds", {field: value})
        assert [p for p, _ in found] == [f"$.{field}"], value
        assert bound in found[0][1]
        _accepted_leniently(m, {field: value})


@pytest.mark.parametrize("text", ["😀😀😀😀", "e\u0301e\u0301", "ключ", "\U0010ffff" * 4],
                         ids=["astral", "combining", "cyrillic", "max-code-point"])
def test_lengths_count_code_points(m: ModuleType, text: str) -> None:
    assert len(text) == 4
    assert problems(m, "Bounds", {"text": text}) == []
    assert paths(m, "Bounds", {"text": text + text[-1]}) == ["$.text"]
    assert paths(m, "Bounds", {"text": text[0]}) == ["$.text"]
    # from JSON text too, escaped or not: what is counted is the decoded string
    for body in (json.dumps({"text": text}), json.dumps({"text": text}, ensure_ascii=False)):
        assert m.Bounds.from_json(body.encode("utf-8"), strict=True).text == text


# --- numbers: inclusive and exclusive bounds ------------------------------------------------
def _below(x: float) -> float:
    return math.nextafter(x, -math.inf)


def _above(x: float) -> float:
    return math.nextafter(x, math.inf)


def test_inclusive_bounds_accept_the_bound(m: ModuleType) -> None:
    for value in (LOW, _above(LOW), 2, _below(HIGH), HIGH, float(HIGH)):
        assert problems(m, "Bounds", {"inclusive": value}) == [], value
    for value in (_below(LOW), 1, _above(HIGH), 4, -math.inf, math.inf):
        found = problems(m, "Bounds", {"inclusive": value})
        assert [p for p, _ in found] == ["$.inclusive"], value


def test_integer_bounds(m: ModuleType) -> None:
    for value in (0, 1, 9, 10):
        assert problems(m, "Bounds", {"count": value}) == [], value
    for value in (-1, 11):
        assert paths(m, "Bounds", {"count": value}) == ["$.count"], value


@pytest.mark.parametrize("dialect", ["3.0", "3.1"])
def test_exclusive_bounds_reject_the_bound(packages: dict[str, ModuleType], dialect: str) -> None:
    module = packages[dialect]
    for value in (_above(LOW), 2, 2.5, _below(HIGH)):
        assert problems(module, "Bounds", {"exclusive": value}) == [], value
    for value, bound in ((LOW, "> 1.5"), (_below(LOW), "> 1.5"), (HIGH, "< 3"),
                         (float(HIGH), "< 3"), (_above(HIGH), "< 3")):
        found = problems(module, "Bounds", {"exclusive": value})
        assert [p for p, _ in found] == ["$.exclusive"], value
        assert bound in found[0][1], found


def test_booleans_are_not_numbers_for_bounds(m: ModuleType) -> None:
    # True == 1 in Python; a bool is a type error, never a value "inside" [0, 10]
    assert [w for _, w in problems(m, "Bounds", {"count": True})] == ["expected int, got bool"]


# --- pattern, item and value constraints ----------------------------------------------------
def test_pattern_is_searched_as_written(m: ModuleType) -> None:
    assert problems(m, "Bounds", {"code": "abc"}) == []
    for value in ("", "abc1", "Abc", " abc"):
        assert paths(m, "Bounds", {"code": value}) == ["$.code"], value


def test_item_constraints_apply_to_each_item_with_its_index(m: ModuleType) -> None:
    assert problems(m, "Bounds", {"tags": ["abc", "", "xyz"]}) == []
    assert paths(m, "Bounds", {"tags": ["abc", "abcd", "x", "wxyz"]}) == ["$.tags[1]",
                                                                         "$.tags[3]"]
    assert problems(m, "Bounds", {"scores": {"a": 9, "b": -5}}) == []
    assert paths(m, "Bounds", {"scores": {"a": 10, "b c": 11}}) == ['$.scores.a',
                                                                  '$.scores["b c"]']


def test_property_name_length(m: ModuleType) -> None:
    assert problems(m, "Bounds", {"keyed": {"abc": "x", "😀😀😀": "y", "": "z"}}) == []
    found = problems(m, "Bounds", {"keyed": {"abcd": "x"}})
    assert [p for p, _ in found] == ["$.keyed"] and '"abcd"' in found[0][1]


def test_metadata_of_the_runs_spec_at_its_limits(runs_v2: ModuleType) -> None:
    """16 keys of up to 64 characters, values of up to 512: the limits themselves are valid."""
    def check(metadata: dict[str, str]) -> list[str]:
        return paths(runs_v2, "ModifyRunRequest", {"metadata": metadata})

    full = {f"{i:02d}" + "k" * 62: "v" * 512 for i in range(16)}
    assert all(len(k) == 64 for k in full)
    assert check(full) == []
    assert check({"k" * 63: "v" * 511}) == []
    assert check({**full, "one more": "v"}) == ["$.metadata"]
    assert check({"k" * 65: "v"}) == ["$.metadata"]
    assert check({"key": "v" * 513}) == ["$.metadata.key"]
    assert check({"key": "😀" * 512}) == []  # 512 code points, 2,048 bytes of UTF-8


# --- error paths: how every kind of key is written ------------------------------------------
EXPECTED_PATHS = {  # RFC 9535: member-name shorthand only where it is a plain name
    "plain": "$.plain",
    "with space": '$["with space"]',
    'quo"te': '$["quo\\"te"]',
    "back\\slash": '$["back\\\\slash"]',
    "ключ": "$.ключ",  # non-ASCII letters are allowed in the shorthand
    "😀": '$["\\ud83d\\ude00"]',
    "123": '$["123"]',  # never `$[123]`, which would be an array index
    "1st": '$["1st"]',
    "": '$[""]',
    "a.b": '$["a.b"]',
    "[0]": '$["[0]"]',
    "x-y": '$["x-y"]',
    "$ref": '$["$ref"]',
    "_under": "$._under",
    "new\nline": '$["new\\nline"]',
}


@pytest.mark.parametrize("key", ODD_KEYS, ids=repr)
def test_error_path_of_a_declared_member(m: ModuleType, key: str) -> None:
    assert paths(m, "OddKeys", {key: "not an int"}) == [EXPECTED_PATHS[key]]


def test_error_paths_of_map_keys_and_unknown_members(m: ModuleType) -> None:
    bad = {key: "x" for key in ODD_KEYS}
    assert paths(m, "Bounds", {"scores": bad}) == [
        "$.scores" + EXPECTED_PATHS[key][1:] for key in ODD_KEYS]
    unknown = {"only": "x", **{key: 1 for key in ODD_KEYS}}
    assert paths(m, "Closed", unknown) == [EXPECTED_PATHS[key] for key in ODD_KEYS]


def test_error_paths_are_json_path_that_selects_the_value(m: ModuleType) -> None:
    """Each bracketed name is a JSON string: reading it back reaches the member that failed."""
    data = {"scores": {key: f"bad {i}" for i, key in enumerate(ODD_KEYS)}}
    found = paths(m, "Bounds", data)
    assert len(found) == len(ODD_KEYS)
    for path in found:
        rest = path.removeprefix("$.scores")
        key = json.loads(rest[1:-1]) if rest.startswith("[") else rest.removeprefix(".")
        assert data["scores"].pop(key).startswith("bad"), path
    assert data["scores"] == {}


def test_error_paths_of_array_items(m: ModuleType) -> None:
    assert paths(m, "Bounds", {"items": [1, 2, "three"]}) == ["$.items[2]"]
    assert paths(m, "Bounds", {"grid": [[1], [2, "x"], [], ["y"]]}) == ["$.grid[1][1]",
                                                                       "$.grid[3][0]"]
    found = problems(m, "Bounds", {"grid": [[1], "row"], "props": {"a": 1, "b": []}})
    assert [p for p, _ in found] == ["$.props.b", "$.grid[1]"]


def test_every_problem_is_reported_once_with_its_path(m: ModuleType) -> None:
    data = {"text": "a", "items": [1], "props": {"a": 1}, "inclusive": 0, "exclusive": LOW,
            "count": 11, "code": "A", "tags": ["long"], "scores": {"s": 10},
            "keyed": {"long": "x"}}
    assert sorted(paths(m, "Bounds", data)) == sorted(
        ["$.text", "$.items", "$.props", "$.inclusive", "$.exclusive", "$.count", "$.code",
         "$.tags[0]", "$.scores.s", "$.keyed"])
    _accepted_leniently(m, data)
