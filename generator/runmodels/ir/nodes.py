"""The intermediate model: frozen dataclasses only, no I/O, no templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from runmodels.errors import SpecWarning

PrimKind = Literal["str", "int", "float", "bool", "any"]
Kind = Literal["str", "int", "float", "bool", "any", "list", "map", "model", "enum", "union"]
PRIMITIVES: frozenset[str] = frozenset({"str", "int", "float", "bool", "any"})


@dataclass(frozen=True)
class Constraints:
    """The checks `strict=True` applies on top of the type."""

    const: tuple[Any, ...] | None = None  # allowed values (one-value enums, `const`, mixed enums)
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    exclusive_maximum: float | None = None
    min_items: int | None = None
    max_items: int | None = None
    min_properties: int | None = None
    max_properties: int | None = None
    key_max_length: int | None = None

    def any(self) -> bool:
        return any(getattr(self, name) is not None for name in self.__dataclass_fields__)


NO_CONSTRAINTS = Constraints()


@dataclass(frozen=True)
class TypeRef:
    """A type as used in one place: a primitive, a container, or a named entity."""

    kind: Kind
    ref: str = ""  # class or alias name, for model / enum / union
    item: TypeRef | None = None  # list item or map value
    nullable: bool = False
    constraints: Constraints = NO_CONSTRAINTS
    types: tuple[PrimKind, ...] = ()  # for a primitive that allows several JSON types

    def with_nullable(self, nullable: bool = True) -> TypeRef:
        return TypeRef(self.kind, self.ref, self.item, nullable, self.constraints, self.types)


@dataclass(frozen=True)
class Origin:
    """Where an entity came from, for messages and docs."""

    file: str
    pointer: str
    line: int | None = None
    column: int | None = None


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


@dataclass(frozen=True)
class StatusHelper:
    name: str  # property name, e.g. is_terminal
    field: str  # Python field name holding the status
    values: tuple[str, ...]


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
    body_encoding: Literal["json", "multipart", "form"] = "json"
    file_fields: tuple[str, ...] = ()  # multipart: JSON names of the body's file members
    deep_fields: tuple[str, ...] = ()  # form: members whose arrays are sent as name[0]=…


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


ANY_TYPE = TypeRef("any")
