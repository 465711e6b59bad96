"""What lenient decoding accepted that the spec does not allow: `Deviation`, `deviations()` and
the drift hook (`set_deviation_hook`).

Decoding a payload that fits the spec never reaches this module: the decoders only record a
deviation (`Ctx.deviate`, in `_runtime`) where one happens, and `decode_root` hands the payload
here only when something was recorded. Here each deviation is placed on the object whose member
it is in, found by walking its JSON path down the decoded value; a member that held a value of
the wrong JSON type is set to UNSET and the value, as it arrived, is kept in that object's
`_extra`, so that `to_dict()` writes it back.

Standard library only; copied verbatim into every generated package.
"""

from __future__ import annotations

from importlib import import_module

from ._runtime import (
    UNSET,
    WRONG_TYPE,
    DecodeError,
    Model,
    UnknownVariant,
    is_dict,
    is_list,
    path_text,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    from ._runtime import Ctx

    _M = TypeVar("_M")


class Deviation:
    """One thing lenient decoding accepted that the spec does not allow.

    `kind` is one of "wrong_type", "missing", "null", "unknown_enum", "unknown_variant",
    "unknown_member"; `path` is where it is in the payload (`$.tools[1].name`, as
    `DecodeError` writes it); `value` is what arrived there (UNSET for "missing"); `message`
    is what `strict=True` reports for it; `model` names the class whose member it is in, or
    for "unknown_variant" the union none of whose variants matched ("" for a wrong type at
    the root of a union's payload).
    """

    __slots__ = ("_where", "kind", "message", "model", "value")

    def __init__(
        self, kind: str, where: Any, value: Any, message: str, model: str
    ) -> None:
        self.kind = kind
        self._where = where  # a linked path ((("$", "tools"), 1), "name"), or its text
        self.value = value
        self.message = message
        self.model = model

    @property
    def path(self) -> str:
        """The JSON path, e.g. `$.required_action.submit_tool_outputs.tool_calls[0].id`."""
        where = self._where
        if where.__class__ is not str:
            where = self._where = path_text(where)
        return where

    def _key(self) -> tuple[Any, ...]:
        return (self.kind, self.path, self.value, self.message, self.model)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Deviation):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash((self.kind, self.path, self.message, self.model))

    def __reduce__(self) -> Any:
        return (Deviation, (self.kind, self.path, self.value, self.message, self.model))

    def __repr__(self) -> str:
        return (
            f"Deviation(kind={self.kind!r}, path={self.path!r}, value={self.value!r}, "
            f"message={self.message!r}, model={self.model!r})"
        )


def deviations(value: Any) -> list[Deviation]:
    """Every deviation from the spec that lenient decoding accepted in `value`.

    `value` is what `from_dict`/`from_json`/`decode_*` returned, or any model inside it (a
    run of a list page, say): the list covers it and everything it contains, object by object,
    with JSON paths from the root of the payload it was decoded from. Empty for a payload that
    fits the spec and for objects built in code; strict decoding raises instead.
    """
    found: list[Deviation] = []
    # depth first, in order, and without recursion: kept values may nest deeply
    stack = [value]
    while stack:
        value = stack.pop()
        if isinstance(value, Model):
            own = getattr(value, "_deviations", None)
            if own:
                found += own
            names: Any = value.__slots__  # the concrete class's: every field, `_extra` last
            stack += [getattr(value, n, None) for n in reversed(names) if n != "_extra"]
        elif value.__class__ is list:
            stack += reversed(value)
        elif value.__class__ is dict:
            stack += reversed(value.values())
    return found


_hook: Callable[[Deviation], object] | None = None


def set_deviation_hook(
    hook: Callable[[Deviation], object] | None,
) -> Callable[[Deviation], object] | None:
    """Call `hook(deviation)` for each deviation lenient decoding accepts, from now on.

    Off by default (`None`), and free when off: a payload that fits the spec never looks at
    it, and one that does not only pays for a test. The hook runs inside `from_dict`,
    `from_json` and `decode_*`, once per deviation, after the value is decoded (so it sees the
    same list as `deviations(result)`); what it raises propagates. One hook per package and
    process. Returns the hook it replaces, so that `set_deviation_hook(old)` restores it.
    """
    global _hook
    previous, _hook = _hook, hook
    return previous


