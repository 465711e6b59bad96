"""Operations -> the client plan: every method, its arguments' final names, pagination, polling,
streaming and idempotency keys, decided once and validated with the spec's locations.

The rules, in the order methods are planned (a later name meeting an earlier one gets a number):

- every operation gets a method of its own name: `call`, or `stream` when it only answers
  server-sent events; an operation polled by `x-runmodels-poll` also gets a private `headers`
  method (the result and the response headers, which carry `openai-poll-after-ms`);
- an operation answering JSON *and* events gets `stream_<what>` (`create_run` -> `stream_run`),
  whose body sends `stream: true`; the plain method then leaves the `stream` member out;
- a cursor-paginated list (a query parameter `after`, a result with `data`, `has_more` and
  `last_id`) gets `iter_<what>` (`list_runs` -> `iter_runs`);
- `x-runmodels-poll: {name, until | until-not, after}` gives the operation a poll method, and
  the POST operations that start or resume what it polls a `<what>_and_poll` companion: those
  named in `after`, else those returning the same model with a required body that are not
  `modify_*`/`update_*`.

Arguments: path parameters keep their plain names, then query, then header parameters, then
body fields; a later one meeting an earlier name is suffixed with where it goes (`id_query`,
`username_body`), so no name depends on the order of the spec.  The keyword options are
reserved: the per-request ones of every method (`extra_headers`, `timeout`…), and for an
operation that is polled or has a `*_and_poll` companion also the poll options (`interval`,
`poll_interval`…), so that every method of one operation names an argument alike.  A spec name
meeting one is renamed the same way and reported as an `argument-renamed` warning.  An `iter_*`
method takes its list method's arguments but the cursor, under the same names, which its pages
forward as they are.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any

from runmodels.build import names
from runmodels.build.operations import (
    ARGUMENT_EXTENSION,
    IDEMPOTENCY_EXTENSION,
    POLL_EXTENSION,
)
from runmodels.build.resolve import FIELD_EXTENSION
from runmodels.errors import SpecError, SpecWarning
from runmodels.ir.client_plan import (
    POLL_OPTIONS,
    RESERVED_ARGUMENTS,
    THEN_POLL_OPTIONS,
    Argument,
    ClientMethod,
    ClientPlan,
    Pagination,
    Poll,
    ThenPoll,
)
from runmodels.ir.nodes import ANY_TYPE, Entity, Model, Operation, Origin, Parameter, TypeRef
from runmodels.ir.queries import page_data

# `x-runmodels-idempotency` on an operation (or the document root, for all): true (send a
# generated `Idempotency-Key`), a header name (send it in that header) or false (none, even if
# the operation declares such a header).
DEFAULT_IDEMPOTENCY_HEADER = "Idempotency-Key"
_NON_IDEMPOTENT = ("POST", "PATCH")
_POLL_SHAPE = ("{name: poll_x, until-not: status_helper} or {name: poll_x, until: status_helper}"
               " (optional after: [operationId, ...])")


def build_client_plan(operations: Sequence[Operation],
                      entities: Mapping[str, Entity]) -> ClientPlan:
    """The plan of the client for `operations`, typed through `entities`."""
    planner = _Planner(operations, entities)
    planner.plan()
    return ClientPlan(tuple(planner.methods), tuple(planner.warnings))


class _Planner:
    def __init__(self, operations: Sequence[Operation], entities: Mapping[str, Entity]) -> None:
        self.operations = operations
        self.entities = entities
        self.methods: list[ClientMethod] = []
        self.warnings: list[SpecWarning] = []
        self.namer = names.Namer({op.name for op in operations})
        # per operation: the option names its methods take, which no argument may take
        self.reserved = {op.name: set(RESERVED_ARGUMENTS) for op in operations}

    def plan(self) -> None:
        polls = {op.name: self.poll_of(op) for op in self.operations}
        for op in self.operations:  # the names every method of the operation must leave free
            found = polls[op.name]
            if found is not None:
                self.reserved[op.name] |= set(POLL_OPTIONS)
                for other in self.companions(op, found[2]):
                    self.reserved[other.name] |= set(THEN_POLL_OPTIONS)
        fetches: dict[str, str] = {}
        for op in self.operations:
            self.add_operation(op, polled=polls[op.name] is not None, fetches=fetches)
            self.add_stream(op)
            self.add_iter(op)
        for op in self.operations:
            found = polls[op.name]
            if found is not None:
                self.add_poll(op, *found, fetches[op.name])

    # ---- arguments -----------------------------------------------------------------------

    def arguments(self, op: Operation, *, drop_body: frozenset[str] = frozenset()
                  ) -> tuple[Argument, ...]:
        """The spec arguments of a method of `op`, with their final names."""
        reserved = self.reserved[op.name]
        namer = names.Namer(reserved)
        out: list[Argument] = []

        def claim(name: str, place: str, origin: Origin, extension: str) -> str:
            final = namer.claim(name if name not in namer else f"{name}_{place}")
            if name in reserved:
                self.renamed(op, name, final, origin, extension)
            return final

        for p in op.parameters:
            if p.fixed_value is not None:
                continue
            name = claim(p.name, p.location, p.origin, ARGUMENT_EXTENSION)
            out.append(Argument(name, p.location, p.json_name, p.type, p.required,
                                name != p.name, p.description))
        model = self.body_model(op)
        if model is not None:
            for f in model.fields:
                if f.json_name in drop_body:
                    continue
                name = claim(f.name, "body", f.origin, FIELD_EXTENSION)
                out.append(Argument(name, "field", f.json_name, f.type, f.required,
                                    name != f.name, f.description))
        elif op.body is not None:
            out.append(Argument(namer.claim("body"), "body", "", op.body, op.body_required))
        return tuple(out)

    def renamed(self, op: Operation, name: str, new: str, origin: Origin,
                extension: str) -> None:
        """Warn that a spec name met a per-request option (the method's users see it)."""
        where = origin if origin.file else op.origin
        warning = SpecWarning(
            "argument-renamed", f"{op.method} {op.path}: `{name}` is a keyword option of the "
            f"client's methods for this operation; the argument for the spec's `{name}` is "
            f"named `{new}`",
            repair=f"the argument is named {new}",
            hint=f"choose its name with {extension}", file=where.file or None, line=where.line,
            column=where.column, pointer=("#" + where.pointer) if where.pointer else None,
            limitation=True)
        if warning not in self.warnings:  # each method of the operation meets it again
            self.warnings.append(warning)

    def body_model(self, op: Operation) -> Model | None:
        """The request body's model, when the body is one (its fields become arguments)."""
        entity = self.entities.get(op.body.ref) if op.body is not None and op.body.ref else None
        if isinstance(entity, Model) and op.body is not None and not op.body.nullable:
            return entity
        return None

    def stream_field(self, op: Operation) -> frozenset[str]:
        """The `stream` body member is the streaming variant's business, not the plain one's."""
        model = self.body_model(op) if op.stream_event is not None else None
        if model is not None and any(f.json_name == "stream" for f in model.fields):
            return frozenset({"stream"})
        return frozenset()

    # ---- methods -------------------------------------------------------------------------

    def add_operation(self, op: Operation, *, polled: bool, fetches: dict[str, str]) -> None:
        args = self.arguments(op, drop_body=self.stream_field(op))
        key = idempotency_header(op)
        if op.stream_event is not None and op.result is None:
            self.methods.append(ClientMethod(op.name, "stream", op.name, args,
                                             sets_stream=bool(self.stream_field(op)),
                                             idempotency_header=key))
            return
        if polled:
            fetch = fetches[op.name] = self.namer.claim(f"_{op.name}_with_headers")
            self.methods.append(ClientMethod(fetch, "headers", op.name, args,
                                             idempotency_header=key))
            self.methods.append(ClientMethod(op.name, "call", op.name, args, delegate=fetch))
            return
        self.methods.append(ClientMethod(op.name, "call", op.name, args, idempotency_header=key))

    def add_stream(self, op: Operation) -> None:
        if op.stream_event is None or op.result is None:
            return
        name = self.namer.claim(_stream_name(op.name))
        args = self.arguments(op, drop_body=self.stream_field(op))
        for i, m in enumerate(self.methods):  # the plain method points a `stream=True` here
            if (m.kind == "call" and m.operation == op.name and not m.delegate
                    and all(a.name != "stream" for a in m.arguments)):
                self.methods[i] = dataclasses.replace(m, stream_variant=name)
        self.methods.append(ClientMethod(name, "stream", op.name, args,
                                         sets_stream=bool(self.stream_field(op)),
                                         idempotency_header=idempotency_header(op)))

    def add_iter(self, op: Operation) -> None:
        item = self.page_item(op)
        if item is None:
            return
        name = self.namer.claim(_iter_name(op.name))
        # the list method's arguments but the cursor, named alike: the pages forward them as is
        listed = self.arguments(op)
        cursor = next(a.name for a in listed if a.key == ("query", "after"))
        args = tuple(a for a in listed if a.name != cursor)
        self.methods.append(ClientMethod(name, "iter", op.name, args,
                                         pagination=Pagination(item, cursor)))

    def page_item(self, op: Operation) -> TypeRef | None:
        """The item type when `op` is a cursor-paginated list, else None."""
        if not any(p.json_name == "after" and p.location == "query" and p.fixed_value is None
                   for p in op.parameters):
            return None
        entity = self.entities.get(op.result.ref) if op.result and op.result.ref else None
        if not isinstance(entity, Model) or (op.result and op.result.nullable):
            return None
        data = page_data(entity)
        return None if data is None else data.type.item or ANY_TYPE

    # ---- polling -------------------------------------------------------------------------

    def poll_of(self, op: Operation) -> tuple[str, Poll, tuple[str, ...]] | None:
        """(method name, poll without its fetch, companion operation ids) from x-runmodels-poll;
        None, with a warning where the extension is written, when it cannot be honoured."""
        ext = dict(op.extensions).get(POLL_EXTENSION)
        if ext is None:
            return None
        helper = ext.get("until-not", ext.get("until")) if isinstance(ext, dict) else None
        after = (ext.get("after") or []) if isinstance(ext, dict) else None
        if (not isinstance(ext, dict) or not isinstance(ext.get("name"), str)
                or not names.is_free_attribute(ext["name"]) or not isinstance(helper, str)
                or not isinstance(after, list) or not all(isinstance(a, str) for a in after)):
            self.poll_warning(op, f"must be {_POLL_SHAPE}")
            return None
        entity = self.entities.get(op.result.ref) if op.result and op.result.ref else None
        if (not isinstance(entity, Model) or op.result is None or op.result.nullable
                or not any(h.name == helper for h in entity.helpers)):
            self.poll_warning(op, f"names status helper {helper!r}, which the response "
                              "schema does not declare under x-runmodels-status")
            return None
        return ext["name"], Poll(helper, "until-not" in ext, ""), tuple(after)

    def poll_warning(self, op: Operation, what: str) -> None:
        where = op.located(POLL_EXTENSION)
        self.warnings.append(SpecWarning(
            "poll-extension-invalid", f"{op.method} {op.path}: {POLL_EXTENSION} {what}",
            repair="no poll method generated", file=where.file or None, line=where.line,
            column=where.column, pointer=("#" + where.pointer) if where.pointer else None))

    def add_poll(self, op: Operation, wanted: str, poll: Poll, after: tuple[str, ...],
                 fetch: str) -> None:
        name = self.namer.claim(names.field_name(wanted))
        args = self.arguments(op, drop_body=self.stream_field(op))  # those of `fetch`
        self.methods.append(ClientMethod(name, "poll", op.name, args,
                                         poll=Poll(poll.helper, poll.negate, fetch)))
        model = self.entities[op.result.ref] if op.result is not None else None
        assert isinstance(model, Model)  # poll_of checked it
        poll_params = [p for p in op.parameters if p.fixed_value is None and p.location == "path"]
        for other in self.companions(op, after):
            self.add_and_poll(other, name, poll_params, model)

    def companions(self, op: Operation, after: tuple[str, ...]) -> list[Operation]:
        """The operations that get a `*_and_poll` for the poll of `op`: those `after` names,
        else the POSTs returning the same model that start or resume processing."""
        out = []
        for other in self.operations:
            if other.method != "POST" or other.result != op.result or other is op:
                continue
            if after and other.operation_id not in after and other.name not in after:
                continue
            if not after and (not other.body_required
                              or other.name.startswith(("modify_", "update_"))):
                continue
            out.append(other)
        return out

    def add_and_poll(self, op: Operation, poll: str, poll_params: list[Parameter],
                     model: Model) -> None:
        args = self.arguments(op, drop_body=self.stream_field(op))
        own = {a.name: a for a in args}
        fields = {f.name: f for f in model.fields}
        targets = []
        for i, p in enumerate(poll_params):
            if p.name in own and own[p.name].required and not own[p.name].keyword_only:
                targets.append(p.name)
            elif p.name in fields and fields[p.name].required and not fields[p.name].type.nullable:
                targets.append(f"result.{p.name}")
            elif i == len(poll_params) - 1 and "id" in fields and fields["id"].required:
                targets.append("result.id")
            else:
                return  # the poll target cannot be told from the result: no companion
        name = self.namer.claim(f"{_strip_to(op.name)}_and_poll")
        self.methods.append(ClientMethod(name, "and_poll", op.name, args,
                                         then_poll=ThenPoll(poll, tuple(targets))))


def idempotency_header(op: Operation) -> str | None:
    """The header a POST/PATCH sends its generated idempotency key in, if the spec asks for one.

    A header parameter named `Idempotency-Key` (or `X-Idempotency-Key`, any case) names it; else
    `x-runmodels-idempotency: true` asks for `Idempotency-Key`, a string for that header.
    """
    ext = dict(op.extensions).get(IDEMPOTENCY_EXTENSION)
    shown = f"{IDEMPOTENCY_EXTENSION} on {op.operation_id or f'{op.method} {op.path}'}"
    where = op.located(IDEMPOTENCY_EXTENSION)
    located: dict[str, Any] = {"file": where.file or None, "line": where.line,
                               "column": where.column,
                               "pointer": ("#" + where.pointer) if where.pointer else None}
    if ext is not None and not isinstance(ext, (bool, str)):
        raise SpecError(f"{shown} must be true, false or a header name",
                        hint="e.g. `x-runmodels-idempotency: Idempotency-Key`", **located)
    if isinstance(ext, str) and not re.fullmatch(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+", ext):
        raise SpecError(f"{shown}: {ext!r} is not an HTTP header name",
                        hint="a token such as Idempotency-Key", **located)
    if ext is False or op.method not in _NON_IDEMPOTENT:
        return None
    declared = [p.json_name for p in op.parameters if p.location == "header"
                and p.json_name.lower() in ("idempotency-key", "x-idempotency-key")]
    if declared:
        return declared[0]
    if ext is True:
        return DEFAULT_IDEMPOTENCY_HEADER
    return ext or None


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
