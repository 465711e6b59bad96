"""Lenient decoding keeps every value and lists what deviated from the spec; the drift hook.

Contract (README "What you get"): non-strict `from_dict` never raises for a JSON object and never
drops a value; a value of the wrong JSON type reads as absent (`UNSET`) and is written back as
it arrived; `deviations(obj)` lists every deviation with its kind, JSON path (as strict errors
write it), value and model; `set_deviation_hook` is told each one; `strict=True` is unchanged.
"""

from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

PAYLOADS = Path(__file__).resolve().parent / "payloads" / "v2"


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


@pytest.fixture
def run_data() -> dict[str, Any]:
    return payload("Run__requires_action_8_tool_calls.json")


@pytest.fixture
def hooked(runs_v2: ModuleType) -> Iterator[list[Any]]:
    """The deviations the hook is told, in order; the hook is removed afterwards."""
    seen: list[Any] = []
    previous = runs_v2.set_deviation_hook(seen.append)
    try:
        yield seen
    finally:
        assert runs_v2.set_deviation_hook(previous) == seen.append


def found(pkg: ModuleType, value: Any) -> list[tuple[str, str]]:
    return [(d.kind, d.path) for d in pkg.deviations(value)]


def test_wrong_types_read_as_absent_and_are_written_back(runs_v2: ModuleType,
                                                          run_data: dict[str, Any]) -> None:
    data = dict(run_data, tools={"type": "function"}, required_action=[1], created_at="now",
                metadata={"team": 7})
    run = runs_v2.Run.from_dict(data)
    assert run.to_dict() == data
    assert json.loads(runs_v2.Run.from_json(json.dumps(data)).to_json()) == data
    for name in ("tools", "required_action", "created_at", "metadata"):
        assert getattr(run, name) is runs_v2.UNSET, name  # never a value outside its type
    assert run._extra == {"created_at": "now", "required_action": [1],
                          "tools": {"type": "function"}, "metadata": {"team": 7}}
    assert [(d.kind, d.path, d.value, d.model) for d in runs_v2.deviations(run)] == [
        ("wrong_type", "$.created_at", "now", "Run"),
        ("wrong_type", "$.required_action", [1], "Run"),
        ("wrong_type", "$.tools", {"type": "function"}, "Run"),
        ("wrong_type", "$.metadata.team", 7, "Run"),  # inside the map: the whole map is kept
    ]
    with pytest.raises(runs_v2.DecodeError) as caught:  # strict: unchanged, every violation
        runs_v2.Run.from_dict(data, strict=True)
    assert caught.value.errors == [(d.path, d.message) for d in runs_v2.deviations(run)]
    run.created_at = 1700000000  # a value set in code wins over the kept one
    assert run.to_dict()["created_at"] == 1700000000
    run.created_at = runs_v2.UNSET
    assert run.to_dict() == data


def test_every_kind_of_deviation_is_listed_with_its_path(runs_v2: ModuleType,
                                                         run_data: dict[str, Any]) -> None:
    data = copy.deepcopy(run_data)
    data["status"] = "paused"  # unknown enum value
    data["instructions"] = None  # null where the spec says string
    del data["model"]  # a required member missing
    data["tools"].append({"type": "web_search"})  # unknown variant
    data["tools"].append(5)  # a union's item of a type no variant has: an UnknownVariant too
    data["brand_new"] = {"x": 1}  # unknown member
    data["tool_choice"] = {"type": "function", "function": {"name": "f"}, "zz": 1}
    calls = data["required_action"]["submit_tool_outputs"]["tool_calls"]
    calls[2]["function"]["arguments"] = {"not": "a string"}  # wrong type, deep
    run = runs_v2.Run.from_dict(data)
    assert run.to_dict() == data
    tools = "$.tools"
    assert sorted(found(runs_v2, run)) == sorted([
        ("unknown_enum", "$.status"),
        ("missing", "$.model"),
        ("null", "$.instructions"),
        ("unknown_variant", f"{tools}[{len(data['tools']) - 2}]"),
        ("wrong_type", f"{tools}[{len(data['tools']) - 1}]"),
        ("unknown_member", "$.brand_new"),
        ("unknown_member", "$.tool_choice.zz"),
        ("wrong_type", "$.required_action.submit_tool_outputs.tool_calls[2].function.arguments"),
    ])
    models = {d.path: d.model for d in runs_v2.deviations(run)}
    assert models["$.brand_new"] == "Run" and models["$.status"] == "Run"
    assert models["$.tool_choice.zz"] == type(run.tool_choice).__name__ == "NamedToolChoice"
    assert isinstance(run.tools[-1], runs_v2.UnknownVariant) and run.tools[-1].data == 5
    assert run.status.value == "paused" and not run.status.is_known
    assert run.instructions is None and not hasattr(run, "model")  # missing, not nullable
    function = run.required_action.submit_tool_outputs.tool_calls[2].function
    assert function.arguments is runs_v2.UNSET and function.name == calls[2]["function"]["name"]
    # a model inside lists what is inside it, with paths from the payload's root
    assert found(runs_v2, run.required_action) == [
        ("wrong_type", "$.required_action.submit_tool_outputs.tool_calls[2].function.arguments")]
    assert runs_v2.deviations(function)[0].model == type(function).__name__ == "RunToolCallFunction"
    with pytest.raises(runs_v2.DecodeError) as caught:
        runs_v2.Run.from_dict(data, strict=True)
    strict_paths = {path for path, _ in caught.value.errors}
    listed = {path for kind, path in found(runs_v2, run) if kind != "unknown_member"}
    assert listed <= strict_paths  # strict reports each (unknown members only when closed)


