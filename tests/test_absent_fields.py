"""A required field that lenient decoding found absent never reads as a value of its type.

The OpenAI spec's own run example omits `required_action` (required, nullable): it reads as
None. A required field that may not be null (`model`, or `submit_tool_outputs` inside the
required action) raises `MissingFieldError` when read, naming the class, the field and the JSON
path, instead of handing out `UNSET` typed as a `str` that fails three lines later. Either way
the round trip still leaves the member out and `deviations()` lists it.
"""

from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

PAYLOADS = Path(__file__).resolve().parent / "payloads" / "v2"


@pytest.fixture
def run_data() -> dict[str, Any]:
    path = PAYLOADS / "Run__requires_action_8_tool_calls.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_a_nullable_required_field_that_is_absent_reads_as_none(
        runs_v2: ModuleType, run_data: dict[str, Any]) -> None:
    del run_data["required_action"]
    run = runs_v2.Run.from_dict(run_data)
    assert run.required_action is None
    assert run.to_dict() == run_data and "required_action" not in run.to_dict()
    assert [(d.kind, d.path, d.model) for d in runs_v2.deviations(run)] == [
        ("missing", "$.required_action", "Run")]
    assert runs_v2.Run.from_json(run.to_json()) == run


def test_a_non_nullable_required_field_that_is_absent_raises_when_read(
        runs_v2: ModuleType, run_data: dict[str, Any]) -> None:
    del run_data["model"]
    run = runs_v2.Run.from_dict(run_data)  # lenient: decoding itself never raises
    with pytest.raises(runs_v2.MissingFieldError) as caught:
        print(run.model.upper())
    error = caught.value
    assert (error.model, error.field, error.path) == ("Run", "model", "$.model")
    assert "Run.model" in str(error) and "$.model" in str(error)
    assert isinstance(error, runs_v2.DecodeError) and isinstance(error, AttributeError)
    assert error.errors == [("$.model", "missing required field")]
    assert not hasattr(run, "model") and getattr(run, "model", "default") == "default"
    assert run.id == run_data["id"] and run.status is runs_v2.RunStatus.REQUIRES_ACTION
    assert run.to_dict() == run_data  # the member stays out, as it arrived
    assert "model=" not in repr(run) and repr(run).startswith("Run(id=")
    assert [d.path for d in runs_v2.deviations(run)] == ["$.model"]


def test_the_error_names_a_nested_field_by_its_full_path(
        runs_v2: ModuleType, run_data: dict[str, Any]) -> None:
    del run_data["required_action"]["submit_tool_outputs"]
    run = runs_v2.Run.from_dict(run_data)
    action = run.required_action
    assert action is not None and action.type == "submit_tool_outputs"
    with pytest.raises(runs_v2.MissingFieldError) as caught:
        action.submit_tool_outputs  # noqa: B018  (reading is the point)
    assert caught.value.model == "RunRequiredAction"
    assert caught.value.path == "$.required_action.submit_tool_outputs"
    assert run.to_dict() == run_data


def test_a_value_set_since_is_read_and_written(runs_v2: ModuleType,
                                               run_data: dict[str, Any]) -> None:
    del run_data["model"], run_data["required_action"]
    run = runs_v2.Run.from_dict(run_data)
    run.model = "gpt-4o"
    run.required_action = None
    assert run.model == "gpt-4o"
    out = run.to_dict()
    assert out["model"] == "gpt-4o" and out["required_action"] is None
    del run.model  # empty again: absent, as decoded
    assert not hasattr(run, "model") and "model" not in run.to_dict()


def test_such_objects_still_compare_copy_and_pickle(runs_v2: ModuleType,
                                                    run_data: dict[str, Any]) -> None:
    del run_data["model"], run_data["required_action"]
    run = runs_v2.Run.from_dict(run_data)
    assert isinstance(run, runs_v2.Run) and type(run).__name__ == "Run"
    assert run == runs_v2.Run.from_dict(copy.deepcopy(run_data))
    complete = runs_v2.Run.from_dict(dict(run_data, model="m", required_action=None))
    assert run != complete
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(run, protocol))
        assert back == run and back.to_dict() == run_data
        assert back.required_action is None and not hasattr(back, "model")
        assert runs_v2.deviations(back) == runs_v2.deviations(run)
    assert copy.copy(run) == run and copy.deepcopy(run).to_dict() == run_data
    error = runs_v2.MissingFieldError("Run", "model", "$.model")
    back_error = pickle.loads(pickle.dumps(error))
    assert (str(back_error), back_error.path) == (str(error), "$.model")


def test_other_attribute_errors_are_unchanged(runs_v2: ModuleType,
                                              run_data: dict[str, Any]) -> None:
    del run_data["model"]
    run = runs_v2.Run.from_dict(run_data)
    with pytest.raises(AttributeError) as caught:
        run.no_such_field  # noqa: B018
    assert not isinstance(caught.value, runs_v2.MissingFieldError)
    assert caught.value.name == "no_such_field"


def test_strict_decoding_and_complete_payloads_are_unaffected(
        runs_v2: ModuleType, run_data: dict[str, Any]) -> None:
    run = runs_v2.Run.from_dict(run_data)
    assert type(run) is runs_v2.Run  # only objects lacking a field get the reading hook
    del run_data["model"]
    with pytest.raises(runs_v2.DecodeError) as caught:
        runs_v2.Run.from_dict(run_data, strict=True)
    assert caught.value.errors == [("$.model", "missing required field")]
