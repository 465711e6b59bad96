"""Types as the IR uses them in one place (a field, a parameter, a result): kinds, containers,
constraints.  Apart from the other nodes so that the client plan can use them too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

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
