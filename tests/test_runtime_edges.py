"""The runtime's less travelled paths, as a generated package meets them.

Found by mutation testing (tools/mutation.py): each test here fails when one small change to
templates/runtime/_runtime.py goes unnoticed by the rest of the suite — item decoders of
numbers, open integer enums, untagged unions that match only leniently, nesting deeper than the
stack, the wording of `DecodeError`, reprs and the standard library's JSON fallback.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from runmodels.api import generate

SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "runtime edges", "version": "1"},
    "paths": {},
    "components": {"schemas": {
        "Color": {"type": "string", "enum": ["red", "green"]},
        "Size": {"type": "string", "enum": ["small", "large"]},
        "Level": {"type": "integer", "enum": [1, 2, 3]},
        "Named": {"type": "object", "required": ["name"], "additionalProperties": False,
                  "properties": {"name": {"type": "string"},
                                 "color": {"$ref": "#/components/schemas/Color"}}},
        "Numbered": {"type": "object", "required": ["id"], "additionalProperties": False,
                     "properties": {"id": {"type": "integer"}}},
        "Either": {"oneOf": [{"$ref": "#/components/schemas/Named"},
                             {"$ref": "#/components/schemas/Numbered"}]},
        "Circle": {"type": "object", "required": ["type"],
                   "properties": {"type": {"type": "string", "enum": ["circle"]},
                                  "r": {"type": "number"}}},
        "Square": {"type": "object", "required": ["type"],
                   "properties": {"type": {"type": "string", "enum": ["square"]}}},
        "Shape": {"oneOf": [{"$ref": "#/components/schemas/Circle"},
                            {"$ref": "#/components/schemas/Square"}],
                  "discriminator": {"propertyName": "type"}},
        "Node": {"type": "object", "properties": {
            "name": {"type": "string"},
            "child": {"$ref": "#/components/schemas/Node"}}},
        "Holder": {"type": "object", "properties": {
            "numbers": {"type": "array", "items": {"type": "number"}},
            "weights": {"type": "object", "additionalProperties": {"type": "number"}},
            "color": {"$ref": "#/components/schemas/Color"},
            "level": {"$ref": "#/components/schemas/Level"},
            "levels": {"type": "array", "items": {"$ref": "#/components/schemas/Level"}},
            "either": {"$ref": "#/components/schemas/Either"},
            "shape": {"$ref": "#/components/schemas/Shape"},
            "count": {"type": "integer"},
            "label": {"type": "string"},
            "ratio": {"type": "number"},
            "flag": {"type": "boolean"},
            "kind": {"type": "string", "const": "holder"},
            "names": {"type": "array", "items": {"type": "string"}},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "blobs": {"type": "array", "items": {"type": "object"}},
            "prim": {"type": ["string", "integer"]},
            "prims": {"type": "array", "items": {"type": ["boolean", "integer"]}},
            "loose": {"anyOf": [{"type": "string"},
                                {"type": "object", "additionalProperties": {"type": "integer"}},
                                {"type": "array", "items": {"type": "integer"}}]},
            "paint": {"oneOf": [{"$ref": "#/components/schemas/Color"},
                                {"$ref": "#/components/schemas/Size"}]},
        }},
    }},
}


@pytest.fixture(scope="module")
def m(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    out = tmp_path_factory.mktemp("edges")
    spec = out / "edges.json"
    spec.write_text(json.dumps(SPEC), encoding="utf-8")
    generate(spec, out, "runtime_edges", client=False)
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module("runtime_edges")
    finally:
        sys.path.remove(str(out))


def problems(m: ModuleType, data: Any, strict: bool = True) -> list[tuple[str, str]]:
    """What decoding reports; lenient decoding keeps values of the wrong type (and lists them
    with `deviations`), so the reports are strict decoding's unless asked otherwise."""
    try:
        m.Holder.from_dict(data, strict=strict)
    except m.DecodeError as exc:
        return list(exc.errors)
    return []


