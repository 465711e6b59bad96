"""An OpenAPI Overlay 1.0 document that makes a spec say what audited traffic does.

Every finding of `runmodels audit` becomes actions on the node of the spec that describes it:

- an unknown enum value: appended to the enum's `enum` list;
- a null the spec forbids, or a value of another JSON type: the member's schema is replaced by
  one that also allows what was seen (`anyOf` of the old schema and the observed type; null as
  `nullable: true` in OpenAPI 3.0 and as a `null` type in 3.1). Replacing is two actions: remove
  the member's schema, then add the new one to `properties`;
- a required member that was missing: removed from `required`;
- an undeclared member: added to `properties`, typed from the values seen;
- an unknown union variant: a new schema, typed from what was seen, joined to the union.

Only nodes of the spec's own file can be targeted (an overlay applies to one document); a
finding whose schema lives in another file, or in no schema node the audit can find, is listed
in the document's description instead of being guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]

from runmodels.audit.audit import AuditReport, Finding
from runmodels.ir.nodes import Enum, Model, Package, TypeRef, Union
from runmodels.spec.pointer import escape, unescape
from runmodels.spec.tree import load_file

_SIMPLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def jsonpath(pointer: str) -> str:
    """A JSON pointer (`/components/schemas/Run`) as an RFC 9535 JSONPath (`$.components…`)."""
    path = "$"
    for part in pointer.split("/")[1:] if pointer else []:
        key = unescape(part)
        if _SIMPLE.match(key):
            path += f".{key}"
        else:
            path += "['" + key.replace("\\", "\\\\").replace("'", "\\'") + "']"
    return path


class _Spec:
    """The spec's own file as plain data, with `$ref`s inside it followed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.root: Any = load_file(path)
        self.v31 = str(self.root.get("openapi", "")).startswith("3.1")

    def at(self, pointer: str) -> Any:
        node = self.root
        for part in pointer.split("/")[1:] if pointer else []:
            key = unescape(part)
            if isinstance(node, list):
                node = node[int(key)]
            else:
                node = node[key]
        return node

    def follow(self, pointer: str) -> str:
        """The pointer a local `$ref` chain at pointer ends at (itself when there is none)."""
        for _ in range(64):
            node = self.at(pointer)
            ref = node.get("$ref") if isinstance(node, dict) else None
            if not isinstance(ref, str) or not ref.startswith("#"):
                return pointer
            pointer = ref[1:]
        return pointer

    def holder(self, pointer: str, member: str, key: str) -> str | None:
        """The schema node (own, or inside its allOf) whose `key` (properties/required) names
        member."""
        pointer = self.follow(pointer)
        node = self.at(pointer)
        if not isinstance(node, dict):
            return None
        own = node.get(key)
        if (key == "properties" and isinstance(own, dict) and member in own) or (
                key == "required" and isinstance(own, list) and member in own):
            return pointer
        for index, _ in enumerate(node.get("allOf") or []):
            found = self.holder(f"{pointer}/allOf/{index}", member, key)
            if found is not None:
                return found
        return None


def _observed(value: Any, v31: bool, depth: int = 0) -> dict[str, Any]:
    """A schema for one value seen in traffic."""
    if value is None:
        return {"type": "null"} if v31 else {"nullable": True}
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string"}
    if isinstance(value, list):
        items = [_observed(v, v31, depth + 1) for v in value[:1]] if depth < 4 else []
        return {"type": "array", "items": items[0] if items else {}}
    if isinstance(value, dict):
        if depth >= 4:
            return {"type": "object"}
        return {"type": "object",
                "properties": {k: _observed(v, v31, depth + 1) for k, v in value.items()}}
    return {}


def _of_all(values: Sequence[Any], v31: bool) -> dict[str, Any]:
    schemas: list[dict[str, Any]] = []
    for value in values:
        schema = _observed(value, v31)
        if schema not in schemas:
            schemas.append(schema)
    return schemas[0] if len(schemas) == 1 else {"anyOf": schemas}


def _member(finding: Finding) -> str | None:
    """The member of `finding.model` the finding is about: the path's last name."""
    tail = re.sub(r"(\[\*\])+$", "", finding.path)
    match = re.search(r"(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[(\"(?:[^\"\\]|\\.)*\")\])$", tail)
    if match is None:
        return None
    if match.group(1) is not None:
        return match.group(1)
    import json

    name: str = json.loads(match.group(2))
    return name


