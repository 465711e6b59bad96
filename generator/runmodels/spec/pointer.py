"""JSON Pointer (RFC 6901) tokens: the one place `~0`/`~1` escaping is spelled."""

from __future__ import annotations

from collections.abc import Iterable


def escape(token: str) -> str:
    """One reference token as written in a pointer: `~` -> `~0`, `/` -> `~1`."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """One reference token decoded: `~1` -> `/`, `~0` -> `~` (in that order)."""
    return token.replace("~1", "/").replace("~0", "~")


def join(tokens: Iterable[str]) -> str:
    """A pointer (without `#`) from decoded tokens: `join(["a/b", "c"])` is `/a~1b/c`."""
    return "".join("/" + escape(token) for token in tokens)


def split(pointer: str) -> list[str]:
    """The decoded tokens of a pointer (with or without a leading `#`)."""
    body = pointer.removeprefix("#")
    return [unescape(token) for token in body.split("/")[1:]] if body else []
