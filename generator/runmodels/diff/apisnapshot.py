"""The public API of a generated package, recorded beside it so the next run can say what changed.

`runmodels generate --changelog FILE` compares the API a regeneration produces with the one the
previous run produced.  The previous spec is usually gone by then (a new version was saved over
it), so every run records its API in ``.runmodels-api.json`` in the package folder: the IR that
`apidiff` compares — entities, operations, the client's methods (the plan: `iter_*`, `poll_*`,
`stream_*` and the arguments' final names) and who uses each class — without what does not make
the API (descriptions, summaries, source positions), so a documentation-only edit leaves the
record as it was and rewrites no file.

The record is JSON with one entity or operation per line (a changed class is a one-line diff).
Dataclasses are written as objects of their non-default fields and read back through their type
hints; values typed ``Any`` (defaults and ``const`` values from the spec) are JSON data as they
were.  A record of another format version, or one that does not parse, is treated as absent.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import types
import typing
from collections.abc import Mapping
from typing import Any

from runmodels.ir import client_plan
from runmodels.ir import nodes as ir
from runmodels.ir.client_plan import ClientMethod
from runmodels.ir.nodes import NO_ORIGIN, Entity, Operation, Package

FORMAT = 2  # 2: the client's methods are recorded too
_ENTITY_CLASSES: dict[str, type] = {"model": ir.Model, "enum": ir.Enum, "union": ir.Union,
                                    "alias": ir.Alias}


@dataclasses.dataclass(frozen=True)
class ApiRecord:
    """One package's API: its entities, operations and public client methods (documentation
    left out), and roles."""

    entities: Mapping[str, Entity]
    operations: Mapping[str, Operation]
    roles: Mapping[str, frozenset[str]]
    client: Mapping[str, ClientMethod] = dataclasses.field(default_factory=dict)


def record(pkg: Package, roles: Mapping[str, frozenset[str]]) -> ApiRecord:
    """The API of `pkg` as the record keeps it."""
    entities = {name: _undocumented(e) for name, e in sorted(pkg.entities.items())}
    operations = {op.name: dataclasses.replace(
        op, summary="", description="", tags=(), extensions=(), extension_origins=(),
        parameters=tuple(dataclasses.replace(p, description="") for p in op.parameters))
        for op in sorted(pkg.operations, key=lambda o: o.name)}
    client = {name: _public(m) for name, m in sorted(pkg.client.public().items())}
    return ApiRecord(entities, operations, dict(roles), client)


def _public(method: ClientMethod) -> ClientMethod:
    """A method as its callers see it: no docs, no private helper names."""
    poll = method.poll and dataclasses.replace(method.poll, fetch="")
    return dataclasses.replace(method, delegate="", poll=poll, arguments=tuple(
        dataclasses.replace(a, description="") for a in method.arguments))


def _undocumented(entity: Entity) -> Entity:
    if isinstance(entity, ir.Model):
        fields = tuple(dataclasses.replace(f, description="") for f in entity.fields)
        return dataclasses.replace(entity, origin=NO_ORIGIN, description="", fields=fields)
    return dataclasses.replace(entity, origin=NO_ORIGIN, description="")


def dumps(api: ApiRecord) -> str:
    """The record's text: stable, one entity or operation per line."""
    lines = ["{", f'"format": {FORMAT},', '"entities": {']
    lines += _members(api.entities)
    lines += ["},", '"operations": {']
    lines += _members(api.operations)
    lines += ["},", '"client": {']
    lines += _members(api.client)
    lines += ["},", '"roles": {']
    roles = [f"{json.dumps(name)}: {json.dumps(sorted(role))}"
             for name, role in sorted(api.roles.items())]
    lines += [line + "," for line in roles[:-1]] + roles[-1:]
    lines += ["}", "}"]
    return "\n".join(lines) + "\n"


def _members(items: Mapping[str, Any]) -> list[str]:
    rows = [f"{json.dumps(name, ensure_ascii=False)}: "
            f"{json.dumps(_encode(value), ensure_ascii=False, sort_keys=True)}"
            for name, value in items.items()]
    return [row + "," for row in rows[:-1]] + rows[-1:]


def loads(text: str) -> ApiRecord | None:
    """The record, or None when the text is not a record of this format."""
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return None
        entities = {str(k): _decode(Entity, v) for k, v in data["entities"].items()}
        operations = {str(k): _decode(Operation, v) for k, v in data["operations"].items()}
        client = {str(k): _decode(ClientMethod, v) for k, v in data["client"].items()}
        roles = {str(k): frozenset(str(r) for r in v) for k, v in data["roles"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return ApiRecord(entities, operations, roles, client)


def _encode(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_encode(item) for item in value]
    if not hasattr(value, "__dataclass_fields__"):
        return value  # str, int, float, bool, None, or JSON data typed Any
    out = {}
    for name, default in _defaults(type(value)):
        if name == "origin":
            continue  # always NO_ORIGIN in a record
        item = getattr(value, name)
        if default is _REQUIRED or item is not default and item != default:
            out[name] = _encode(item)
    return out


_REQUIRED = object()


_DEFAULTS: dict[type, tuple[tuple[str, Any], ...]] = {}


def _defaults(cls: type) -> tuple[tuple[str, Any], ...]:
    """A dataclass's fields and their defaults (`kind` is always written: it names the class)."""
    found = _DEFAULTS.get(cls)
    if found is None:
        found = _DEFAULTS[cls] = tuple(
            (f.name, _REQUIRED if f.name == "kind" or f.default is dataclasses.MISSING
             else f.default) for f in dataclasses.fields(cls))
    return found


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, {**vars(ir), **vars(client_plan)})


def _decode(hint: Any, data: Any) -> Any:
    origin = typing.get_origin(hint)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(data, dict):
            raise TypeError(f"{hint.__name__} expects an object")
        hints = _hints(hint)
        values = {str(k): _decode(hints[k], v) for k, v in data.items()}
        if "origin" in hints:
            values["origin"] = NO_ORIGIN
        return hint(**values)
    if origin is tuple:
        args = typing.get_args(hint)
        if not isinstance(data, list):
            raise TypeError("a tuple expects a list")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], item) for item in data)
        return tuple(_decode(a, item) for a, item in zip(args, data, strict=True))
    if origin is typing.Union or origin is types.UnionType:
        options = typing.get_args(hint)
        if data is None and type(None) in options:
            return None
        rest = [o for o in options if o is not type(None)]
        if len(rest) == 1:
            return _decode(rest[0], data)
        if all(isinstance(o, type) and dataclasses.is_dataclass(o) for o in rest):
            return _decode(_ENTITY_CLASSES[data["kind"]], data)  # an Entity: `kind` says which
    return data  # str, int, float, bool, Literal, or JSON data typed Any
