"""Fuzz the generated decoders of specs/runs_v2.yaml: whatever a server sends, the only exception
that escapes `from_dict`/`from_json`/`decode_*` is the package's `DecodeError` (with JSON paths);
never KeyError, TypeError, AttributeError or RecursionError. Non-strict decoding never raises for
a JSON object given to a model (nor for any non-null value given to a union's decoder) and
round-trips it: wrong types, unknown fields, enum values, variants, missing members and nulls,
each listed by `deviations()` with a JSON path.

Inputs: hypothesis JSON values for every model class and union decoder, and seeded mutations of
the corpus payloads in tests/payloads/v2 (wrong types at random paths, removed members,
truncated text, 10,000-level nesting, huge strings, NaN/inf, duplicate keys in raw JSON).
"""

from __future__ import annotations

import copy
import json
import math
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from _hostile import ROOT, imported, unique_package
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runmodels.api import generate
from runmodels.build.names import snake

PAYLOADS = sorted((ROOT / "tests" / "payloads" / "v2").glob("*.json"))
COUNTS: dict[str, int] = {}


def count(kind: str, n: int = 1) -> None:
    COUNTS[kind] = COUNTS.get(kind, 0) + n


@pytest.fixture(scope="module")
def v2(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    tmp = tmp_path_factory.mktemp("fuzz_v2")
    package = unique_package("fuzz_v2")
    generate(ROOT / "specs" / "runs_v2.yaml", tmp / "out", package, cache_dir=tmp / "cache")
    with imported(tmp / "out", package) as pkg:
        yield pkg


def decoders(pkg: ModuleType) -> dict[str, Callable[..., Any]]:
    """Every public decoder: `Model.from_dict` for each model class, and each `decode_*`."""
    found: dict[str, Callable[..., Any]] = {}
    for name in pkg.__all__:
        obj = getattr(pkg, name)
        if name.startswith("decode_"):
            found[name] = obj
        elif (isinstance(obj, type) and hasattr(obj, "from_dict")
              and obj.__module__.startswith(f"{pkg.__name__}.models.")):
            found[name] = obj.from_dict
    return found


def decoder_for(pkg: ModuleType, payload: Path) -> Callable[..., Any]:
    name = payload.name.split("__", 1)[0]
    obj = getattr(pkg, name)
    return obj.from_dict if hasattr(obj, "from_dict") else getattr(pkg, f"decode_{snake(name)}")


def encode(value: Any, pkg: ModuleType) -> Any:
    return pkg.encode(value)


def same_json(a: Any, b: Any) -> bool:
    """Equal as JSON values of the same types, NaN equal to NaN; without recursion (the
    mutations nest 10,000 levels deep)."""
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if type(x) is not type(y):
            return False
        if isinstance(x, dict):
            if x.keys() != y.keys():
                return False
            stack += [(x[k], y[k]) for k in x]
        elif isinstance(x, list):
            if len(x) != len(y):
                return False
            stack += zip(x, y)
        elif x != y and not (x != x and y != y):  # noqa: PLR0124 - NaN is not equal to itself
            return False
    return True


def keeps_everything(pkg: ModuleType, decode: Callable[..., Any], value: Any) -> None:
    """Lenient decoding of a value it must accept: no exception, the same JSON back, and every
    deviation listed with a path from `$`."""
    decoded = decode(value)
    assert same_json(encode(decoded, pkg), value)
    for deviation in pkg.deviations(decoded):
        assert deviation.path.startswith("$") and deviation.kind in KINDS, deviation
    count("kept_whole")


KINDS = {"wrong_type", "missing", "null", "unknown_enum", "unknown_variant", "unknown_member"}


def must_accept(pkg: ModuleType, name: str, value: Any) -> bool:
    """Lenient decoding takes any JSON object into a model, any non-null value into a union."""
    if name.startswith("decode_"):
        return value is not None
    return isinstance(value, dict)


def only_decode_errors(pkg: ModuleType, decode: Callable[..., Any], value: Any,
                       strict: bool = False) -> Any:
    """Run a decode; it may succeed or raise DecodeError with JSON paths, nothing else."""
    try:
        return decode(value, strict=strict)
    except pkg.DecodeError as error:
        assert error.errors, "a DecodeError must list its problems"
        for path, what in error.errors:
            assert isinstance(path, str) and path.startswith("$"), path
            assert isinstance(what, str) and what
        str(error)  # renders
        return error


# --- hypothesis: arbitrary JSON into every decoder ------------------------------------------

JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=6)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=6), st.sampled_from(
            ["id", "object", "type", "status", "event", "data", "tools", "step_details",
             "function", "required_action", "usage", "metadata", "delta"])), inner, max_size=5)),
    max_leaves=12,
)


