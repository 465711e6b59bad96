"""View data for `client.py`: one method per operation plus pagination, polling and streaming.

Everything spec-dependent is decided here (names, signatures, statements); the template only
places the finished strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import jinja2

from runmodels.build import names
from runmodels.build.modules import type_refs
from runmodels.build.operations import IDEMPOTENCY_EXTENSION, PATH_PARAM, POLL_EXTENSION
from runmodels.emit import exprs
from runmodels.errors import SpecError
from runmodels.ir.nodes import Entity, Model, Operation, Package, Parameter, TypeRef, Union

# Per-call options every method takes; spec names meeting these get a number appended.
CALL_OPTIONS = ("extra_headers", "timeout")
_OPTION_DOCS = {
    "extra_headers": "Headers to send with this request on top of the client's.",
    "timeout": "Total seconds for this request: connect, headers and body (default: the "
               "client's).",
}
# `x-runmodels-idempotency` on an operation (or the document root, for all): true (send a
# generated `Idempotency-Key`), a header name (send it in that header) or false (none, even if
# the operation declares such a header).
DEFAULT_IDEMPOTENCY_HEADER = "Idempotency-Key"
_NON_IDEMPOTENT = ("POST", "PATCH")


def render_client(pkg: Package, env: jinja2.Environment, head: str) -> str:
    return env.get_template("client.py.jinja").render(header=head, c=client_view(pkg))


def run_stream_model(pkg: Package) -> str | None:
    """The run class of an Assistants-style event stream (the `data` of `thread.run.completed`),
    when an operation streams such events: the package then gets `RunStream`."""
    for op in pkg.operations:
        union = pkg.entities.get(op.stream_event.ref) if op.stream_event else None
        if not isinstance(union, Union):
            continue
        event = pkg.entities.get(dict(union.tag_map).get("thread.run.completed", ""))
        if isinstance(event, Model):
            data = next((f.type for f in event.fields if f.json_name == "data"), None)
            if data is not None and data.kind == "model":
                return data.ref
    return None


def client_exports(pkg: Package) -> list[tuple[str, str]]:
    """(name, module) pairs the package `__init__` exports lazily (no schema takes these names)."""
    out = [(n, "client") for n in names.CLIENT_EXPORTS]
    if run_stream_model(pkg) is not None:
        out += [(n, "_run_stream" if n == "RunEventHandler" else "client")
                for n in names.STREAM_EXPORTS]
    out += [(n, "_http") for n in names.HTTP_EXPORTS]
    return out


# ---- one argument of a generated method ------------------------------------------------------


@dataclass
class Arg:
    name: str  # Python name in the signature
    annotation: str
    required: bool
    doc: str
    keyword_only: bool
    default: str = "UNSET"

    def signature(self) -> str:
        if self.required:
            return f"{self.name}: {self.annotation}"
        return f"{self.name}: {self.annotation} = {self.default}"


@dataclass
class Method:
    """One method of the generated client."""

    name: str
    args: list[Arg]
    returns: str
    doc: str
    body: list[str]
    private: bool = False

    def view(self) -> dict[str, Any]:
        params = ["self"]
        star = False
        for arg in self.args:
            if arg.keyword_only and not star:
                params.append("*")
                star = True
            params.append(arg.signature())
        return {"name": self.name, "params": params, "returns": self.returns,
                "doc": self.doc, "body": self.body}


# ---- the view ------------------------------------------------------------------------------


class _Builder:
    def __init__(self, pkg: Package) -> None:
        self.pkg = pkg
        self.used: set[str] = set()  # entity names and public decoders the client refers to
        self.methods: list[Method] = []
        self.event_decoders: dict[str, dict[str, Any]] = {}
        self.wraps_events = False  # some event is decoded as {"event": ..., "data": ...}
        self.raw_names: dict[str, str] = {}  # operation -> its method returning headers too
        self.multipart = False  # some body is a form: the client imports _multipart
        self.namer = names.Namer({op.name for op in pkg.operations})
        self.fixed = dict(pkg.fixed_headers)

    # ---- types ---------------------------------------------------------------------------

    def annotation(self, t: TypeRef) -> str:
        self.used.update(type_refs(t))
        return exprs.annotation(t)

    def decode_fn(self, t: TypeRef | None) -> tuple[str, str]:
        """(return annotation, decode callable or "") for a response type."""
        if t is None:
            return "None", ""
        entity = self.pkg.entities.get(t.ref) if t.ref else None
        if isinstance(entity, Model) and not t.nullable:
            self.used.add(entity.name)
            return entity.name, f"{entity.name}.from_dict"
        if isinstance(entity, Union) and not t.nullable:
            public = f"decode_{names.snake(entity.name)}"
            self.used.update({entity.name, public})
            return entity.name, public
        return "Any", ""

    def event_decoder(self, t: TypeRef) -> tuple[str, str]:
        """(item annotation, name of the module-level `(event, data) -> item` function)."""
        entity = self.pkg.entities.get(t.ref) if t.ref else None
        key = entity.name if entity is not None else "Any"
        if key in self.event_decoders:
            found = self.event_decoders[key]
            return found["annotation"], found["name"]
        fn = f"_event_{names.snake(key)}" if entity is not None else "_event_any"
        annotation, decode = self.decode_fn(t.with_nullable(False)) if entity else ("Any", "")
        wrap = isinstance(entity, Union) and _wraps_event(entity, self.pkg.entities)
        if wrap:  # data of the wrong type is no such event: DecodeError, as Model.from_dict
            self.wraps_events = True
            lines = [f'value = {decode}({{"event": event, "data": data}})',
                     ("return UnknownEvent(event, data) if isinstance(value, UnknownVariant) "
                      'else whole(value, "data")')]
        elif isinstance(entity, Union):
            lines = [f"value = {decode}(data)",
                     ("return UnknownEvent(event, data) if isinstance(value, UnknownVariant) "
                      "else value")]
        elif decode:
            lines = [f"return {decode}(data)"]
        else:
            lines = ["return data"]
        self.event_decoders[key] = {"name": fn, "annotation": annotation, "lines": lines,
                                    "doc": exprs.doc_literal(
                                        f"Decode one server-sent event as {annotation}.")}
        return annotation, fn

    # ---- arguments -----------------------------------------------------------------------

    def op_args(self, op: Operation, *, drop_body: frozenset[str] = frozenset(),
                drop_params: frozenset[str] = frozenset()
                ) -> tuple[list[Arg], dict[str, str], dict[tuple[str, str], str]]:
        """Arguments of an operation's method; Python names of body fields (by JSON name) and
        of parameters (by location and JSON name).

        Names clash when a parameter and a body field (or two parameters in different places)
        share one: path parameters keep the plain name, then query, then header parameters, then
        body fields; a later one is suffixed with where it goes (`username_body`,
        `id_query`), so a name never depends on the order of the spec.
        """
        namer = names.Namer(set(CALL_OPTIONS) | {"self"})
        args: list[Arg] = []
        params: dict[tuple[str, str], str] = {}

        def claim(name: str, place: str) -> str:
            return namer.claim(name if name not in namer else f"{name}_{place}")

        for p in op.parameters:
            if p.fixed_value is not None or p.json_name in drop_params:
                continue
            name = claim(p.name, p.location)
            params[(p.location, p.json_name)] = name
            annotation = self.annotation(p.type)
            required = p.required
            doc = p.description if name == p.name else _where_doc(
                f"The {p.location} parameter `{p.json_name}`.", p.description)
            args.append(Arg(name, annotation if required else f"{annotation} | Unset", required,
                            doc, keyword_only=p.location != "path"))
        fields: dict[str, str] = {}
        model = self.body_model(op)
        if model is not None:
            for f in model.fields:
                if f.json_name in drop_body:
                    continue
                name = claim(f.name, "body")
                fields[f.json_name] = name
                doc = f.description if name == f.name else _where_doc(
                    f"The request body's field `{f.json_name}`.", f.description)
                annotation = (_file_annotation(f.type) if f.json_name in op.file_fields
                              else self.annotation(f.type))
                args.append(Arg(name, annotation if f.required else f"{annotation} | Unset",
                                f.required, doc, keyword_only=True))
        elif op.body is not None:
            name = namer.claim("body")
            annotation = self.annotation(op.body)
            args.append(Arg(name, annotation if op.body_required else f"{annotation} | Unset",
                            op.body_required, "The request body.", keyword_only=True))
            fields[""] = name
        return args, fields, params

    def body_model(self, op: Operation) -> Model | None:
        entity = self.pkg.entities.get(op.body.ref) if op.body is not None and op.body.ref else None
        if isinstance(entity, Model) and op.body is not None and not op.body.nullable:
            if op.body_encoding != "multipart":  # a multipart body is sent without its model
                self.used.add(entity.name)
            return entity
        return None

    @staticmethod
    def options() -> list[Arg]:
        return [
            Arg("extra_headers", "Mapping[str, str] | None", False, _OPTION_DOCS["extra_headers"],
                True, "None"),
            Arg("timeout", "float | None", False, _OPTION_DOCS["timeout"], True, "None"),
        ]

    # ---- statements ----------------------------------------------------------------------

    def request_lines(self, op: Operation, fields: dict[str, str],
                      params: dict[tuple[str, str], str], set_body: dict[str, str]) -> list[str]:
        """Statements computing `_path`, `_body`, `_query`, `_headers` for `op`."""
        lines: list[str] = []
        model = self.body_model(op)
        if op.body_encoding == "multipart" and model is not None:
            self.multipart = True
            members = [f"{_lit(key)}: {fields[key]}" for key in fields]
            members += [f"{_lit(key)}: {value}" for key, value in set_body.items()]
            files = ", ".join(_lit(name) for name in op.file_fields) + (
                "," if len(op.file_fields) == 1 else "")
            lines.append(f"_fields = _given({{{', '.join(members)}}})")
            encode = f"_multipart.multipart_body(_fields, files=({files}))"
            lines.append(f"_body: Any = {encode}" if op.body_required
                         else f"_body: Any = {encode} if _fields else None")
        elif model is not None:
            values = [f"{f.name}={fields[f.json_name]}" for f in model.fields
                      if f.json_name in fields]
            values += [f"{_field_of(model, key)}={value}" for key, value in set_body.items()]
            lines.append(f"_body: Any = _model_body({model.name}({', '.join(values)}))")
            lines.append("if self.validate:")
            lines.append(f"    {model.name}.from_dict(_body, strict=True)")
            if not op.body_required:
                lines.append("_body = _body or None")
            lines += self.form_lines(op)
        elif op.body is not None:
            name = fields[""]
            lines.append(f"_body = None if {name} is UNSET else _json_body({name})"
                         if not op.body_required else f"_body = _json_body({name})")
            entity = self.pkg.entities.get(op.body.ref) if op.body.ref else None
            if isinstance(entity, Union) and not op.body.nullable:
                public = f"decode_{names.snake(entity.name)}"
                self.used.add(public)
                lines.append("if self.validate and _body is not None:")
                lines.append(f"    {public}(_body, strict=True)")
            lines += self.form_lines(op)
        else:
            lines.append("_body = None")
        lines.append(f"_path = {_path_expr(op, params)}")
        query = [p for p in _free_params(op) if p.location == "query"]
        if query:
            pairs = ", ".join(f"{_lit(p.json_name)}: {params[('query', p.json_name)]}"
                              for p in query)
            lines.append(f"_query = _given({{{pairs}}})")
        else:
            lines.append("_query = None")
        headers = [p for p in op.parameters if p.location == "header"
                   and not (p.fixed_value is not None and self.fixed.get(p.json_name) ==
                            p.fixed_value)]
        if headers:
            pairs = ", ".join(
                f"{_lit(p.json_name)}: "
                + (_lit(p.fixed_value) if p.fixed_value is not None
                   else params[("header", p.json_name)])
                for p in headers)
            lines.append(f"_headers = _header_values({{{pairs}}}, extra_headers)")
        else:
            lines.append("_headers = extra_headers")
        return lines

    def form_lines(self, op: Operation) -> list[str]:
        """Statements turning the JSON data in `_body` into a form body, for a form operation."""
        if op.body_encoding == "json":
            return []
        self.multipart = True
        if op.body_encoding == "multipart":
            encode = "_multipart.multipart_body(_body, files=())"
        else:
            deep = ", ".join(_lit(name) for name in op.deep_fields) + (
                "," if len(op.deep_fields) == 1 else "")
            encode = (f"_multipart.form_body(_body, deep=({deep}))" if deep
                      else "_multipart.form_body(_body)")
        return [f"_body = {encode}" if op.body_required
                else f"_body = None if _body is None else {encode}"]

    # ---- methods -------------------------------------------------------------------------

    def build(self) -> None:
        polls = {op.name: _poll_spec(op) for op in self.pkg.operations}
        poll_ops = {name: spec for name, spec in polls.items() if spec is not None}
        for op in self.pkg.operations:
            self.add_operation(op, raw=op.name in poll_ops)
            self.add_stream(op)
            self.add_iter(op)
        for op in self.pkg.operations:
            spec = poll_ops.get(op.name)
            if spec is not None:
                self.add_poll(op, spec)

    def doc(self, op: Operation, args: list[Arg], first: str = "", returns: str = "") -> str:
        lines = [first or op.summary or f"{op.method} {op.path}"]
        if op.description and op.description != op.summary:
            lines += ["", op.description]
        documented = [a for a in args if a.doc]
        if documented:
            lines += ["", "Args:"]
            for a in documented:
                text = a.doc.strip().replace("\n", "\n        ")
                lines.append(f"    {a.name}: {text}")
        if returns:
            lines += ["", "Returns:", f"    {returns}"]
        return exprs.doc_literal("\n".join(lines))

    def add_operation(self, op: Operation, raw: bool) -> None:
        stream_only = op.stream_event is not None and op.result is None
        args, fields, params = self.op_args(op, drop_body=_stream_field(self, op))
        args += self.options()
        if stream_only and op.stream_event is not None:
            self.methods.append(self.stream_method(op, op.name, args, fields, params))
            return
        returns, decode = self.decode_fn(op.result)
        body = self.request_lines(op, fields, params, {})
        call = (f'_res = self._request_json({_lit(op.method)}, _path, query=_query, '
                f'body=_body, headers=_headers, timeout=timeout{_idempotency_arg(op)})')
        body.append(call)
        where = f'f"{op.method} {{self.base_url}}/{{_path}}"'
        value = f"_decode({decode}, _res.data, {where})" if decode else "_res.data"
        if returns == "None":
            value = "None"
        doc_returns = f"The {returns} the server answered with." if returns not in (
            "None", "Any") else ""
        if raw:
            raw_name = self.namer.claim(f"_{op.name}_with_headers")
            self.raw_names[op.name] = raw_name
            self.methods.append(Method(
                raw_name, args, f"tuple[{returns}, Mapping[str, str]]",
                exprs.doc_literal(f"{op.name}, also returning the response headers."),
                [*body, f"return {value}, _res.headers"], private=True))
            forward = ", ".join(a.name if not a.keyword_only else f"{a.name}={a.name}"
                                for a in args)
            self.methods.append(Method(op.name, args, returns, self.doc(op, args, "",
                                                                       doc_returns),
                                       [f"return self.{raw_name}({forward})[0]"]))
            return
        if returns == "None":  # nothing to return: just send (ruff's RET501 / PLR1711)
            body[-1] = body[-1].replace("_res = ", "", 1)
        else:
            body.append(f"return {value}")
        self.methods.append(Method(op.name, args, returns, self.doc(op, args, "", doc_returns),
                                   body))

    def stream_method(self, op: Operation, name: str, args: list[Arg], fields: dict[str, str],
                      params: dict[tuple[str, str], str]) -> Method:
        assert op.stream_event is not None
        item, fn = self.event_decoder(op.stream_event)
        model = self.body_model(op)
        set_body = {"stream": "True"} if model is not None and _field_of(model, "stream") else {}
        body = self.request_lines(op, fields, params, set_body)
        body.append(f"_events = self._stream({_lit(op.method)}, _path, query=_query, "
                    f"body=_body, headers=_headers, timeout=timeout{_idempotency_arg(op)})")
        body.append(f'return Stream(_events, {fn}, f"{op.method} {{self.base_url}}/{{_path}}")')
        first = (f"{op.summary.rstrip('.')}, streaming its events." if op.summary
                 else f"{op.method} {op.path}, streaming its events.")
        doc = self.doc(op, args, first, f"A Stream of {item} events; `done` ends it, an "
                                        "`error` event raises APIError.")
        return Method(name, args, f"Stream[{item}]", doc, body)

    def add_stream(self, op: Operation) -> None:
        if op.stream_event is None or op.result is None:
            return
        name = self.namer.claim(_stream_name(op.name))
        args, fields, params = self.op_args(op, drop_body=_stream_field(self, op))
        args += self.options()
        self.methods.append(self.stream_method(op, name, args, fields, params))

    def add_iter(self, op: Operation) -> None:
        page = self.page_info(op)
        if page is None:
            return
        item = page
        name = self.namer.claim(_iter_name(op.name))
        args, _, _ = self.op_args(op, drop_params=frozenset({"after"}))
        args += self.options()
        forward = []
        for a in args:
            forward.append(a.name if not a.keyword_only else f"{a.name}={a.name}")
        after_name = self.op_args(op)[2][("query", "after")]
        forward.append(f"{after_name}=UNSET if after is None else after")
        body = [
            f"def _page(after: str | None) -> tuple[list[{item}], bool, str | None]:",
            f"    page = self.{op.name}({', '.join(forward)})",
            "    return _page_of(page.data, page.has_more, page.last_id)",
            "",
            "return self._paginate(_page)",
        ]
        first = f"Iterate over every {item} of `{op.name}`, fetching the next page only when needed."
        self.methods.append(Method(name, args, f"Iterator[{item}]", self.doc(op, args, first),
                                   body))

    def page_info(self, op: Operation) -> str | None:
        """The item annotation when `op` is a cursor-paginated list, else None."""
        if not any(p.json_name == "after" and p.location == "query" and p.fixed_value is None
                   for p in op.parameters):
            return None
        entity = self.pkg.entities.get(op.result.ref) if op.result and op.result.ref else None
        if not isinstance(entity, Model) or (op.result and op.result.nullable):
            return None
        by_json = {f.json_name: f for f in entity.fields}
        data, has_more, last_id = (by_json.get(k) for k in ("data", "has_more", "last_id"))
        if data is None or has_more is None or last_id is None or data.type.kind != "list":
            return None
        if data.name != "data" or has_more.name != "has_more" or last_id.name != "last_id":
            return None
        return self.annotation(data.type.item or TypeRef("any"))

    def add_poll(self, op: Operation, spec: tuple[str, str, bool, tuple[str, ...]]) -> None:
        name, helper, negate, after = spec
        returns, _ = self.decode_fn(op.result)
        entity = self.pkg.entities.get(op.result.ref) if op.result and op.result.ref else None
        if not isinstance(entity, Model) or not any(h.name == helper for h in entity.helpers):
            raise SpecError(
                f"{POLL_EXTENSION} on {op.operation_id or op.name} names status helper "
                f"{helper!r}, which its response model does not have",
                hint="declare it under x-runmodels-status of the response schema")
        name = self.namer.claim(names.field_name(name))
        args, _, _ = self.op_args(op)
        poll_options = [
            Arg("interval", "float", False, "Seconds between fetches when the server does not "
                "suggest one (`openai-poll-after-ms`).", True, "1.0"),
            Arg("timeout", "float | None", False, "Give up (PollTimeoutError) after this many "
                "seconds; None waits for ever.", True, "None"),
            Arg("extra_headers", "Mapping[str, str] | None", False, _OPTION_DOCS["extra_headers"],
                True, "None"),
        ]
        raw_name = self.raw_names[op.name]
        forward = ", ".join(a.name if not a.keyword_only else f"{a.name}={a.name}"
                            for a in args)
        forward = f"{forward}, extra_headers=extra_headers" if forward else \
            "extra_headers=extra_headers"
        test = f"not value.{helper}" if negate else f"value.{helper}"
        body = [(f"return self._poll(lambda: self.{raw_name}({forward}), lambda value: {test}, "
                 "interval=interval, timeout=timeout)")]
        state = f"`{helper}` is false" if negate else f"`{helper}` is true"
        first = f"Fetch with `{op.name}` until {state}, honouring `openai-poll-after-ms`."
        all_args = args + poll_options
        self.methods.append(Method(name, all_args, returns, self.doc(op, all_args, first,
                                                                     f"The last {returns}."),
                                   body))
        poll_params = [p for p in _free_params(op) if p.location == "path"]
        for other in self.pkg.operations:
            if other.method != "POST" or other.result != op.result or other is op:
                continue
            if after and other.operation_id not in after and other.name not in after:
                continue
            if not after and (not other.body_required
                              or other.name.startswith(("modify_", "update_"))):
                continue  # default: the operations that start or resume processing
            self.add_and_poll(other, name, poll_params, entity)

    def add_and_poll(self, op: Operation, poll_name: str, poll_params: list[Parameter],
                     model: Model) -> None:
        args, _, _ = self.op_args(op, drop_body=_stream_field(self, op))
        own = {a.name: a for a in args}
        fields = {f.name: f for f in model.fields}
        values = []
        for i, p in enumerate(poll_params):
            if p.name in own and own[p.name].required and not own[p.name].keyword_only:
                values.append(p.name)
            elif p.name in fields and fields[p.name].required and not fields[p.name].type.nullable:
                values.append(f"result.{p.name}")
            elif i == len(poll_params) - 1 and "id" in fields and fields["id"].required:
                values.append("result.id")
            else:
                return  # the poll target cannot be told from the result: no companion
        name = self.namer.claim(f"{_strip_to(op.name)}_and_poll")
        options = [
            Arg("poll_interval", "float", False, "Seconds between fetches while polling when the "
                "server does not suggest one.", True, "1.0"),
            Arg("poll_timeout", "float | None", False, "Give up polling (PollTimeoutError) after "
                "this many seconds; None waits for ever.", True, "None"),
            *self.options(),
        ]
        all_args = args + options
        forward = ", ".join(a.name if not a.keyword_only else f"{a.name}={a.name}"
                            for a in args + self.options())
        uses_result = any(v.startswith("result.") for v in values)
        body = [
            f"{'result = ' if uses_result else ''}self.{op.name}({forward})",
            (f"return self.{poll_name}({', '.join(values)}, interval=poll_interval, "
             "timeout=poll_timeout, extra_headers=extra_headers)"),
        ]
        first = f"`{op.name}`, then `{poll_name}` until the result settles."
        returns = model.name
        self.methods.append(Method(name, all_args, returns,
                                   self.doc(op, all_args, first, f"The settled {returns}."),
                                   body))

    # ---- imports -------------------------------------------------------------------------

    def imports(self) -> list[str]:
        where: dict[str, str] = {}
        for module in self.pkg.modules:
            for name in module.entities:
                where[name] = module.name
                entity = self.pkg.entities[name]
                if isinstance(entity, Union):
                    where[f"decode_{names.snake(name)}"] = module.name
        grouped: dict[str, set[str]] = {}
        for symbol in self.used:
            if symbol in where:
                grouped.setdefault(where[symbol], set()).add(symbol)
        return [f"from .models.{module} import {', '.join(sorted(symbols, key=_isort_key))}"
                for module, symbols in sorted(grouped.items())]


def client_view(pkg: Package) -> dict[str, Any]:
    builder = _Builder(pkg)
    builder.build()
    run_stream = run_stream_model(pkg)
    if run_stream is not None and any(n in pkg.entities for n in names.STREAM_EXPORTS):
        run_stream = None  # a schema of that name wins, as for the other client exports
    if run_stream is not None:
        builder.used.add(run_stream)
    absolute = [s for s in pkg.servers if s.startswith(("http://", "https://"))]
    default_url = absolute[0].rstrip("/") if absolute else ""
    fixed = "{" + ", ".join(f"{_lit(k)}: {_lit(v)}" for k, v in
                            pkg.fixed_headers) + "}"
    return {
        "title": exprs.doc_literal(f"{pkg.title}: the HTTP client generated by runmodels."),
        "client_doc": exprs.doc_literal(_client_doc(pkg, default_url)),
        "default_url": _lit(default_url),
        "fixed_headers": fixed,
        "imports": builder.imports(),
        "event_decoders": list(builder.event_decoders.values()),
        "wraps_events": builder.wraps_events,
        "methods": [m.view() for m in builder.methods],
        "run_stream": run_stream or "",
        "multipart": builder.multipart,
    }


def _client_doc(pkg: Package, default_url: str) -> str:
    lines = [f"Client of {pkg.title}.", ""]
    lines.append("`base_url` falls back to `OPENAI_BASE_URL`, then to "
                 f"{default_url or 'nothing (it must be given)'}; `api_key` falls back to "
                 "`OPENAI_API_KEY`, and one of them must be set (`api_key=\"\"` for an API "
                 "without keys).")
    if pkg.fixed_headers:
        shown = ", ".join(f"`{k}: {v}`" for k, v in pkg.fixed_headers)
        lines.append(f"Every request sends {shown}, as the API requires.")
    lines.append("Request bodies are checked against the models' strict rules before sending "
                 "unless `validate=False`.")
    return "\n".join(lines)


# ---- helpers -------------------------------------------------------------------------------


def _where_doc(where: str, description: str) -> str:
    """The doc of an argument renamed for a clash: where its value goes, then the spec's text."""
    return f"{where} {description}" if description else where


