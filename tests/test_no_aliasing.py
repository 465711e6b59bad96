"""Models never share mutable data with their caller: copy in, copy out.

`from_dict` keeps copies of what it holds of the caller's payload as it is (free-form objects
such as a tool's `parameters`, unknown members, union members of an unknown kind, values of the
wrong type), and `to_dict()` returns fresh dicts and lists all the way down. So wiping every
dict and list of the input after decoding, or of the output after encoding, changes nothing in
the model. `from_dict(..., copy=False)` is the documented way out (the model may keep parts of
the payload); `from_json` needs no copies (nobody else holds what it parsed).
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

PAYLOADS = Path(__file__).resolve().parent / "payloads" / "v2"
FILES = sorted(PAYLOADS.glob("*.json"))


def decoder_for(pkg: ModuleType, file: Path) -> Callable[..., Any]:
    name = file.name.split("__", 1)[0]
    obj = getattr(pkg, name)
    if hasattr(obj, "from_dict"):
        return obj.from_dict  # type: ignore[no-any-return]
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
    return getattr(pkg, f"decode_{snake}")  # type: ignore[no-any-return]


def wipe(value: Any) -> None:
    """Empty every dict and list inside `value` (a caller reusing its buffers)."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack += node.values()
            node.clear()
        elif isinstance(node, list):
            stack += node
            node.clear()


def changed_payload(file: Path) -> Any:
    """The payload with the parts a model keeps as they are: unknown members, a nested one."""
    data = json.loads(file.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data["zz_future"] = {"nested": [{"deep": [1, 2]}], "flag": True}
    return data


@pytest.mark.parametrize("file", FILES, ids=lambda f: f.stem)
def test_changing_the_input_after_decoding_changes_nothing(runs_v2: ModuleType,
                                                           file: Path) -> None:
    data = changed_payload(file)
    expected = copy.deepcopy(data)
    decoded = decoder_for(runs_v2, file)(data)
    wipe(data)
    assert runs_v2.encode(decoded) == expected


@pytest.mark.parametrize("file", FILES, ids=lambda f: f.stem)
def test_changing_the_output_changes_nothing(runs_v2: ModuleType, file: Path) -> None:
    data = changed_payload(file)
    decoded = decoder_for(runs_v2, file)(data)
    first = runs_v2.encode(decoded)
    wipe(first)
    assert runs_v2.encode(decoded) == data


def test_free_form_parameters_are_the_models_own(runs_v2: ModuleType) -> None:
    data = json.loads((PAYLOADS / "Run__requires_action_8_tool_calls.json").read_text())
    run = runs_v2.Run.from_dict(data)
    function = run.tools[0].function
    parameters = data["tools"][0]["function"]["parameters"]
    assert function.parameters == parameters and function.parameters is not parameters
    parameters["properties"].clear()
    assert function.parameters["properties"]  # the model's copy is untouched
    out = run.to_dict()
    out["tools"][0]["function"]["parameters"]["required"].append("x")
    assert "x" not in function.parameters["required"]


def test_kept_values_of_every_kind_are_copies(runs_v2: ModuleType) -> None:
    data = json.loads((PAYLOADS / "Run__requires_action_8_tool_calls.json").read_text())
    data["tools"].append({"type": "web_search", "options": {"depth": [1]}})  # unknown variant
    data["created_at"] = {"when": ["today"]}  # wrong type: kept as it arrived
    data["zz_new"] = {"a": [1]}  # unknown member
    expected = copy.deepcopy(data)
    run = runs_v2.Run.from_dict(data)
    unknown = run.tools[-1]
    assert isinstance(unknown, runs_v2.UnknownVariant)
    data["tools"][-1]["options"]["depth"].append(2)
    data["created_at"]["when"].clear()
    data["zz_new"]["a"].append(2)
    assert run.to_dict() == expected and unknown.data == expected["tools"][-1]
    values = {d.path: d.value for d in runs_v2.deviations(run)}
    assert values["$.created_at"] == {"when": ["today"]} and values["$.zz_new"] == {"a": [1]}
    unknown.to_dict()["options"]["depth"].clear()
    assert unknown.data["options"]["depth"] == [1]


def test_copy_false_keeps_the_callers_objects(runs_v2: ModuleType) -> None:
    data = json.loads((PAYLOADS / "Run__requires_action_8_tool_calls.json").read_text())
    data["zz_new"] = {"a": [1]}
    run = runs_v2.Run.from_dict(data, copy=False)  # the caller promises not to change data
    assert run.tools[0].function.parameters is data["tools"][0]["function"]["parameters"]
    assert run == runs_v2.Run.from_dict(data) and run.to_dict() == data
    event = {"event": "thread.run.created", "data": data}
    assert runs_v2.decode_assistant_stream_event(event, copy=False).data.to_dict() == data


def test_from_json_decodes_the_same_values(runs_v2: ModuleType) -> None:
    text = (PAYLOADS / "Run__forward_compat_all.json").read_text()
    assert runs_v2.Run.from_json(text) == runs_v2.Run.from_dict(json.loads(text))


def test_kept_structures_deeper_than_the_stack_or_circular_are_copied(
        runs_v2: ModuleType) -> None:
    data = json.loads((PAYLOADS / "Run__completed_with_usage.json").read_text())
    deep: Any = []
    for _ in range(sys.getrecursionlimit() + 100):
        deep = [deep]
    data["zz_deep"] = deep
    run = runs_v2.Run.from_dict(data)  # lenient: an unknown member is kept, however deep
    node = data["zz_deep"]
    while node:  # the innermost list of the input, changed after decoding
        node = node[0]
    node.append("changed")
    out = run.to_dict()["zz_deep"]
    while out:
        assert out != ["changed"]
        out = out[0]
    loop: dict[str, Any] = {"name": "loop"}
    loop["self"] = loop
    data = json.loads((PAYLOADS / "Run__completed_with_usage.json").read_text())
    data["zz_loop"] = loop
    kept = runs_v2.Run.from_dict(data).to_dict()["zz_loop"]
    assert kept is not loop and kept["self"] is kept and kept["name"] == "loop"
