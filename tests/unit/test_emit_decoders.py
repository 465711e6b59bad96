"""Decoders emitted from a tiny IR built by hand (no spec, no black): the rendered package
imports, and its decoders keep every value, lenient or strict."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from types import ModuleType

import pytest

from runmodels.build.modules import plan_modules
from runmodels.emit.render import render_package
from runmodels.ir.nodes import (
    Entity,
    Enum,
    EnumMember,
    Field,
    Model,
    Origin,
    Package,
    StatusHelper,
    TypeRef,
    Union,
)

HERE = Origin("tiny.yaml", "/")
ENTITIES: dict[str, Entity] = {
    "Status": Enum("Status", HERE, "str", (EnumMember("QUEUED", "queued"),
                                           EnumMember("DONE", "done"))),
    "Job": Model("Job", HERE, (
        Field("id", "id", TypeRef("str"), True),
        Field("status", "status", TypeRef("enum", ref="Status"), True),
        Field("tries", "tries", TypeRef("int", nullable=True), False),
        Field("tags", "tags", TypeRef("list", item=TypeRef("str")), False),
        Field("step", "step", TypeRef("union", ref="Step"), False),
    ), helpers=(StatusHelper("is_done", "status", ("done",)),)),
    "Wait": Model("Wait", HERE, (Field("type", "type", TypeRef("str"), True),
                                 Field("seconds", "seconds", TypeRef("int"), True))),
    "Call": Model("Call", HERE, (Field("type", "type", TypeRef("str"), True),
                                 Field("name", "name", TypeRef("str"), True))),
    "Step": Union("Step", HERE, (TypeRef("model", ref="Wait"), TypeRef("model", ref="Call")),
                  tag="type", tag_map=(("wait", "Wait"), ("call", "Call"))),
}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    pkg = Package("tiny_pkg", "Tiny", "tiny.yaml", ENTITIES,
                  plan_modules(ENTITIES, {name: name for name in ENTITIES}))
    out = tmp_path_factory.mktemp("emit") / "tiny_pkg"
    for rel, source in render_package(pkg).items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(source, encoding="utf-8")
    sys.path.insert(0, str(out.parent))
    try:
        yield importlib.import_module("tiny_pkg")
    finally:
        sys.path.remove(str(out.parent))
        for name in [n for n in sys.modules if n == "tiny_pkg" or n.startswith("tiny_pkg.")]:
            del sys.modules[name]


def test_a_valid_payload_decodes_to_typed_values_and_back(tiny: ModuleType) -> None:
    data = {"id": "j1", "status": "done", "tries": None, "tags": ["a"],
            "step": {"type": "call", "name": "f"}}
    job = tiny.Job.from_dict(data, strict=True)
    assert job.status is tiny.Status.DONE and job.is_done
    assert job.tries is None and job.tags == ["a"]
    assert isinstance(job.step, tiny.Call) and job.step.name == "f"
    assert job.to_dict() == data
    assert tiny.deviations(job) == []


def test_lenient_decoding_keeps_what_breaks_the_spec(tiny: ModuleType) -> None:
    data = {"id": "j2", "status": "paused", "tries": "3", "step": {"type": "sleep"},
            "extra": [1]}
    job = tiny.Job.from_dict(data)
    assert job.tries is tiny.UNSET  # a string is not forced into an int field
    assert not job.status.is_known and not job.is_done
    assert isinstance(job.step, tiny.UnknownVariant)
    assert job.to_dict() == data  # nothing lost
    kinds = sorted(d.kind for d in tiny.deviations(job))
    assert kinds == ["unknown_enum", "unknown_member", "unknown_variant", "wrong_type"]


def test_strict_decoding_names_the_first_deviation_by_path(tiny: ModuleType) -> None:
    with pytest.raises(tiny.DecodeError) as raised:
        tiny.Job.from_dict({"id": "j3", "status": "done", "tags": ["a", 2]}, strict=True)
    assert "$.tags[1]" in str(raised.value)
    with pytest.raises(tiny.DecodeError):
        tiny.Job.from_dict({"status": "done"}, strict=True)  # id is required
