"""The body of a generated `dec_<Model>` function, as lines of Python.

The shape is chosen for speed on well-formed payloads, the common case:

- every declared member is read in one C call (`operator.itemgetter`) and unpacked into locals;
  only when a member is missing does the slower `get_each` (absent members read as UNSET) run;
- when every member was there, `len(d)` alone tells whether there are unknown members;
- a value of the expected JSON type passes a single `__class__` test and no call; anything
  else goes through a runtime helper that reports it (or, in strict mode, a missing member);
- known enum values are one dict lookup in a module constant (an enum class attribute would go
  through `EnumType.__getattr__`, several times slower);
- the object is allocated without `__init__` and its slots filled at the end.
"""

from __future__ import annotations

from collections.abc import Callable

from runmodels.emit.exprs import LINE_LENGTH, CheckPool, decode_call, flags, literal
from runmodels.ir.nodes import Field, Model

_FIELD_CHECKS = ("str", "int", "float", "bool")


class MemberMaps:
    """Module constants `_MEMBERS_<n> = <Enum>._value2member_map_`, one per enum used."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}  # enum class -> constant name

    def name_for(self, enum: str) -> str:
        """A short numbered name, so that the test using it stays on one line."""
        return self.names.setdefault(enum, f"_MEMBERS_{len(self.names) + 1}")


def decoder_body(m: Model, pool: CheckPool, members: MemberMaps,
                 enum_base: Callable[[str], str]) -> list[str]:
    """The statements after the dict test of `dec_<m.name>(d, p, c)`, at indent zero."""
    n = len(m.fields)
    lines: list[str] = []
    if n == 0:
        lines.append("x = len(d) != 0")
    elif n == 1:
        lines += [
            "try:",
            f"    v0 = d[{literal(m.fields[0].json_name)}]",
            "    x = len(d) != 1",
            "except KeyError:",
            "    v0 = UNSET",
            "    x = len(d) != 0",
        ]
    else:
        lines += [
            "try:",
            f"    t = _GET_{m.name}(d)",
            f"    x = len(d) != {n}",
            "except KeyError:",
            f"    t = _r.get_each(d, _NAMES_{m.name})",
            f"    x = _r.has_extra(d, _KEYS_{m.name})",
        ]
        lines += bracketed([f"v{i}" for i in range(n)], " = t", 4)
    for i, f in enumerate(m.fields):
        lines += field_lines(f, f"v{i}", pool, members, enum_base)
    lines.append(f"o = _new({m.name})")
    lines += [f"o.{f.name} = v{i}" for i, f in enumerate(m.fields)]
    closed = "True" if m.closed else "False"
    lines.append(f"o._extra = _r.extras(d, _KEYS_{m.name}, p, c, {closed}) if x else None")
    return lines


def constants(m: Model) -> list[str]:
    """Module constants the decoder of `m` reads: member names in order, as a set, a getter.

    The runtime also reads `_NAMES_<class>` (or, for one member, `_KEYS_<class>`) to find
    which field holds a member when it places a deviation (`_runtime._slot_of`)."""
    keys = ", ".join(literal(f.json_name) for f in m.fields)
    if not m.fields:  # `frozenset({})` would be typed from an empty dict
        return [f"_KEYS_{m.name}: Final[frozenset[str]] = frozenset()"]
    if len(m.fields) < 2:
        return [f"_KEYS_{m.name}: Final = frozenset({{{keys}}})"]
    return [
        f"_NAMES_{m.name}: Final = _r.names({keys})",
        f"_KEYS_{m.name}: Final = frozenset(_NAMES_{m.name})",
        f"_GET_{m.name}: Final = _r.getter(_NAMES_{m.name})",
    ]


def bracketed(items: list[str], tail: str, indent: int) -> list[str]:
    """`a, b = t` on one line when it fits, else one item per line in brackets with a trailing
    comma: black's layout, which black then keeps."""
    one = f"{', '.join(items)}{tail}"
    if indent + len(one) <= LINE_LENGTH:
        return [one]
    return ["("] + [f"    {item}," for item in items] + [f"){tail}"]


def field_lines(f: Field, v: str, pool: CheckPool, members: MemberMaps,
                enum_base: Callable[[str], str]) -> list[str]:
    """Statements that check and decode local `v`, read from member `f.json_name`."""
    key = literal(f.json_name)
    t = f.type
    lines: list[str] = []
    if t.kind in _FIELD_CHECKS and not t.types:
        # the common cases skip the call: the exact type, an int for a number, null if allowed
        test = f"{v}.__class__ is not {t.kind}"
        if t.kind == "float":
            test += f" and {v}.__class__ is not int"
        if t.nullable:
            test += f" and {v} is not None"
        lines += [f"if {test}:", f"    {v} = _r.field_{t.kind}({v}, p, {key}, c, {flags(f)})"]
    elif t.kind == "any" and not t.types:
        if f.required:  # anything else, null included, is a value
            lines += [f"if {v} is UNSET:", f"    c.absent({v}, p, {key}, {flags(f)})"]
    elif t.kind == "map" and t.item is not None and t.item.kind == "any" and not t.item.types:
        # free-form object: a dict passes as it is; anything else goes through the helper
        lines += [f"if {v}.__class__ is not dict:",
                  f"    {v} = _r.field_map_any({v}, p, {key}, c, {flags(f)})"]
    else:
        branch = "if"
        if t.kind == "enum":  # a known member: one dict lookup, no call
            table = members.name_for(t.ref)
            json_type = "str" if enum_base(t.ref) == "str" else "int"
            lines += [f"if {v}.__class__ is {json_type} and {v} in {table}:",
                      f"    {v} = {table}[{v}]"]
            branch = "elif"
        decode = f"    {v} = {decode_call(t, v, f'(p, {key})')}"
        lines += _absent_then_decode(f, v, key, branch, decode)
    checks = []
    if t.constraints.any():
        checks.append(f"{pool.name_for(t.constraints)}.run({v}, (p, {key}), c)")
    if t.kind in ("list", "map") and t.item is not None and t.item.constraints.any():
        checks.append(f"_r.check_each({v}, (p, {key}), c, {pool.name_for(t.item.constraints)})")
    if checks:
        lines.append("if c.strict:")
        lines += [f"    {line}" for line in checks]
    return lines


def _absent_then_decode(f: Field, v: str, key: str, branch: str, decode: str) -> list[str]:
    """Record whichever of absent (UNSET) and null `f` forbids (a deviation when lenient, an
    error when strict), and decode anything else; each test is one identity comparison."""
    call = f"    c.absent({v}, p, {key}, {flags(f)})"
    if f.required and not f.type.nullable:
        return [f"{branch} {v} is UNSET or {v} is None:", call, "else:", decode]
    if f.required:
        return [f"{branch} {v} is UNSET:", call, f"elif {v} is not None:", decode]
    if not f.type.nullable:
        return [f"{branch} {v} is None:", call, f"elif {v} is not UNSET:", decode]
    return [f"{branch} {v} is not UNSET and {v} is not None:", decode]
