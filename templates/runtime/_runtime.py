"""Runtime support for the generated models: absent values, open enums, decoding and encoding.

Standard library only; copied verbatim into every generated package.
"""

from __future__ import annotations

import enum
import math
from itertools import repeat
from operator import itemgetter

# Annotations are never evaluated at run time (PEP 563), so typing, re, json and dataclasses
# stay unimported until used: importing the package costs only what decoding needs.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from collections.abc import Callable
    from typing import Any, Final, TypeAlias

    Decoder: TypeAlias = Callable[[Any, Any, "Ctx"], Any]

REQUIRED: Final = 1
NULLABLE: Final = 2


class Unset:
    """The type of `UNSET`: a field that was absent from the payload (not the same as null)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "UNSET"

    def __copy__(self) -> Unset:
        return self

    def __deepcopy__(self, memo: Any) -> Unset:
        return self


UNSET: Final = Unset()


class DecodeError(ValueError):
    """A payload that does not fit the model; `errors` lists every problem as (json_path, what)."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = list(errors)
        lines = [f"{path}: {what}" for path, what in self.errors]
        head = "1 problem" if len(lines) == 1 else f"{len(lines)} problems"
        super().__init__(f"{head} decoding payload:\n  " + "\n  ".join(lines))


def path_text(path: Any) -> str:
    """Render a linked path `((("$", "tools"), 1), "name")` as `$.tools[1].name`."""
    import json

    parts: list[Any] = []
    while isinstance(path, tuple):
        path, key = path
        parts.append(key)
    out = [str(path)]
    for key in reversed(parts):
        if isinstance(key, int):
            out.append(f"[{key}]")
        elif key.isidentifier():
            out.append(f".{key}")
        else:
            out.append(f"[{json.dumps(key)}]")
    return "".join(out)


