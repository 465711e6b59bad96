"""`client.py` from the client plan: the text of every method the plan lists.

What the client offers (names, arguments, pagination, polling, streaming) is decided in
`build/client_plan.py`; this module only turns each planned method into its signature, docstring
and statements, and the template places the finished strings.

No argument can shadow what a method body uses: every name a body binds is private (`_path`,
`_body`, `_fetched`, `_result`, the page function's `_after`…), and every other name it reads is
one argument naming never hands out (private like `_http` and the union decoders, imported as
`_decode_*`; capitalised like the models and `UNSET`; or `self`, `str`, `bool`…, which
`names.field_name` suffixes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2

from runmodels.build import names
from runmodels.build.operations import PATH_PARAM
from runmodels.emit import exprs, params
from runmodels.emit.order import isort_key
from runmodels.emit.views import ClientView, EventDecoderView, MethodView
from runmodels.ir.client_plan import CALL_OPTIONS, Argument, ClientMethod
from runmodels.ir.nodes import Entity, Model, Operation, Package, TypeRef, Union
from runmodels.ir.queries import type_refs


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
    out += [(n, params.MODULE) for n in params.exports(pkg)]
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

    def forward(self) -> str:
        """How a method passes this argument on to another taking the same one."""
        return f"{self.name}={self.name}" if self.keyword_only else self.name


# The keyword options after a method's spec arguments, by name; which a method takes (and in
# which order) is the plan's `ClientMethod.options`.
_OPTION_ARGS = {
    "extra_headers": Arg("extra_headers", "Mapping[str, str] | None", False,
                         "Headers to send with this request on top of the client's.", True,
                         "None"),
    "extra_query": Arg("extra_query", "Mapping[str, Any] | None", False, "Query parameters to "
                       "add to (or replace in) this request's URL.", True, "None"),
    "extra_body": Arg("extra_body", "Mapping[str, Any] | None", False, "JSON members to add to "
                      "(or replace in) this request's body.", True, "None"),
    "timeout": Arg("timeout", "float | None", False, "Total seconds for this request: connect, "
                   "headers and body (default: the client's).", True, "None"),
    "idempotency_key": Arg("idempotency_key", "str | None", False, "The idempotency key to send "
                           "(its retries send the same); makes a POST safe to retry.", True,
                           "None"),
    "max_retries": Arg("max_retries", "int | None", False, "Retries for this request (default: "
                       "the client's).", True, "None"),
    "poll_interval": Arg("poll_interval", "float", False, "Seconds between fetches while "
                         "polling when the server does not suggest one.", True, "1.0"),
    "poll_timeout": Arg("poll_timeout", "float | None", False, "Give up polling "
                        "(PollTimeoutError) after this many seconds; None waits for ever.",
                        True, "None"),
}
_POLL_OPTION_ARGS = {  # a poll method's own meaning of these names
    "interval": Arg("interval", "float", False, "Seconds between fetches when the server does "
                    "not suggest one (`openai-poll-after-ms`).", True, "1.0"),
    "timeout": Arg("timeout", "float | None", False, "Give up (PollTimeoutError) after this "
                   "many seconds; None waits for ever.", True, "None"),
}
_CALL_OPTIONS = tuple(_OPTION_ARGS[name] for name in CALL_OPTIONS)
# Around the decoding of arguments that may be plain dicts (`_arg_<name> = _as_model(...)`):
# what it found; `_arg_` begins no other local or helper name of a method
_DICT_ERRORS = ("_errors: _Problems = []", "if _errors:",
                "    raise DecodeError(_errors)")
# How a request method hands its options (but `extra_headers`, merged into the headers) to the
# runtime's `_request_json` / `_stream`.
_OPTION_FORWARD = ("timeout=timeout, extra_query=extra_query, extra_body=extra_body, "
                   "idempotency_key=idempotency_key, max_retries=max_retries")


def _stream_arg(companion: str) -> Arg:
    return Arg("stream", "bool", False, f"Only False: for the events, call `{companion}` with the "
               "same arguments.", True, "False")


def _stream_refusal(m: ClientMethod, companion: str) -> str:
    return (f"{m.name}(stream=True) is not supported: call {companion}(...) with the same "
            "arguments for the stream of events")


def _options(m: ClientMethod) -> list[Arg]:
    """The option arguments of a planned method."""
    own = _POLL_OPTION_ARGS if m.kind == "poll" else {}
    return [own.get(name) or _OPTION_ARGS[name] for name in m.options]


@dataclass
class Method:
    """One method of the generated client."""

    name: str
    args: list[Arg]
    returns: str
    doc: str
    body: list[str]
    is_async: bool = False  # an `async def` (an async iterator method is a plain `def`)

    def view(self) -> MethodView:
        params = ["self"]
        star = False
        for arg in self.args:
            if arg.keyword_only and not star:
                params.append("*")
                star = True
            params.append(arg.signature())
        return MethodView(self.name, tuple(params), self.returns, self.doc, tuple(self.body),
                          "async def" if self.is_async else "def")


# ---- the view ------------------------------------------------------------------------------


class _Renderer:
    def __init__(self, pkg: Package) -> None:
        self.pkg = pkg
        self.operations = {op.name: op for op in pkg.operations}
        self.used: set[str] = set()  # entity names and public decoders the client refers to
        self.event_decoders: dict[str, EventDecoderView] = {}
        self.wraps_events = False  # some event is decoded as {"event": ..., "data": ...}
        self.multipart = False  # some body is a form: the client imports _multipart
        self.fixed = dict(pkg.fixed_headers)
        self.params = params.params_of(pkg)
        self.params_used: set[str] = set()  # plain-dict types the signatures name
        self.is_async = False  # rendering for AsyncClient
        self.aw = ""  # "await " there

    # ---- types ---------------------------------------------------------------------------

    def annotation(self, t: TypeRef) -> str:
        self.used.update(type_refs(t))
        return exprs.annotation(t)

    def argument_annotation(self, t: TypeRef) -> str:
        """A request argument's annotation: models also as their plain-dict TypedDicts."""
        plain = self.annotation(t)
        found = self.params.shape(t)
        if found is not None:
            self.params_used.add(self.params.names[found[1]])
        return self.params.argument_annotation(t, plain)

    def argument_value(self, t: TypeRef, arg: str) -> str:
        """The expression passing argument `arg` on: plain dicts in it decoded into models."""
        found = self.params.shape(t)
        if found is None:
            return arg
        kind, ref = found
        decode = self.params.decode_function(ref)
        self.used.add(decode.split(".")[0])
        if decode.startswith("decode_"):  # a union's decoder is imported under a private name
            decode = _private(decode)
        helper = {"one": "_as_model", "list": "_as_models", "map": "_as_model_map"}[kind]
        return f"{helper}({arg}, {_lit(arg)}, {decode}, self.validate, _errors)"

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
            return entity.name, _private(public)
        return "Any", ""

    def event_decoder(self, t: TypeRef) -> tuple[str, str]:
        """(item annotation, name of the module-level `(event, data) -> item` function)."""
        entity = self.pkg.entities.get(t.ref) if t.ref else None
        key = entity.name if entity is not None else "Any"
        if key in self.event_decoders:
            found = self.event_decoders[key]
            return found.annotation, found.name
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
        self.event_decoders[key] = EventDecoderView(
            fn, annotation, tuple(lines),
            exprs.doc_literal(f"Decode one server-sent event as {annotation}."))
        return annotation, fn

    def body_model(self, op: Operation) -> Model | None:
        entity = self.pkg.entities.get(op.body.ref) if op.body is not None and op.body.ref else None
        if isinstance(entity, Model) and op.body is not None and not op.body.nullable:
            self.used.add(entity.name)
            return entity
        return None

    # ---- arguments -----------------------------------------------------------------------

    def arg(self, a: Argument, op: Operation) -> Arg:
        body = a.source in ("field", "body")
        if a.source == "field" and a.json_name in op.file_fields:
            annotation = _file_annotation(a.type)  # a multipart body's file member
        elif a.source == "body" and op.body_encoding == "binary":
            annotation = "_multipart.FileContent"  # the body is one file
        else:
            annotation = self.argument_annotation(a.type) if body else self.annotation(a.type)
        if a.source == "body":
            doc = "The request body."
        elif not a.renamed:
            doc = a.description
        elif a.source == "field":
            doc = _where_doc(f"The request body's field `{a.json_name}`.", a.description)
        else:
            doc = _where_doc(f"The {a.source} parameter `{a.json_name}`.", a.description)
        return Arg(a.name, annotation if a.required else f"{annotation} | Unset", a.required,
                   doc, a.keyword_only)

    # ---- statements ----------------------------------------------------------------------

    def request_lines(self, op: Operation, m: ClientMethod, set_body: dict[str, str]
                      ) -> list[str]:
        """Statements computing `_path`, `_body`, `_query`, `_headers` for `op`."""
        fields = {a.json_name: a.name for a in m.arguments if a.source in ("field", "body")}
        types = {a.json_name: a.type for a in m.arguments if a.source in ("field", "body")}
        params = {a.key: a.name for a in m.arguments if a.source not in ("field", "body")}
        lines: list[str] = []
        decoded = {json_name: self.argument_value(types[json_name], name)
                   for json_name, name in fields.items()}
        decoding = [f"_arg_{fields[key]} = {value}" for key, value in decoded.items()
                    if value != fields[key]]
        if decoding:  # arguments that may be plain dicts, as models (every problem at once)
            lines += [_DICT_ERRORS[0], *decoding, *_DICT_ERRORS[1:]]
        passed = {key: f"_arg_{name}" if decoded[key] != name else name
                  for key, name in fields.items()}
        model = self.body_model(op)
        if op.body_encoding == "binary" and op.body is not None:
            self.multipart = True
            name = fields[""]
            encode = f"_multipart.binary_body({name}, {_lit(op.body_media)})"
            lines.append(f"_body: Any = {encode}" if op.body_required
                         else f"_body: Any = None if isinstance({name}, Unset) else {encode}")
        elif op.body_encoding == "multipart" and model is not None:
            self.multipart = True
            members = [f"{_lit(key)}: {passed[key]}" for key in fields]
            members += [f"{_lit(key)}: {value}" for key, value in set_body.items()]
            files = ", ".join(_lit(name) for name in op.file_fields) + (
                "," if len(op.file_fields) == 1 else "")
            lines.append(f"_fields = _given({{{', '.join(members)}}})")
            lines.append("if self.validate:")
            lines.append(f"    _multipart.check_fields({model.name}.from_dict, _fields, "
                         f"files=({files}))")
            encode = f"_multipart.multipart_body(_fields, files=({files}))"
            lines.append(f"_body: Any = {encode}" if op.body_required
                         else f"_body: Any = {encode} if _fields else None")
        elif model is not None:
            values = [f"{f.name}={passed[f.json_name]}" for f in model.fields
                      if f.json_name in fields]
            values += [f"{_field_of(model, key)}={value}" for key, value in set_body.items()]
            lines.append(f"_body: Any = _model_body({model.name}({', '.join(values)}))")
            lines.append("if self.validate:")
            lines.append(f"    {model.name}.from_dict(_body, strict=True)")
            if not op.body_required:
                lines.append("_body = _body or None")
            lines += self.form_lines(op)
        elif op.body is not None:
            name, value = fields[""], passed[""]
            lines.append(f"_body = None if {name} is UNSET else _json_body({value})"
                         if not op.body_required else f"_body = _json_body({value})")
            entity = self.pkg.entities.get(op.body.ref) if op.body.ref else None
            if isinstance(entity, Union) and not op.body.nullable:
                public = f"decode_{names.snake(entity.name)}"
                self.used.add(public)
                lines.append("if self.validate and _body is not None:")
                lines.append(f"    {_private(public)}(_body, strict=True)")
            lines += self.form_lines(op)
        else:
            lines.append("_body = None")
        lines.append(f"_path = {_path_expr(op, params)}")
        query = [p for p in op.parameters if p.fixed_value is None and p.location == "query"]
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

    def method(self, m: ClientMethod, *, is_async: bool = False) -> Method:
        """The text of a planned method for `Client`, or for `AsyncClient` (the same
        signature and statements, awaiting the runtime where the sync one calls it)."""
        op = self.operations[m.operation]
        self.body_model(op)
        args = [self.arg(a, op) for a in m.arguments]
        self.is_async = is_async
        self.aw = "await " if is_async else ""
        if m.kind == "stream":
            return self.stream(op, m, [*args, *_options(m)])
        if m.kind == "iter":
            return self.iterate(op, m, [*args, *_options(m)])
        if m.kind == "poll":
            return self.poll(op, m, args)
        if m.kind == "and_poll":
            return self.and_poll(op, m, args)
        return self.call(op, m, [*args, *_options(m)])

    def call(self, op: Operation, m: ClientMethod, args: list[Arg]) -> Method:
        """A plain request (`call`), or the private one also returning headers (`headers`)."""
        returns, decode = self.decode_fn(op.result)
        doc_returns = f"The {returns} the server answered with." if returns not in (
            "None", "Any") else ""
        if m.delegate:
            forward = ", ".join(a.forward() for a in args)
            call = f"self.{m.delegate}({forward})"
            return Method(m.name, args, returns, self.doc(op, args, "", doc_returns),
                          [f"return ({self.aw}{call})[0]" if self.is_async else
                           f"return {call}[0]"], self.is_async)
        body = self.request_lines(op, m, {})
        companion = m.stream_variant
        if companion:  # the openai-python habit `create_run(stream=True)`, answered
            args = [*args, _stream_arg(companion)]
            body[:0] = ["if stream:", f"    raise TypeError({_lit(_stream_refusal(m, companion))})"]
        body.append(f'_res = {self.aw}self._request_json({_lit(op.method)}, _path, '
                    f'query=_query, body=_body, headers=_headers, '
                    f'{_OPTION_FORWARD}{_idempotency(m)})')
        where = f'f"{op.method} {{self.base_url}}/{{_path}}"'
        value = f"_decode({decode}, _res.data, {where})" if decode else "_res.data"
        if returns == "None":
            value = "None"
        if m.kind == "headers":
            return Method(m.name, args, f"tuple[{returns}, Mapping[str, str]]",
                          exprs.doc_literal(f"{op.name}, also returning the response headers."),
                          [*body, f"return {value}, _res.headers"], self.is_async)
        if returns == "None":  # nothing to return: just send (ruff's RET501 / PLR1711)
            body[-1] = body[-1].replace("_res = ", "", 1)
        else:
            body.append(f"return {value}")
        return Method(m.name, args, returns, self.doc(op, args, "", doc_returns), body,
                      self.is_async)

    def stream(self, op: Operation, m: ClientMethod, args: list[Arg]) -> Method:
        assert op.stream_event is not None
        item, fn = self.event_decoder(op.stream_event)
        body = self.request_lines(op, m, {"stream": "True"} if m.sets_stream else {})
        body.append(f"_events = {self.aw}self._stream({_lit(op.method)}, _path, query=_query, "
                    f"body=_body, headers=_headers, {_OPTION_FORWARD}{_idempotency(m)})")
        stream = "AsyncStream" if self.is_async else "Stream"
        body.append(f'return {stream}(_events, {fn}, f"{op.method} {{self.base_url}}/{{_path}}")')
        first = (f"{op.summary.rstrip('.')}, streaming its events." if op.summary
                 else f"{op.method} {op.path}, streaming its events.")
        doc = self.doc(op, args, first, f"{'An' if self.is_async else 'A'} {stream} of {item} "
                                        "events; `done` ends it, an `error` event raises "
                                        "APIError.")
        return Method(m.name, args, f"{stream}[{item}]", doc, body, self.is_async)

    def iterate(self, op: Operation, m: ClientMethod, args: list[Arg]) -> Method:
        assert m.pagination is not None
        item = self.annotation(m.pagination.item)
        forward = [a.forward() for a in args]
        forward.append(f"{m.pagination.cursor}=UNSET if _after is None else _after")
        define = "async def" if self.is_async else "def"
        body = [
            f"{define} _page(_after: str | None) -> _Page[{item}]:",
            f"    _fetched = {self.aw}self.{op.name}({', '.join(forward)})",
            "    return _page_of(_fetched.data, _fetched.has_more, _fetched.last_id)",
            "",
            "return self._paginate(_page)",
        ]
        first = f"Iterate over every {item} of `{op.name}`, fetching the next page only when needed."
        iterator = "AsyncIterator" if self.is_async else "Iterator"
        return Method(m.name, args, f"{iterator}[{item}]", self.doc(op, args, first), body)

    def poll(self, op: Operation, m: ClientMethod, args: list[Arg]) -> Method:
        assert m.poll is not None
        returns, _ = self.decode_fn(op.result)
        forward = ", ".join([*(a.forward() for a in args), "extra_headers=extra_headers"])
        helper = m.poll.helper
        test = f"not _value.{helper}" if m.poll.negate else f"_value.{helper}"
        body = [(f"return {self.aw}self._poll(lambda: self.{m.poll.fetch}({forward}), "
                 f"lambda _value: {test}, interval=interval, timeout=timeout)")]
        state = f"`{helper}` is false" if m.poll.negate else f"`{helper}` is true"
        first = f"Fetch with `{op.name}` until {state}, honouring `openai-poll-after-ms`."
        all_args = [*args, *_options(m)]
        return Method(m.name, all_args, returns,
                      self.doc(op, all_args, first, f"The last {returns}."), body, self.is_async)

    def and_poll(self, op: Operation, m: ClientMethod, args: list[Arg]) -> Method:
        assert m.then_poll is not None
        returns, _ = self.decode_fn(op.result)
        # the plan's `result.<attr>` targets read the operation's answer, held in `_result`
        targets = [f"_{t}" if t.startswith("result.") else t for t in m.then_poll.targets]
        all_args = [*args, *_options(m)]
        forward = ", ".join(a.forward() for a in [*args, *_CALL_OPTIONS])
        uses_result = any(t.startswith("_result.") for t in targets)
        body = [
            f"{'_result = ' if uses_result else ''}{self.aw}self.{op.name}({forward})",
            (f"return {self.aw}self.{m.then_poll.poll}({', '.join(targets)}, "
             "interval=poll_interval, timeout=poll_timeout, extra_headers=extra_headers)"),
        ]
        first = f"`{op.name}`, then `{m.then_poll.poll}` until the result settles."
        return Method(m.name, all_args, returns,
                      self.doc(op, all_args, first, f"The settled {returns}."), body,
                      self.is_async)

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
        lines = []
        for source, symbols in sorted(grouped.items()):
            ordered = sorted(symbols, key=isort_key)
            plain = [s for s in ordered if not s.startswith("decode_")]
            if plain:
                lines.append(f"from .models.{source} import {', '.join(plain)}")
            # union decoders under private names (ruff's isort keeps an `as` on its own line)
            lines += [f"from .models.{source} import {s} as {_private(s)}"
                      for s in ordered if s.startswith("decode_")]
        return lines

    def type_imports(self) -> list[str]:
        """The plain-dict types the signatures name: for type checkers only, so importing the
        client does not build a TypedDict per request model."""
        used = sorted(self.params_used, key=isort_key)
        return [f"from .{params.MODULE} import {', '.join(used)}"] if used else []


