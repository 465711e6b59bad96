"""Plain-dict request arguments: a TypedDict beside each model a request argument can hold.

A client method's argument typed with a model (or a union of models, or a list of them) also
takes the JSON form of that value as a plain dict, as openai-python's `…Param` TypedDicts do.
This module decides which models and unions get such a type (those reachable from request
arguments), names them without ever taking a schema's name, writes their annotations and the
view of the generated `dicts.py`, and tells the client how to turn a dict back into the model.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from typing import Any

import jinja2

from runmodels.build import names
from runmodels.emit import exprs
from runmodels.ir.nodes import Enum, Model, Package, TypeRef, Union

SUFFIX = "Param"
MODULE = "dicts"  # sorts between `client` and `models`, as isort orders the imports
_CONST_KINDS: dict[str, type] = {"str": str, "int": int, "bool": bool}  # `const` as a Literal
_OWN_NAMES = frozenset({"Any", "Literal", "TypeAlias", "TypedDict", "None"})


def argument_types(pkg: Package) -> list[TypeRef]:
    """The types of the request-body arguments (fields, or the whole body) the client plans."""
    return [a.type for m in pkg.client.methods for a in m.arguments
            if a.source in ("field", "body")]


@dataclass(frozen=True)
class Params:
    """The TypedDict (or alias) name of each model and union request arguments reach."""

    pkg: Package
    names: dict[str, str]  # entity name -> its plain-dict type's name

    def json_annotation(self, t: TypeRef) -> str:
        """The type of `t`'s JSON form: models as their TypedDicts, enums as their values."""
        entity = self.pkg.entities.get(t.ref) if t.ref else None
        values = self.literal_values(t)
        if t.kind in ("model", "union") and t.ref in self.names:
            text = self.names[t.ref]
        elif values is not None:
            text = _literal(values)
        elif t.kind == "enum" and isinstance(entity, Enum):
            text = entity.base
        elif t.kind == "list":
            text = f"list[{self.json_annotation(t.item or TypeRef('any'))}]"
        elif t.kind == "map":
            text = f"dict[str, {self.json_annotation(t.item or TypeRef('any'))}]"
        else:
            return exprs.annotation(t)
        return f"{text} | None" if t.nullable else text

    def literal_values(self, t: TypeRef) -> tuple[Any, ...] | None:
        """The values of an enum or a `const` type (its JSON form is one of them), else None."""
        entity = self.pkg.entities.get(t.ref) if t.ref else None
        if t.kind == "enum" and isinstance(entity, Enum) and entity.members:
            return tuple(m.value for m in entity.members)
        if t.kind in _CONST_KINDS and t.constraints.const and all(
                type(v) is _CONST_KINDS[t.kind] for v in t.constraints.const):
            return t.constraints.const
        return None

    def union_annotation(self, union: Union) -> str:
        """The JSON form of a union: its variants', the literal ones merged into one `Literal`."""
        literals: dict[tuple[type, Any], Any] = {}  # by type too: 1 and True are two values
        others: dict[str, None] = {}
        nullable = False
        for variant in union.variants:
            nullable = nullable or variant.nullable
            values = self.literal_values(variant)
            if values is not None:
                literals.update(((type(v), v), v) for v in values)
            else:
                others[self.json_annotation(variant.with_nullable(False))] = None
        parts = ([_literal(tuple(literals.values()))] if literals else []) + list(others)
        if nullable and "Any" not in others:
            parts.append("None")
        return " | ".join(parts) or "Any"

    def shape(self, t: TypeRef) -> tuple[str, str] | None:
        """("one" | "list" | "map", entity) when an argument of type `t` takes plain dicts."""
        if t.kind in ("model", "union") and t.ref in self.names:
            return "one", t.ref
        item = t.item
        if t.kind in ("list", "map") and item is not None and item.kind in ("model", "union") \
                and item.ref in self.names:
            return t.kind, item.ref
        return None

    def argument_annotation(self, t: TypeRef, model_annotation: str) -> str:
        """`Model | ModelParam` (in a `Sequence` / `Mapping` for lists and maps), else as it is.

        `model_annotation` is the annotation of `t` with the models (`exprs.annotation`).
        """
        found = self.shape(t)
        if found is None:
            return model_annotation
        kind, ref = found
        one = f"{ref} | {self.names[ref]}"
        if kind != "one" and t.item is not None and t.item.nullable:
            one += " | None"
        text = {"one": one, "list": f"Sequence[{one}]", "map": f"Mapping[str, {one}]"}[kind]
        return f"{text} | None" if t.nullable else text

    def decode_function(self, ref: str) -> str:
        """The `(data, *, strict)` callable turning a dict into entity `ref`."""
        if isinstance(self.pkg.entities[ref], Union):
            return f"decode_{names.snake(ref)}"
        return f"{ref}.from_dict"


def _literal(values: tuple[Any, ...]) -> str:
    return "Literal[" + ", ".join(exprs.literal(v) for v in values) + "]"


