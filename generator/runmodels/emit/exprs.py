"""Finished Python source fragments for types: annotations, decoders, encoders, literals.

Everything recursive about a type is computed here, so templates only place strings.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import fields as dc_fields

from runmodels.emit import abi
from runmodels.ir.nodes import Constraints, Field, TypeRef

_PRIM_DECODERS = {
    "str": "_r.dec_str",
    "int": "_r.dec_int",
    "float": "_r.dec_float",
    "bool": "_r.dec_bool",
    "any": "_r.dec_any",
}
LINE_LENGTH = 88  # black's default, which the generated code is formatted with



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
    if t.kind in ("model", "union", "enum"):
        return abi.decoder_name(t.ref)
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
    return abi.flag_bits(f.required, nullable)


def encode_value(t: TypeRef, value: str, objects: Callable[[str], bool], depth: int = 0) -> str:
    """An expression turning `value` (never absent, maybe null) into plain JSON data.

    `objects(union)` tells whether every variant of a union is a model (its members then all
    have `to_dict`, UnknownVariant included), which skips the generic `_r.enc`.
    """
    if t.kind in ("str", "int", "float", "bool", "any"):
        return value
    if t.kind == "enum":  # a member's value; a plain value (or null) as it is
        return f'getattr({value}, "_value_", {value})'
    if t.kind == "model" or (t.kind == "union" and objects(t.ref)):
        return f"None if {value} is None else {value}.to_dict()"
    if t.kind == "union":
        return f"_r.enc({value})"
    item = t.item or TypeRef("any")
    x = f"x{depth}"
    if t.kind == "list":
        if item.kind in ("str", "int", "float", "bool"):
            body = f"list({value})"
        else:
            body = f"[{_item_encode(item, x, objects, depth)} for {x} in {value}]"
    else:
        if item.kind in ("str", "int", "float", "bool", "any") and not item.types:
            body = f"dict({value})"
        else:
            item_code = _item_encode(item, x, objects, depth)
            body = f"{{k{depth}: {item_code} for k{depth}, {x} in {value}.items()}}"
    return f"None if {value} is None else {body}"


def _item_encode(t: TypeRef, value: str, objects: Callable[[str], bool], depth: int) -> str:
    if t.kind in ("list", "map"):
        return f"_r.enc({value})"
    expr = encode_value(t, value, objects, depth + 1)
    return f"({expr})" if expr.startswith("None if") else expr


def encode_lines(f: Field, objects: Callable[[str], bool]) -> list[str]:
    return [
        f"v = self.{f.name}",
        "if v is not UNSET:",
        f"    d[{literal(f.json_name)}] = {encode_value(f.type, 'v', objects)}",
    ]