def client_view(pkg: Package) -> ClientView:
    renderer = _Renderer(pkg)
    methods = [renderer.method(m).view() for m in pkg.client.methods]
    async_methods = [renderer.method(m, is_async=True).view() for m in pkg.client.methods]
    run_stream = run_stream_model(pkg)
    if run_stream is not None and any(n in pkg.entities for n in names.STREAM_EXPORTS):
        run_stream = None  # a schema of that name wins, as for the other client exports
    if run_stream is not None:
        renderer.used.add(run_stream)
    absolute = [s for s in pkg.servers if s.startswith(("http://", "https://"))]
    default_url = absolute[0].rstrip("/") if absolute else ""
    fixed = "{" + ", ".join(f"{_lit(k)}: {_lit(v)}" for k, v in
                            pkg.fixed_headers) + "}"
    return ClientView(
        title=exprs.doc_literal(f"{pkg.title}: the HTTP client generated by runmodels."),
        client_doc=exprs.doc_literal(_client_doc(pkg, default_url)),
        async_client_doc=exprs.doc_literal(_client_doc(pkg, default_url, asynchronous=True)),
        default_url=_lit(default_url),
        fixed_headers=fixed,
        imports=tuple(renderer.imports()),
        event_decoders=tuple(renderer.event_decoders.values()),
        wraps_events=renderer.wraps_events,
        methods=tuple(methods),
        async_methods=tuple(async_methods),
        run_stream=run_stream or "",
        multipart=renderer.multipart,
        **_module_helpers([*methods, *async_methods], renderer.event_decoders.values()),
        type_imports=tuple(renderer.type_imports()),
    )


