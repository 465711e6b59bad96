"""The API-change report: what changed between two specs, at the level of the generated Python API.

``runmodels diff OLD_SPEC NEW_SPEC`` builds both packages (the same IR ``generate`` renders) and
compares them: entities by class name, model fields by JSON name, enum members by value, union
variants by their annotation, operations by method name and their parameters by (location, JSON
name), and the client's methods (the plan, ``ir/client_plan.py``) by name and their arguments by
(where the value goes, JSON name).  Every change is marked *breaking* or not for code that uses the generated package.

Who uses a class decides what breaks it.  A class is a *request* class when it is reachable from an
operation's parameters or body (code constructs it and passes it in), a *response* class when it is
reachable from an operation's result or stream events (code decodes it and reads it), or both.
Reachability follows model fields, union variants, alias targets and list/map items.  The
operations come from the IR; while a package has none, the spec's ``paths`` are scanned for the
``#/components/schemas/...`` references of request bodies, parameters and responses.  A class that
no operation reaches is a request class when its name ends in Request, Params, Body or Input, a
response class otherwise (and what it references inherits that).  A change that breaks either kind
of use breaks a class used both ways.

The rules ("readers" = code reading a response class, "callers" = code constructing a request
class; "everyone" = both):

=============================================  ==============================================
change                                         breaking for
=============================================  ==============================================
class added                                    nobody
class removed, or its kind changed             everyone (the import fails)
field added, optional                          nobody
field added, required                          callers (a new keyword argument is mandatory);
                                               not readers: new data only
field removed                                  everyone (the attribute is gone)
field's Python attribute renamed               everyone
field required -> optional                     readers (the value may now be ``UNSET``)
field optional -> required                     callers (they must now pass it)
field becomes nullable                         readers (the value may now be ``None``)
field stops being nullable                     callers (passing ``None`` is now wrong)
field type changed                             readers unless every new value fits the old type
                                               (``int -> float`` breaks readers only); callers
                                               unless every old value fits the new type
                                               (``int -> float`` is fine for them; a class
                                               widened to a union containing it is fine too)
default changed (server-applied)               callers (omitting the field silently changes
                                               behaviour); a default added or removed: nobody
constraints changed (checked with strict)      nobody (reported for information)
field deprecated                               nobody
enum member added                              nobody: enums are open, unknown values already
                                               decode and existing code keeps working
enum member removed or renamed                 everyone (the member attribute is gone)
enum base changed (str <-> int)                everyone
union variant added                            nobody: ``UnknownVariant`` already covers values
                                               the code did not know
union variant removed                          everyone
union discriminator property changed           nobody (decoding detail)
alias target changed                           as a field type change
operation added                                nobody
operation removed                              everyone (the method is gone)
operation HTTP method or path changed          nobody (the method's signature is unchanged)
parameter added, required                      callers;  optional: nobody
parameter removed, or renamed in Python        callers
parameter optional -> required                 callers;  required -> optional: nobody
parameter/body type changed                    as for callers of a field
body added (required) or removed               callers;  an optional body added: nobody
result/stream type changed                     as for readers of a field; a result removed
                                               breaks, one added does not
client method removed                          everyone (the method is gone): ``iter_*``,
                                               ``poll_*``, ``stream_*``, ``*_and_poll``
client method added                            nobody
argument's final Python name changed           callers (a keyword argument is renamed, also
                                               when a spec name meets an option: ``timeout``
                                               -> ``timeout_body``)
=============================================  ==============================================

Constant headers the client sends by itself are not part of the signature: changing their value
is reported without being breaking.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runmodels.build.package_ir import build_package
from runmodels.diff.apisnapshot import ApiRecord
from runmodels.emit.exprs import annotation
from runmodels.errors import SpecError, SpecWarning
from runmodels.ir.client_plan import ClientMethod
from runmodels.ir.nodes import (
    NO_CONSTRAINTS,
    Alias,
    Constraints,
    Entity,
    Enum,
    Field,
    Model,
    Operation,
    Package,
    Parameter,
    TypeRef,
    Union,
)
from runmodels.ir.queries import chain, references, type_refs
from runmodels.paths import display_path
from runmodels.spec.load import SpecSet
from runmodels.spec.openapi import HTTP_METHODS
from runmodels.spec.pointer import escape, split, unescape

INPUT = "input"
OUTPUT = "output"
Role = frozenset[str]
_NOBODY: Role = frozenset()
_EVERYONE: Role = frozenset({INPUT, OUTPUT})
_INPUT_SUFFIXES = ("Request", "Params", "Body", "Input")
_SCHEMA_PREFIX = "#/components/schemas/"


@dataclass(frozen=True)
class Change:
    """One difference in the generated API."""

    entity: str  # class name, or operation method name
    member: str | None  # JSON field name, enum value, variant annotation, parameter name...
    kind: str  # e.g. "field-removed", "enum-member-added"
    message: str
    breaking: bool
    usage: str  # "request", "response", "request and response", "operation" or "method"
    old: str | None = None
    new: str | None = None

    @property
    def subject(self) -> str:
        """What the change is about, as a dotted Python-ish path."""
        return self.entity if self.member is None else f"{self.entity}.{self.member}"

    def as_dict(self) -> dict[str, Any]:
        return {"entity": self.entity, "member": self.member, "kind": self.kind,
                "breaking": self.breaking, "usage": self.usage, "old": self.old,
                "new": self.new, "message": self.message}


@dataclass(frozen=True)
class ApiDiff:
    """Every change between two specs' generated APIs, in a stable order."""

    old_spec: str
    new_spec: str
    changes: tuple[Change, ...]
    warnings: tuple[SpecWarning, ...] = ()  # the overlays' warnings, old side first

    @property
    def breaking(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.breaking)

    @property
    def non_breaking(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if not c.breaking)

    def to_json(self) -> str:
        doc = {"old": self.old_spec, "new": self.new_spec,
               "summary": {"breaking": len(self.breaking),
                           "non_breaking": len(self.non_breaking)},
               "changes": [c.as_dict() for c in self.changes]}
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

    def to_text(self) -> str:
        lines = [f"API changes from {self.old_spec} to {self.new_spec}"]
        if not self.changes:
            lines.append("no changes to the generated API")
            return "\n".join(lines) + "\n"
        lines.append(f"{len(self.breaking)} breaking, {len(self.non_breaking)} non-breaking")
        for title, group in (("Breaking", self.breaking), ("Non-breaking", self.non_breaking)):
            if not group:
                continue
            lines += ["", f"{title} changes:"]
            added = [c for c in group if c.member is None and c.kind.endswith("-added")]
            for label, items in (("new classes", [c for c in added
                                                  if c.usage not in ("operation", "method")]),
                                 ("new operations", [c for c in added
                                                     if c.usage == "operation"]),
                                 ("new client methods", [c for c in added
                                                         if c.usage == "method"])):
                if items:
                    names = ", ".join(c.entity for c in items)
                    lines += textwrap.wrap(f"{label} ({len(items)}): {names}", width=100,
                                           initial_indent="  ", subsequent_indent="    ",
                                           break_on_hyphens=False)
            current = None
            for change in (c for c in group if c not in added):
                if change.entity != current:
                    current = change.entity
                    lines.append(f"  {change.entity} ({change.usage})")
                lines.append(f"    {'!' if change.breaking else '-'} {change.message}")
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class _Api:
    """One side of the comparison: the IR entities and operations, and who uses each class."""

    entities: Mapping[str, Entity]
    operations: Mapping[str, Operation]
    roles: Mapping[str, Role] = field(default_factory=dict)
    warnings: tuple[SpecWarning, ...] = ()  # what its overlays warned of (a target matching nothing…)
    client: Mapping[str, ClientMethod] = field(default_factory=dict)  # the public methods

    def variants(self, union: str) -> frozenset[str]:
        entity = self.entities.get(union)
        if not isinstance(entity, Union):
            return frozenset()
        return frozenset(annotation(v) for v in entity.variants)

    def enum_base(self, name: str) -> str | None:
        entity = self.entities.get(name)
        return entity.base if isinstance(entity, Enum) else None


