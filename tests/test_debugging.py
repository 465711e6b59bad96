"""What a user sees while debugging: enums print their value, a value the spec does not list
cannot pass for a declared member, and everything a package holds pickles on every protocol."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from _hostile import imported, unique_package, write_spec

from runmodels.api import generate

PAYLOADS = Path(__file__).resolve().parent / "payloads" / "v2"

ENUM_SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "enums", "version": "1"},
    "paths": {},
    "components": {"schemas": {
        # a declared member really named UNKNOWN, as the OpenAI spec's MessageRole has
        "Role": {"type": "string", "enum": ["user", "UNKNOWN"]},
        "Level": {"type": "integer", "enum": [1, 2, 30]},
        "Holder": {"type": "object", "properties": {
            "role": {"$ref": "#/components/schemas/Role"},
            "level": {"$ref": "#/components/schemas/Level"},
        }},
    }},
}


@pytest.fixture(scope="module")
def enums(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("enums")
    package = unique_package("enums")
    generate(write_spec(tmp / "spec.json", ENUM_SPEC), tmp / "out", package)
    with imported(tmp / "out", package) as module:
        yield module


def test_str_and_format_give_the_value(runs_v2: ModuleType, enums: Any) -> None:
    completed = runs_v2.RunStatus.COMPLETED
    assert (str(completed), f"{completed}", f"{completed:>10}") == (
        "completed", "completed", " completed")
    assert "%s" % completed == "completed"  # noqa: UP031  (what logging does with args)
    assert (str(enums.Level(30)), f"{enums.Level(30):>3}") == ("30", " 30")


def test_unknown_values_print_what_arrived(runs_v2: ModuleType, enums: Any) -> None:
    run = runs_v2.Run.from_json((PAYLOADS / "Run__forward_compat_unknown_status.json").read_bytes())
    status = run.status
    assert not status.is_known
    assert str(status) == f"{status}" == json.loads(
        (PAYLOADS / "Run__forward_compat_unknown_status.json").read_text())["status"]
    assert str(enums.Level(7)) == "7" and not enums.Level(7).is_known


def test_an_unknown_value_cannot_pass_for_a_declared_member(enums: Any) -> None:
    declared, new = enums.Role("UNKNOWN"), enums.Role("robot")
    assert declared.is_known and declared is enums.Role.UNKNOWN
    assert repr(declared) == "<Role.UNKNOWN: 'UNKNOWN'>"
    assert not new.is_known and "robot" in repr(new)
    assert repr(new) != repr(declared) and "Role.UNKNOWN" not in repr(new)
    assert not new.name.isidentifier()  # no member can ever have this name
    assert new != declared and enums.Role("robot") is new


def test_unknown_variant_equality_and_hash_agree(runs_v2: ModuleType) -> None:
    a, b = runs_v2.UnknownVariant({"type": "x"}), runs_v2.UnknownVariant({"type": "x"})
    assert a == b
    with pytest.raises(TypeError):  # mutable and compared by value, like the models
        hash(a)


def _samples(runs_v2: ModuleType) -> list[Any]:
    run = runs_v2.Run.from_json((PAYLOADS / "Run__forward_compat_all.json").read_bytes())
    assert run._extra and not run.status.is_known  # the payload exercises what pickling must keep
    try:
        runs_v2.Run.from_dict({"id": 3}, strict=True)
    except runs_v2.DecodeError as exc:
        error = exc
    return [run, run.status, runs_v2.RunStatus.QUEUED, runs_v2.UNSET,
            runs_v2.UnknownVariant({"type": "web_search"}),
            runs_v2.UnknownEvent("thread.new", {"id": "x"}), error]


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_everything_pickles_on_every_protocol(runs_v2: ModuleType, protocol: int) -> None:
    for value in _samples(runs_v2):
        back = pickle.loads(pickle.dumps(value, protocol))
        assert type(back) is type(value)
        if isinstance(value, runs_v2.DecodeError):
            assert (back.errors, str(back)) == (value.errors, str(value))
        else:
            assert back == value
    run = _samples(runs_v2)[0]
    back = pickle.loads(pickle.dumps(run, protocol))
    assert back.to_dict() == run.to_dict() and back.status is run.status


def test_help_shows_each_fields_documentation(runs_v2: ModuleType) -> None:
    import pydoc

    shown = pydoc.render_doc(runs_v2.FunctionTool, renderer=pydoc.plaintext)
    for field in ("type", "function"):
        doc = runs_v2.FunctionTool.__slots__[field]
        assert doc and doc in shown, field
    assert "A function the model may call." in shown


def test_inspecting_the_base_class_keeps_every_models_fields(runs_v2: ModuleType) -> None:
    import dataclasses
    import pydoc

    pydoc.render_doc(runs_v2.Model, renderer=pydoc.plaintext)  # reads Model.__dataclass_fields__
    run = runs_v2.Run.from_json((PAYLOADS / "Run__queued.json").read_bytes())
    assert len(dataclasses.fields(run)) == len(runs_v2.Run.__slots__)
    assert dataclasses.replace(run, status=runs_v2.RunStatus.CANCELLED).id == run.id