def test_number_items_accept_ints_and_floats_only(m: ModuleType) -> None:
    data = {"numbers": [1, 2.5, -0.0, 10**30], "weights": {"a": 1, "b": 0.5}}
    assert m.Holder.from_dict(data, strict=True).to_dict() == data
    assert problems(m, {"numbers": [True, "2", [3]]}) == [
        ("$.numbers[0]", "expected number, got bool"), ("$.numbers[1]", "expected number, got str"),
        ("$.numbers[2]", "expected number, got array")]
    assert problems(m, {"weights": {"a": {}, "b": False}}) == [
        ("$.weights.a", "expected number, got object"), ("$.weights.b", "expected number, got bool")]
    # a null item: kept by lenient decoding, reported by strict decoding
    assert m.Holder.from_dict({"numbers": [1, None]}).numbers == [1, None]
    assert problems(m, {"numbers": [1, None]}, strict=True) == [
        ("$.numbers[1]", "null is not allowed")]


def test_wrong_types_name_the_json_kind(m: ModuleType) -> None:
    assert problems(m, {"count": [1], "label": {"a": 1}, "ratio": "1", "color": 1, "level": "1"}
                    ) == [("$.color", "expected str, got int"),
                          ("$.level", "expected int, got str"),
                          ("$.count", "expected int, got array"),
                          ("$.label", "expected str, got object"),
                          ("$.ratio", "expected number, got str")]
    assert problems(m, {"ratio": True, "count": False}) == [("$.count", "expected int, got bool"),
                                                             ("$.ratio", "expected number, got bool")]
    assert problems(m, {"levels": [1, True, 2.5]}) == [("$.levels[1]", "expected int, got bool"),
                                                       ("$.levels[2]", "expected int, got float")]


def test_containers_of_strings_and_free_form_objects_check_their_items(m: ModuleType) -> None:
    good = {"names": ["a", ""], "labels": {"k": "v"}, "blobs": [{"a": 1}, {}], "flag": False}
    assert m.Holder.from_dict(good, strict=True).to_dict() == good
    assert problems(m, {"names": ["a", 1], "labels": {"k": "v", "n": None, "x": 2},
                        "blobs": [{}, 5, []], "flag": "yes"}) == [
        ("$.flag", "expected bool, got str"), ("$.names[1]", "expected str, got int"),
        ("$.labels.n", "null is not allowed"), ("$.labels.x", "expected str, got int"),
        ("$.blobs[1]", "expected object, got int"), ("$.blobs[2]", "expected object, got array")]


def test_values_of_several_primitive_types(m: ModuleType) -> None:
    data = {"prim": "a", "prims": [True, 1, False, 0]}
    holder = m.Holder.from_dict(data, strict=True)
    assert holder.to_dict() == data and [type(x) for x in holder.prims] == [bool, int, bool, int]
    assert m.Holder.from_dict({"prim": 7}).prim == 7
    assert problems(m, {"prim": True, "prims": [1.5, "x", None]}) == [
        ("$.prim", "expected str or int, got bool"), ("$.prims[0]", "expected bool or int, got float"),
        ("$.prims[1]", "expected bool or int, got str"), ("$.prims[2]", "null is not allowed")]
    assert problems(m, {"prims": [None]}, strict=True) == [("$.prims[0]", "null is not allowed")]


def test_unions_of_plain_containers_and_of_two_enums(m: ModuleType) -> None:
    for loose in ("text", {"a": 1, "b": 2}, [1, 2]):
        holder = m.Holder.from_dict({"loose": loose}, strict=True)
        assert holder.loose == loose and holder.to_dict() == {"loose": loose}
    assert m.Holder.from_dict({"paint": "large"}).paint is m.Size.LARGE
    assert m.Holder.from_dict({"paint": "red"}).paint is m.Color.RED
    new = m.Holder.from_dict({"paint": "teal"})
    assert new.paint == "teal" and not new.paint.is_known and new.to_dict() == {"paint": "teal"}


