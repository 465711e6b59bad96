"""Questions every later stage asks of the IR, answered once: the types a type is made of, the
entities one mentions, a union's variants with nested unions spread out."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from runmodels.ir.nodes import Alias, Entity, Field, Model, TypeRef, Union


def page_data(model: Model) -> Field | None:
    """The `data` list of a model shaped as one page of a cursor-paginated list (members
    `data`, `has_more` and `last_id`, under those Python names too), else None.

    The client plan gives such a list result an `iter_*` method; the page model iterates it."""
    by_json = {f.json_name: f for f in model.fields}
    data, has_more, last_id = (by_json.get(k) for k in ("data", "has_more", "last_id"))
    if data is None or has_more is None or last_id is None or data.type.kind != "list":
        return None
    if data.name != "data" or has_more.name != "has_more" or last_id.name != "last_id":
        return None
    return data


def chain(t: TypeRef | None) -> Iterator[TypeRef]:
    """The type and its item types, outermost first (`list[dict[str, Run]]`: list, map, Run)."""
    while t is not None:
        yield t
        t = t.item


def type_refs(t: TypeRef | None) -> Iterator[str]:
    """Names of the entities a type mentions (a model, enum or union, at any depth)."""
    return (link.ref for link in chain(t) if link.ref)


def flat_variants(union: Union, entities: Mapping[str, Entity], seen: set[str] | None = None
                  ) -> list[TypeRef]:
    """The variants to dispatch over, nested unions spread out in place (each once)."""
    seen = seen if seen is not None else {union.name}
    out: list[TypeRef] = []
    for v in union.variants:
        inner = entities.get(v.ref) if v.kind == "union" else None
        if isinstance(inner, Union):
            if inner.name not in seen:
                seen.add(inner.name)
                out.extend(x for x in flat_variants(inner, entities, seen) if x not in out)
        elif v not in out:
            out.append(v)
    return out


def references(entity: Entity, entities: Mapping[str, Entity]) -> set[str]:
    """Names of the entities this one mentions (a union: also those of the unions it nests and
    the models its tags name), itself left out."""
    found: set[str] = set()
    if isinstance(entity, Model):
        for f in entity.fields:
            found.update(type_refs(f.type))
    elif isinstance(entity, Union):
        for v in entity.variants:
            found.update(type_refs(v))
        found.update(name for _, name in entity.tag_map)
        for v in flat_variants(entity, entities):
            found.update(type_refs(v))
    elif isinstance(entity, Alias):
        found.update(type_refs(entity.type))
    found.discard(entity.name)
    return found