def params_of(pkg: Package) -> Params:
    """Which entities get a plain-dict type, and its name (never a schema's or an export's)."""
    reached: set[str] = set()
    todo = argument_types(pkg)
    while todo:
        t = todo.pop()
        if t.item is not None:
            todo.append(t.item)
        if t.kind not in ("model", "union") or t.ref in reached:
            continue
        entity = pkg.entities.get(t.ref)
        if isinstance(entity, Model):
            reached.add(t.ref)
            todo.extend(f.type for f in entity.fields)
        elif isinstance(entity, Union):
            reached.add(t.ref)
            todo.extend(entity.variants)
    taken = set(pkg.entities) | names.RESERVED_CLASS_NAMES | _OWN_NAMES
    namer = names.Namer(taken, fold_case=False)
    return Params(pkg, {ref: namer.claim(f"{ref}{SUFFIX}") for ref in sorted(reached)})


def exports(pkg: Package) -> list[str]:
    """The names `dicts.py` defines, for the package's lazy exports."""
    return sorted(params_of(pkg).names.values())


# ---- the generated module --------------------------------------------------------------------


@dataclass(frozen=True)
class KeyView:
    key: str  # the JSON member name (a class attribute when the TypedDict uses class syntax)
    literal: str  # the name as a literal (functional syntax)
    annotation: str
    quoted: str  # the annotation as a literal (functional syntax: evaluated, so forward refs)


@dataclass(frozen=True)
class TypedDictView:
    name: str
    model: str
    doc: str  # a docstring literal
    class_syntax: bool  # every key is a plain identifier; else `TypedDict("name", {...})`
    required: tuple[KeyView, ...]
    optional: tuple[KeyView, ...]


@dataclass(frozen=True)
class ParamAliasView:
    name: str
    model: str
    value: str  # the annotation
    quoted: str  # as a literal


@dataclass(frozen=True)
class ParamsView:
    title: str  # a docstring literal
    typing: str  # the names imported from typing
    dicts: tuple[TypedDictView, ...]
    aliases: tuple[ParamAliasView, ...]


_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def _class_key(key: str, taken: set[str]) -> bool:
    """Whether a JSON member name can be written as a TypedDict class attribute."""
    return (key.isascii() and key.isidentifier() and not keyword.iskeyword(key)
            and not key.startswith("__") and key not in names.RESERVED_FIELD_NAMES
            and key not in taken)


def _key(key: str, annotation: str) -> KeyView:
    return KeyView(key, exprs.literal(key), annotation, exprs.literal(annotation))


def _typed_dict(params: Params, model: Model, name: str) -> TypedDictView:
    """The view of one model's TypedDict: required keys in a `total=True` base, the rest not."""
    taken = set(params.names.values()) | _OWN_NAMES
    keys = [(f, _key(f.json_name, params.json_annotation(f.type))) for f in model.fields]
    text = model.description.strip() or f"The JSON form of `{model.name}`."
    doc = exprs.doc_literal(f"{text}\n\nA plain-dict stand-in for `{model.name}` "
                            "in request arguments.")
    return TypedDictView(
        name=name, model=model.name, doc=doc,
        class_syntax=all(_class_key(k.key, taken) for _, k in keys),
        required=tuple(k for f, k in keys if f.required),
        optional=tuple(k for f, k in keys if not f.required),
    )


def params_view(pkg: Package) -> ParamsView | None:
    """The view of `dicts.py`, or None when no request argument holds a model."""
    params = params_of(pkg)
    if not params.names:
        return None
    dicts: list[TypedDictView] = []
    aliases: list[ParamAliasView] = []
    for ref, name in sorted(params.names.items(), key=lambda item: item[1]):
        entity = pkg.entities[ref]
        if isinstance(entity, Model) and entity.fields:
            dicts.append(_typed_dict(params, entity, name))
        elif isinstance(entity, Model):  # no members declared: any object
            aliases.append(_alias(name, "dict[str, Any]", ref))
        elif isinstance(entity, Union):
            aliases.append(_alias(name, params.union_annotation(entity), ref))
    annotations = [a.value for a in aliases] + [
        k.annotation for d in dicts for k in d.required + d.optional]
    used = _STRING.sub("", " ".join(annotations))  # a Literal's values name nothing
    typing = [n for n in ("Any", "Literal") if re.search(rf"\b{n}\b", used)]
    typing += ["TypeAlias"] if aliases else []
    typing += ["TypedDict"] if dicts else []
    return ParamsView(
        title=exprs.doc_literal(
            f"{pkg.title}: request arguments as plain dicts (TypedDicts beside the models)."),
        typing=", ".join(typing), dicts=tuple(dicts), aliases=tuple(aliases),
    )


def _alias(name: str, value: str, model: str) -> ParamAliasView:
    return ParamAliasView(name, model, value, exprs.literal(value))


def render_params(pkg: Package, env: jinja2.Environment, head: str) -> str | None:
    """The source of `dicts.py`, or None when the package needs none."""
    view = params_view(pkg)
    if view is None:
        return None
    return env.get_template("dicts.py.jinja").render(header=head, p=view)