def test_clean_payloads_and_built_objects_have_none(runs_v2: ModuleType) -> None:
    for file in ("Run__completed_with_usage.json", "ListRunStepsResponse__20_steps.json"):
        name = file.split("__")[0]
        assert runs_v2.deviations(getattr(runs_v2, name).from_dict(payload(file))) == []
    usage = runs_v2.RunCompletionUsage(prompt_tokens=1, completion_tokens=2, total_tokens=3)
    assert runs_v2.deviations(usage) == [] and runs_v2.deviations([usage, None, "x"]) == []


def test_list_pages_tell_each_item_its_own(runs_v2: ModuleType) -> None:
    page = payload("ListRunsResponse__three_runs.json")
    page["data"][1]["created_at"] = "yesterday"
    decoded = runs_v2.ListRunsResponse.from_dict(page)
    assert decoded.to_dict() == page
    assert found(runs_v2, decoded.data[0]) == [] and found(runs_v2, decoded.data[2]) == []
    assert found(runs_v2, decoded.data[1]) == [("wrong_type", "$.data[1].created_at")]
    assert found(runs_v2, decoded) == [("wrong_type", "$.data[1].created_at")]


def test_union_decoders_keep_what_fits_no_variant(runs_v2: ModuleType) -> None:
    for value in (5, [1, 2], "zz_future", {"type": "zz_future"}):
        decoded = runs_v2.decode_assistant_tool(value)
        assert runs_v2.encode(decoded) == value
    assert isinstance(runs_v2.decode_tool_choice(7), runs_v2.UnknownVariant)
    with pytest.raises(runs_v2.DecodeError):
        runs_v2.decode_tool_choice(7, strict=True)


def test_deviation_values_compare_print_and_pickle(runs_v2: ModuleType,
                                                   run_data: dict[str, Any]) -> None:
    run = runs_v2.Run.from_dict(dict(run_data, created_at="now"))
    (one,) = runs_v2.deviations(run)
    assert isinstance(one, runs_v2.Deviation)
    assert one.message == "expected int, got str"
    assert "wrong_type" in repr(one) and "$.created_at" in repr(one)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(one, protocol)) == one
    again = pickle.loads(pickle.dumps(run))
    assert again == run and runs_v2.deviations(again) == [one]
    assert hash(one) == hash(runs_v2.deviations(runs_v2.Run.from_dict(dict(run_data,
                                                                          created_at="now")))[0])


def test_hook_is_told_each_deviation(runs_v2: ModuleType, run_data: dict[str, Any],
                                     hooked: list[Any]) -> None:
    runs_v2.Run.from_dict(run_data)
    runs_v2.Run.from_json(json.dumps(run_data))
    assert hooked == []  # a payload that fits the spec tells the hook nothing
    data = dict(run_data, status="paused", created_at="now", brand_new=1)
    run = runs_v2.Run.from_json(json.dumps(data))
    assert hooked == runs_v2.deviations(run)
    assert sorted(d.kind for d in hooked) == ["unknown_enum", "unknown_member", "wrong_type"]
    hooked.clear()
    runs_v2.decode_assistant_tool({"type": "zz_future"})  # union decoders tell it too
    assert [(d.kind, d.path) for d in hooked] == [("unknown_variant", "$")]
    hooked.clear()
    with pytest.raises(runs_v2.DecodeError):
        runs_v2.Run.from_dict(data, strict=True)
    assert hooked == []  # strict decoding raises instead; the hook is for what lenient accepts


def test_hook_is_off_by_default_and_can_be_removed(runs_v2: ModuleType,
                                                   run_data: dict[str, Any]) -> None:
    assert runs_v2.set_deviation_hook(None) is None  # off unless a service turns it on
    seen: list[Any] = []
    runs_v2.set_deviation_hook(seen.append)
    runs_v2.Run.from_dict(dict(run_data, status="paused"))
    assert runs_v2.set_deviation_hook(None) == seen.append
    runs_v2.Run.from_dict(dict(run_data, status="paused"))
    assert [d.kind for d in seen] == ["unknown_enum"]


def test_a_failing_hook_is_not_swallowed(runs_v2: ModuleType, run_data: dict[str, Any]) -> None:
    def broken(deviation: Any) -> None:
        raise RuntimeError(f"log sink down: {deviation.path}")

    previous = runs_v2.set_deviation_hook(broken)
    try:
        with pytest.raises(RuntimeError, match=r"\$\.status"):
            runs_v2.Run.from_dict(dict(run_data, status="paused"))
    finally:
        runs_v2.set_deviation_hook(previous)
