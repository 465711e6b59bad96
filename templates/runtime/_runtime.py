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
    from collections.abc import Callable, Iterator
    from typing import Any, Final, TypeAlias, TypeGuard, TypeVar

    from ._deviations import Deviation

    Decoder: TypeAlias = Callable[[Any, Any, "Ctx"], Any]
    _Item = TypeVar("_Item")
    Items: TypeAlias = "Iterator[_Item]"  # what a list page iterates (`for run in page`)

REQUIRED: Final = 1
NULLABLE: Final = 2

# The kinds of `Deviation`: what lenient decoding accepted that the spec does not allow.
WRONG_TYPE: Final = "wrong_type"  # kept as it arrived; the member reads as UNSET
MISSING: Final = "missing"  # a required member is absent: it reads as UNSET
NULL: Final = "null"  # null where the spec does not allow it: it reads as None
UNKNOWN_ENUM: Final = "unknown_enum"  # a pseudo-member with `.is_known == False`
UNKNOWN_VARIANT: Final = "unknown_variant"  # an `UnknownVariant` holding the data
UNKNOWN_MEMBER: Final = "unknown_member"  # an undeclared member, kept in `_extra`


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

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.errors,)


class MissingFieldError(DecodeError, AttributeError):
    """Reading a required field that lenient decoding found absent from the payload.

    Both a `DecodeError` (the payload broke the spec) and an `AttributeError` (so `hasattr`
    and `getattr(obj, name, default)` treat the field as not there). `model`, `field` and
    `path` (the JSON path of the missing member) say which one.
    """

    def __init__(self, model: str, field: str, path: str) -> None:
        self.model = model
        self.field = field
        self.path = path
        self.errors = [(path, "missing required field")]
        ValueError.__init__(
            self,
            f"{model}.{field} is not set: {path} is missing from the payload, and the spec "
            "requires it (lenient decoding accepted that and lists it in deviations(); "
            "strict=True rejects it)",
        )
        self.name = field

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.model, self.field, self.path)


def not_present(obj: Any, field: str, helper: str, status: str) -> ValueError:
    """What `<field>_or_raise()` raises when the field is not set (None or absent)."""
    name = type(obj).__name__
    state = getattr(obj, status, UNSET)
    shown = getattr(state, "_value_", state)
    return ValueError(
        f"{name}.{field} is not set ({status} is {shown!r}); it is set when "
        f"{name}.{helper} is true"
    )


def path_text(path: Any) -> str:
    """Render a linked path `((("$", "tools"), 1), "name")` as `$.tools[1].name`."""
    import json

    parts: list[Any] = []
    while path.__class__ is tuple:  # the runtime links paths as plain pairs
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


