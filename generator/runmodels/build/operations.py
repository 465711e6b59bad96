"""Spec paths -> Operations: parameters, request bodies, responses, fixed headers, selection."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from runmodels.build import names
from runmodels.build.resolve import Resolver
from runmodels.build.schema import description_of, enum_info
from runmodels.errors import RefError, SpecError
from runmodels.ir.nodes import Operation, Origin, Parameter, TypeRef
from runmodels.spec.openapi import HTTP_METHODS
from runmodels.spec.pointer import escape as escape_pointer

POLL_EXTENSION = "x-runmodels-poll"
# true, a header name or false: see render_client.idempotency_header; at the document root it
# is the default of every operation.
IDEMPOTENCY_EXTENSION = "x-runmodels-idempotency"
METHOD_EXTENSION = "x-runmodels-method"  # the client method's name, instead of the operationId's
ARGUMENT_EXTENSION = "x-runmodels-argument"  # on a parameter: the method's argument name
# Header parameters OpenAPI says to ignore: the client sets these itself.
IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
# Method names the client already uses for itself.
RESERVED_METHOD_NAMES = frozenset(
    {"api_key", "base_url", "timeout", "max_retries", "user_agent", "validate", "close"}
)
PATH_PARAM = re.compile(r"\{([^{}]+)\}")


@dataclass(frozen=True)
class OperationSet:
    operations: tuple[Operation, ...]
    servers: tuple[str, ...]
    fixed_headers: tuple[tuple[str, str], ...]


def wants_operations(select: Sequence[str]) -> bool:
    """No selection means every operation; a selection must name a tag or a path to get any."""
    return not select or any(item.startswith(("tag:", "path:")) for item in select)


def build_operations(resolver: Resolver, select: Sequence[str] = ()) -> OperationSet:
    """Read the selected operations (typing their bodies/responses through `resolver`)."""
    reader = _Reader(resolver)
    found = reader.read_all()
    chosen = _select(found, select, resolver)
    operations = tuple(op for op in map(reader.finish_or_drop, chosen) if op is not None)
    return OperationSet(
        _dedupe_names(operations), servers(resolver.specs.root), _common_headers(operations)
    )


def servers(root: Any) -> tuple[str, ...]:
    """Server URLs of the document, `{variables}` replaced by their defaults."""
    out: list[str] = []
    listed = root.get("servers") if isinstance(root, dict) else None
    for server in listed if isinstance(listed, list) else []:
        if not isinstance(server, dict) or not isinstance(server.get("url"), str):
            continue
        url = server["url"]
        variables = server.get("variables")
        for key, var in (variables if isinstance(variables, dict) else {}).items():
            if isinstance(var, dict) and var.get("default") is not None:
                url = url.replace("{" + str(key) + "}", str(var["default"]))
        out.append(url)
    return tuple(out)


# ---- reading ---------------------------------------------------------------------------------


@dataclass
class _Raw:
    """An operation as found in the spec, before its types are resolved."""

    path: str
    method: str
    node: dict[str, Any]
    file: Path
    pointer: str
    path_params: list[Any]
    path_file: Path
    path_pointer: str
    tags: tuple[str, ...]


class _Reader:
    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.specs = resolver.specs

    def read_all(self) -> list[_Raw]:
        root = self.specs.root
        paths = root.get("paths") if isinstance(root, dict) else None
        if paths is None:
            return []
        file = self.specs.root_file
        if not isinstance(paths, dict):
            raise self.resolver.fail("`paths` must be a mapping", paths, file, "/paths")
        out: list[_Raw] = []
        for path, item in paths.items():
            pointer = f"/paths/{escape_pointer(str(path))}"
            item_file = file
            try:
                item, item_file, pointer = self.resolver.follow(item, file, pointer)
            except RefError as error:
                self.resolver.warn("ref-unresolved", error.message, item, file, pointer,
                                   key="$ref", repair=f"the operations of {path!r} are left out",
                                   hint=error.hint)
                continue
            if not isinstance(item, dict):
                raise self.resolver.fail("a path item must be a mapping", item, file, pointer)
            shared = item.get("parameters") or []
            for method, node in item.items():
                if method not in HTTP_METHODS:
                    continue
                op_file, op_pointer = item_file, f"{pointer}/{escape_pointer(method)}"
                try:  # an operation may be a $ref of its own (to this file or another one)
                    node, op_file, op_pointer = self.resolver.follow(node, item_file, op_pointer)
                except RefError as error:
                    self.resolver.warn("ref-unresolved", error.message, node, item_file,
                                       op_pointer, key="$ref", hint=error.hint,
                                       repair=f"{method.upper()} {path} is left out")
                    continue
                if not isinstance(node, dict):
                    raise self.resolver.fail(f"operation {method.upper()} {path} must be a mapping",
                                             node, item_file, pointer, key=method)
                tags = tuple(t for t in node.get("tags") or [] if isinstance(t, str))
                out.append(_Raw(str(path), method, node, op_file, op_pointer,
                                list(shared) if isinstance(shared, list) else [], item_file,
                                f"{pointer}/parameters", tags))
        return out

    def _op_id(self, raw: _Raw) -> str:
        op_id = raw.node.get("operationId")
        return op_id if isinstance(op_id, str) and op_id.strip() else ""

    def _method(self, raw: _Raw) -> str:
        chosen = raw.node.get(METHOD_EXTENSION)
        return chosen if isinstance(chosen, str) and names.snake(chosen) else ""

    def _hint(self, raw: _Raw) -> str:
        named = self._method(raw) or self._op_id(raw)
        return names.pascal(named or f"{raw.method} {raw.path}") or "Operation"

    def finish_or_drop(self, raw: _Raw) -> Operation | None:
        """`finish`, or None with a warning when a `$ref` the operation needs leads nowhere."""
        try:
            return self.finish(raw)
        except RefError as error:
            self.resolver.warn("ref-unresolved", error.message, raw.node, raw.file, raw.pointer,
                               repair=f"{raw.method.upper()} {raw.path} is left out",
                               hint=error.hint)
            return None

    def finish(self, raw: _Raw) -> Operation | None:
        """The operation, or None (with a warning) when its request body cannot be sent."""
        op_id = self._op_id(raw)
        hint = self._hint(raw)
        params = self._parameters(raw, hint)
        try:
            body = self._body(raw, hint)
        except _NotJSON:
            return None
        result, stream = self._responses(raw, hint)
        name = (names.snake(self._method(raw) or op_id) or names.snake(f"{raw.method} {raw.path}")
                or raw.method)
        extensions = tuple((k, _plain(v)) for k, v in raw.node.items()
                           if isinstance(k, str) and k.startswith("x-"))
        root = self.specs.root
        if (isinstance(root, dict) and IDEMPOTENCY_EXTENSION in root
                and IDEMPOTENCY_EXTENSION not in raw.node):  # the document's default
            extensions += ((IDEMPOTENCY_EXTENSION, _plain(root[IDEMPOTENCY_EXTENSION])),)
        return Operation(
            name=name, operation_id=op_id, method=raw.method.upper(), path=raw.path,
            summary=_text(raw.node.get("summary")), description=description_of(raw.node),
            parameters=params, body=body.type, body_required=body.required, result=result,
            stream_event=stream, tags=raw.tags, extensions=extensions,
            body_encoding=body.encoding, file_fields=body.files, deep_fields=body.deep,
            body_media=body.media,
            origin=self._origin(raw.node, raw.file, raw.pointer),
            extension_origins=tuple(
                (key, self._extension_origin(raw, key)) for key, _ in extensions
                if key in raw.node),
        )

    def _origin(self, node: Any, file: Path, pointer: str, key: str | None = None) -> Origin:
        """Where `node` (or its `key`) is written, as messages name it."""
        where, line, column = self.specs.location(node, key)
        return Origin(self.resolver.show(where or file), pointer, line, column)

    def _extension_origin(self, raw: _Raw, key: str) -> Origin:
        """Where an extension's value is written (its key's place when the value is a scalar)."""
        pointer = f"{raw.pointer}/{escape_pointer(key)}"
        found = self._origin(raw.node[key], raw.file, pointer)
        return found if found.line is not None else self._origin(raw.node, raw.file, pointer, key)

    # ---- parameters --------------------------------------------------------------------------

    def _parameters(self, raw: _Raw, hint: str) -> tuple[Parameter, ...]:
        merged: dict[tuple[str, str], tuple[Any, Path, str, str]] = {}
        sources = [(p, raw.path_file, f"{raw.path_pointer}/{i}") for i, p in
                   enumerate(raw.path_params)]
        own = raw.node.get("parameters") or []
        if not isinstance(own, list):
            raise self.resolver.fail("`parameters` must be a list", own, raw.file, raw.pointer,
                                     key="parameters")
        sources += [(p, raw.file, f"{raw.pointer}/parameters/{i}") for i, p in enumerate(own)]
        for node, file, pointer in sources:
            ref_key = ""
            if isinstance(node, dict) and isinstance(node.get("$ref"), str):
                ref_key = node["$ref"].rsplit("/", 1)[-1]
            node, file, pointer = self.resolver.follow(node, file, pointer)
            if not isinstance(node, dict) or not isinstance(node.get("name"), str):
                raise self.resolver.fail("a parameter needs a `name` and an `in`", node, file,
                                         pointer)
            location = node.get("in")
            if location not in ("path", "query", "header", "cookie"):
                raise self.resolver.fail(f"parameter {node['name']!r} has unsupported `in`: "
                                         f"{location!r}", node, file, pointer, key="in",
                                         hint="use path, query or header")
            merged[(str(location), node["name"])] = (node, file, pointer, ref_key)
        declared = PATH_PARAM.findall(raw.path)
        params: list[Parameter] = []
        for (location, json_name), (node, file, pointer, ref_key) in merged.items():
            if location == "cookie":
                self.resolver.note("cookie-param-unsupported",
                                   f"cookie parameter {json_name!r} is not supported; the client "
                                   "does not send it", node, file, pointer)
                continue
            if location == "header" and json_name.lower() in IGNORED_HEADERS:
                continue
            if location == "path" and json_name not in declared:
                self.resolver.warn("path-param-not-in-template", f"path parameter {json_name!r} "
                                   f"does not appear in {raw.path!r}", node, file, pointer,
                                   key="name", repair="it is left out",
                                   hint="rename the parameter to a {name} of the path")
                continue
            params.append(self._parameter(node, file, pointer, location, json_name,
                                          ref_key or hint + names.pascal(json_name)))
        for missing in dict.fromkeys(p for p in declared if ("path", p) not in merged):
            self.resolver.warn("path-param-undeclared", f"{raw.method.upper()} {raw.path} "
                               f"declares no parameter for {{{missing}}}", raw.node, raw.file,
                               raw.pointer, repair="it becomes a required string argument",
                               hint="add `- {name: ..., in: path, required: true, schema: "
                                    "{type: string}}`")
            params.append(Parameter(names.field_name(missing), missing, "path", TypeRef("str"),
                                    True, ""))
        order = {name: i for i, name in enumerate(declared)}
        params.sort(key=lambda p: (("path", "query", "header").index(p.location),
                                   order.get(p.json_name, 0)))
        return tuple(params)

    def _parameter(self, node: dict[str, Any], file: Path, pointer: str, location: str,
                   json_name: str, hint: str) -> Parameter:
        schema, spointer = node.get("schema"), f"{pointer}/schema"
        if schema is None and isinstance(node.get("content"), dict) and node["content"]:
            media, schema = next(iter(node["content"].items()))
            spointer = f"{pointer}/content/{escape_pointer(str(media))}/schema"
        required = location == "path" or node.get("required") is True
        description = description_of(node)
        chosen = node.get(ARGUMENT_EXTENSION)
        py_name = names.field_name(chosen if isinstance(chosen, str) and chosen.strip()
                                   else json_name)
        target = self.resolver.follow(schema, file, spointer)[0] if schema is not None else None
        info = enum_info(target) if isinstance(target, dict) else None
        if (location == "header" and required and info is not None and len(info.values) == 1
                and isinstance(info.values[0], str)):
            return Parameter(py_name, json_name, "header", TypeRef("str"),
                             True, description, info.values[0], self._origin(node, file, pointer))
        tref = (self.resolver.standalone_type(schema, file, spointer, hint) if schema is not None
                else TypeRef("str"))
        return Parameter(py_name, json_name, location,  # type: ignore[arg-type]
                         tref, required, description, origin=self._origin(node, file, pointer))

    # ---- bodies and responses ----------------------------------------------------------------

    def _body(self, raw: _Raw, hint: str) -> _Body:
        node = raw.node.get("requestBody")
        if node is None:
            return _Body()
        node, file, pointer = self.resolver.follow(node, raw.file, f"{raw.pointer}/requestBody")
        if not isinstance(node, dict):
            raise self.resolver.fail("`requestBody` must be a mapping", node, file, pointer)
        media = _json_media(node.get("content"))
        encoding: Literal["json", "multipart", "form", "binary"] = "json"
        if media is None:
            media, encoding = _form_media(node.get("content"))
        if media is None:
            media = self._binary_media(node.get("content"), file)
            encoding = "binary" if media is not None else "json"
        if media is None:
            kinds = ", ".join(node.get("content") or {}) or "no content"
            if node.get("required") is not True and not node.get("content"):
                return _Body()
            self.resolver.note("body-not-json", f"{raw.method.upper()} {raw.path}: request "
                               f"body ({kinds}) is neither JSON, a form nor a file; the client "
                               "has no method for this operation", node, file, pointer)
            raise _NotJSON
        key, content = media
        schema = content.get("schema") if isinstance(content, dict) else None
        spointer = f"{pointer}/content/{escape_pointer(key)}/schema"
        tref = (self.resolver.standalone_type(schema, file, spointer, hint + "Request")
                if schema is not None else TypeRef("any"))
        files: tuple[str, ...] = ()
        deep: tuple[str, ...] = ()
        if encoding != "json":
            members = self._members(schema, file, spointer)
            files = tuple(name for name, member in members.items() if self._is_file(member, file))
            declared = content.get("encoding") if isinstance(content, dict) else None
            deep = tuple(name for name, how in (declared or {}).items()
                         if isinstance(how, dict) and how.get("style") == "deepObject")
            files = files if encoding == "multipart" else ()
        media_type = key.split(";")[0].strip() if encoding == "binary" else ""
        if "*" in media_type:  # `*/*`, `image/*`: the caller's extra_headers may say better
            media_type = "application/octet-stream"
        return _Body(tref, node.get("required") is True, encoding, files, deep, media_type)

    def _binary_media(self, content: Any, file: Path) -> tuple[str, Any] | None:
        """The entry of a body that is one file: a media type for files (`image/png`,
        `application/octet-stream`, `*/*`…) or a binary string schema."""
        if not isinstance(content, dict):
            return None
        for key, value in content.items():
            base = str(key).split(";")[0].strip().lower()
            schema = value.get("schema") if isinstance(value, dict) else None
            if (base in ("application/octet-stream", "application/pdf", "application/zip",
                         "*/*")
                    or base.split("/")[0] in ("image", "audio", "video", "font")
                    or (schema is not None and self._is_file(schema, file))):
                return str(key), value
        return None

    def _members(self, schema: Any, file: Path, pointer: str, depth: int = 0
                 ) -> dict[str, Any]:
        """The properties of a form body's schema (through `$ref` and `allOf`), by JSON name."""
        if depth > 32:  # an allOf that includes itself: its cycle is reported elsewhere
            return {}
        try:
            schema, file, pointer = self.resolver.follow(schema, file, pointer)
        except RefError:  # reported where the body's type is resolved
            return {}
        if not isinstance(schema, dict):
            return {}
        found: dict[str, Any] = {}
        for i, part in enumerate(schema.get("allOf") or []):
            found.update(self._members(part, file, f"{pointer}/allOf/{i}", depth + 1))
        props = schema.get("properties")
        if isinstance(props, dict):
            found.update({str(k): v for k, v in props.items()})
        return found

    def _is_file(self, member: Any, file: Path, depth: int = 0) -> bool:
        """Whether a multipart member is file content: `format: binary` (3.0), a
        `contentMediaType` (3.1), an array of such, or a choice including one."""
        try:
            member, file, _ = self.resolver.follow(member, file)
        except RefError:  # reported where the member's type is resolved
            return False
        if not isinstance(member, dict):
            return False
        if depth >= 8:
            return False
        if member.get("type") == "array" or "items" in member:
            return self._is_file(member.get("items"), file, depth + 1)
        for key in ("anyOf", "oneOf"):  # one file or an array of them, say
            if isinstance(member.get(key), list) and any(
                    self._is_file(m, file, depth + 1) for m in member[key]):
                return True
        return member.get("format") == "binary" or isinstance(member.get("contentMediaType"),
                                                               str)

    def _responses(self, raw: _Raw, hint: str) -> tuple[TypeRef | None, TypeRef | None]:
        responses = raw.node.get("responses")
        if not isinstance(responses, dict):
            return None, None
        codes = sorted((c for c in responses if str(c).startswith("2")),
                       key=lambda c: str(c).upper().replace("X", "9"))
        for code in codes:
            node, file, pointer = self.resolver.follow(responses[code], raw.file,
                                              f"{raw.pointer}/responses/{code}")
            content = node.get("content") if isinstance(node, dict) else None
            if not isinstance(content, dict) or not content:
                if str(code) in ("204", "205") or len(codes) == 1:
                    return None, None
                continue
            result = stream = None
            media = _json_media(content)
            if media is not None and isinstance(media[1], dict) and "schema" in media[1]:
                result = self.resolver.standalone_type(
                    media[1]["schema"], file,
                    f"{pointer}/content/{escape_pointer(media[0])}/schema", hint + "Response")
            sse = content.get("text/event-stream")
            if isinstance(sse, dict) and "schema" in sse:
                stream = self.resolver.standalone_type(
                    sse["schema"], file, f"{pointer}/content/text~1event-stream/schema",
                    hint + "Event")
            if result is not None or stream is not None:
                return result, stream
        return None, None


