"""The client plan: every method of the generated client, decided before anything is rendered.

`build/client_plan.py` makes it from the operations (names, arguments with their final Python
names, pagination, polling, streaming, idempotency keys), validating the `x-runmodels-*`
extensions once, with their locations.  The client template renders it (`emit/client.py`, for
the sync and the async client alike), and `runmodels diff` compares it, so a lost `poll_run` or
a renamed keyword argument is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from runmodels.errors import SpecWarning
from runmodels.ir.types import TypeRef

ArgumentSource = Literal["path", "query", "header", "field", "body"]
MethodKind = Literal["call", "headers", "stream", "iter", "poll", "and_poll"]

# Keyword options every request method takes after its spec arguments; a spec name meeting one
# is renamed (and warned of).  Poll methods take POLL_OPTIONS instead, `*_and_poll` both.
CALL_OPTIONS = ("extra_headers", "extra_query", "extra_body", "timeout", "idempotency_key",
                "max_retries")
POLL_OPTIONS = ("interval", "timeout", "extra_headers")
THEN_POLL_OPTIONS = ("poll_interval", "poll_timeout", *CALL_OPTIONS)
RESERVED_ARGUMENTS = frozenset({*CALL_OPTIONS, "self"})


@dataclass(frozen=True)
class Argument:
    """One spec-derived argument of a method: where its value goes and its final name."""

    name: str  # the Python name in the signature
    source: ArgumentSource  # a path/query/header parameter, a body field, or the whole body
    json_name: str  # the parameter's or field's name on the wire; "" for the whole body
    type: TypeRef
    required: bool
    renamed: bool = False  # its own name was taken (the doc then says where the value goes)
    description: str = field(default="", compare=False)

    @property
    def keyword_only(self) -> bool:
        return self.source != "path"

    @property
    def key(self) -> tuple[str, str]:
        """What the argument means, whatever its name: (source, JSON name)."""
        return self.source, self.json_name


@dataclass(frozen=True)
class Pagination:
    """An `iter_*` method: pages fetched through the list method, cursor by cursor."""

    item: TypeRef  # the type of one item of `data`
    cursor: str  # the list method's argument carrying `after`


@dataclass(frozen=True)
class Poll:
    """A `poll_*` method: fetch until a status helper of the result says so."""

    helper: str  # the response model's status helper
    negate: bool  # until the helper is false (`until-not`) rather than true
    fetch: str  # the private method returning the result and the response headers


@dataclass(frozen=True)
class ThenPoll:
    """A `*_and_poll` method: call the operation, then poll its result until it settles."""

    poll: str  # the poll method
    targets: tuple[str, ...]  # per path argument of the poll: an argument or `result.<attr>`


@dataclass(frozen=True)
class ClientMethod:
    """One method of the generated client, for the operation named `operation`."""

    name: str
    kind: MethodKind
    operation: str
    arguments: tuple[Argument, ...] = ()
    delegate: str = ""  # a `call` answered by this `headers` method (value, headers)[0]
    sets_stream: bool = False  # a `stream` sending the body member `stream: true`
    # a `call` whose operation also streams: it takes `stream=False` only, and `stream=True`
    # raises TypeError naming this method (the openai-python habit `create_run(stream=True)`)
    stream_variant: str = ""
    idempotency_header: str | None = None  # where a request sends its generated key
    pagination: Pagination | None = None
    poll: Poll | None = None
    then_poll: ThenPoll | None = None

    @property
    def private(self) -> bool:
        return self.kind == "headers"

    @property
    def options(self) -> tuple[str, ...]:
        """The keyword options after the spec arguments."""
        if self.kind == "poll":
            return POLL_OPTIONS
        if self.kind == "and_poll":
            return THEN_POLL_OPTIONS
        return CALL_OPTIONS


@dataclass(frozen=True)
class ClientPlan:
    """The client's methods in the order they are rendered, and what planning warned of."""

    methods: tuple[ClientMethod, ...] = ()
    warnings: tuple[SpecWarning, ...] = ()

    def public(self) -> dict[str, ClientMethod]:
        """The methods users call, by name."""
        return {m.name: m for m in self.methods if not m.private}


EMPTY_PLAN = ClientPlan()