# ---- entry points -----------------------------------------------------------------------------


def diff_specs(old: Path | str, new: Path | str, select: Sequence[str] = (), *,
               old_overlays: Sequence[Path] = (), new_overlays: Sequence[Path] = ()) -> ApiDiff:
    """Compare the packages generated from two specs (with the same --select on both), each
    after its OpenAPI Overlay files are applied."""
    old_side = _Side(Path(old), tuple(Path(o) for o in old_overlays))
    new_side = _Side(Path(new), tuple(Path(o) for o in new_overlays))
    old_api, new_api = _load_pair(old_side, new_side, tuple(select))
    warnings = tuple(dict.fromkeys((*old_api.warnings, *new_api.warnings)))
    return ApiDiff(old_side.display(), new_side.display(), tuple(_diff(old_api, new_api)),
                   warnings)


@dataclass(frozen=True)
class _Side:
    """One side of the comparison: a spec and the overlays applied to it."""

    spec: Path
    overlays: tuple[Path, ...] = ()

    def display(self) -> str:
        return display_path(self.spec) + "".join(f" + overlay {display_path(o)}"
                                                 for o in self.overlays)

    def root(self) -> Any:
        return SpecSet(self.spec, overlays=self.overlays).root


def package_roles(pkg: Package, spec: Path, overlays: Sequence[Path] = ()) -> dict[str, Role]:
    """Who uses each class of a generated package: its operations decide, else the spec's
    paths, else class names (see the module docstring)."""
    operations = {op.name: op for op in pkg.operations}
    if operations:
        inputs, outputs = _operation_roots(pkg.operations)
    else:
        inputs, outputs = _path_roots(_Side(Path(spec), tuple(overlays)).root(), pkg.entities)
    return _roles(_Api(pkg.entities, operations), inputs, outputs)