def test_open_integer_enum_keeps_unknown_values(m: ModuleType) -> None:
    holder = m.Holder.from_dict({"level": 9, "levels": [1, 7]})
    assert holder.level == 9 and not holder.level.is_known and isinstance(holder.level, m.Level)
    assert holder.levels[0] is m.Level(1) and holder.levels[0].is_known
    assert holder.to_dict() == {"level": 9, "levels": [1, 7]}
    assert m.Level(9) == m.Level(9) and not m.Level(9).is_known
    for wrong in ("9", 1.5, None):
        with pytest.raises(ValueError):
            m.Level(wrong)
    assert problems(m, {"level": 9}, strict=True) == [("$.level", "unknown value 9 for Level")]


def test_a_json_bool_is_not_an_integer_enum_value(m: ModuleType) -> None:
    # True == 1 in Python: without care `true` would decode to Level 1 and encode back as 1
    expected = [("$.level", "expected int, got bool"), ("$.levels[0]", "expected int, got bool")]
    data = {"level": True, "levels": [False, 2]}
    assert problems(m, data, strict=True) == expected
    kept = m.Holder.from_dict(data)  # lenient: kept as they came, and listed
    assert kept.to_dict() == data and kept.to_dict()["level"] is True
    assert [(d.path, d.kind) for d in m.deviations(kept)] == [
        ("$.level", "wrong_type"), ("$.levels[0]", "wrong_type")]


def test_open_string_enum_keeps_unknown_values(m: ModuleType) -> None:
    assert m.Color("mauve").value == "mauve" and not m.Color("mauve").is_known
    assert m.Color("mauve") is m.Color("mauve")  # one pseudo-member per value, like a member
    assert m.Color("red") is m.Color.RED
    for wrong in (1, None):
        with pytest.raises(ValueError):
            m.Color(wrong)


def test_an_untagged_union_falls_back_to_a_lenient_match(m: ModuleType) -> None:
    data = {"either": {"name": "n", "color": "mauve"}}  # only an unknown enum value: lenient
    holder = m.Holder.from_dict(data)
    assert type(holder.either).__name__ == "Named" and holder.either.color == "mauve"
    assert holder.to_dict() == data
    assert problems(m, data, strict=True) == [
        ("$.either", "matches no variant of Either exactly")]
    exact = m.Holder.from_dict({"either": {"id": 3}}, strict=True)
    assert type(exact.either).__name__ == "Numbered"
    odd = {"either": {"name": 5, "id": "x"}}  # no variant decodes it, even leniently
    neither = m.Holder.from_dict(odd)
    assert isinstance(neither.either, m.UnknownVariant) and neither.to_dict() == odd
    assert problems(m, odd, strict=True) == [("$.either", "no variant of Either matches")]


def test_an_unknown_variant_names_its_tag(m: ModuleType) -> None:
    assert problems(m, {"shape": {"type": "hexagon"}}, strict=True) == [
        ("$.shape", 'no variant of Shape matches (tag "hexagon")')]
    assert isinstance(m.Holder.from_dict({"shape": {"type": "hexagon"}}).shape, m.UnknownVariant)


def test_nesting_deeper_than_the_stack_is_a_decode_error(m: ModuleType) -> None:
    node: dict[str, Any] = {"name": "leaf"}
    for _ in range(sys.getrecursionlimit() + 100):
        node = {"child": node}
    with pytest.raises(m.DecodeError) as caught:
        m.Node.from_dict(node)
    assert caught.value.errors == [("$", "nesting is too deep to decode")]


def test_decode_error_counts_its_problems(m: ModuleType) -> None:
    with pytest.raises(m.DecodeError) as one:
        m.Holder.from_dict({"count": "x"}, strict=True)
    assert str(one.value) == "1 problem decoding payload:\n  $.count: expected int, got str"
    with pytest.raises(m.DecodeError) as two:
        m.Holder.from_dict({"count": "x", "label": 1}, strict=True)
    assert str(two.value).startswith("2 problems decoding payload:\n  $.count: ")
    assert isinstance(two.value, ValueError)