# the module helpers of client.py, each only where some code calls it, and the `_runtime`
# names each needs: nothing private is left unused and no import goes unread
_HELPER_NEEDS = {"_given": ("UNSET",), "_header_values": ("UNSET", "enc"),
                 "_model_body": ("Model",), "_as_model": ("UNSET",), "_as_models": ("UNSET",),
                 "_as_model_map": ("UNSET",), "_json_body": ("enc",), "_decode": (),
                 "_page_of": ("Unset",)}
_RUNTIME_ALWAYS = ("DecodeError", "UnknownVariant")  # the stream classes, UnknownEvent
_RUNTIME_IN_CODE = ("UNSET", "Unset")  # also in signatures (`x: int | Unset = UNSET`)
_RUNTIME_ORDER = ("UNSET", "DecodeError", "Model", "UnknownVariant", "Unset", "enc")  # isort's


def _module_helpers(methods: Sequence[MethodView], decoders: Iterable[EventDecoderView]
                    ) -> dict[str, Any]:
    """`helpers` (the module helpers the methods and event decoders call, and "Sequence" when
    a signature or helper needs it) and `runtime_imports` (what client.py imports from
    `_runtime`), for ClientView."""
    code = "\n".join([line for m in methods for line in (*m.params, m.returns, *m.body)]
                     + [line for d in decoders for line in d.lines])
    used = {h for h in _HELPER_NEEDS if re.search(rf"(?<![\w.]){h}\(", code)}
    if used & {"_as_models", "_as_model_map"}:
        used.add("_as_model")  # which serves the sequence and map forms
    needed = {*_RUNTIME_ALWAYS, *(n for h in used for n in _HELPER_NEEDS[h])}
    needed |= {n for n in _RUNTIME_IN_CODE if re.search(rf"\b{n}\b", code)}
    if "Sequence[" in code or "_as_models" in used:
        used.add("Sequence")  # imported for the signatures or the helper
    return {"helpers": frozenset(used),
            "runtime_imports": tuple(n for n in _RUNTIME_ORDER if n in needed)}


def _client_doc(pkg: Package, default_url: str, *, asynchronous: bool = False) -> str:
    lines = [f"{'Asynchronous client' if asynchronous else 'Client'} of {pkg.title}.", ""]
    if asynchronous:
        lines += [("The methods of `Client`, as coroutines (`await client.<method>(...)`): "
                   "`iter_*` return async iterators (`async for`), `stream_*` an `AsyncStream` "
                   "(`async for`, `async with`); `await client.aclose()` when done."), ""]
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


def _idempotency(m: ClientMethod) -> str:
    header = m.idempotency_header
    return f", idempotency_header={_lit(header)}" if header else ""


# ---- helpers -------------------------------------------------------------------------------


def _private(decoder: str) -> str:
    """The name client.py imports a union's public decoder under: private, so that no argument
    of a method (spec names are never private) can shadow it."""
    return f"_{decoder}"


def _where_doc(where: str, description: str) -> str:
    """The doc of an argument renamed for a clash: where its value goes, then the spec's text."""
    return f"{where} {description}" if description else where


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