def diff_records(old: ApiRecord, new: ApiRecord, old_label: str, new_label: str) -> ApiDiff:
    """Compare two recorded APIs (see apisnapshot.py) as `diff_specs` compares two specs."""
    sides = [_Api(r.entities, r.operations, r.roles, client=r.client) for r in (old, new)]
    return ApiDiff(old_label, new_label, tuple(_diff(sides[0], sides[1])))


def _load_pair(old: _Side, new: _Side, select: tuple[str, ...]) -> tuple[_Api, _Api]:
    """Both sides; a selected schema only has to exist in one of the two specs."""
    if not select:
        return _load(old, ()), _load(new, ())
    present = [_schema_names(old), _schema_names(new)]
    missing = [item for item in select
               if not item.startswith(("tag:", "path:")) and not any(item in p for p in present)]
    if missing:
        raise SpecError(f"--select names {missing[0]!r}, which is a component schema of neither "
                        "spec", file=display_path(new.spec), hint="check the schema name")
    sides = []
    for side, names in ((old, present[0]), (new, present[1])):
        mine = tuple(i for i in select if i in names or i.startswith(("tag:", "path:")))
        sides.append(_load(side, mine) if mine else _Api({}, {}))
    return sides[0], sides[1]


def _schema_names(side: _Side) -> set[str]:
    root = side.root()
    comps = root.get("components") if isinstance(root, dict) else None
    schemas = comps.get("schemas") if isinstance(comps, dict) else None
    return set(schemas) if isinstance(schemas, dict) else set()


def _load(side: _Side, select: tuple[str, ...]) -> _Api:
    """One spec's API; who uses a class is decided on the whole spec, even with a selection."""
    full = build_package(side.spec, "api", (), overlays=side.overlays)
    operations = {op.name: op for op in full.operations}
    if operations:
        inputs, outputs = _operation_roots(full.operations)
    else:
        inputs, outputs = _path_roots(side.root(), full.entities)
    roles = _roles(_Api(full.entities, operations), inputs, outputs)
    if not select:
        return _Api(full.entities, operations, roles, full.overlay_warnings,
                    full.client.public())
    pkg = build_package(side.spec, "api", select, overlays=side.overlays)
    return _Api(pkg.entities, {op.name: op for op in pkg.operations}, roles,
                full.overlay_warnings, pkg.client.public())