def _free_params(op: Operation) -> list[Parameter]:
    """Parameters that become arguments, in the order `op_args` lists them."""
    return [p for p in op.parameters if p.fixed_value is None]


def _field_of(model: Model, json_name: str) -> str:
    for f in model.fields:
        if f.json_name == json_name:
            return f.name
    return ""


def _file_annotation(t: TypeRef) -> str:
    """A multipart file member's argument type: one file, a list of them, or (for a member
    that is a choice, such as a file or an array of files) either."""
    if t.kind == "list":
        return "list[_multipart.FileInput]"
    if t.kind in ("union", "any"):
        return "_multipart.FileInput | list[_multipart.FileInput]"
    return "_multipart.FileInput"


def uses_forms(pkg: Package) -> bool:
    """Whether an operation sends a form body: the package then gets `_multipart.py`."""
    return any(op.body is not None and op.body_encoding != "json" for op in pkg.operations)


def _stream_field(builder: _Builder, op: Operation) -> frozenset[str]:
    """The `stream` body member is the streaming variant's business, not the plain method's."""
    if op.stream_event is None:
        return frozenset()
    model = builder.body_model(op)
    if model is not None and _field_of(model, "stream"):
        return frozenset({"stream"})
    return frozenset()


def idempotency_header(op: Operation) -> str | None:
    """The header a POST/PATCH sends its generated idempotency key in, if the spec asks for one.

    A header parameter named `Idempotency-Key` (or `X-Idempotency-Key`, any case) names it; else
    `x-runmodels-idempotency: true` asks for `Idempotency-Key`, a string for that header.
    """
    ext = dict(op.extensions).get(IDEMPOTENCY_EXTENSION)
    where = f"{IDEMPOTENCY_EXTENSION} on {op.operation_id or f'{op.method} {op.path}'}"
    if ext is not None and not isinstance(ext, (bool, str)):
        raise SpecError(f"{where} must be true, false or a header name",
                        hint="e.g. `x-runmodels-idempotency: Idempotency-Key`")
    if isinstance(ext, str) and not re.fullmatch(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+", ext):
        raise SpecError(f"{where}: {ext!r} is not an HTTP header name",
                        hint="a token such as Idempotency-Key")
    if ext is False or op.method not in _NON_IDEMPOTENT:
        return None
    declared = [p.json_name for p in op.parameters if p.location == "header"
                and p.json_name.lower() in ("idempotency-key", "x-idempotency-key")]
    if declared:
        return declared[0]
    if ext is True:
        return DEFAULT_IDEMPOTENCY_HEADER
    return ext or None


def _idempotency_arg(op: Operation) -> str:
    header = idempotency_header(op)
    return f", idempotency_header={_lit(header)}" if header else ""


def _wraps_event(union: Union, entities: dict[str, Entity]) -> bool:
    """Whether the union's variants are `{event, data}` objects told apart by `event`."""
    if union.tag != "event" or not union.tag_map:
        return False
    for _, name in union.tag_map:
        model = entities.get(name)
        if not isinstance(model, Model) or not _field_of(model, "data"):
            return False
    return True


def _path_expr(op: Operation, params: dict[tuple[str, str], str]) -> str:
    """An f-string building the request path, path parameters percent-encoded."""
    path = op.path.lstrip("/")
    out, last = [], 0
    for match in PATH_PARAM.finditer(path):
        out.append(_fstring_text(path[last:match.start()]))
        arg = params[("path", match.group(1))]
        assert arg.isidentifier()  # a Python name: safe inside quotes, and what the caller wrote
        out.append(f"{{_http.quote_path_param({arg}, '{arg}')}}")
        last = match.end()
    if not out:
        return _lit(path)
    out.append(_fstring_text(path[last:]))
    return 'f"' + "".join(out) + '"'


def _fstring_text(text: str) -> str:
    """`text` escaped for the inside of a double-quoted f-string."""
    out = []
    for ch in text:
        if ch in "{}":
            out.append(ch * 2)
        elif ch in '"\\':
            out.append("\\" + ch)
        elif " " <= ch <= "~":
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else
                       f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(out)


def _lit(value: str) -> str:
    """A Python literal meaning exactly `value`."""
    return exprs.literal(value)


def _poll_spec(op: Operation) -> tuple[str, str, bool, tuple[str, ...]] | None:
    """(method name, status helper, negate, companion op ids) from x-runmodels-poll."""
    ext = dict(op.extensions).get(POLL_EXTENSION)
    if ext is None:
        return None
    bad = (f"{POLL_EXTENSION} must be {{name: poll_x, until-not: helper}} or "
           "{name: poll_x, until: helper} (optional `after: [operationId, ...]`)")
    if not isinstance(ext, dict) or not isinstance(ext.get("name"), str):
        raise SpecError(bad, hint=f"on {op.method} {op.path}")
    helper = ext.get("until-not", ext.get("until"))
    if not isinstance(helper, str):
        raise SpecError(bad, hint=f"on {op.method} {op.path}")
    after = ext.get("after") or []
    if not isinstance(after, list) or not all(isinstance(a, str) for a in after):
        raise SpecError(bad, hint=f"on {op.method} {op.path}")
    return ext["name"], helper, "until-not" in ext, tuple(after)


def _strip_to(name: str) -> str:
    """`submit_tool_outputs_to_run` -> `submit_tool_outputs`."""
    head, sep, tail = name.rpartition("_to_")
    return head if sep and head and "_" not in tail else name


def _stream_name(name: str) -> str:
    """`create_run` -> `stream_run`; `submit_tool_outputs_to_run` -> `stream_submit_tool_outputs`."""
    if name.startswith("create_") and len(name) > 7:
        return "stream_" + name[7:]
    return "stream_" + _strip_to(name)


def _iter_name(name: str) -> str:
    """`list_runs` -> `iter_runs`; `get_chat_completion_messages` -> `iter_chat_…_messages`."""
    for prefix in ("list_", "get_"):
        if name.startswith(prefix) and len(name) > len(prefix):
            return "iter_" + name[len(prefix):]
    return "iter_" + name


def _isort_key(symbol: str) -> tuple[int, str]:
    if symbol.isupper():
        return (0, symbol)
    if symbol[:1].isupper():
        return (1, symbol)
    return (2, symbol)
