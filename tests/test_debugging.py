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
    assert len(dataclasses.fields(run)) == len(runs_v2.Run.__slots__) - 1  # all but _extra
    assert dataclasses.replace(run, status=runs_v2.RunStatus.CANCELLED).id == run.id


def test_kept_members_stay_out_of_signatures_and_asdict_yet_round_trip(
        runs_v2: ModuleType) -> None:
    import dataclasses
    import inspect

    text = (PAYLOADS / "Run__forward_compat_unknown_fields.json").read_text()
    data = json.loads(text)
    run = runs_v2.Run.from_json(text)
    kept = runs_v2.kept_members(run)
    assert kept and set(kept) == set(data) - set(runs_v2.Run.__slots__)
    assert "_extra" not in inspect.signature(runs_v2.Run).parameters
    assert "_extra" not in [f.name for f in dataclasses.fields(run)]
    assert "_extra" not in dataclasses.asdict(run) and not set(kept) & set(dataclasses.asdict(run))
    assert run.to_dict() == data  # still written back
    kept[next(iter(kept))] = "changed"  # a copy: the model is untouched
    assert run.to_dict() == data and runs_v2.kept_members(run) != kept
    assert runs_v2.kept_members(runs_v2.RunCompletionUsage(
        prompt_tokens=1, completion_tokens=1, total_tokens=2)) == {}
    # replace builds the object anew from its fields: what was kept is not carried over
    assert runs_v2.kept_members(dataclasses.replace(run, model="m")) == {}


def test_decoder_locals_are_named_after_the_fields(runs_v2: ModuleType) -> None:
    module = runs_v2.Run.__module__
    import sys

    names = sys.modules[module].dec_Run.__code__.co_varnames
    assert {"status", "required_action", "id_", "object_", "created_at"} <= set(names)
    assert not [n for n in names if n[:1] == "v" and n[1:].isdigit()]


SHADOW_SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "shadow", "version": "1"},
    "paths": {},
    "components": {"schemas": {
        "Kind": {"type": "string", "enum": ["a", "b"]},
        "Box": {"type": "object", "required": ["t"], "properties": {
            # each of these names is one a decoder reads: a local, a parameter, a builtin it
            # calls, the runtime module, the enum class it decodes with
            name: {"$ref": "#/components/schemas/Kind"} if name == "Kind" else {"type": "integer"}
            for name in ("t", "x", "o", "d", "p", "c", "_r", "_new", "len", "isinstance",
                         "dict", "str", "int", "KeyError", "UNSET", "Kind", "id", "id_")
        } | {"kind": {"$ref": "#/components/schemas/Kind"},
             "tags": {"type": "array", "items": {"type": "string"}}}},
    }},
}


def test_fields_named_like_what_a_decoder_reads_shadow_nothing(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp = tmp_path_factory.mktemp("shadow")
    package = unique_package("shadow")
    generate(write_spec(tmp / "spec.json", SHADOW_SPEC), tmp / "out", package)
    with imported(tmp / "out", package) as shadow:
        data = {name: i for i, name in enumerate(SHADOW_SPEC["components"]["schemas"]["Box"][
            "properties"]) if name not in ("Kind", "kind", "tags")}
        data |= {"Kind": "a", "kind": "b", "tags": ["x"], "unknown": [1]}
        box = shadow.Box.from_dict(data, strict=False)
        assert box.to_dict() == data and shadow.deviations(box)[0].kind == "unknown_member"
        assert shadow.Box.from_dict({**data, "unknown": None} | {"t": 0}).t == 0
        del data["unknown"]
        assert shadow.Box.from_dict(data, strict=True).to_dict() == data
        with pytest.raises(shadow.DecodeError) as caught:
            shadow.Box.from_dict({**data, "len": "three", "kind": "z"}, strict=True)
        assert {path for path, _ in caught.value.errors} == {"$.len", "$.kind"}