# ---- who uses what ----------------------------------------------------------------------------


def _operation_roots(operations: Iterable[Operation]) -> tuple[set[str], set[str]]:
    inputs: set[str] = set()
    outputs: set[str] = set()
    for op in operations:
        for param in op.parameters:
            inputs.update(type_refs(param.type))
        inputs.update(type_refs(op.body))
        outputs.update(type_refs(op.result))
        outputs.update(type_refs(op.stream_event))
    return inputs, outputs


def _path_roots(root: Any, entities: Mapping[str, Entity]) -> tuple[set[str], set[str]]:
    """Schemas that the spec's paths use in requests and in responses (by component pointer)."""
    by_pointer = {e.origin.pointer: name for name, e in entities.items()}
    inputs: set[str] = set()
    outputs: set[str] = set()
    paths = root.get("paths") if isinstance(root, dict) else None
    for item in paths.values() if isinstance(paths, dict) else ():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            for part, sink in (("parameters", inputs), ("requestBody", inputs),
                               ("responses", outputs)):
                nodes = [op.get(part)] + ([item.get(part)] if part == "parameters" else [])
                for ref in _schema_refs(root, nodes):
                    name = by_pointer.get("/components/schemas/" + escape(ref))
                    if name is not None:
                        sink.add(name)
    return inputs, outputs


def _schema_refs(root: Any, nodes: list[Any]) -> Iterator[str]:
    """Component schema names referenced under nodes, following local non-schema refs."""
    seen: set[str] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(_SCHEMA_PREFIX):
                yield unescape(ref[len(_SCHEMA_PREFIX):])
            elif isinstance(ref, str) and ref.startswith("#/") and ref not in seen:
                seen.add(ref)
                stack.append(_pointer(root, ref[1:]))
            stack.extend(v for k, v in node.items() if k != "$ref")


def _pointer(root: Any, pointer: str) -> Any:
    node = root
    for token in split(pointer):
        node = node.get(token) if isinstance(node, dict) else None
    return node


def _roles(api: _Api, inputs: set[str], outputs: set[str]) -> dict[str, Role]:
    roles: dict[str, set[str]] = {name: set() for name in api.entities}

    def spread(seeds: Iterable[str], role: str, only_unused: bool) -> None:
        stack = [s for s in seeds if s in roles]
        while stack:
            name = stack.pop()
            if role in roles[name] or (only_unused and roles[name] - {role}):
                continue
            roles[name].add(role)
            stack.extend(c for c in references(api.entities[name], api.entities) if c in roles)

    spread(sorted(inputs), INPUT, False)
    spread(sorted(outputs), OUTPUT, False)
    unused = [name for name in sorted(roles) if not roles[name]]
    spread([n for n in unused if n.endswith(_INPUT_SUFFIXES)], INPUT, True)
    spread([n for n in unused if not n.endswith(_INPUT_SUFFIXES)], OUTPUT, True)
    return {name: frozenset(r) for name, r in roles.items()}


def _usage(role: Role) -> str:
    if role == _EVERYONE:
        return "request and response"
    return "request" if INPUT in role else "response"


# ---- types -------------------------------------------------------------------------------------


def _strip(t: TypeRef) -> TypeRef:
    """The type without constraints anywhere and without top-level nullability."""
    item = _strip(t.item).with_nullable(t.item.nullable) if t.item is not None else None
    return TypeRef(t.kind, t.ref, item, False, NO_CONSTRAINTS, t.types)


def _kinds(t: TypeRef) -> set[str]:
    return set(t.types) if t.types else {t.kind}