def json_scalar(value: Any) -> str:
    """`json.dumps(value)`, several times faster for a string or an integer (messages)."""
    if value.__class__ is int:
        return str(value)
    import json

    if value.__class__ is str:
        text: str = json.encoder.encode_basestring_ascii(value)
        return text
    return json.dumps(value)


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
    """One decode call: strictness, and what was found so far.

    Strict: `errors` collects every violation as (json_path, what), raised at the end as one
    `DecodeError`. Lenient: `errors` collects each deviation as (linked path, kind, value,
    what, raw, of), which `decode_root` hands to `_deviations.settle` when `found` is not 0; a
    payload that fits the spec records nothing, so it costs nothing more.

    `shared`: the payload belongs to the caller (`from_dict`), so what is kept of it as it is
    (free-form objects, `Any` members, unknown members) is copied; `from_json` parses a payload
    nobody else holds and skips the copies.
    """

    __slots__ = ("errors", "found", "mistyped", "shared", "strict")

    def __init__(self, strict: bool, shared: bool = True) -> None:
        self.strict = strict
        self.shared = shared
        self.errors: list[Any] = []
        self.found = 0  # lenient: deviations seen
        self.mistyped = 0  # lenient: of them, values of the wrong JSON type

    def error(self, path: Any, what: str) -> None:
        self.errors.append((path_text(path), what))

    def deviate(
        self, path: Any, kind: str, value: Any, what: str, raw: bool = False, of: str = ""
    ) -> None:
        """A deviation from the spec: an error when strict, else kept to be listed later.

        `raw` marks a value of the wrong type that is kept as it arrived: the member of the
        enclosing object that contains it then reads as absent (`_deviations.settle`); for a
        missing member, it tells that the member may be null (see `absent`). `of`
        names the schema it concerns when that is not the enclosing object's (a union).
        """
        if self.strict:
            self.errors.append((path_text(path), what))
            return
        self.errors.append((path, kind, value, what, raw, of))
        self.found += 1
        if kind == WRONG_TYPE:
            self.mistyped += 1

    def wrong(self, path: Any, value: Any, expected: str) -> Any:
        what = f"expected {expected}, got {kind_of(value)}"
        self.deviate(path, WRONG_TYPE, value, what, True)
        return value

    def absent(self, value: Any, path: Any, key: str, flags: int) -> None:
        """A required member that is missing, or null where null is not allowed.

        A missing member is recorded with `raw` telling whether it may be null: it then reads
        as None, else reading it raises `MissingFieldError` (`_deviations.settle`)."""
        if value is UNSET:
            if flags & REQUIRED:
                what = "missing required field"
                self.deviate((path, key), MISSING, UNSET, what, bool(flags & NULLABLE))
        elif not flags & NULLABLE:
            self.deviate((path, key), NULL, None, "null is not allowed")

    def null(self, path: Any) -> None:
        self.deviate(path, NULL, None, "null is not allowed")

    def adopt(self, other: Ctx) -> None:
        """Take over what a trial decode (of a union's variant) found."""
        self.errors += other.errors
        self.found += other.found
        self.mistyped += other.mistyped


class Trial(Ctx):
    """A strict decode of one variant of a union, which also counts the unknown members that
    the schemas allow (a lenient decode lists those as deviations)."""

    __slots__ = ("unknown",)

    def __init__(self, shared: bool = True) -> None:
        super().__init__(True, shared)
        self.unknown = 0


_new_ctx = object.__new__


def decode_root(decode: Decoder, data: Any, strict: bool, shared: bool = True) -> Any:
    """Run a decoder on a whole payload; strict: every problem found is raised as one
    `DecodeError`; lenient: what deviated is attached to the result (see `deviations`).
    `shared=False` for a payload only the decoder holds (parsed from JSON): nothing is copied.
    """
    ctx = _new_ctx(Ctx)  # Ctx(strict, shared) without the cost of calling __init__
    ctx.strict = strict
    ctx.shared = shared
    ctx.errors = []
    ctx.found = 0
    ctx.mistyped = 0
    if data is None:
        raise DecodeError([("$", "expected a value, got null")])
    try:
        value = decode(data, "$", ctx)
    except RecursionError:
        raise DecodeError([("$", "nesting is too deep to decode")]) from None
    if ctx.errors and strict:
        raise DecodeError(ctx.errors)
    if ctx.found:  # lenient, and something deviated: place it (see _deviations)
        value = _settler()(value, data, ctx)
    return value


_settle: Callable[[Any, Any, Ctx], Any] | None = None


def _settler() -> Callable[[Any, Any, Ctx], Any]:
    """`_deviations.settle`, imported on first use (a package imports it anyway)."""
    global _settle
    if _settle is None:
        from ._deviations import settle

        _settle = settle
    return _settle


def _field_prim(
    value: Any, path: Any, key: str, ctx: Ctx, flags: int, expected: str
) -> Any:
    if value is UNSET:
        if flags & REQUIRED:
            ctx.absent(value, path, key, flags)
        return value
    if value is None:
        if not flags & NULLABLE:
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
    return copy_json(value) if ctx.shared else value


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
            return copy_json(value) if ctx.shared else value
        if isinstance(value, _PRIM_TYPES[kind]) and (kind == "bool") == isinstance(
            value, bool
        ):
            return value
    return ctx.wrong(path, value, " or ".join(kinds))