def settle(value: Any, data: Any, ctx: Ctx) -> Any:
    """Lenient, after something deviated: place each deviation, keep mistyped values as they
    arrived, tell the hook; returns the decoded value (an `UnknownVariant` for a union's
    value with a mistyped part no object holds). Raises `DecodeError` for a model's payload
    that is not an object (there is no model to return)."""
    entries = [(_keys(entry[0]), entry) for entry in ctx.errors]
    ctx.errors = []
    if ctx.mistyped:
        top = [entry for keys, entry in entries if not keys and entry[4]]
        if top:  # only a model's decoder keeps a whole payload as mistyped
            raise DecodeError([(path_text(w), what) for w, _, _, what, *_ in top])
        entries.sort(key=lambda pair: len(pair[0]))  # a kept member first
    rest: list[Deviation] = []
    placed: dict[int, tuple[Any, list[Deviation]]] = {}  # id(owner) -> (owner, its own)
    for keys, (where, kind, found, what, raw, of) in entries:
        owner, key, arrived = _owner(value, data, keys)
        if owner is None:
            if raw and not isinstance(value, UnknownVariant):
                value = UnknownVariant(data)  # the union's value, kept whole
            rest.append(Deviation(kind, where, found, what, of))
            continue
        if raw:
            _keep(owner, key, arrived)
        own = placed.setdefault(id(owner), (owner, []))[1]
        own.append(Deviation(kind, where, found, what, of or type(owner).__name__))
    if rest and isinstance(value, Model):
        placed.setdefault(id(value), (value, []))[1][:0] = rest
    for owner, own in placed.values():
        owner._deviations = own
    hook = _hook
    if hook is not None:
        for deviation in deviations(value) if isinstance(value, Model) else rest:
            hook(deviation)
    return value


def _keys(where: Any) -> list[Any]:
    """A linked path `((("$", "tools"), 1), "name")` as its keys: ["tools", 1, "name"]."""
    keys: list[Any] = []
    while where.__class__ is tuple:
        where, key = where
        keys.append(key)
    keys.reverse()
    return keys


def _owner(value: Any, data: Any, keys: list[Any]) -> tuple[Any, Any, Any]:
    """The innermost model on the path `keys` down the decoded `value`, the member the path
    goes on through, and that member's value in the payload `data` (which the decoded value
    mirrors level by level); (None, None, None) when no model is on the path."""
    if len(keys) == 1 and isinstance(value, Model):  # common: a member of the root
        return value, keys[0], data.get(keys[0], UNSET)
    owner = member = raw = None
    node: Any = value  # decoded data of any shape, as `data` is JSON of any shape
    for key in keys:
        if isinstance(node, Model):  # an undeclared member ends the walk: it is node's
            owner, member = node, key
            raw = data = data.get(key, UNSET) if is_dict(data) else UNSET
            slot = _slot_of(node, key)
            if slot is None:
                break
            node = getattr(node, slot, UNSET)
        elif (node.__class__ is list and key.__class__ is int and key < len(node)) or (
            node.__class__ is dict and key in node
        ):
            node = node[key]
            data = data[key] if is_list(data) or is_dict(data) else UNSET
        else:
            break
    return owner, member, raw


def _keep(owner: Any, key: str, raw: Any) -> None:
    """Member `key` of `owner` held a value of the wrong type: it reads as UNSET from now on,
    and the value is kept as it arrived in `_extra` (which `to_dict` writes back)."""
    extra = getattr(owner, "_extra", None)
    if extra is None:
        extra = owner._extra = {}
    if key not in extra:
        slot = _slot_of(owner, key)
        if slot is not None:
            setattr(owner, slot, UNSET)
        extra[key] = raw


_slots_of: dict[type, dict[str, str]] = {}  # model class -> {JSON member: field}


def _slot_of(obj: Any, key: Any) -> str | None:
    """The field of a model that holds JSON member `key`, if it declares one.

    A generated class's member names are its module's `_NAMES_<class>` (in field order) or,
    for a model of one member, `_KEYS_<class>`."""
    kind: type = obj.__class__
    slots = _slots_of.get(kind)
    if slots is None:
        cls: Any = next(k for k in kind.__mro__ if "__slots__" in k.__dict__)
        module = import_module(cls.__module__)
        names: Any = getattr(module, f"_NAMES_{cls.__name__}", None)
        if names is None:
            names = tuple(getattr(module, f"_KEYS_{cls.__name__}", ()))
        fields: tuple[str, ...] = cls.__slots__
        slots = _slots_of[kind] = dict(zip(names, fields))
    return slots.get(key) if key.__class__ is str else None


def whole(value: _M, key: str) -> _M:
    """`value`, an object built around a payload under `key` (a stream event's `data`), unless
    that payload had the wrong JSON type: then, as for `from_dict` of a non-object, there is
    no such object and this raises `DecodeError`. Wrong types inside the payload are kept.
    """
    extra = getattr(value, "_extra", None) if isinstance(value, Model) else None
    if extra and key in extra:
        where = path_text(("$", key))
        found = [d for d in deviations(value) if d.path == where]
        found = [d for d in found if d.kind == WRONG_TYPE]
        if found:
            raise DecodeError([(d.path, d.message) for d in found])
    return value