def _fits(src: TypeRef, dst: TypeRef, src_api: _Api, dst_api: _Api) -> bool:
    """Whether every value of type src (in src_api) is acceptable where dst (in dst_api) is."""
    if dst.kind == "any" and not dst.types:
        return True
    if src.nullable and not dst.nullable:
        return False
    if src.kind in ("list", "map") or dst.kind in ("list", "map"):
        return (src.kind == dst.kind and src.item is not None and dst.item is not None
                and _fits(src.item, dst.item, src_api, dst_api))
    if src.kind in ("model", "enum", "union"):
        if dst.kind == src.kind and dst.ref == src.ref:
            return True
        if dst.kind == "union" and annotation(src.with_nullable(False)) in dst_api.variants(dst.ref):
            return True
        return src.kind == "enum" and dst.kind in ("str", "int") and not dst.types and (
            src_api.enum_base(src.ref) == dst.kind)
    if dst.kind in ("model", "enum"):
        return False
    if dst.kind == "union":
        return annotation(src.with_nullable(False)) in dst_api.variants(dst.ref)
    wanted = _kinds(dst)
    if "any" in wanted:
        return True
    return all(k in wanted or (k == "int" and "float" in wanted) for k in _kinds(src))


def _constraints_text(t: TypeRef) -> str:
    parts = [_one_constraints(c) for c in _all_constraints(t)]
    return "; ".join(p for p in parts if p) or "none"


def _one_constraints(c: Constraints) -> str:
    return ", ".join(f"{name}={getattr(c, name)!r}" for name in c.__dataclass_fields__
                     if getattr(c, name) is not None)


def _all_constraints(t: TypeRef | None) -> list[Constraints]:
    return [link.constraints for link in chain(t)]


# ---- comparison --------------------------------------------------------------------------------


class _Collector:
    def __init__(self, old: _Api, new: _Api) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []

    def role(self, name: str) -> Role:
        return self.old.roles.get(name, _NOBODY) | self.new.roles.get(name, _NOBODY)

    def add(self, entity: str, member: str | None, kind: str, message: str, breaks: Role,
            role: Role | None, old: str | None = None, new: str | None = None, *,
            usage: str = "operation") -> None:
        """Record a change breaking the uses in `breaks` (if the entity has such a use)."""
        used = role if role is not None else _EVERYONE
        breaking = bool(breaks & used)
        if breaks and breaks != _EVERYONE and role is not None:
            if breaking:
                message += f" — breaks {'callers' if breaks == {INPUT} else 'readers'}"
            else:
                message += f" — harmless for {'callers' if used == {INPUT} else 'readers'}"
        shown = _usage(used) if role is not None else usage
        self.changes.append(Change(entity, member, kind, message, breaking, shown, old, new))


def _diff(old: _Api, new: _Api) -> list[Change]:
    out = _Collector(old, new)
    for name in sorted(set(old.entities) | set(new.entities)):
        before, after = old.entities.get(name), new.entities.get(name)
        role = out.role(name)
        if before is None and after is not None:
            out.add(name, None, f"{after.kind}-added", f"{after.kind} {name} added", _NOBODY,
                    role, None, after.kind)
        elif after is None and before is not None:
            out.add(name, None, f"{before.kind}-removed", f"{before.kind} {name} removed",
                    _EVERYONE, role, before.kind, None)
        elif before is not None and after is not None and before.kind != after.kind:
            out.add(name, None, "kind-changed", f"{name} changed from {before.kind} to "
                    f"{after.kind}", _EVERYONE, role, before.kind, after.kind)
        elif isinstance(before, Model) and isinstance(after, Model):
            _diff_model(out, name, before, after, role)
        elif isinstance(before, Enum) and isinstance(after, Enum):
            _diff_enum(out, name, before, after, role)
        elif isinstance(before, Union) and isinstance(after, Union):
            _diff_union(out, name, before, after, role)
        elif isinstance(before, Alias) and isinstance(after, Alias):
            _diff_type(out, name, None, "alias", before.type, after.type, role)
    for name in sorted(set(old.operations) | set(new.operations)):
        _diff_operation(out, name, old.operations.get(name), new.operations.get(name))
    _diff_client(out)
    return out.changes


def _describe(f: Field) -> str:
    text = annotation(f.type)
    return f"{text}, required" if f.required else f"{text}, optional"


