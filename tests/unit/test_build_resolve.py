"""The resolver on small specs held as plain dicts (no files, no YAML): what entities a schema
becomes, how `$ref`s are followed, and which defects are repaired with a warning."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from runmodels.build.resolve import Resolver
from runmodels.errors import RefError
from runmodels.ir.nodes import Alias, Enum, Model, TypeRef, Union
from runmodels.spec import pointer

FILE = Path("/specs/api.yaml")


class DictSpecs:
    """The loader's side of the resolver (the `Specs` protocol) for one in-memory document."""

    def __init__(self, schemas: dict[str, Any]) -> None:
        self.root: Any = {"openapi": "3.1.0", "components": {"schemas": schemas}}
        self.root_file = FILE

    def resolve_ref(self, ref: str, base_file: Path, at: Any = None) -> tuple[Path, str, Any]:
        seen = set()
        while True:
            if not ref.startswith("#") or ref in seen:
                raise RefError(f"$ref {ref!r} leads nowhere", file=base_file)
            seen.add(ref)
            node = self.root
            for token in pointer.split(ref):
                if not isinstance(node, dict) or token not in node:
                    raise RefError(f"$ref {ref!r}: nothing at {token!r}", file=base_file)
                node = node[token]
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                return base_file, ref[1:], node
            ref = node["$ref"]

    def location(self, node: Any, key: str | None = None
                 ) -> tuple[Path | None, int | None, int | None]:
        return None, None, None


def _resolve(schemas: dict[str, Any], *keys: str) -> Resolver:
    resolver = Resolver(DictSpecs(schemas), "api.yaml")
    for key in keys or tuple(schemas):
        resolver.add_component(key)
    return resolver


def test_an_object_becomes_a_model_with_required_and_optional_fields() -> None:
    resolver = _resolve({"Run": {"type": "object", "required": ["id"], "properties": {
        "id": {"type": "string"}, "created_at": {"type": "integer"},
        "tags": {"type": "array", "items": {"type": "string"}}}}})
    run = resolver.entities["Run"]
    assert isinstance(run, Model)
    fields = {f.json_name: (f.name, f.type, f.required) for f in run.fields}
    assert fields == {"id": ("id", TypeRef("str"), True),
                      "created_at": ("created_at", TypeRef("int"), False),
                      "tags": ("tags", TypeRef("list", item=TypeRef("str")), False)}
    assert run.origin.pointer == "/components/schemas/Run"


def test_refs_name_the_component_and_inline_objects_get_names_from_where_they_are() -> None:
    resolver = _resolve({
        "Run": {"type": "object", "properties": {
            "status": {"$ref": "#/components/schemas/RunStatus"},
            "last_error": {"type": "object", "properties": {"code": {"type": "string"}}}}},
        "RunStatus": {"type": "string", "enum": ["queued", "in_progress"]},
    }, "Run")
    run = resolver.entities["Run"]
    assert isinstance(run, Model)
    types = {f.json_name: f.type for f in run.fields}
    assert types["status"] == TypeRef("enum", ref="RunStatus")
    inline = resolver.entities[types["last_error"].ref]
    assert isinstance(inline, Model) and inline.name == "RunLastError"
    assert resolver.owner["RunLastError"] == "Run"  # placed in Run's module
    status = resolver.entities["RunStatus"]
    assert isinstance(status, Enum) and [m.name for m in status.members] == ["QUEUED",
                                                                             "IN_PROGRESS"]


def test_a_oneof_becomes_a_union_and_a_map_component_an_alias() -> None:
    resolver = _resolve({
        "Tool": {"oneOf": [{"$ref": "#/components/schemas/Code"},
                           {"$ref": "#/components/schemas/Search"}]},
        "Code": {"type": "object", "properties": {"type": {"const": "code"}}},
        "Search": {"type": "object", "properties": {"type": {"const": "search"}}},
        "Metadata": {"type": "object", "additionalProperties": {"type": "string"}},
    })
    tool = resolver.entities["Tool"]
    assert isinstance(tool, Union)
    assert tool.variants == (TypeRef("model", ref="Code"), TypeRef("model", ref="Search"))
    metadata = resolver.entities["Metadata"]
    assert isinstance(metadata, Alias) and metadata.type.kind == "map"


def test_a_nullable_sibling_of_a_ref_makes_the_use_nullable() -> None:
    resolver = _resolve({
        "Run": {"type": "object", "properties": {
            "error": {"$ref": "#/components/schemas/Error", "nullable": True}}},
        "Error": {"type": "object", "properties": {"code": {"type": "string"}}},
    }, "Run")
    run = resolver.entities["Run"]
    assert isinstance(run, Model)
    assert run.fields[0].type == TypeRef("model", ref="Error", nullable=True)


def test_a_dangling_ref_is_typed_any_with_one_located_warning() -> None:
    resolver = _resolve({"Run": {"type": "object", "properties": {
        "a": {"$ref": "#/components/schemas/Missing"},
        "b": {"$ref": "#/components/schemas/Missing"}}}})
    run = resolver.entities["Run"]
    assert isinstance(run, Model)
    assert [f.type for f in run.fields] == [TypeRef("any"), TypeRef("any")]
    assert [(w.code, w.pointer) for w in resolver.warnings] == [
        ("ref-unresolved", "#/components/schemas/Run/properties/a"),
        ("ref-unresolved", "#/components/schemas/Run/properties/b")]


def test_follow_walks_a_chain_of_refs_and_fails_on_a_dangling_one() -> None:
    resolver = _resolve({"A": {"$ref": "#/components/schemas/B"},
                         "B": {"$ref": "#/components/schemas/C"},
                         "C": {"type": "string"}}, "C")
    node, file, where = resolver.follow({"$ref": "#/components/schemas/A"}, FILE)
    assert (node, file, where) == ({"type": "string"}, FILE, "/components/schemas/C")
    assert resolver.follow({"type": "integer"}, FILE, "/x") == ({"type": "integer"}, FILE, "/x")
    with pytest.raises(RefError):
        resolver.follow({"$ref": "#/components/schemas/Nope"}, FILE)


def test_standalone_types_belong_to_no_component() -> None:
    resolver = _resolve({"Run": {"type": "object"}})
    body = {"type": "object", "properties": {"n": {"type": "integer"}}}
    tref = resolver.standalone_type(body, FILE, "/paths/~1runs/post/requestBody", "CreateRun")
    resolver.drain()
    assert tref == TypeRef("model", ref="CreateRun")
    assert resolver.owner["CreateRun"] == "CreateRun"


def test_component_names_win_over_inline_names() -> None:
    resolver = _resolve({
        "Run": {"type": "object", "properties": {
            "step": {"type": "object", "properties": {"x": {"type": "string"}}}}},
        "RunStep": {"type": "object", "properties": {"y": {"type": "string"}}},
    })
    step = resolver.entities["RunStep"]
    assert isinstance(step, Model) and step.fields[0].json_name == "y"
    run = resolver.entities["Run"]
    assert isinstance(run, Model) and run.fields[0].type.ref == "RunStep2"
