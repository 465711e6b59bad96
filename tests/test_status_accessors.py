"""Status helpers narrow types through typed accessors (`present` of `x-runmodels-status`).

`run.requires_action` is a bool and narrows nothing; `run.required_action_or_raise()` returns
the action typed without None, so `.submit_tool_outputs` type-checks under mypy --strict, and
raises ValueError naming the status when the field is not set.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from _hostile import imported, unique_package, write_spec
from conftest import GENERATED

from runmodels.api import generate
from runmodels.errors import SpecError

PAYLOADS = Path(__file__).resolve().parent / "payloads" / "v2"


def run_payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


def test_the_accessor_returns_the_field_when_it_is_set(runs_v2: ModuleType) -> None:
    run = runs_v2.Run.from_dict(run_payload("Run__requires_action_8_tool_calls.json"))
    assert run.requires_action
    assert run.required_action_or_raise() is run.required_action


def test_the_accessor_raises_naming_the_status_when_it_is_not(runs_v2: ModuleType) -> None:
    run = runs_v2.Run.from_dict(run_payload("Run__completed_with_usage.json"))
    assert run.required_action is None and not run.requires_action
    with pytest.raises(ValueError, match="required_action") as caught:
        run.required_action_or_raise()
    assert "'completed'" in str(caught.value) and "requires_action" in str(caught.value)
    data = run_payload("Run__requires_action_8_tool_calls.json")
    del data["required_action"]  # the spec's own example omits it: absent reads as None
    with pytest.raises(ValueError, match="'requires_action'"):
        runs_v2.Run.from_dict(data).required_action_or_raise()


def test_both_packages_have_it_and_run_steps_do_not(runs_v1: ModuleType,
                                                    runs_v2: ModuleType) -> None:
    assert callable(runs_v1.Run.required_action_or_raise)
    assert not hasattr(runs_v2.RunStep, "required_action_or_raise")


SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "jobs", "version": "1"},
    "paths": {},
    "components": {"schemas": {"Job": {
        "type": "object",
        "required": ["state"],
        "x-runmodels-status": {
            "field": "state",
            "helpers": {"is_done": ["done"], "is_failed": ["failed"]},
            "present": {"is_done": ["result"], "is_failed": ["error", "code"]},
        },
        "properties": {
            "state": {"type": "string"},
            "result": {"type": "object", "properties": {"url": {"type": "string"}}},
            "error": {"type": ["string", "null"]},
            "code": {"type": "integer"},
        },
    }}},
}


def test_any_spec_can_declare_accessors_for_optional_and_nullable_fields(
        tmp_path: Path) -> None:
    package = unique_package("jobs")
    generate(write_spec(tmp_path / "spec.json", SPEC), tmp_path / "out", package)
    with imported(tmp_path / "out", package) as jobs:
        job = jobs.Job.from_dict({"state": "failed", "error": "boom", "code": 3})
        assert (job.error_or_raise(), job.code_or_raise()) == ("boom", 3)
        with pytest.raises(ValueError, match="'failed'"):
            job.result_or_raise()
        assert jobs.Job.from_dict({"state": "done", "result": {"url": "u"}}).result_or_raise().url == "u"


@pytest.mark.parametrize("present, what", [
    ({"is_gone": ["result"]}, "must map a helper"),  # not a helper
    ({"is_done": ["nope"]}, "'nope'"),  # not a field
    ({"is_done": "result"}, "must map a helper"),  # not a list
])
def test_a_bad_present_is_an_error_at_its_place(tmp_path: Path, present: Any, what: str) -> None:
    spec = json.loads(json.dumps(SPEC))
    spec["components"]["schemas"]["Job"]["x-runmodels-status"]["present"] = present
    with pytest.raises(SpecError) as caught:
        generate(write_spec(tmp_path / "spec.json", spec), tmp_path / "out", "jobs_bad")
    assert what in str(caught.value) and "x-runmodels-status" in str(caught.value)


@pytest.mark.slow
def test_mypy_strict_accepts_the_accessor_and_rejects_the_optional(tmp_path: Path) -> None:
    program = tmp_path / "uses_run.py"
    program.write_text(
        "from runs_v2 import Run\n"
        "def ids(run: Run) -> list[str]:\n"
        "    if run.requires_action:\n"
        "        action = run.required_action_or_raise()\n"
        "        return [c.id for c in action.submit_tool_outputs.tool_calls]\n"
        "    return []\n"
        "def unchecked(run: Run) -> object:\n"
        "    return run.required_action.submit_tool_outputs  # the field may be None\n",
        encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(program)],
        cwd=GENERATED, capture_output=True, text=True, check=False,
        env={"MYPYPATH": str(GENERATED), "PATH": "/usr/bin:/bin"})
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1 and "uses_run.py:8:" in errors[0], result.stdout