def _diff_model(out: _Collector, name: str, old: Model, new: Model, role: Role) -> None:
    before = {f.json_name: f for f in old.fields}
    after = {f.json_name: f for f in new.fields}
    order = [f.json_name for f in new.fields] + [f.json_name for f in old.fields
                                                  if f.json_name not in after]
    for key in order:
        a, b = before.get(key), after.get(key)
        if a is None and b is not None:
            if b.required:
                out.add(name, key, "field-added", f"required field {b.name} added "
                        f"({annotation(b.type)})", frozenset({INPUT}), role, None, _describe(b))
            else:
                out.add(name, key, "field-added", f"optional field {b.name} added "
                        f"({annotation(b.type)})", _NOBODY, role, None, _describe(b))
        elif b is None and a is not None:
            out.add(name, key, "field-removed", f"field {a.name} removed (was "
                    f"{annotation(a.type)})", _EVERYONE, role, _describe(a), None)
        elif a is not None and b is not None:
            _diff_field(out, name, a, b, role)


def _diff_field(out: _Collector, name: str, a: Field, b: Field, role: Role) -> None:
    key = a.json_name
    if a.name != b.name:
        out.add(name, key, "field-renamed", f"attribute {a.name} renamed to {b.name}",
                _EVERYONE, role, a.name, b.name)
    _diff_type(out, name, key, f"field {b.name}", a.type, b.type, role)
    if a.required and not b.required:
        out.add(name, key, "field-optional", f"field {b.name} is no longer required (may be "
                "UNSET)", frozenset({OUTPUT}), role, "required", "optional")
    elif b.required and not a.required:
        out.add(name, key, "field-required", f"field {b.name} is now required",
                frozenset({INPUT}), role, "optional", "required")
    old_default = json.dumps(a.default, sort_keys=True) if a.has_default else None
    new_default = json.dumps(b.default, sort_keys=True) if b.has_default else None
    if old_default != new_default:
        if old_default is None:
            message, breaks = f"field {b.name} gets a default of {new_default}", _NOBODY
        elif new_default is None:
            message, breaks = f"field {b.name} loses its default of {old_default}", _NOBODY
        else:
            message = f"default of field {b.name} changed from {old_default} to {new_default}"
            breaks = frozenset({INPUT})
        out.add(name, key, "field-default", message, breaks, role, old_default, new_default)
    if b.deprecated and not a.deprecated:
        out.add(name, key, "field-deprecated", f"field {b.name} is deprecated", _NOBODY, role)


def _diff_type(out: _Collector, entity: str, member: str | None, what: str, a: TypeRef,
               b: TypeRef, role: Role | None) -> None:
    """Type, nullability and constraint changes of a field, alias, parameter or result."""
    if _strip(a) != _strip(b):
        old_text, new_text = annotation(_strip(a)), annotation(_strip(b))
        breaks = set()
        if not _fits(_strip(b), _strip(a), out.new, out.old):
            breaks.add(OUTPUT)
        if not _fits(_strip(a), _strip(b), out.old, out.new):
            breaks.add(INPUT)
        out.add(entity, member, "type-changed", f"{what} type changed from {old_text} to "
                f"{new_text}", frozenset(breaks), role, old_text, new_text)
    if b.nullable and not a.nullable:
        out.add(entity, member, "nullable", f"{what} may now be None", frozenset({OUTPUT}),
                role, "not nullable", "nullable")
    elif a.nullable and not b.nullable:
        out.add(entity, member, "not-nullable", f"{what} may no longer be None",
                frozenset({INPUT}), role, "nullable", "not nullable")
    if _strip(a) == _strip(b) and _all_constraints(a) != _all_constraints(b):
        old_c, new_c = _constraints_text(a), _constraints_text(b)
        out.add(entity, member, "constraints-changed", f"{what} constraints changed from "
                f"{old_c} to {new_c}", _NOBODY, role, old_c, new_c)


