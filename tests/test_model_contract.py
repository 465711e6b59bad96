"""The contract every generated model keeps: three states, lossless, forward compatible, strict."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

PAYLOADS = Path(__file__).resolve().parent / "payloads"


def payload(version: str, name: str) -> Any:
    return json.loads((PAYLOADS / version / name).read_text(encoding="utf-8"))


@pytest.fixture
def run_data() -> dict[str, Any]:
    return payload("v2", "Run__requires_action_8_tool_calls.json")


def test_required_names_exist_in_both_packages(runs_v1: ModuleType, runs_v2: ModuleType) -> None:
    for pkg in (runs_v1, runs_v2):
        for name in ("Run", "RunStep", "RunStatus", "RunStepStatus", "ListRunsResponse",
                     "ListRunStepsResponse", "DecodeError", "UNSET"):
            assert getattr(pkg, name) is not None, name
            assert name in pkg.__all__


def test_three_states_absent_null_value(runs_v2: ModuleType, run_data: dict[str, Any]) -> None:
    data = dict(run_data)
    data["instructions"] = None  # null where the spec says string: the real API sends it
    del data["required_action"]  # required by the spec, missing in real examples
    run = runs_v2.Run.from_dict(data)
    assert run.instructions is None
    assert run.required_action is None  # nullable: reads as None, still absent on the way out
    assert run.id == data["id"]
    out = run.to_dict()
    assert out == data
    assert "required_action" not in out and out["instructions"] is None


def test_replace_keeps_absent_fields_absent(runs_v2: ModuleType) -> None:
    data = payload("v2", "Run__queued.json")
    data.pop("temperature", None)
    run = runs_v2.Run.from_dict(data)
    changed = dataclasses.replace(run, status=runs_v2.RunStatus.CANCELLED)
    expected = dict(data, status="cancelled")
    assert changed.to_dict() == expected
    assert "temperature" not in changed.to_dict()
    assert run.status == runs_v2.RunStatus.QUEUED  # the original is untouched


def test_equality_repr_and_docstrings(runs_v2: ModuleType, run_data: dict[str, Any]) -> None:
    a = runs_v2.Run.from_dict(run_data)
    b = runs_v2.Run.from_dict(copy.deepcopy(run_data))
    assert a == b
    assert a != dataclasses.replace(b, model="other")
    text = repr(a)
    assert text.startswith("Run(id='run_") and "status=<RunStatus.REQUIRES_ACTION" in text
    assert "UNSET" not in text  # absent fields are left out of the repr
    assert runs_v2.Run.__doc__ and "run" in runs_v2.Run.__doc__.lower()


def test_models_are_dataclasses_to_the_standard_library(runs_v2: ModuleType,
                                                         run_data: dict[str, Any]) -> None:
    """The classes carry no @dataclass at run time (import speed) yet behave as dataclasses."""
    run = runs_v2.Run.from_dict(run_data)
    assert dataclasses.is_dataclass(runs_v2.Run) and dataclasses.is_dataclass(run)
    names = [f.name for f in dataclasses.fields(run)]
    assert names[:3] == ["id", "object", "created_at"] and names[-1] == "response_format"
    assert all(f.kw_only for f in dataclasses.fields(runs_v2.Run))
    defaults = {f.name: f.default for f in dataclasses.fields(runs_v2.Run)}
    assert defaults["temperature"] is runs_v2.UNSET and "_extra" not in defaults
    assert defaults["id"] is dataclasses.MISSING
    assert dataclasses.asdict(run)["required_action"]["type"] == "submit_tool_outputs"
    assert runs_v2.Run.__hash__ is None  # mutable and compared by value, as a dataclass
    assert (run == 1) is False and run != runs_v2.RunStep  # other types are never equal
    built = runs_v2.Run(**{f: getattr(run, f) for f in names})
    assert built == run and built.to_dict() == run.to_dict()
    with pytest.raises(TypeError):
        runs_v2.Run("run_1")  # keyword-only, as declared
    with pytest.raises(TypeError):
        runs_v2.Run(id="run_1")  # required fields stay required
    assert copy.deepcopy(run) == run and copy.copy(run) == run
    import pickle
    assert pickle.loads(pickle.dumps(run)) == run

    class MyRun(runs_v2.Run):  # a user's subclass keeps the fields
        pass

    assert [f.name for f in dataclasses.fields(MyRun)] == names
    assert dataclasses.replace(MyRun(**{f: getattr(run, f) for f in names}), id="x").id == "x"

    @dataclasses.dataclass
    class Stamped(runs_v2.Run):  # and so does a dataclass built on top
        seen_at: float = 0.0

    assert [f.name for f in dataclasses.fields(Stamped)] == [*names, "seen_at"]


def test_importing_a_model_loads_no_dataclasses_typing_or_json() -> None:
    import subprocess
    import sys

    from conftest import GENERATED

    probe = ("import sys; from runs_v2 import Run; Run.from_dict({'id': 'run_1'}); "
             "print(sorted(m for m in ('dataclasses', 'inspect', 'typing', 'json', 're') "
             "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-S", "-c", probe], cwd=GENERATED, check=True,
                         capture_output=True, text=True).stdout
    assert out.strip() == "[]"


def test_json_round_trip_bytes_and_str(runs_v2: ModuleType, run_data: dict[str, Any]) -> None:
    text = json.dumps(run_data)
    run = runs_v2.Run.from_json(text.encode())
    assert json.loads(run.to_json()) == run_data
    assert runs_v2.Run.from_json(text) == run


def test_unknown_enum_value_is_kept_and_told_apart(runs_v2: ModuleType,
                                                    run_data: dict[str, Any]) -> None:
    data = dict(run_data, status="paused")
    run = runs_v2.Run.from_dict(data)
    assert run.status == "paused" and run.status.value == "paused"
    assert isinstance(run.status, runs_v2.RunStatus)
    assert not run.status.is_known
    assert runs_v2.RunStatus.QUEUED.is_known
    assert run.status not in list(runs_v2.RunStatus)
    assert run.to_dict() == data
    assert not run.is_terminal and not run.is_processing  # unknown statuses match no group
    with pytest.raises(runs_v2.DecodeError, match=r"\$\.status: unknown value \"paused\""):
        runs_v2.Run.from_dict(data, strict=True)


def test_unknown_union_variant_is_kept_raw(runs_v2: ModuleType, run_data: dict[str, Any]) -> None:
    tool = {"type": "web_search", "web_search": {"x": 1}}
    data = dict(run_data, tools=[*run_data["tools"], tool])
    run = runs_v2.Run.from_dict(data)
    unknown = run.tools[-1]
    assert isinstance(unknown, runs_v2.UnknownVariant)
    assert unknown.data == tool and unknown.tag == "web_search"
    assert run.to_dict() == data
    with pytest.raises(runs_v2.DecodeError, match="no variant of AssistantTool"):
        runs_v2.Run.from_dict(data, strict=True)


def test_unknown_fields_are_kept_and_written_back(runs_v2: ModuleType,
                                                   run_data: dict[str, Any]) -> None:
    data = dict(run_data, brand_new={"nested": [1, 2]}, another="x")
    data["usage"] = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3,
                     "prompt_token_details": {"cached_tokens": 0}}
    run = runs_v2.Run.from_dict(data)
    assert run.to_dict() == data
    assert json.loads(run.to_json()) == data
    runs_v2.Run.from_dict(data, strict=True)  # unknown members are not violations


def test_strict_reports_every_violation_with_paths(runs_v2: ModuleType,
                                                   run_data: dict[str, Any]) -> None:
    data = copy.deepcopy(run_data)
    del data["model"]
    data["instructions"] = None
    data["tools"][1]["function"]["name"] = 42
    data["metadata"] = {f"k{i}": "v" for i in range(17)}
    data["metadata"]["x" * 65] = "v" * 513
    data["max_prompt_tokens"] = 10
    with pytest.raises(runs_v2.DecodeError) as caught:
        runs_v2.Run.from_dict(data, strict=True)
    errors = dict(caught.value.errors)
    assert errors["$.model"] == "missing required field"
    assert errors["$.instructions"] == "null is not allowed"
    assert errors["$.tools[1].function.name"] == "expected str, got int"
    assert "$.max_prompt_tokens" in errors and ">= 256" in errors["$.max_prompt_tokens"]
    metadata_problems = [m for p, m in caught.value.errors if p.startswith("$.metadata")]
    assert any("number of keys must be <= 16" in m for m in metadata_problems)
    assert any("longer than 64" in m for m in metadata_problems)
    assert any("length must be <= 512" in m for m in metadata_problems)
    assert isinstance(caught.value, ValueError)


def test_lenient_raises_only_for_what_is_no_object(runs_v2: ModuleType,
                                                   run_data: dict[str, Any]) -> None:
    for bad in ([], "run", 3, None):  # not a JSON object: there is no Run to return
        with pytest.raises(runs_v2.DecodeError):
            runs_v2.Run.from_dict(bad)
    with pytest.raises(runs_v2.DecodeError, match="invalid JSON"):
        runs_v2.Run.from_json("{not json")
    # values of the wrong type are kept (tests/test_lenient_deviations.py)
    data = dict(run_data, tools={"type": "function"}, required_action=[1], created_at="now")
    assert runs_v2.Run.from_dict(data).to_dict() == data


def test_unions_of_strings_and_objects(runs_v2: ModuleType, run_data: dict[str, Any]) -> None:
    run = runs_v2.Run.from_dict(dict(run_data, tool_choice="required", response_format="auto"))
    assert run.tool_choice == runs_v2.ToolChoiceMode.REQUIRED
    assert run.response_format == runs_v2.ResponseFormatMode.AUTO
    named = {"type": "function", "function": {"name": "get_weather"}}
    fmt = {"type": "json_object"}
    run = runs_v2.Run.from_dict(dict(run_data, tool_choice=named, response_format=fmt))
    assert isinstance(run.tool_choice, runs_v2.NamedToolChoice)
    assert run.tool_choice.function.name == "get_weather"
    assert isinstance(run.response_format, runs_v2.ResponseFormatObject)
    assert run.to_dict()["tool_choice"] == named


def test_dispatch_by_discriminator_and_by_implicit_tag(runs_v2: ModuleType) -> None:
    steps = runs_v2.ListRunStepsResponse.from_dict(
        payload("v2", "ListRunStepsResponse__20_steps.json"))
    kinds = {type(s.step_details).__name__ for s in steps.data}
    assert kinds == {"MessageCreationStepDetails", "ToolCallsStepDetails"}
    calls = [c for s in steps.data if hasattr(s.step_details, "tool_calls")
             for c in s.step_details.tool_calls]
    assert {type(c).__name__ for c in calls} == {
        "CodeInterpreterToolCall", "FileSearchToolCall", "FunctionToolCall"}
    event = runs_v2.decode_assistant_stream_event(payload("v2", "AssistantStreamEvent__step_delta.json"))
    assert type(event).__name__ == "ThreadRunStepDeltaEvent"
    assert isinstance(event.data, runs_v2.RunStepDelta)


@pytest.mark.parametrize(
    ("status", "terminal", "processing", "complete", "failed", "action"),
    [
        ("queued", False, True, False, False, False),
        ("in_progress", False, True, False, False, False),
        ("requires_action", False, False, False, False, True),
        ("completed", True, False, True, False, False),
        ("failed", True, False, False, True, False),
        ("incomplete", True, False, False, False, False),
        ("expired", True, False, False, False, False),
    ],
)
def test_status_helpers_on_run(runs_v2: ModuleType, run_data: dict[str, Any], status: str,
                               terminal: bool, processing: bool, complete: bool, failed: bool,
                               action: bool) -> None:
    run = runs_v2.Run.from_dict(dict(run_data, status=status))
    assert (run.is_terminal, run.is_processing, run.is_complete, run.is_failed,
            run.requires_action) == (terminal, processing, complete, failed, action)


def test_status_helpers_on_run_step_and_v1(runs_v1: ModuleType, runs_v2: ModuleType) -> None:
    step = runs_v2.RunStep.from_dict(payload("v2", "RunStep__message_creation.json"))
    assert step.is_complete and step.is_terminal and not step.requires_action
    run = runs_v1.Run.from_dict(payload("v1", "Run__requires_action.json"))
    assert run.requires_action and not run.is_terminal
    assert "incomplete" not in {m.value for m in runs_v1.RunStatus}


def test_v1_has_file_ids_and_retrieval(runs_v1: ModuleType) -> None:
    run = runs_v1.Run.from_dict(payload("v1", "Run__retrieval_with_file_ids.json"))
    assert run.file_ids and all(isinstance(f, str) for f in run.file_ids)
    assert any(type(t).__name__ == "RetrievalTool" for t in run.tools)