@settings(max_examples=300, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_arbitrary_json_raises_only_decode_error(v2: ModuleType, data: st.DataObject) -> None:
    table = decoders(v2)
    name = data.draw(st.sampled_from(sorted(table)), label="decoder")
    value = data.draw(JSON, label="value")
    strict = data.draw(st.booleans(), label="strict")
    only_decode_errors(v2, table[name], value, strict)
    if must_accept(v2, name, value):
        keeps_everything(v2, table[name], value)
    count("hypothesis_values")


@settings(max_examples=150, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_shaped_json_raises_only_decode_error(v2: ModuleType, data: st.DataObject) -> None:
    """A real payload with one subtree replaced by arbitrary JSON (deeper than random values go)."""
    payload_file = data.draw(st.sampled_from(PAYLOADS), label="payload")
    payload = json.loads(payload_file.read_text(encoding="utf-8"))
    paths = list(all_paths(payload))
    path = data.draw(st.sampled_from(paths), label="path")
    mutated = replace_at(payload, path, data.draw(JSON, label="value"))
    decode = decoder_for(v2, payload_file)
    for strict in (False, True):
        only_decode_errors(v2, decode, mutated, strict)
    if must_accept(v2, decode.__name__, mutated):
        keeps_everything(v2, decode, mutated)
    count("hypothesis_shaped")


def test_every_decoder_is_fuzzed(v2: ModuleType) -> None:
    table = decoders(v2)
    assert len(table) >= 80
    assert sum(name.startswith("decode_") for name in table) >= 10
    weird = [None, 0, -1, 1.5, math.nan, math.inf, True, "", "x" * 1000, [], [None], {},
             {"": None}, {"id": {"id": {}}}, [[[[[]]]]], {"object": 1, "type": [], "event": {}}]
    for name, decode in sorted(table.items()):
        for value in weird:
            for strict in (False, True):
                only_decode_errors(v2, decode, value, strict)
                count("fixed_values")
            if must_accept(v2, name, value):
                keeps_everything(v2, decode, value)


# --- mutations of the corpus ------------------------------------------------------------------


def all_paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from all_paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from all_paths(item, prefix + (index,))


def get_at(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


def replace_at(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    root = copy.deepcopy(value)
    get_at(root, path[:-1])[path[-1]] = new
    return root


def delete_at(value: Any, path: tuple[Any, ...]) -> Any:
    root = copy.deepcopy(value)
    del get_at(root, path[:-1])[path[-1]]
    return root


def deep(levels: int, leaf: Any = 1) -> Any:
    value = leaf
    for i in range(levels):
        value = [value] if i % 2 else {"a": value}
    return value


WRONG_VALUES = [None, 0, -(2**80), 1.5, math.nan, math.inf, -math.inf, True, False, "",
                "\x00\ud800", "x" * 5_000_000, [], [1, "a"], {}, {"unexpected": [None]}]


def mutations(payload: Any, rnd: random.Random) -> Iterator[tuple[str, Any]]:
    paths = [p for p in all_paths(payload) if p]
    for _ in range(12):
        path = rnd.choice(paths)
        yield "wrong_type", replace_at(payload, path, rnd.choice(WRONG_VALUES))
    for _ in range(4):
        path = rnd.choice(paths)
        yield "removed_member", delete_at(payload, path)
    for _ in range(2):
        yield "deep_nesting", replace_at(payload, rnd.choice(paths), deep(10_000))
    yield "deep_nesting", deep(10_000, payload)
    yield "root_replaced", rnd.choice(WRONG_VALUES)


def raw_mutations(text: str, rnd: random.Random) -> Iterator[tuple[str, str | bytes]]:
    for _ in range(6):
        yield "truncated", text[: rnd.randrange(len(text))]
    yield "nan_literals", text.replace(": 0", ": NaN", 1).replace(": 1", ": -Infinity", 1)
    yield "duplicate_keys", "{" + '"id": 1, "id": [], "object": {}, ' + text.strip()[1:]
    yield "deep_text", "[" * 10_000 + "]" * 10_000
    yield "deep_text", '{"a":' * 10_000 + "1" + "}" * 10_000
    yield "huge_string", '{"id": "' + "x" * 5_000_000 + '"}'
    yield "not_utf8", b'{"id": "\xff\xfe"}'
    yield "empty", ""
    yield "bom", "\ufeff" + text


@pytest.mark.parametrize("payload_file", PAYLOADS, ids=lambda p: p.stem)
def test_mutated_payloads_raise_only_decode_error(v2: ModuleType, payload_file: Path) -> None:
    text = payload_file.read_text(encoding="utf-8")
    payload = json.loads(text)
    decode = decoder_for(v2, payload_file)
    rnd = random.Random(payload_file.name)
    for kind, mutated in mutations(payload, rnd):
        for strict in (False, True):
            only_decode_errors(v2, decode, mutated, strict)
        if must_accept(v2, decode.__name__, mutated):
            keeps_everything(v2, decode, mutated)
        count(kind)
    owner = getattr(v2, payload_file.name.split("__", 1)[0])
    if hasattr(owner, "from_json"):
        for kind, raw in raw_mutations(text, rnd):
            for strict in (False, True):
                only_decode_errors(v2, owner.from_json, raw, strict)
            count(kind)


# --- valid but unexpected data still round-trips (non-strict) ---------------------------------


def round_trips(pkg: ModuleType, decode: Callable[..., Any], value: Any) -> None:
    decoded = decode(value)
    assert encode(decoded, pkg) == value


@pytest.mark.parametrize("payload_file", PAYLOADS, ids=lambda p: p.stem)
def test_unexpected_but_valid_data_round_trips(v2: ModuleType, payload_file: Path) -> None:
    payload = json.loads(payload_file.read_text(encoding="utf-8"))
    decode = decoder_for(v2, payload_file)
    round_trips(v2, decode, payload)
    # every string replaced by a value the spec never listed: unknown enum values and tags
    for path in all_paths(payload):
        if path and isinstance(get_at(payload, path), str):
            round_trips(v2, decode, replace_at(payload, path, "zz_value_from_the_future"))
            count("unknown_string")
    # an unknown member in every object: kept by models; a typed map may reject it, but only there
    for path in all_paths(payload):
        if isinstance(get_at(payload, path), dict):
            mutated = replace_at(payload, path, {**get_at(payload, path),
                                                 "zz_new_field": "from the future"})
            keeps_everything(v2, decode, mutated)
            count("unknown_field")
    # an unknown variant wherever a tagged member sits
    for path in all_paths(payload):
        node = get_at(payload, path)
        if path and isinstance(node, dict) and isinstance(node.get("type"), str):
            mutated = replace_at(payload, path, {"type": "zz_new_kind", "zz": [1, {"a": None}]})
            keeps_everything(v2, decode, mutated)
            count("unknown_variant")


def test_closing_note_counts() -> None:
    """Runs last in this file: the numbers quoted in the closing note come from here."""
    if COUNTS:
        print("\nfuzz counts:", json.dumps(COUNTS, sort_keys=True))
