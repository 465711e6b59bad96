"""Reading one schema node: nullability, `$ref` siblings, enums, constraints (no naming here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runmodels.ir.nodes import Constraints, PrimKind

PRIM_OF_TYPE: dict[str, PrimKind] = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
}
# Keys that only annotate a schema; a member made of these alone adds no type of its own.
ANNOTATION_KEYS = frozenset(
    {"description", "title", "nullable", "deprecated", "readOnly", "writeOnly", "example"}
    | {"examples", "default", "externalDocs", "$comment", "discriminator", "xml"}
)


def is_null_schema(node: Any) -> bool:
    """`{type: 'null'}` or `{enum: [null]}` (a 3.1 nullability member of anyOf/oneOf)."""
    if not isinstance(node, dict):
        return False
    if node.get("type") == "null":
        return True
    enum = node.get("enum")
    return isinstance(enum, list) and len(enum) > 0 and all(v is None for v in enum)


def is_annotation_only(node: Any) -> bool:
    """A member like `{nullable: true}` or `{description: ...}` that carries no type."""
    return isinstance(node, dict) and all(
        k in ANNOTATION_KEYS or k.startswith("x-") for k in node
    )


def type_list(node: dict[str, Any]) -> list[str]:
    """The `type` keyword as a list (3.1 allows a list), without "null"."""
    raw = node.get("type")
    if isinstance(raw, str):
        return [] if raw == "null" else [raw]
    if isinstance(raw, list):
        return [t for t in raw if isinstance(t, str) and t != "null"]
    return []


def says_nullable(node: dict[str, Any]) -> bool:
    """Nullable in either dialect: 3.0 `nullable: true` or 3.1 `type: [x, "null"]`."""
    if node.get("nullable") is True:
        return True
    raw = node.get("type")
    if isinstance(raw, list) and "null" in raw:
        return True
    enum = node.get("enum")
    return isinstance(enum, list) and None in enum and len(enum) > 1


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def constraints_of(node: dict[str, Any], const: tuple[Any, ...] | None = None) -> Constraints:
    """The checks strict decoding applies, from the validation keywords both dialects use."""
    excl_min = node.get("exclusiveMinimum")
    excl_max = node.get("exclusiveMaximum")
    minimum, maximum = _num(node.get("minimum")), _num(node.get("maximum"))
    if excl_min is True:  # 3.0 boolean form
        excl_min, minimum = minimum, None
    if excl_max is True:
        excl_max, maximum = maximum, None
    names = node.get("propertyNames")
    key_max = _count(names.get("maxLength")) if isinstance(names, dict) else None
    pattern = node.get("pattern")
    return Constraints(
        const=const,
        min_length=_count(node.get("minLength")),
        max_length=_count(node.get("maxLength")),
        pattern=pattern if isinstance(pattern, str) else None,
        minimum=minimum,
        maximum=maximum,
        exclusive_minimum=_num(excl_min),
        exclusive_maximum=_num(excl_max),
        min_items=_count(node.get("minItems")),
        max_items=_count(node.get("maxItems")),
        min_properties=_count(node.get("minProperties")),
        max_properties=_count(node.get("maxProperties")),
        key_max_length=key_max,
    )


@dataclass(frozen=True)
class EnumInfo:
    """What an `enum`/`const` says: its non-null values and their common JSON type."""

    values: tuple[Any, ...]
    base: PrimKind | None  # "str"/"int" when homogeneous, None when mixed
    nullable: bool


def enum_info(node: dict[str, Any]) -> EnumInfo | None:
    if "const" in node:
        raw: list[Any] = [node["const"]]
    elif isinstance(node.get("enum"), list):
        raw = list(node["enum"])
    else:
        return None
    nullable = any(v is None for v in raw)
    values: list[Any] = []
    seen: set[tuple[type, Any]] = set()  # by type too: 1, 1.0 and true are different values
    for v in raw:
        if v is not None and isinstance(v, (str, int, float, bool)) and (type(v), v) not in seen:
            seen.add((type(v), v))
            values.append(v)
    if not values:
        return None
    kinds = {"bool" if isinstance(v, bool) else type(v).__name__ for v in values}
    base: PrimKind | None = None
    if kinds == {"str"}:
        base = "str"
    elif kinds == {"int"}:
        base = "int"
    return EnumInfo(tuple(values), base, nullable)


def description_of(node: Any) -> str:
    if isinstance(node, dict):
        text = node.get("description")
        if isinstance(text, str):
            return text.strip()
    return ""
