"""The intermediate model: frozen dataclasses only, no I/O, no templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from runmodels.errors import SpecWarning
from runmodels.ir.client_plan import EMPTY_PLAN, ClientPlan
from runmodels.ir.types import NO_CONSTRAINTS, PRIMITIVES, Constraints, Kind, PrimKind, TypeRef

__all__ = [
    "ANY_TYPE",
    "NO_CONSTRAINTS",
    "NO_ORIGIN",
    "PRIMITIVES",
    "Alias",
    "Constraints",
    "Entity",
    "Enum",
    "EnumMember",
    "Field",
    "Kind",
    "Model",
    "Module",
    "Operation",
    "Origin",
    "Package",
    "Parameter",
    "PrimKind",
    "StatusHelper",
    "TypeRef",
    "Union",
]


@dataclass(frozen=True)
class Origin:
    """Where an entity came from, for messages and docs."""

    file: str
    pointer: str
    line: int | None = None
    column: int | None = None


NO_ORIGIN = Origin("", "")
# The `origin` of fields, parameters and operations is for messages only: not compared and not
# in the repr, so digests of entities and the API record ignore where things are written.


@dataclass(frozen=True)
class Field:
    name: str  # Python identifier
    json_name: str
    type: TypeRef
    required: bool
    description: str = ""
    default: Any = None
    has_default: bool = False
    deprecated: bool = False
    origin: Origin = field(default=NO_ORIGIN, compare=False, repr=False)


@dataclass(frozen=True)
class StatusHelper:
    name: str  # property name, e.g. is_terminal
    field: str  # Python field name holding the status
    values: tuple[str, ...]
    present: tuple[str, ...] = ()  # Python field names set when it is true (typed accessors)


@dataclass(frozen=True)
class Model:
    name: str
    origin: Origin
    fields: tuple[Field, ...]
    description: str = ""
    closed: bool = False  # additionalProperties: false
    helpers: tuple[StatusHelper, ...] = ()
    kind: Literal["model"] = "model"


@dataclass(frozen=True)
class EnumMember:
    name: str
    value: str | int


@dataclass(frozen=True)
class Enum:
    name: str
    origin: Origin
    base: Literal["str", "int"]
    members: tuple[EnumMember, ...]
    description: str = ""
    kind: Literal["enum"] = "enum"


@dataclass(frozen=True)
class Union:
    """A oneOf/anyOf: variants plus how to tell them apart."""

    name: str
    origin: Origin
    variants: tuple[TypeRef, ...]
    description: str = ""
    tag: str | None = None  # property telling object variants apart
    tag_map: tuple[tuple[str, str], ...] = ()  # tag value -> model name
    kind: Literal["union"] = "union"


@dataclass(frozen=True)
class Alias:
    """A named schema that is not an object, enum or union (a map, a list, a string…)."""

    name: str
    origin: Origin
    type: TypeRef
    description: str = ""
    kind: Literal["alias"] = "alias"


Entity = Model | Enum | Union | Alias


@dataclass(frozen=True)
class Parameter:
    name: str  # Python identifier
    json_name: str
    location: Literal["path", "query", "header"]
    type: TypeRef
    required: bool
    description: str = ""
    fixed_value: str | None = None  # a required one-value header, sent automatically
    origin: Origin = field(default=NO_ORIGIN, compare=False, repr=False)


@dataclass(frozen=True)
class Operation:
    name: str  # snake_case method name
    operation_id: str
    method: str
    path: str
    summary: str = ""
    description: str = ""
    parameters: tuple[Parameter, ...] = ()
    body: TypeRef | None = None
    body_required: bool = False
    result: TypeRef | None = None
    stream_event: TypeRef | None = None  # when the operation can answer text/event-stream
    tags: tuple[str, ...] = ()
    extensions: tuple[tuple[str, Any], ...] = ()
    body_encoding: Literal["json", "multipart", "form", "binary"] = "json"
    body_media: str = ""  # binary: the Content-Type the body is sent with
    file_fields: tuple[str, ...] = ()  # multipart: JSON names of the body's file members
    deep_fields: tuple[str, ...] = ()  # form: members whose arrays are sent as name[0]=…
    origin: Origin = field(default=NO_ORIGIN, compare=False, repr=False)
    extension_origins: tuple[tuple[str, Origin], ...] = field(default=(), compare=False,
                                                              repr=False)

    def located(self, extension: str) -> Origin:
        """Where the operation's `extension` is written (else the operation itself)."""
        return dict(self.extension_origins).get(extension, self.origin)


@dataclass(frozen=True)
class Module:
    name: str  # module file name under models/
    entities: tuple[str, ...]  # entity names defined here, in definition order
    imports: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (module, names) from sibling modules


@dataclass(frozen=True)
class Package:
    name: str
    title: str
    spec_display: str
    entities: dict[str, Entity] = field(hash=False)
    modules: tuple[Module, ...]
    operations: tuple[Operation, ...] = ()
    servers: tuple[str, ...] = ()
    fixed_headers: tuple[tuple[str, str], ...] = ()
    warnings: tuple[SpecWarning, ...] = ()
    schema_names: tuple[tuple[str, str], ...] = ()  # component key in the spec -> Python name
    overlay_warnings: tuple[SpecWarning, ...] = ()  # the part of `warnings` the overlays gave
    client: ClientPlan = EMPTY_PLAN  # the methods of the client, decided from `operations`


ANY_TYPE = TypeRef("any")