def kind_of(value: Any) -> str:
    """The JSON name of a Python value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float, str)):
        return type(value).__name__ if type(value) in (int, float, str) else "str"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


class Ctx:
    """One decode call: strictness and the problems found so far."""

    __slots__ = ("errors", "strict")

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.errors: list[tuple[str, str]] = []

    def error(self, path: Any, what: str) -> None:
        self.errors.append((path_text(path), what))

    def wrong(self, path: Any, value: Any, expected: str) -> Any:
        self.error(path, f"expected {expected}, got {kind_of(value)}")
        return value

    def absent(self, value: Any, path: Any, key: str, flags: int) -> None:
        """Strict mode only: a required field that is missing, or null where null is not allowed."""
        if value is UNSET:
            if flags & REQUIRED:
                self.error((path, key), "missing required field")
        elif not flags & NULLABLE:
            self.error((path, key), "null is not allowed")

    def null(self, path: Any) -> None:
        if self.strict:
            self.error(path, "null is not allowed")


_new_ctx = object.__new__


def decode_root(decode: Decoder, data: Any, strict: bool) -> Any:
    """Run a decoder on a whole payload; every problem found is raised as one `DecodeError`."""
    ctx = _new_ctx(Ctx)  # Ctx(strict) without the cost of calling __init__
    ctx.strict = strict
    ctx.errors = []
    if data is None:
        raise DecodeError([("$", "expected a value, got null")])
    try:
        value = decode(data, "$", ctx)
    except RecursionError:
        raise DecodeError([("$", "nesting is too deep to decode")]) from None
    if ctx.errors:
        raise DecodeError(ctx.errors)
    return value


def _field_prim(
    value: Any, path: Any, key: str, ctx: Ctx, flags: int, expected: str
) -> Any:
    if value is UNSET or value is None:
        if ctx.strict:
            ctx.absent(value, path, key, flags)
        return value
    return ctx.wrong((path, key), value, expected)


def field_str(value: Any, path: Any, key: str, ctx: Ctx, flags: int) -> Any:
    if isinstance(value, str):
        return value
    return _field_prim(value, path, key, ctx, flags, "str")


def field_int(value: Any, path: Any, key: str, ctx: Ctx, flags: int) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return _field_prim(value, path, key, ctx, flags, "int")


def field_float(value: Any, path: Any, key: str, ctx: Ctx, flags: int) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return _field_prim(value, path, key, ctx, flags, "number")


def field_bool(value: Any, path: Any, key: str, ctx: Ctx, flags: int) -> Any:
    if isinstance(value, bool):
        return value
    return _field_prim(value, path, key, ctx, flags, "bool")


def dec_str(value: Any, path: Any, ctx: Ctx) -> Any:
    if isinstance(value, str):
        return value
    if value is None:
        return ctx.null(path)
    return ctx.wrong(path, value, "str")


def dec_int(value: Any, path: Any, ctx: Ctx) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if value is None:
        return ctx.null(path)
    return ctx.wrong(path, value, "int")


def dec_float(value: Any, path: Any, ctx: Ctx) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if value is None:
        return ctx.null(path)
    return ctx.wrong(path, value, "number")


def dec_bool(value: Any, path: Any, ctx: Ctx) -> Any:
    if isinstance(value, bool):
        return value
    if value is None:
        return ctx.null(path)
    return ctx.wrong(path, value, "bool")


def dec_any(value: Any, path: Any, ctx: Ctx) -> Any:
    return value


_PRIM_TYPES: Final = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
}


def dec_prims(value: Any, path: Any, ctx: Ctx, kinds: tuple[str, ...]) -> Any:
    """A value that may be one of several JSON primitive types."""
    if value is None:
        return ctx.null(path)
    for kind in kinds:
        if kind == "any":
            return value
        if isinstance(value, _PRIM_TYPES[kind]) and (kind == "bool") == isinstance(
            value, bool
        ):
            return value
    return ctx.wrong(path, value, " or ".join(kinds))


def dec_list(value: Any, path: Any, ctx: Ctx, item: Decoder) -> Any:
    if value.__class__ is not list:
        if isinstance(value, list):
            value = list(value)
        elif value is None:
            return ctx.null(path)
        else:
            return ctx.wrong(path, value, "array")
    return [item(x, (path, i), ctx) for i, x in enumerate(value)]


def dec_list_str(value: Any, path: Any, ctx: Ctx) -> Any:
    if value.__class__ is list:
        for x in value:
            if x.__class__ is not str:
                break
        else:
            return list(value)
    return dec_list(value, path, ctx, dec_str)


def dec_map(value: Any, path: Any, ctx: Ctx, item: Decoder) -> Any:
    if not isinstance(value, dict):
        if value is None:
            return ctx.null(path)
        return ctx.wrong(path, value, "object")
    return {k: item(x, (path, k), ctx) for k, x in value.items()}


def dec_map_str(value: Any, path: Any, ctx: Ctx) -> Any:
    if value.__class__ is dict:
        for x in value.values():
            if x.__class__ is not str:
                break
        else:
            return dict(value)
    return dec_map(value, path, ctx, dec_str)


def dec_map_any(value: Any, path: Any, ctx: Ctx) -> Any:
    if isinstance(value, dict):
        return value
    if value is None:
        return ctx.null(path)
    return ctx.wrong(path, value, "object")


def field_map_any(value: Any, path: Any, key: str, ctx: Ctx, flags: int) -> Any:
    if isinstance(value, dict):
        return value
    return _field_prim(value, path, key, ctx, flags, "object")


def names(*keys: str) -> tuple[str, ...]:
    """A model's member names, in declaration order."""
    return keys


