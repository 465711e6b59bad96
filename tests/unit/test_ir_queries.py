"""The IR queries every stage shares: the types a type is made of, what an entity mentions,
a union's variants with nested unions spread out."""

from __future__ import annotations

from runmodels.ir.nodes import Alias, Enum, EnumMember, Field, Model, Origin, TypeRef, Union
from runmodels.ir.queries import chain, flat_variants, references, type_refs

HERE = Origin("api.yaml", "/")


def _model(name: str, *types: TypeRef) -> Model:
    return Model(name, HERE, tuple(Field(f"f{i}", f"f{i}", t, False) for i, t in enumerate(types)))


def test_chain_and_type_refs_go_through_lists_and_maps() -> None:
    t = TypeRef("list", item=TypeRef("map", item=TypeRef("model", ref="Run")))
    assert [link.kind for link in chain(t)] == ["list", "map", "model"]
    assert list(type_refs(t)) == ["Run"]
    assert list(type_refs(TypeRef("str"))) == [] and list(chain(None)) == []


def test_flat_variants_spread_nested_unions_once_even_when_they_cycle() -> None:
    a, b, c = (TypeRef("model", ref=n) for n in "ABC")
    inner = Union("Inner", HERE, (b, TypeRef("union", ref="Outer"), c))
    outer = Union("Outer", HERE, (a, TypeRef("union", ref="Inner"), b))
    entities = {"Outer": outer, "Inner": inner}
    assert flat_variants(outer, entities) == [a, b, c]


def test_references_of_each_kind_of_entity() -> None:
    status = Enum("Status", HERE, "str", (EnumMember("QUEUED", "queued"),))
    run = _model("Run", TypeRef("enum", ref="Status"), TypeRef("model", ref="Run"),
                 TypeRef("list", item=TypeRef("union", ref="Tool")))
    tool = Union("Tool", HERE, (TypeRef("model", ref="Code"),), tag="type",
                 tag_map=(("code", "Code"), ("search", "Search")))
    alias = Alias("Tools", HERE, TypeRef("list", item=TypeRef("union", ref="Tool")))
    entities = {"Status": status, "Run": run, "Tool": tool, "Tools": alias}
    assert references(run, entities) == {"Status", "Tool"}  # itself left out
    assert references(tool, entities) == {"Code", "Search"}  # the tags name models too
    assert references(alias, entities) == {"Tool"}
    assert references(status, entities) == set()