@dataclass(frozen=True)
class _Body:
    """What an operation's request body is: its type, and how it is encoded."""

    type: TypeRef | None = None
    required: bool = False
    encoding: Literal["json", "multipart", "form", "binary"] = "json"
    files: tuple[str, ...] = ()
    deep: tuple[str, ...] = ()
    media: str = ""


class _NotJSON(Exception):
    """The operation's request body is not JSON (multipart, binary…): no method for it."""


def _json_media(content: Any) -> tuple[str, Any] | None:
    if not isinstance(content, dict):
        return None
    for key, value in content.items():
        base = str(key).split(";")[0].strip().lower()
        if base == "application/json" or base.endswith("+json"):
            return str(key), value
    return None


def _form_media(content: Any) -> tuple[tuple[str, Any] | None,
                                      Literal["json", "multipart", "form"]]:
    """The multipart or URL-encoded form entry of a body's content (multipart first)."""
    if isinstance(content, dict):
        bases = {str(key).split(";")[0].strip().lower(): key for key in content}
        for base, encoding in (("multipart/form-data", "multipart"),
                               ("application/x-www-form-urlencoded", "form")):
            if base in bases:
                key = bases[base]
                return (str(key), content[key]), encoding  # type: ignore[return-value]
    return None, "json"


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _plain(value: Any) -> Any:
    """Plain dicts/lists (the loader's mappings carry positions)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# ---- selection, names, headers --------------------------------------------------------------


def _select(found: list[_Raw], select: Sequence[str], resolver: Resolver) -> list[_Raw]:
    if not select:
        return found
    tags = [item[4:] for item in select if item.startswith("tag:")]
    prefixes = [item[5:] for item in select if item.startswith("path:")]
    for tag in tags:
        if not any(tag in raw.tags for raw in found):
            known = sorted({t for raw in found for t in raw.tags})
            raise SpecError(f"--select names tag {tag!r}, which no operation has",
                            file=resolver.display,
                            hint=f"known tags: {', '.join(known)}" if known else
                            "the spec's operations have no tags")
    for prefix in prefixes:
        if not any(_under(raw.path, prefix) for raw in found):
            raise SpecError(f"--select names path {prefix!r}, which no operation is under",
                            file=resolver.display,
                            hint="paths start with '/', e.g. path:/threads")
    return [raw for raw in found
            if any(t in raw.tags for t in tags) or any(_under(raw.path, p) for p in prefixes)]


def _under(path: str, prefix: str) -> bool:
    prefix = prefix.rstrip("/") or "/"
    return path == prefix or path.startswith(prefix if prefix.endswith("/") else prefix + "/")


def _dedupe_names(operations: tuple[Operation, ...]) -> tuple[Operation, ...]:
    namer = names.Namer(RESERVED_METHOD_NAMES)
    out = []
    for op in operations:
        name = namer.claim(names.field_name(op.name))
        out.append(op if name == op.name else _renamed(op, name))
    return tuple(out)


def _renamed(op: Operation, name: str) -> Operation:
    from dataclasses import replace

    return replace(op, name=name)


def _common_headers(operations: tuple[Operation, ...]) -> tuple[tuple[str, str], ...]:
    """Fixed headers every operation sends with the same value: sent by the client always."""
    if not operations:
        return ()
    sets = [{(p.json_name, p.fixed_value) for p in op.parameters if p.fixed_value is not None}
            for op in operations]
    common = set.intersection(*sets)
    first = [(p.json_name, p.fixed_value) for p in operations[0].parameters
             if p.fixed_value is not None and (p.json_name, p.fixed_value) in common]
    return tuple((k, v) for k, v in first if v is not None)