def test_a_const_allows_its_value_only(m: ModuleType) -> None:
    assert problems(m, {"kind": "holder"}, strict=True) == []
    assert problems(m, {"kind": "other"}, strict=True) == [("$.kind", 'must be one of "holder"')]
    assert m.Holder.from_dict({"kind": "other"}).kind == "other"  # lenient: kept as it came


def test_unset_is_falsy_and_one_of_a_kind(m: ModuleType) -> None:
    holder = m.Holder.from_dict({})
    assert holder.count is m.UNSET and not m.UNSET and bool(m.UNSET) is False
    assert repr(m.UNSET) == "UNSET"


def test_repr_shows_only_the_fields_that_are_there(m: ModuleType) -> None:
    assert repr(m.Holder.from_dict({"count": 1})) == "Holder(count=1)"
    assert repr(m.Holder.from_dict({"count": None, "x": 2})) == "Holder(count=None, _extra={'x': 2})"


def test_models_are_equal_only_with_equal_values(m: ModuleType) -> None:
    small, big = m.Holder.from_dict({"count": 1}), m.Holder.from_dict({"count": 2})
    assert small == m.Holder.from_dict({"count": 1}) and small == m.Holder(count=1)
    assert small != big and big != small  # != is the inverse of the model's __eq__
    assert m.Holder.from_dict({}) != small  # absent is not a value
    assert small != m.Node.from_dict({}) and small != {"count": 1}


@pytest.fixture
def stdlib_json(m: ModuleType) -> Iterator[None]:
    """The package with orjson switched off, as where it is not installed."""
    runtime = importlib.import_module("runtime_edges._runtime")
    runtime._orjson = False
    try:
        yield
    finally:
        runtime._orjson = None  # looked up again on first use


def test_stdlib_json_writes_non_ascii_as_it_is_also_beside_nan(m: ModuleType,
                                                              stdlib_json: None) -> None:
    holder = m.Holder.from_dict({"label": "naïve ✓ 😀", "ratio": float("nan")})
    assert holder.to_json() == '{"label":"naïve ✓ 😀","ratio":null}'
    assert m.Holder.from_dict({"label": "é"}).to_json() == '{"label":"é"}'


@pytest.mark.parametrize("number", [-9223372036854775809, -9999999999999999999, -(2**64), 2**64,
                                    2**64 - 1, -(2**63), 2**63, 10**19, -(10**18)])
@pytest.mark.parametrize("backend", ["orjson", "json"])
def test_integers_at_the_64_bit_edges_stay_exact(m: ModuleType, backend: str,
                                                 number: int) -> None:
    runtime = importlib.import_module("runtime_edges._runtime")
    if backend == "orjson" and not runtime.fast_json():
        pytest.skip("orjson is not installed")
    runtime._orjson = None if backend == "orjson" else False
    try:
        for text in (f'{{"count": {number}}}', f'{{"label": "-", "count": {number}}}'):
            count = m.Holder.from_json(text, strict=True).count
            assert count == number and type(count) is int, (text, count)
    finally:
        runtime._orjson = None


def test_without_orjson_the_standard_library_decodes(m: ModuleType,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Where orjson is not installed its import fails; JSON then goes through `json`."""
    runtime = importlib.import_module("runtime_edges._runtime")
    monkeypatch.setitem(sys.modules, "orjson", None)  # `import orjson` raises ImportError
    runtime._orjson = None  # looked up again on first use
    try:
        assert m.Holder.from_json('{"count": 1, "label": "é"}').to_json() == (
            '{"count":1,"label":"é"}')
        with pytest.raises(m.DecodeError, match="invalid JSON"):
            m.Holder.from_json("{")
        assert runtime.fast_json() is False
    finally:
        runtime._orjson = None
