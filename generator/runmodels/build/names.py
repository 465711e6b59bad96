"""Pure identifier helpers: turn any string from a spec into a safe Python name."""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata

# Names the generated modules use in annotations or at module level; a spec name equal to one of
# these would shadow it, so it gets a trailing underscore.
RESERVED_FIELD_NAMES = frozenset(
    {"str", "int", "float", "bool", "list", "dict", "bytes", "Any", "TypeAlias", "UNSET", "Unset"}
    | {"from_dict", "to_dict", "from_json", "to_json", "self", "cls"}
    # builtins the class body itself names (decorators, annotations): a field would shadow them
    | {"bytearray", "classmethod", "property", "staticmethod"}
)
# What a package with a client exports besides its models: a schema of one of these names would
# hide the export (a model `Response` in place of the transport's), so schemas never take them.
CLIENT_EXPORTS = ("AsyncClient", "AsyncStream", "Client", "Stream", "UnknownEvent")
# when an operation streams Assistants run events
STREAM_EXPORTS = ("RunStream", "AsyncRunStream", "RunEventHandler")
HTTP_EXPORTS = (
    "APIConnectionError", "APIError", "APIRedirectError", "APIResponseError", "APITimeoutError",
    "AsyncResponse", "AsyncTransport", "AsyncioTransport", "AuthenticationError",
    "BadRequestError", "ClientOptions", "ClientValueError", "ConflictError",
    "HttpxAsyncTransport", "InternalServerError", "Limits", "NotFoundError",
    "PermissionDeniedError", "PollTimeoutError", "RateLimitError", "RawResponse", "Request",
    "Response", "ResponseTooLargeError", "Transport", "UnprocessableEntityError",
    "UrllibTransport",
)
RESERVED_CLASS_NAMES = frozenset(
    {"Any", "TypeAlias", "Unset", "UnknownVariant", "DecodeError", "OpenStrEnum", "OpenIntEnum"}
    | {"Deviation", "MissingFieldError"}
    | {"Model", "Client", "Enum", "TYPE_CHECKING", "Final", "None", "True", "False", "UNSET"}
    | {name for name in dir(builtins) if name[:1].isupper()}
    | set(CLIENT_EXPORTS) | set(STREAM_EXPORTS) | set(HTTP_EXPORTS)
)
# File names Windows cannot create whatever the extension (`con.py`, `Nul.py`…)
WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{kind}{n}" for kind in ("com", "lpt") for n in range(10)}
)

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")


def to_ascii(text: str) -> str:
    """Fold accents away and drop what has no ASCII form."""
    folded = unicodedata.normalize("NFKD", text)
    return folded.encode("ascii", "ignore").decode("ascii")


def words(text: str) -> list[str]:
    """Split any name (camel, snake, kebab, dotted, spaced) into lowercase-able words."""
    return _WORD.findall(to_ascii(text))


def snake(text: str) -> str:
    """`submitToolOutputs` / `submit-tool-outputs` -> `submit_tool_outputs`."""
    return "_".join(w.lower() for w in words(text))


def pascal(text: str) -> str:
    """`run_step.delta` -> `RunStepDelta`; words already capitalised keep their inner case."""
    return "".join(w[:1].upper() + w[1:] for w in words(text))


def upper_snake(text: str) -> str:
    return "_".join(w.upper() for w in words(text))


def _safe(name: str, fallback: str, reserved: frozenset[str] = frozenset()) -> str:
    if not name:
        name = fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    if keyword.iskeyword(name) or name in reserved:
        name += "_"
    return name


def field_name(json_name: str) -> str:
    """A dataclass field name for a JSON property name (never private, never a keyword)."""
    name = snake(json_name)
    if not name and json_name and json_name.strip("_") == "":
        name = "underscore"
    return _safe(name, "field", RESERVED_FIELD_NAMES)


def is_free_attribute(name: str) -> bool:
    """Whether a spec-chosen name (e.g. a status helper) can be a model attribute as it is."""
    return (name.isascii() and name.isidentifier() and not keyword.iskeyword(name)
            and not name.startswith("_") and name not in RESERVED_FIELD_NAMES)


def class_name(text: str) -> str:
    return _safe(pascal(text), "Model", RESERVED_CLASS_NAMES)


def member_name(value: object) -> str:
    """An enum member name for a value: `in_progress` -> `IN_PROGRESS`, `1` -> `VALUE_1`."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        text = str(value).replace("-", "minus_").replace(".", "_")
        return "VALUE_" + upper_snake(text)
    name = upper_snake(str(value))
    if not name:
        return "EMPTY" if value == "" else "VALUE"
    return _safe(name, "VALUE")


def module_name(class_name_: str) -> str:
    """A module (file) name for a class: snake case, never a name Windows reserves."""
    name = _safe(snake(class_name_), "module", frozenset({"models", "client"}))
    return name + "_" if name.lower() in WINDOWS_RESERVED else name


class Namer:
    """Hands out names unique within one namespace, deterministically (first come, plain name).

    By default names differing only in case clash too (file names, on case-insensitive file
    systems); `fold_case=False` is for Python names alone, where `Run` and `RUN` coexist, so
    that adding one never renames the other.
    """

    def __init__(self, taken: frozenset[str] | set[str] = frozenset(), *,
                 fold_case: bool = True) -> None:
        self._taken: set[str] = set(taken)
        self._fold = fold_case

    def claim(self, name: str) -> str:
        """Return `name`, or `name2`, `name3`… if it is taken; then mark it taken."""
        candidate, n = name, 1
        while candidate in self._taken or (self._fold and candidate.lower() in self._taken):
            n += 1
            candidate = f"{name}{n}"
        self._taken.add(candidate)
        if self._fold:
            self._taken.add(candidate.lower())
        return candidate

    def __contains__(self, name: str) -> bool:
        return name in self._taken