def getter(names: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """Reads every declared member of a payload in one C call; KeyError if one is missing."""
    return itemgetter(*names)


def get_each(data: dict[str, Any], names: tuple[str, ...]) -> tuple[Any, ...]:
    """Every declared member of a payload, UNSET where it is absent."""
    return tuple(map(data.get, names, repeat(UNSET)))


def has_extra(data: dict[str, Any], known: frozenset[str]) -> bool:
    """Whether a payload has members its model does not declare."""
    return not data.keys() <= known


def extras(
    data: dict[str, Any], known: frozenset[str], path: Any, ctx: Ctx, closed: bool
) -> Any:
    """The members a model does not declare: kept as they came, so nothing is lost."""
    extra = {k: v for k, v in data.items() if k not in known}
    if closed and ctx.strict:
        for k in extra:
            ctx.error(
                (path, k), "unknown field (the schema allows no additional properties)"
            )
    return extra


class Checks:
    """The spec's constraints on one value, checked in strict mode."""

    __slots__ = ("_pattern", "limits")

    def __init__(self, **limits: Any) -> None:
        self.limits = limits
        self._pattern: re.Pattern[str] | None = None

    def pattern(self) -> re.Pattern[str] | None:
        text = self.limits.get("pattern")
        if text is not None and self._pattern is None:
            import re

            try:
                self._pattern = re.compile(text)
            except re.error:
                return None
        return self._pattern

    def run(self, value: Any, path: Any, ctx: Ctx) -> None:
        if value is None or value is UNSET:
            return
        for name, limit in self.limits.items():
            problem = _check_one(self, name, limit, value)
            if problem:
                ctx.error(path, problem)


def _check_one(checks: Checks, name: str, limit: Any, value: Any) -> str | None:
    import json

    is_num = isinstance(value, (int, float)) and not isinstance(value, bool)
    sized: Any = value if isinstance(value, (str, list, dict)) else None
    if name == "const":
        plain = value.value if isinstance(value, enum.Enum) else value
        if not any(plain == x and type(plain) is type(x) for x in limit):
            return f"must be one of {', '.join(json.dumps(x) for x in limit)}"
    elif name == "pattern" and isinstance(value, str):
        compiled = checks.pattern()
        if compiled is not None and not compiled.search(value):
            return f"does not match pattern {json.dumps(limit)}"
    elif is_num and not (isinstance(value, float) and math.isnan(value)):
        if name == "minimum" and value < limit:
            return f"must be >= {limit}"
        if name == "maximum" and value > limit:
            return f"must be <= {limit}"
        if name == "exclusive_minimum" and value <= limit:
            return f"must be > {limit}"
        if name == "exclusive_maximum" and value >= limit:
            return f"must be < {limit}"
    elif sized is not None and name in _SIZE_RULES:
        kind, bound = _SIZE_RULES[name]
        size: int = len(sized)
        if isinstance(sized, kind):
            if bound == "min" and size < limit:
                return f"{_UNITS[kind]} must be >= {limit}"
            if bound == "max" and size > limit:
                return f"{_UNITS[kind]} must be <= {limit}"
    elif name == "key_max_length" and isinstance(value, dict):
        for key in value:
            if isinstance(key, str) and len(key) > limit:
                return f"key {json.dumps(key)} is longer than {limit} characters"
    return None


_SIZE_RULES: Final[dict[str, tuple[type, str]]] = {
    "min_length": (str, "min"),
    "max_length": (str, "max"),
    "min_items": (list, "min"),
    "max_items": (list, "max"),
    "min_properties": (dict, "min"),
    "max_properties": (dict, "max"),
}
_UNITS: Final[dict[type, str]] = {
    str: "length",
    list: "number of items",
    dict: "number of keys",
}


def check_each(value: Any, path: Any, ctx: Ctx, checks: Checks) -> None:
    """Apply item constraints to every element of a list or every value of a map."""
    if isinstance(value, list):
        for i, x in enumerate(value):
            checks.run(x, (path, i), ctx)
    elif isinstance(value, dict):
        for k, x in value.items():
            checks.run(x, (path, k), ctx)


class _OpenEnumMixin:
    """Forward-compatible enums: a value the spec does not list decodes to a pseudo-member."""

    _value2member_map_: dict[Any, Any]
    _member_map_: dict[str, Any]
    _name_: str
    _value_: Any

    @property
    def is_known(self) -> bool:
        """False for a value the spec did not list when this package was generated."""
        return self._member_map_.get(self._name_) is self

    @classmethod
    def _make_unknown(cls, value: Any) -> Any:
        cache: dict[Any, Any] | None = cls.__dict__.get("_unknown_cache")
        if cache is None:
            cache = {}
            type.__setattr__(cls, "_unknown_cache", cache)
        member = cache.get(value)
        if member is None:
            member = cls._base_new(cls, value)  # type: ignore[attr-defined]
            member._name_ = "UNKNOWN"
            member._value_ = value
            if len(cache) < 1000:
                cache[value] = member
        return member

    @classmethod
    def _decode(cls, value: Any, path: Any, ctx: Ctx) -> Any:
        if value.__class__ is not bool:  # True == 1, but a JSON bool is not an integer
            try:
                return cls._value2member_map_[value]
            except (KeyError, TypeError):
                pass
        if value is None:
            return ctx.null(path)
        if not cls._accepts(value):  # type: ignore[attr-defined]
            return ctx.wrong(path, value, cls._json_type())  # type: ignore[attr-defined]
        if ctx.strict:
            import json

            ctx.error(path, f"unknown value {json.dumps(value)} for {cls.__name__}")
        return cls._make_unknown(value)


class OpenStrEnum(_OpenEnumMixin, str, enum.Enum):
    """A string enum that keeps values added to the API after generation."""

    @staticmethod
    def _json_type() -> str:
        return "str"

    @staticmethod
    def _base_new(klass: type, value: Any) -> Any:
        return str.__new__(klass, value)

    @staticmethod
    def _accepts(value: Any) -> bool:
        return isinstance(value, str)

    @classmethod
    def _missing_(cls, value: object) -> Any:
        return cls._make_unknown(value) if isinstance(value, str) else None


class OpenIntEnum(_OpenEnumMixin, int, enum.Enum):
    """An integer enum that keeps values added to the API after generation."""

    @staticmethod
    def _json_type() -> str:
        return "int"

    @staticmethod
    def _base_new(klass: type, value: Any) -> Any:
        return int.__new__(klass, value)

    @staticmethod
    def _accepts(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    @classmethod
    def _missing_(cls, value: object) -> Any:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return cls._make_unknown(value) if ok else None


def enc(value: Any) -> Any:
    """Encode any model, enum, union member or container to plain JSON data."""
    cls = value.__class__
    if cls is str or cls is int or cls is float or cls is bool or value is None:
        return value
    if isinstance(value, (Model, UnknownVariant)):
        return value.to_dict()
    if isinstance(value, enum.Enum):
        return value._value_
    if isinstance(value, list):
        return [enc(x) for x in value]
    if isinstance(value, dict):
        return {k: enc(x) for k, x in value.items()}
    return value


# orjson, when it is installed, parses and writes JSON several times faster than the standard
# library; the results are the same values (see parse_json and dumps for the two differences).
_orjson: Any = None  # the module, False when it is not installed, None until first looked up
# digit -> "0", "-" kept, anything else -> " "
_DIGITS: Final = bytes(48 if 48 <= i <= 57 else i if i == 45 else 32 for i in range(256))
_LONG_INT: Final = b"0" * 20  # 20 digits in a row: maybe an integer beyond 64 bits
_LONG_NEGATIVE: Final = b"-" + b"0" * 19  # -9223372036854775809 is below 64 bits already


def fast_json() -> Any:
    """The orjson module if it is installed, else False (looked up once)."""
    global _orjson
    if _orjson is None:
        from importlib import import_module

        try:  # by name: type checkers need not have orjson installed
            _orjson = import_module("orjson")
        except ImportError:
            _orjson = False
    return _orjson


def parse_json(data: str | bytes | bytearray) -> Any:
    """JSON text to plain data; invalid JSON raises `DecodeError`."""
    fast = _orjson if _orjson is not None else fast_json()
    if fast and data.__class__ in (str, bytes, bytearray):
        raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
        # orjson reads an integer beyond 64 bits as a float; such text goes to the standard
        # library, which keeps it exact
        digits = raw.translate(_DIGITS)
        if _LONG_INT not in digits and _LONG_NEGATIVE not in digits:
            try:
                return fast.loads(data)
            except fast.JSONDecodeError:
                pass  # the standard library decides, and words the error
    import json

    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise DecodeError([("$", f"invalid JSON: {exc}")]) from None


def dumps(data: Any) -> str:
    """Compact JSON, members in order, non-ASCII as it is; NaN and infinities (not JSON) as null."""
    fast = _orjson if _orjson is not None else fast_json()
    if fast:
        try:
            text: str = fast.dumps(data).decode()
        except TypeError:
            pass  # beyond orjson (an integer over 64 bits, a non-str key...): the standard library
        else:
            return text
    import json

    try:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:
        return json.dumps(_finite(data), ensure_ascii=False, separators=(",", ":"))


def _finite(data: Any) -> Any:
    """data with NaN and infinities replaced by null (what orjson writes for them)."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_finite(v) for v in data]
    return data


def dataclass(**options: Any) -> Callable[[Any], Any]:
    """What `@dataclass(...)` is at run time in generated modules: nothing.

    Type checkers see `dataclasses.dataclass` (imported under TYPE_CHECKING) and so know every
    model as a dataclass; at run time each class already has what the decorator would add
    (`__slots__`, a keyword-only `__init__`, and from `Model`: `__eq__`, no `__hash__`, and
    `__dataclass_fields__` made on first use), so importing a package never loads `dataclasses`
    nor compiles an `__init__` per class.
    """
    return _same


def _same(cls: Any) -> Any:
    return cls


class _DataclassInfo:
    """`__dataclass_fields__` / `__dataclass_params__` of a model class, made on first use, so
    that `dataclasses.fields`, `replace`, `asdict` and `is_dataclass` work as on any dataclass."""

    def __init__(self, attribute: str) -> None:
        self.attribute = attribute

    def __get__(self, obj: Any, owner: Any) -> Any:
        import dataclasses
        import inspect

        # the generated class itself (a subclass without __slots__ of its own inherits its fields)
        model = next(k for k in owner.__mro__ if "__slots__" in k.__dict__)
        annotations = inspect.get_annotations(model)  # as written (strings): never evaluated
        namespace: dict[str, Any] = dict(getattr(model.__init__, "__kwdefaults__", None) or {})
        namespace["__annotations__"] = {n: annotations.get(n, "Any") for n in model.__slots__}
        shadow: Any = dataclasses.dataclass(kw_only=True, repr=False, eq=False)(
            type(owner.__name__, (), namespace)
        )
        for name in ("__dataclass_fields__", "__dataclass_params__"):
            type.__setattr__(owner, name, getattr(shadow, name))
        return getattr(owner, self.attribute)


_values: dict[type, Callable[[Any], tuple[Any, ...]]] = {}


def _values_of(cls: type) -> Callable[[Any], tuple[Any, ...]]:
    """Reads every field of an instance of cls as one tuple (in declaration order)."""
    get = _values.get(cls)
    if get is None:
        from operator import attrgetter

        get = _values[cls] = attrgetter("__class__", *cls.__slots__)  # type: ignore[attr-defined]
    return get


class Model:
    """Base of every generated model: JSON helpers, equality by value, and a repr that leaves
    absent fields out."""

    __slots__ = ()
    __match_args__ = ()
    __hash__ = None  # type: ignore[assignment]  # mutable: compared by value, as dataclasses
    __dataclass_fields__: Any = _DataclassInfo("__dataclass_fields__")
    __dataclass_params__: Any = _DataclassInfo("__dataclass_params__")

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    def to_json(self) -> str:
        """Encode to compact JSON, members in declaration order, unknown ones last."""
        return dumps(self.to_dict())

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        get = _values_of(self.__class__)
        return get(self) == get(other)

    def __repr__(self) -> str:
        shown = []
        names: tuple[str, ...] = self.__slots__
        for name in names:
            value = getattr(self, name)
            if value is not UNSET and name != "_extra":
                shown.append(f"{name}={value!r}")
        extra = getattr(self, "_extra", None)
        if extra:
            shown.append(f"_extra={extra!r}")
        return f"{type(self).__name__}({', '.join(shown)})"


class UnknownVariant:
    """A union member of a kind this package does not know yet: the raw data, kept whole."""

    __slots__ = ("data",)

    def __init__(self, data: Any) -> None:
        self.data = data

    @property
    def tag(self) -> Any:
        """The value of the usual tag members (`type`, `event`, `object`), if any."""
        if isinstance(self.data, dict):
            for key in ("type", "event", "object"):
                if key in self.data:
                    return self.data[key]
        return None

    def to_dict(self) -> Any:
        return self.data

    def to_json(self) -> str:
        return dumps(self.data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UnknownVariant) and other.data == self.data

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return f"UnknownVariant({self.data!r})"


def unknown_variant(value: Any, path: Any, ctx: Ctx, union: str) -> UnknownVariant:
    import json

    if ctx.strict:
        tag = UnknownVariant(value).tag
        shown = f" (tag {json.dumps(tag)})" if tag is not None else ""
        ctx.error(path, f"no variant of {union} matches{shown}")
    return UnknownVariant(value)


def members_of(*enums: Any) -> dict[Any, Any]:
    """The known members of a union's enums by value (the first enum wins a shared value)."""
    merged: dict[Any, Any] = {}
    for enum_cls in reversed(enums):
        merged.update(enum_cls._value2member_map_)
    return merged


def dec_str_union(
    value: str, path: Any, ctx: Ctx, enums: tuple[Any, ...], plain: bool, union: str
) -> Any:
    """A string in a union: a known member of one of the enums, else a plain string if allowed."""
    for enum_cls in enums:
        member = enum_cls._value2member_map_.get(value)
        if member is not None:
            return member
    if plain:
        return value
    return enums[0]._decode(value, path, ctx)


def first_match(
    value: Any, path: Any, ctx: Ctx, decoders: tuple[Decoder, ...], union: str
) -> Any:
    """Object variants with no tag: the first that decodes strictly, else the first that decodes."""
    fallback: Any = UNSET
    for decode in decoders:
        trial = Ctx(True)
        result = decode(value, path, trial)
        if not trial.errors:
            return result
        if fallback is UNSET:
            lenient = Ctx(False)
            candidate = decode(value, path, lenient)
            if not lenient.errors:
                fallback = candidate
    if fallback is not UNSET:
        if ctx.strict:
            ctx.error(path, f"matches no variant of {union} exactly")
        return fallback
    return unknown_variant(value, path, ctx, union)
