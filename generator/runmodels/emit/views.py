"""What the models templates read: frozen, typed views of the IR, all text already made.

Every string here is finished Python text (a literal from `exprs.literal`, an annotation, a
decoder's lines): the templates only place it.  Jinja reads the attributes as it read the keys
of the dictionaries these replace (`m.models`, `f.annotation`), so override templates keep
working, and mypy checks each view's builder against the fields a template can use.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EnumView:
    name: str
    base: str  # OpenStrEnum or OpenIntEnum
    doc: str  # a docstring literal
    members: tuple[tuple[str, str], ...]  # (member name, value literal)


@dataclass(frozen=True)
class FieldView:
    name: str
    annotation: str
    default: str  # "" or " = UNSET"
    slot: str  # the name as a literal
    slot_doc: str  # the documentation as a literal (the slot's value)
    doc: str  # a docstring literal, or ""
    encode: tuple[str, ...]  # the lines of to_dict that write it


@dataclass(frozen=True)
class HelperView:
    """A status helper (`is_terminal`): whether `field` holds one of a set of values."""

    name: str
    field: str
    const: str  # the module constant holding the set
    value_set: str  # the frozenset's source
    doc: str


@dataclass(frozen=True)
class AccessorView:
    """A typed accessor (`required_action_or_raise()`): a field a status helper promises."""

    name: str
    field: str
    type: str  # the field's annotation without None and Unset
    args: str  # the arguments of `_r.not_present` after `self`, as source
    doc: str


@dataclass(frozen=True)
class ModelView:
    name: str
    doc: str
    fields: tuple[FieldView, ...]
    decode: tuple[str, ...]  # the body of the model's decoder
    constants: tuple[str, ...]  # module-level constants the decoder uses
    helpers: tuple[HelperView, ...]
    accessors: tuple[AccessorView, ...] = ()
    page_item: str = ""  # a list page: the annotation of one item of `data` (it iterates them)


@dataclass(frozen=True)
class UnionView:
    """A union's decoder: which test picks which variant (all values are source text)."""

    name: str
    doc: str
    annotation: str  # the alias' value, as a literal
    tag: str | None  # the discriminator's name as a literal, when every model variant has a tag
    tag_map: tuple[tuple[str, str], ...]  # (tag value literal, decoder name)
    models: tuple[str, ...]  # decoders of untagged object variants, tried in order
    map: str | None  # the call that decodes an object as a map variant
    map_decoder: str | None
    catch_all: bool  # a variant accepts any value
    strings: tuple[str, ...]  # string enums among the variants
    plain_str: bool
    ints: tuple[str, ...]  # integer enums among the variants
    plain_int: bool
    plain_float: bool
    plain_bool: bool
    list: str | None  # the call that decodes an array
    lists: tuple[str, ...]
    expected: str  # the JSON types it accepts, as a literal for messages
    label: str  # its name, as a literal for messages
    public: str  # the name of its public decoder function


@dataclass(frozen=True)
class AliasView:
    name: str
    type: str  # the annotation, as a literal
    doc: str


@dataclass(frozen=True)
class ModuleView:
    """One models module: its imports and every entity it defines, in the template's order."""

    imports: tuple[str, ...]  # `from .other import ...` lines
    local_imports: tuple[str, ...]  # the package's runtime
    typing: str  # the `from typing import ...` line (under TYPE_CHECKING), or ""
    enums: tuple[EnumView, ...]
    models: tuple[ModelView, ...]
    unions: tuple[UnionView, ...]
    aliases: tuple[AliasView, ...]
    checks: tuple[tuple[str, str], ...]  # (constant name, source) of shared checks
    members: tuple[tuple[str, str], ...]  # (constant name, enum) of member maps


@dataclass(frozen=True)
class InitView:
    """The package's `__init__.py`: lazy exports of models, runtime and client."""

    title: str  # the docstring literal
    exports: tuple[tuple[str, str], ...]  # (name, models module)
    all_names: tuple[str, ...]  # `__all__`, sorted
    by_module: tuple[tuple[str, tuple[str, ...]], ...]  # imports for type checkers
    client: tuple[tuple[str, str], ...]  # (name, client module)
    client_imports: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class MethodView:
    """One method of the client: its signature's parts and its body, as source lines."""

    name: str
    params: tuple[str, ...]  # "self", then each parameter (a "*" before the keyword-only ones)
    returns: str
    doc: str
    body: tuple[str, ...]
    define: str = "def"  # "async def" for a coroutine of AsyncClient


@dataclass(frozen=True)
class EventDecoderView:
    """A module-level `(event, data) -> item` function of a stream."""

    name: str
    annotation: str
    lines: tuple[str, ...]
    doc: str


@dataclass(frozen=True)
class ClientView:
    """`client.py`: the client classes (`Client`, `AsyncClient`), their methods and the stream
    event decoders."""

    title: str
    client_doc: str
    async_client_doc: str
    default_url: str  # a literal
    fixed_headers: str  # a dict display of literals
    imports: tuple[str, ...]
    event_decoders: tuple[EventDecoderView, ...]
    wraps_events: bool
    methods: tuple[MethodView, ...]
    async_methods: tuple[MethodView, ...]  # the same plan, for AsyncClient
    run_stream: str  # the model RunStream wraps, or ""
    multipart: bool = False  # some body is a form: the client imports `_multipart`
    # the optional module helpers (`_given`, `_decode`, `_as_model`, ...) some method or event
    # decoder calls, and "Sequence" when a signature needs it: the others are left out, so
    # that no private function or import goes unused
    helpers: frozenset[str] = frozenset()
    runtime_imports: tuple[str, ...] = ()  # what client.py imports from `_runtime`
    type_imports: tuple[str, ...] = ()  # for annotations only: under `if TYPE_CHECKING:`