def dec_list(value: Any, path: Any, ctx: Ctx, item: Decoder) -> Any:
    if value.__class__ is not list:
        if is_list(value):
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
    if value.__class__ is not dict and not is_dict(value):
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
    if value.__class__ is dict or is_dict(value):
        return copy_json(value) if ctx.shared else value
    if value is None:
        return ctx.null(path)
    return ctx.wrong(path, value, "object")


def field_map_any(value: Any, path: Any, key: str, ctx: Ctx, flags: int) -> Any:
    if value.__class__ is dict or is_dict(value):
        return copy_json(value) if ctx.shared else value
    return _field_prim(value, path, key, ctx, flags, "object")


def slots(documented: dict[str, str]) -> dict[str, str]:
    """A model's `__slots__`: its fields in declaration order (the order decoding, equality and
    pickling rely on), each with its documentation for help() and pydoc."""
    return documented


def names(*keys: str) -> tuple[str, ...]:
    """A model's member names, in declaration order."""
    return keys


def getter(names: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """Reads every declared member of a payload in one C call; KeyError if one is missing."""
    first, *rest = names  # a getter of two names or more returns a tuple
    return itemgetter(first, *rest)


def get_each(data: dict[str, Any], names: tuple[str, ...]) -> tuple[Any, ...]:
    """Every declared member of a payload, UNSET where it is absent."""
    return tuple(map(data.get, names, repeat(UNSET)))


def has_extra(data: dict[str, Any], known: frozenset[str]) -> bool:
    """Whether a payload has members its model does not declare."""
    return not data.keys() <= known


def extras(
    data: dict[str, Any], known: frozenset[str], path: Any, ctx: Ctx, closed: bool
) -> Any:
    """The members a model does not declare: kept as they came (copies, when the payload is
    the caller's), so nothing is lost (and, when lenient, listed as deviations)."""
    if ctx.shared:
        extra = {k: copy_json(v) for k, v in data.items() if k not in known}
    else:
        extra = {k: v for k, v in data.items() if k not in known}
    for k, value in extra.items():
        if not ctx.strict:
            what = "unknown member (not in the schema)"
            ctx.deviate((path, k), UNKNOWN_MEMBER, value, what)
        elif closed:
            what = "unknown field (the schema allows no additional properties)"
            ctx.error((path, k), what)
        elif isinstance(ctx, Trial):
            ctx.unknown += 1
    return extra


def add_extra(data: dict[str, Any], extra: dict[str, Any]) -> None:
    """`to_dict`'s last step: copies of the kept members, unless a member of that name was set
    since (a member that held a value of the wrong type is kept here, as it arrived)."""
    for key, value in extra.items():
        if key not in data:
            data[key] = copy_json(value)


_LEAVES: Final[frozenset[type]] = frozenset({str, int, float, bool, type(None)})


def copy_json(value: Any) -> Any:
    """`value` with every dict and list in it copied, so that the copy and the original share
    nothing mutable; strings, numbers and anything that is not a dict or a list are kept.

    Models keep copies of what they hold of a caller's data, and `to_dict` returns copies of
    what a model holds: neither side's later changes reach the other. Recursive while that is
    fast; a structure too deep for the stack (or one that contains itself) is copied by a
    loop that also keeps shared and circular parts as they are in the original.
    """
    if value.__class__ in _LEAVES or not isinstance(value, (dict, list)):
        return value
    try:
        return _copy_tree(value)
    except RecursionError:
        return _copy_deep(value)


def _copy_tree(value: Any, leaves: frozenset[type] = _LEAVES) -> Any:
    cls = value.__class__
    if cls is dict:
        out: Any = value.copy()
        items: Any = out.items()
    elif cls is list:
        out = value.copy()
        items = enumerate(out)
    elif is_dict(value):
        out = dict(value)
        items = out.items()
    elif is_list(value):
        out = list(value)
        items = enumerate(out)
    else:
        return value
    for key, item in items:  # replacing values while iterating: the size never changes
        if item.__class__ not in leaves:
            out[key] = _copy_tree(item)
    return out


def _copy_deep(value: Any) -> Any:
    """`_copy_tree` without recursion, each container copied once (by identity)."""
    copies: dict[int, Any] = {}  # the originals all live on in `value`: ids stay unique

    def copy_of(node: Any) -> Any:
        found: Any = copies.get(id(node))
        if found is None:
            found = copies[id(node)] = list(node) if is_list(node) else dict(node)
            todo.append(found)
        return found

    todo: list[Any] = []
    root = copy_of(value)
    while todo:
        out = todo.pop()
        items = enumerate(out) if out.__class__ is list else out.items()
        for key, item in items:
            if item.__class__ not in _LEAVES and (is_dict(item) or is_list(item)):
                out[key] = copy_of(item)
    return root


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

    is_num = _is(value, (int, float)) and not _is(value, bool)
    sized: Any = value if _is(value, (str, list, dict)) else None
    if name == "const":
        plain: Any = value.value if _is(value, enum.Enum) else value
        if not any(plain == x and type(plain) is type(x) for x in limit):
            return f"must be one of {', '.join(json.dumps(x) for x in limit)}"
    elif name == "pattern" and _is(value, str):
        compiled = checks.pattern()
        if compiled is not None and not compiled.search(value):
            return f"does not match pattern {json.dumps(limit)}"
    elif is_num and not (_is(value, float) and math.isnan(value)):
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
    elif name == "key_max_length" and _is(value, dict):
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
    if is_list(value):
        for i, x in enumerate(value):
            checks.run(x, (path, i), ctx)
    elif is_dict(value):
        for k, x in value.items():
            checks.run(x, (path, k), ctx)


_UNKNOWN_NAME = "<not in the spec>"  # the name of every pseudo-member: never an identifier


class _OpenEnumMixin:
    """Forward-compatible enums: a value the spec does not list decodes to a pseudo-member."""

    _value2member_map_: dict[Any, Any]
    _member_map_: dict[str, Any]
    _name_: str
    _value_: Any
    if TYPE_CHECKING:  # each concrete base defines them (an enum's attributes become members)

        @staticmethod
        def _json_type() -> str: ...

        @staticmethod
        def _base_new(klass: type[Any], value: Any) -> Any: ...

        @staticmethod
        def _accepts(value: Any) -> bool: ...

    @property
    def is_known(self) -> bool:
        """False for a value the spec did not list when this package was generated."""
        return self._member_map_.get(self._name_) is self

    def __str__(self) -> str:
        # the value, as the API writes it, on every Python version (3.11 changed Enum.__str__)
        return str(self._value_)

    def __format__(self, spec: str) -> str:
        return format(str(self._value_), spec)

    def __repr__(self) -> str:
        if self.is_known:
            return f"<{type(self).__name__}.{self._name_}: {self._value_!r}>"
        # no member can be named like this, so a new value never looks like a declared one
        return f"<{type(self).__name__} not in the spec: {self._value_!r}>"

    @classmethod
    def _make_unknown(cls, value: Any) -> Any:
        cache: dict[Any, Any] | None = cls.__dict__.get("_unknown_cache")
        if cache is None:
            cache = {}
            type.__setattr__(cls, "_unknown_cache", cache)
        member = cache.get(value)
        if member is None:
            member = cls._base_new(cls, value)
            member._name_ = _UNKNOWN_NAME
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
        if not cls._accepts(value):
            return ctx.wrong(path, value, cls._json_type())
        what = f"unknown value {json_scalar(value)} for {cls.__name__}"
        ctx.deviate(path, UNKNOWN_ENUM, value, what)
        return cls._make_unknown(value)


class OpenStrEnum(_OpenEnumMixin, str, enum.Enum):
    """A string enum that keeps values added to the API after generation."""

    @staticmethod
    def _json_type() -> str:
        return "str"

    @staticmethod
    def _base_new(klass: type[Any], value: Any) -> Any:
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
    def _base_new(klass: type[Any], value: Any) -> Any:
        return int.__new__(klass, value)

    @staticmethod
    def _accepts(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    @classmethod
    def _missing_(cls, value: object) -> Any:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return cls._make_unknown(value) if ok else None


def enum_decoder(enum_cls: type[OpenStrEnum | OpenIntEnum]) -> Decoder:
    """The `(value, path, ctx)` decoder of an open enum, which generated modules bind once as
    `dec_<Enum>` (the runtime is the enum machinery's own module, so it may reach `_decode`)."""
    return enum_cls._decode  # pyright: ignore[reportPrivateUsage]


def _is(value: object, kinds: type | tuple[type, ...]) -> bool:
    """`isinstance`, leaving a JSON value typed `Any` as it is (see `is_dict`)."""
    return isinstance(value, kinds)


def is_dict(value: object) -> TypeGuard[dict[str, Any]]:
    """`isinstance(value, dict)` for a JSON value: a type checker then knows it as a JSON
    object, where isinstance would narrow `Any` to `dict[Unknown, Unknown]` (decoders test
    `__class__ is dict` first, so only other values pay for the call)."""
    return isinstance(value, dict)


def is_list(value: object) -> TypeGuard[list[Any]]:
    """`isinstance(value, list)` for a JSON value: a JSON array to a type checker."""
    return isinstance(value, list)


def enc(value: Any) -> Any:
    """Encode any model, enum, union member or container to plain JSON data."""
    cls = value.__class__
    if cls is str or cls is int or cls is float or cls is bool or value is None:
        return value
    if isinstance(value, (Model, UnknownVariant)):
        return value.to_dict()
    if isinstance(value, enum.Enum):
        return value._value_
    if cls is list or is_list(value):
        return [enc(x) for x in value]
    if cls is dict or is_dict(value):
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
    if is_dict(data):
        return {k: _finite(v) for k, v in data.items()}
    if _is(data, (list, tuple)):
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
        # `Model` itself (pydoc and IDEs inspect it) has no fields, and its answer is not kept:
        # set on Model, it would hide every model's own fields
        base = model.__dict__.get(self.attribute) is self
        annotations = inspect.get_annotations(model)  # as written (strings): never evaluated
        namespace: dict[str, Any] = dict(getattr(model.__init__, "__kwdefaults__", None) or {})
        # fields only: `_extra` is no argument and no field (see kept_members)
        own = [n for n in model.__slots__ if n not in Model.__slots__ and n != "_extra"]
        namespace["__annotations__"] = {n: annotations.get(n, "Any") for n in own}
        shadow: Any = dataclasses.dataclass(kw_only=True, repr=False, eq=False)(
            type(owner.__name__, (), namespace)
        )
        if base:
            return getattr(shadow, self.attribute)
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


def restore_model(
    cls: Any, values: tuple[Any, ...], found: Any = None, missing: Any = None
) -> Any:
    """Unpickle a model: its fields in declaration order, no validation (they were valid),
    the deviations lenient decoding found in it, if any, and the required fields it lacks."""
    obj = object.__new__(cls)
    for name, value in zip(cls.__slots__, values):
        object.__setattr__(obj, name, value)
    if found is not None:
        obj._deviations = found
    if missing:
        from ._deviations import lacking

        lacking(obj, missing)
    return obj


class Model:
    """Base of every generated model: JSON helpers, equality by value, and a repr that leaves
    absent fields out."""

    # set only when lenient decoding accepted deviations / found required members absent
    __slots__ = ("_deviations", "_missing")
    _deviations: list[Deviation]
    _missing: dict[str, tuple[bool, Any]]  # field -> (may be null, linked JSON path)
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

    def __reduce__(self) -> tuple[Any, ...]:
        # slotted classes pickle on protocol 2 and later only; this works on every protocol
        values = _values_of(self.__class__)(self)[1:]
        found = getattr(self, "_deviations", None)
        if found is None:
            return restore_model, (self.__class__, values)
        return restore_model, (self.__class__, values, found)

    def __repr__(self) -> str:
        shown: list[str] = []
        names: Any = self.__slots__  # the concrete class's: every field, `_extra` last
        for name in names:
            value = getattr(self, name, UNSET)  # a required field found absent is left out
            if value is not UNSET and name != "_extra":
                shown.append(f"{name}={value!r}")
        extra = getattr(self, "_extra", None)
        if extra:
            shown.append(f"_extra={extra!r}")
        return f"{type(self).__name__}({', '.join(shown)})"


def kept_members(obj: Model) -> dict[str, Any]:
    """The members `obj` holds as they arrived, by JSON name: those its schema does not
    declare, and declared ones whose value had the wrong JSON type (that field reads as
    absent). `to_dict()` writes them back; this returns a copy. Empty for an object built
    in code."""
    extra = getattr(obj, "_extra", None)
    return copy_json(extra) if extra else {}


class UnknownVariant:
    """A union member of a kind this package does not know yet: the raw data, kept whole."""

    __slots__ = ("data",)
    data: Any

    def __init__(self, data: Any) -> None:
        self.data = data

    @property
    def tag(self) -> Any:
        """The value of the usual tag members (`type`, `event`, `object`), if any."""
        if is_dict(self.data):
            for key in ("type", "event", "object"):
                if key in self.data:
                    return self.data[key]
        return None

    def to_dict(self) -> Any:
        """A copy of the data (changing it leaves this object as it is)."""
        return copy_json(self.data)

    def to_json(self) -> str:
        return dumps(self.data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UnknownVariant) and other.data == self.data

    # compared by value and holding mutable JSON data: unhashable, like the models
    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return UnknownVariant, (self.data,)

    def __repr__(self) -> str:
        return f"UnknownVariant({self.data!r})"


def unknown_variant(value: Any, path: Any, ctx: Ctx, union: str) -> UnknownVariant:
    if ctx.shared:
        value = copy_json(value)
    kept = UnknownVariant(value)
    tag = kept.tag
    if tag is None:
        shown = ""
    elif ctx.strict or isinstance(tag, (str, int, float)):
        shown = f" (tag {json_scalar(tag)})"
    else:  # lenient never fails: a deep array or object as a tag is not written out
        shown = f" (tag of type {kind_of(tag)})"
    what = f"no variant of {union} matches{shown}"
    ctx.deviate(path, UNKNOWN_VARIANT, value, what, of=union)
    return kept


def wrong_variant(value: Any, path: Any, ctx: Ctx, expected: str) -> Any:
    """A union's value of a JSON type none of its variants has: kept as an `UnknownVariant`."""
    if value is None:
        return ctx.null(path)
    if ctx.shared:
        value = copy_json(value)
    ctx.deviate(path, WRONG_TYPE, value, f"expected {expected}, got {kind_of(value)}")
    return UnknownVariant(value)


def members_of(*enums: Any) -> dict[Any, Any]:
    """The known members of a union's enums by value (the first enum wins a shared value)."""
    merged: dict[Any, Any] = {}
    for enum_cls in reversed(enums):
        merged.update(enum_cls._value2member_map_)
    return merged


def dec_str_union(
    value: str | int, path: Any, ctx: Ctx, enums: tuple[Any, ...], plain: bool, union: str
) -> Any:
    """A string (or integer) in a union: a known member of one of the enums (of that type),
    else the plain value if the union allows it."""
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
    found: Ctx | None = None
    for decode in decoders:
        trial = Trial(ctx.shared)
        result = decode(value, path, trial)
        if not trial.errors:
            if ctx.strict or not trial.unknown:
                return result
            return decode(value, path, ctx)  # again: to list its unknown members
        if fallback is UNSET:
            lenient = Ctx(False, ctx.shared)
            candidate = decode(value, path, lenient)
            if not lenient.mistyped:
                fallback, found = candidate, lenient
    if fallback is not UNSET:
        if ctx.strict:
            ctx.error(path, f"matches no variant of {union} exactly")
        elif found is not None:
            ctx.adopt(found)
        return fallback
    return unknown_variant(value, path, ctx, union)


def page_items(data: list[_Item] | Unset | None) -> Items[_Item]:
    """The items of a list page, for `for run in client.list_runs(...)`: none without `data`."""
    return iter(data if isinstance(data, list) else ())