def _diff_enum(out: _Collector, name: str, old: Enum, new: Enum, role: Role) -> None:
    if old.base != new.base:
        out.add(name, None, "enum-base-changed", f"enum base changed from {old.base} to "
                f"{new.base}", _EVERYONE, role, old.base, new.base)
    before = {m.value: m.name for m in old.members}
    after = {m.value: m.name for m in new.members}
    for value in [m.value for m in new.members] + [v for v in before if v not in after]:
        shown = json.dumps(value)
        if value not in before:
            out.add(name, str(value), "enum-member-added", f"member {after[value]} ({shown}) "
                    "added", _NOBODY, role, None, after[value])
        elif value not in after:
            out.add(name, str(value), "enum-member-removed", f"member {before[value]} "
                    f"({shown}) removed", _EVERYONE, role, before[value], None)
        elif before[value] != after[value]:
            out.add(name, str(value), "enum-member-renamed", f"member {before[value]} "
                    f"({shown}) renamed to {after[value]}", _EVERYONE, role, before[value],
                    after[value])


def _diff_union(out: _Collector, name: str, old: Union, new: Union, role: Role) -> None:
    before = [annotation(v) for v in old.variants]
    after = [annotation(v) for v in new.variants]
    for variant in after:
        if variant not in before:
            out.add(name, variant, "union-variant-added", f"variant {variant} added", _NOBODY,
                    role, None, variant)
    for variant in before:
        if variant not in after:
            out.add(name, variant, "union-variant-removed", f"variant {variant} removed",
                    _EVERYONE, role, variant, None)
    if old.tag != new.tag:
        out.add(name, None, "union-tag-changed", f"discriminator property changed from "
                f"{old.tag} to {new.tag}", _NOBODY, role, old.tag, new.tag)


def _diff_operation(out: _Collector, name: str, old: Operation | None,
                    new: Operation | None) -> None:
    if old is None and new is not None:
        out.add(name, None, "operation-added", f"operation {name}() added "
                f"({new.method.upper()} {new.path})", _NOBODY, None, None, new.path)
        return
    if new is None and old is not None:
        out.add(name, None, "operation-removed", f"operation {name}() removed "
                f"({old.method.upper()} {old.path})", _EVERYONE, None, old.path, None)
        return
    assert old is not None and new is not None
    if (old.method, old.path) != (new.method, new.path):
        before, after = f"{old.method.upper()} {old.path}", f"{new.method.upper()} {new.path}"
        out.add(name, None, "operation-endpoint-changed", f"endpoint changed from {before} "
                f"to {after}", _NOBODY, None, before, after)
    _diff_parameters(out, name, old.parameters, new.parameters)
    callers = frozenset({INPUT})
    if old.body is None and new.body is not None:
        out.add(name, "body", "body-added", f"{'required' if new.body_required else 'optional'}"
                f" body added ({annotation(new.body)})",
                callers if new.body_required else _NOBODY, None, None, annotation(new.body))
    elif new.body is None and old.body is not None:
        out.add(name, "body", "body-removed", f"body removed (was {annotation(old.body)})",
                callers, None, annotation(old.body), None)
    elif old.body is not None and new.body is not None:
        _diff_io(out, name, "body", old.body, new.body, INPUT)
        if new.body_required and not old.body_required:
            out.add(name, "body", "body-required", "body is now required", callers, None,
                    "optional", "required")
    for member, a, b in (("result", old.result, new.result),
                         ("stream", old.stream_event, new.stream_event)):
        if a is None and b is not None:
            out.add(name, member, f"{member}-added", f"{member} added ({annotation(b)})",
                    _NOBODY, None, None, annotation(b))
        elif b is None and a is not None:
            out.add(name, member, f"{member}-removed", f"{member} removed (was "
                    f"{annotation(a)})", _EVERYONE, None, annotation(a), None)
        elif a is not None and b is not None:
            _diff_io(out, name, member, a, b, OUTPUT)


def _diff_io(out: _Collector, name: str, member: str, a: TypeRef, b: TypeRef,
             use: str) -> None:
    """A body (written by callers) or result (read by them): the field rules for that use."""
    start = len(out.changes)
    _diff_type(out, name, member, member, a, b, frozenset({use}))
    for i in range(start, len(out.changes)):  # an operation's usage is "operation"
        out.changes[i] = Change(**{**out.changes[i].as_dict(), "usage": "operation"})


