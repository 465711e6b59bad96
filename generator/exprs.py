"""Finished Python source fragments for types: annotations, decoders, encoders, literals.

Everything recursive about a type is computed here, so templates only place strings.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import fields as dc_fields

from .ir import Constraints, Field, TypeRef

_PRIM_DECODERS = {
    "str": "_r.dec_str",
    "int": "_r.dec_int",
    "float": "_r.dec_float",
    "bool": "_r.dec_bool",
    "any": "_r.dec_any",
}
_FIELD_CHECKS = {"str": "str", "int": "int", "float": "float", "bool": "bool"}


def literal(value: object) -> str:
    """A Python literal for a JSON scalar; `repr` escapes quotes, controls and bidi marks."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({str(value)!r})"  # repr gives `inf`/`nan`, which are not literals
    if isinstance(value, tuple):
        inner = ", ".join(literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


_PLAIN_DOC = re.compile(r"[ !#-\[\]-~\n]*")  # printable ASCII and newlines; no '"', no '\\'


def doc_literal(text: str) -> str:
    """A triple-quoted docstring literal that means exactly `text` and cannot end early."""
    if _PLAIN_DOC.fullmatch(text):  # the common case needs no escaping (and no loop)
        body = "\n".join(line.rstrip() for line in text.rstrip().split("\n"))
        return f'"""{body}"""'
    out = []
    chars = text.rstrip()
    run = 0  # unescaped '"' emitted in a row: a third one, or one at the very end, is escaped
    for i, ch in enumerate(chars):
        if ch == '"':
            escape = run == 2 or i == len(chars) - 1
            out.append('\\"' if escape else '"')
            run = 0 if escape else run + 1
            continue
        run = 0
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\n")
        elif ch == "\t":
            out.append("\\t")
        elif not ch.isprintable() or unicodedata.category(ch) in ("Cf", "Zl", "Zp"):
            out.append(repr(ch)[1:-1] if ord(ch) > 0x7F else f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    body = "\n".join(line.rstrip() for line in "".join(out).split("\n"))
    return f'"""{body}"""'


def annotation(t: TypeRef) -> str:
    if t.kind in ("model", "enum", "union"):
        text = t.ref
    elif t.kind == "list":
        text = f"list[{annotation(t.item or TypeRef('any'))}]"
    elif t.kind == "map":
        text = f"dict[str, {annotation(t.item or TypeRef('any'))}]"
    elif t.kind == "any" and t.types:
        text = " | ".join(dict.fromkeys("Any" if k == "any" else k for k in t.types))
    elif t.kind == "any":
        return "Any"
    else:
        text = t.kind
    return f"{text} | None" if t.nullable else text


def field_annotation(f: Field) -> str:
    text = annotation(f.type)
    return text if f.required else f"{text} | Unset"


def decoder(t: TypeRef) -> str:
    """An expression for a function `(value, path, ctx) -> decoded` for this type."""
    base = _decoder_of(t)
    if t.nullable and (t.kind != "any" or t.types):  # plain Any takes null already
        call = f"({base})" if base.startswith("lambda") else base  # call the lambda, not return it
        return f"lambda v, p, c: None if v is None else {call}(v, p, c)"
    return base


def _decoder_of(t: TypeRef) -> str:
    if t.kind == "model" or t.kind == "union":
        return f"_decode_{t.ref}"
    if t.kind == "enum":
        return f"{t.ref}._decode"
    if t.kind == "any" and t.types:
        return f"lambda v, p, c: _r.dec_prims(v, p, c, {t.types!r})"
    if t.kind == "list":
        item = t.item or TypeRef("any")
        if item.kind == "str" and not item.nullable:
            return "_r.dec_list_str"
        return f"lambda v, p, c: _r.dec_list(v, p, c, {decoder(item)})"
    if t.kind == "map":
        item = t.item or TypeRef("any")
        if item.kind == "str" and not item.nullable:
            return "_r.dec_map_str"
        if item.kind == "any" and not item.types:
            return "_r.dec_map_any"
        return f"lambda v, p, c: _r.dec_map(v, p, c, {decoder(item)})"
    return _PRIM_DECODERS[t.kind]


def decode_call(t: TypeRef, value: str, path: str) -> str:
    """A direct call decoding `value` (known not to be absent or null) of type `t`."""
    if t.kind == "list":
        item = t.item or TypeRef("any")
        if item.kind == "str" and not item.nullable:
            return f"_r.dec_list_str({value}, {path}, c)"
        return f"_r.dec_list({value}, {path}, c, {decoder(item)})"
    if t.kind == "map":
        item = t.item or TypeRef("any")
        if item.kind in ("str", "any") and not item.nullable and not item.types:
            return f"{_decoder_of(t)}({value}, {path}, c)"
        return f"_r.dec_map({value}, {path}, c, {decoder(item)})"
    if t.kind == "any" and t.types:
        return f"_r.dec_prims({value}, {path}, c, {t.types!r})"
    return f"{_decoder_of(t)}({value}, {path}, c)"


class CheckPool:
    """Module-level `_r.Checks(...)` constants, one per distinct set of constraints."""

    def __init__(self) -> None:
        self.defs: dict[str, str] = {}  # source -> constant name

    def name_for(self, c: Constraints) -> str:
        args = []
        for f in dc_fields(c):
            value = getattr(c, f.name)
            if value is not None:
                args.append(f"{f.name}={literal(value)}")
        source = f"_r.Checks({', '.join(args)})"
        if source not in self.defs:
            self.defs[source] = f"_CHECKS_{len(self.defs) + 1}"
        return self.defs[source]


def flags(f: Field) -> int:
    nullable = f.type.nullable or (f.type.kind == "any" and not f.type.types)
    return (1 if f.required else 0) | (2 if nullable else 0)


def decode_lines(f: Field, pool: CheckPool) -> list[str]:
    """Statements that read member `f.json_name` of dict `d` into `v` (path `p`, ctx `c`)."""
    key = literal(f.json_name)
    t = f.type
    lines = [f"v = g({key}, UNSET)"]
    if t.kind in _FIELD_CHECKS and not t.types:
        # the common cases skip the call: the exact type, an int for a number, null if allowed
        test = f"v.__class__ is not {t.kind}"
        if t.kind == "float":
            test += " and v.__class__ is not int"
        if t.nullable:
            test += " and v is not None"
        lines += [
            f"if {test}:",
            f"    v = _r.field_{t.kind}(v, p, {key}, c, {flags(f)})",
        ]
    elif t.kind == "any" and not t.types:
        lines += [
            "if c.strict and v is UNSET:",
            f"    c.absent(v, p, {key}, {flags(f)})",
        ]
    else:
        if t.kind == "enum":  # a known string member: one dict lookup, no call
            members = f"{t.ref}._value2member_map_"
            lines += [f"if v.__class__ is str and v in {members}:", f"    v = {members}[v]"]
            lines += ["elif v is UNSET or v is None:"]
        else:
            lines += ["if v is UNSET or v is None:"]
        lines += [
            "    if c.strict:",
            f"        c.absent(v, p, {key}, {flags(f)})",
            "else:",
            f"    v = {decode_call(t, 'v', f'(p, {key})')}",
        ]
    checks = []
    if t.constraints.any():
        checks.append(f"{pool.name_for(t.constraints)}.run(v, (p, {key}), c)")
    if t.kind in ("list", "map") and t.item is not None and t.item.constraints.any():
        checks.append(f"_r.check_each(v, (p, {key}), c, {pool.name_for(t.item.constraints)})")
    if checks:
        lines.append("if c.strict:")
        lines += [f"    {line}" for line in checks]
    lines.append(f"o.{f.name} = v")
    return lines


def encode_value(t: TypeRef, value: str, depth: int = 0) -> str:
    """An expression turning `value` (never absent, maybe null) into plain JSON data."""
    if t.kind in ("str", "int", "float", "bool", "any"):
        return value
    if t.kind == "enum":  # a member's value; a plain value (or null) as it is
        return f'getattr({value}, "_value_", {value})'
    if t.kind == "model":
        return f"None if {value} is None else {value}.to_dict()"
    if t.kind == "union":
        return f"_r.enc({value})"
    item = t.item or TypeRef("any")
    x = f"x{depth}"
    if t.kind == "list":
        if item.kind in ("str", "int", "float", "bool"):
            body = f"list({value})"
        else:
            body = f"[{_item_encode(item, x, depth)} for {x} in {value}]"
    else:
        if item.kind in ("str", "int", "float", "bool", "any") and not item.types:
            body = f"dict({value})"
        else:
            body = f"{{k{depth}: {_item_encode(item, x, depth)} for k{depth}, {x} in {value}.items()}}"
    return f"None if {value} is None else {body}"


def _item_encode(t: TypeRef, value: str, depth: int) -> str:
    if t.kind in ("list", "map"):
        return f"_r.enc({value})"
    expr = encode_value(t, value, depth + 1)
    return f"({expr})" if expr.startswith("None if") else expr


def encode_lines(f: Field) -> list[str]:
    return [
        f"v = self.{f.name}",
        "if v is not UNSET:",
        f"    d[{literal(f.json_name)}] = {encode_value(f.type, 'v')}",
    ]
