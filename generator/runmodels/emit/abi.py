"""The contract between emitted code and the runtime copied into every package.

Generated modules call helpers of `_runtime.py` (imported as `_r`) and of `_http.py`; the names,
the field-flag bits and the names of the strict checks are defined here once. The emitters spell
a runtime helper through `rt(name)`, which refuses a name the runtime does not define, and
`tests/test_runtime_abi.py` checks every name below against the runtime templates themselves
(and every `_r.<name>` in the committed generated code), so renaming a helper on one side only
fails a unit test instead of a golden or mypy run.
"""

from __future__ import annotations

from typing import Final

RUNTIME_ALIAS: Final = "_r"  # `from .. import _runtime as _r` in every models module

# bits of the `flags` argument of the `_r.field_*` helpers and `Ctx.absent`
FLAG_REQUIRED: Final = 1
FLAG_NULLABLE: Final = 2

# the scalar kinds with a `field_<kind>` helper (one call reads and checks a member of that type)
FIELD_KINDS: Final = frozenset({"str", "int", "float", "bool", "map_any"})

# what emitted code uses of `_runtime` through the alias
RUNTIME_NAMES: Final = frozenset({
    "Checks", "Ctx", "Decoder", "Model", "OpenIntEnum", "OpenStrEnum", "UnknownVariant", "Unset",
    "add_extra", "check_each", "copy_json", "dataclass", "dec_any", "dec_bool", "dec_float", "dec_int",
    "dec_list", "dec_list_str", "dec_map", "dec_map_any", "dec_map_str", "dec_prims", "dec_str",
    "dec_str_union", "decode_root", "enc", "enum_decoder", "extras", "first_match", "get_each",
    "Items", "getter", "has_extra", "is_dict", "members_of", "names", "not_present",
    "page_items", "parse_json",
    "slots", "unknown_variant", "wrong_variant",
    *(f"field_{kind}" for kind in FIELD_KINDS),
})

# what the package `__init__` and client import from `_runtime` by name
RUNTIME_EXPORTS: Final = ("UNSET", "DecodeError", "Model", "OpenIntEnum", "OpenStrEnum",
                          "UnknownVariant", "MissingFieldError", "Unset", "encode",
                          "kept_members", "Deviation", "deviations", "set_deviation_hook")

# what the generated client uses of `_http` (as `_http.<name>`)
HTTP_NAMES: Final = frozenset({"APIError", "APIResponseError", "BaseClient", "EventStream",
                               "Limits", "Transport", "quote_path_param",
                               # and the async client's
                               "AsyncBaseClient", "AsyncEventStream", "AsyncTransport"})

# what the generated client uses of `_multipart` (as `_multipart.<name>`), for form bodies
MULTIPART_NAMES: Final = frozenset({"FileContent", "FileInput", "binary_body", "check_fields",
                                    "form_body", "multipart_body"})

# the strict checks: `Constraints` fields in the IR = keywords of `_r.Checks(...)` = the names
# the runtime's check dispatch knows
CHECK_NAMES: Final = frozenset({
    "const", "pattern", "minimum", "maximum", "exclusive_minimum", "exclusive_maximum",
    "min_length", "max_length", "min_items", "max_items", "min_properties", "max_properties",
    "key_max_length",
})


def rt(name: str) -> str:
    """`_r.<name>`, for a helper the runtime defines (anything else is a generator bug)."""
    if name not in RUNTIME_NAMES:
        raise AssertionError(f"the runtime has no helper {name!r} (see runmodels.emit.abi)")
    return f"{RUNTIME_ALIAS}.{name}"


def field_helper(kind: str) -> str:
    """`_r.field_<kind>`: reads one member of a scalar kind."""
    return rt(f"field_{kind}")


def flag_bits(required: bool, nullable: bool) -> int:
    """The flags argument for a member: FLAG_REQUIRED | FLAG_NULLABLE as they apply."""
    return (FLAG_REQUIRED if required else 0) | (FLAG_NULLABLE if nullable else 0)


def decoder_name(ref: str) -> str:
    """The module-level `(value, path, ctx)` decoder of a model, union or enum: `dec_Run`.

    Other generated modules import it, so its name is public (a leading underscore would make
    every such import a private-usage error in pyright); `dec_` marks it as the package's own
    plumbing, like the runtime's `dec_list`, apart from the `decode_*` functions users call
    (templates/models_module.py.jinja spells the same name for the functions it defines)."""
    return f"dec_{ref}"