def _diff_parameters(out: _Collector, name: str, old: Sequence[Parameter],
                     new: Sequence[Parameter]) -> None:
    before = {(p.location, p.json_name): p for p in old}
    after = {(p.location, p.json_name): p for p in new}
    callers = frozenset({INPUT})
    for key in [(p.location, p.json_name) for p in new] + [k for k in before if k not in after]:
        a, b = before.get(key), after.get(key)
        member = f"{key[0]}:{key[1]}"
        if (a is not None and a.fixed_value is not None) or (b is not None and
                                                             b.fixed_value is not None):
            old_value = a.fixed_value if a is not None else None
            new_value = b.fixed_value if b is not None else None
            if old_value != new_value:
                out.add(name, member, "fixed-header-changed", f"constant {key[0]} {key[1]} "
                        f"changed from {old_value!r} to {new_value!r}", _NOBODY, None,
                        old_value, new_value)
            if (a is None or a.fixed_value is not None) and (b is None or
                                                            b.fixed_value is not None):
                continue
        if a is None and b is not None:
            kind = "required" if b.required else "optional"
            out.add(name, member, "parameter-added", f"{kind} {key[0]} parameter {b.name} added",
                    callers if b.required else _NOBODY, None, None, annotation(b.type))
        elif b is None and a is not None:
            out.add(name, member, "parameter-removed", f"{key[0]} parameter {a.name} removed",
                    callers, None, annotation(a.type), None)
        elif a is not None and b is not None:
            if a.name != b.name:
                out.add(name, member, "parameter-renamed", f"parameter {a.name} renamed to "
                        f"{b.name}", callers, None, a.name, b.name)
            _diff_io(out, name, member, a.type, b.type, INPUT)
            if b.required and not a.required:
                out.add(name, member, "parameter-required", f"parameter {b.name} is now "
                        "required", callers, None, "optional", "required")
            elif a.required and not b.required:
                out.add(name, member, "parameter-optional", f"parameter {b.name} is now "
                        "optional", _NOBODY, None, "required", "optional")


_METHOD_KINDS = {"call": "method", "stream": "stream method", "iter": "pagination method",
                 "poll": "poll method", "and_poll": "call-and-poll method"}


def _diff_client(out: _Collector) -> None:
    """The client's methods beyond one per operation (`iter_*`, `poll_*`, `stream_*`,
    `*_and_poll`) and the final names of every method's arguments (a spec name meeting an
    option is renamed: `timeout` -> `timeout_body`)."""
    old, new = out.old.client, out.new.client
    if not old and not new:
        return  # neither side has a client (models only)
    reported = {(c.entity, c.old, c.new) for c in out.changes if c.kind == "parameter-renamed"}
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name), new.get(name)
        if a is not None and b is None:
            if name in out.old.operations and name not in out.new.operations:
                continue  # the operation's removal says it
            out.add(name, None, "method-removed", f"{_METHOD_KINDS[a.kind]} {name}() removed "
                    f"(of {a.operation})", _EVERYONE, None, _METHOD_KINDS[a.kind], None,
                    usage="method")
        elif b is not None and a is None:
            if name in out.new.operations and name not in out.old.operations:
                continue
            out.add(name, None, "method-added", f"{_METHOD_KINDS[b.kind]} {name}() added "
                    f"(of {b.operation})", _NOBODY, None, None, _METHOD_KINDS[b.kind],
                    usage="method")
        elif a is not None and b is not None:
            before = {arg.key: arg.name for arg in a.arguments}
            for arg in b.arguments:
                was = before.get(arg.key)
                if was is not None and was != arg.name and (name, was, arg.name) not in reported:
                    out.add(name, f"{arg.source}:{arg.json_name}", "argument-renamed",
                            f"argument {was} renamed to {arg.name}", frozenset({INPUT}), None,
                            was, arg.name, usage="method")