class _Builder:
    def __init__(self, pkg: Package, spec: _Spec) -> None:
        self.pkg = pkg
        self.spec = spec
        self.actions: list[dict[str, Any]] = []
        self.left: list[str] = []
        self.replaced: dict[str, Any] = {}  # member pointer -> schema being built

    def local(self, entity: Model | Enum | Union) -> str | None:
        origin = entity.origin
        if Path(origin.file).resolve() != self.spec.path.resolve():
            return None
        return origin.pointer

    def skip(self, finding: Finding, why: str) -> None:
        self.left.append(f"{finding.schema} {finding.path} ({finding.kind}): {why}")

    def field_type(self, model: Model, member: str) -> TypeRef | None:
        return next((f.type for f in model.fields if f.json_name == member), None)

    def add(self, finding: Finding) -> None:
        model = self.pkg.entities.get(finding.model)
        if finding.kind == "unknown_variant":
            self.variant(finding)
            return
        if not isinstance(model, Model):
            self.skip(finding, "not a member of an object schema")
            return
        where = self.local(model)
        member = _member(finding)
        if where is None or member is None:
            self.skip(finding, "its schema is not in the spec's own file")
            return
        if finding.kind == "unknown_member":
            self.actions.append({
                "target": jsonpath(self.spec.follow(where)),
                "description": f"{finding.model} has a member `{member}` the spec omits",
                "update": {"properties": {member: _of_all(finding.examples, self.spec.v31)}},
            })
        elif finding.kind == "missing":
            holder = self.spec.holder(where, member, "required")
            if holder is None:
                self.skip(finding, "no `required` list names it")
                return
            self.actions.append({
                "target": f"{jsonpath(holder)}.required[?@ == {_quote(member)}]",
                "description": f"{finding.model}.{member} is not always sent",
                "remove": True,
            })
        elif finding.kind == "unknown_enum":
            self.enum_value(finding, model, member)
        else:  # null, wrong_type: the member's schema also allows what was seen
            holder = self.spec.holder(where, member, "properties")
            if holder is None:
                self.skip(finding, "no `properties` declares it")
                return
            self.widen(holder, member, finding)

    def widen(self, holder: str, member: str, finding: Finding) -> None:
        pointer = f"{holder}/properties/{escape(member)}"
        schema = self.replaced.get(pointer)
        if schema is None:
            schema = self.replaced[pointer] = {"anyOf": [_plain(self.spec.at(pointer))]}
            self.actions.append({"target": jsonpath(pointer), "remove": True,
                                 "description": f"{finding.model}.{member}: replaced below"})
            self.actions.append({"target": jsonpath(f"{holder}/properties"),
                                 "description": f"{finding.model}.{member} as observed",
                                 "update": {member: schema}})
        for value in finding.examples:
            seen = _observed(value, self.spec.v31)
            if seen == {"nullable": True}:
                schema["nullable"] = True
            elif seen not in schema["anyOf"] and not _has_type(schema["anyOf"], seen):
                schema["anyOf"].append(seen)

    def enum_value(self, finding: Finding, model: Model, member: str) -> None:
        t = self.field_type(model, member)
        while t is not None and t.kind in ("list", "map"):
            t = t.item
        enum = self.pkg.entities.get(t.ref) if t is not None else None
        where = self.local(enum) if isinstance(enum, Enum) else None
        if where is None:
            self.skip(finding, "its enum is not a schema of the spec's own file")
            return
        values = [v for v in finding.examples if isinstance(v, (str, int))]
        for value in values:  # Overlay 1.0 appends an update to a list as one item
            self.actions.append({
                "target": f"{jsonpath(self.spec.follow(where))}.enum",
                "description": f"{enum.name if enum else ''} value seen in traffic",
                "update": value,
            })

    def variant(self, finding: Finding) -> None:
        union = self.pkg.entities.get(finding.model)
        where = self.local(union) if isinstance(union, Union) else None
        if not isinstance(union, Union) or where is None:
            self.skip(finding, "its union is not a schema of the spec's own file")
            return
        node = self.spec.at(self.spec.follow(where))
        key = "oneOf" if "oneOf" in node else "anyOf"
        objects = [v for v in finding.examples if isinstance(v, dict)]
        if not objects:
            self.skip(finding, "the values seen are not objects")
            return
        schema = _of_all(objects, self.spec.v31)
        tag = union.tag
        tag_value = objects[0].get(tag) if tag else None
        if tag and isinstance(tag_value, str) and "properties" in schema:
            schema["properties"][tag] = {"type": "string", "enum": [tag_value]}
            schema["required"] = [tag]
        self.actions.append({"target": jsonpath(self.spec.follow(where)) + f".{key}",
                             "description": f"a variant of {union.name} seen in traffic",
                             "update": schema})


def _plain(node: Any) -> Any:
    """Loader containers → plain dicts and lists (for yaml.safe_dump)."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _has_type(schemas: list[Any], seen: dict[str, Any]) -> bool:
    return any(isinstance(s, dict) and s.get("type") == seen.get("type") for s in schemas)


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def build_overlay(report: AuditReport, spec: Path) -> dict[str, Any]:
    """The Overlay document for an audit's findings."""
    assert report.package is not None
    builder = _Builder(report.package, _Spec(spec))
    for finding in report.ordered:
        builder.add(finding)
    description = "Makes the spec describe what `runmodels audit` saw in captured traffic."
    if builder.left:
        description += " Not covered: " + "; ".join(builder.left)
    return {"overlay": "1.0.0",
            "info": {"title": f"Observed drift of {report.spec}", "version": "1.0.0",
                     "description": description},
            "actions": builder.actions}


def overlay_text(document: dict[str, Any]) -> str:
    text: str = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    return text
