"""Client settings and the rules the client applies to values before sending them.

Limits and ClientOptions (immutable), retry and poll delays (server-suggested ones clamped), and
the checks of the API key, base URL, headers and path parameters: a value that cannot be sent is
refused with ClientValueError naming its role, never showing a secret.
"""

from __future__ import annotations

import email.utils
import enum
import math
import os
import re
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._errors import ClientValueError, header_value, is_credential

__all__ = ["ClientOptions", "Limits", "quote_path_param"]


# Server-suggested delays are clamped: Retry-After / retry-after-ms to [0, MAX_RETRY_AFTER]
# seconds, openai-poll-after-ms to [MIN_POLL_DELAY, MAX_POLL_DELAY]; non-finite, negative or
# unparsable values are ignored (the client's own backoff or poll interval applies).
MAX_RETRY_AFTER = 60.0
MIN_POLL_DELAY = 0.1
MAX_POLL_DELAY = 60.0
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_REDIRECTS = 3  # same-origin 307/308 hops followed within one attempt
# Methods a server may receive twice without harm (RFC 9110 9.2.2).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BAD_HEADER_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


@dataclass(frozen=True)
class Limits:
    """How much the client reads from a server before giving up with ResponseTooLargeError.

    `max_error_size` bounds what is kept of an error body: the rest is dropped and the status
    error raised as usual.
    """

    max_response_size: int = 64 * 2**20
    max_error_size: int = 2**20
    max_sse_line_size: int = 2**20
    max_sse_event_size: int = 16 * 2**20

    def __post_init__(self) -> None:
        for name in (
            "max_response_size",
            "max_error_size",
            "max_sse_line_size",
            "max_sse_event_size",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ClientValueError(f"Limits.{name} must be a positive int")


@dataclass(frozen=True)
class ClientOptions:
    """Per-client settings, immutable so a copy of a client can change some and share the rest.

    `timeout` is the total deadline of one attempt (connect, headers and, unless streaming, the
    whole body); `read_timeout` bounds each wait for data (default: `timeout`), and for a stream
    the wait between chunks. `default_query` pairs go into every URL (`api-version` style).
    Retry number n (0-based) waits `initial_retry_delay * 2**n` seconds, at most
    `max_retry_delay`, less up to 25 % jitter, unless the server says how long (Retry-After).
    """

    timeout: float = 600.0
    read_timeout: float | None = None
    max_retries: int = 2
    idempotency_keys: bool = True
    default_query: tuple[tuple[str, str], ...] = ()
    limits: Limits = Limits()
    initial_retry_delay: float = INITIAL_RETRY_DELAY
    max_retry_delay: float = MAX_RETRY_DELAY

    def __post_init__(self) -> None:
        for name in ("timeout", "read_timeout"):
            value = getattr(self, name)
            if value is None and name == "read_timeout":
                continue
            if not isinstance(value, (int, float)) or not 0 < value < math.inf:
                raise ClientValueError(
                    f"{name} must be a positive, finite number of seconds"
                )
        for name in ("initial_retry_delay", "max_retry_delay"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 <= value < math.inf:
                raise ClientValueError(
                    f"{name} must be a finite number of seconds >= 0"
                )
        # checked although typed: a caller need not use a type checker
        retries: Any = self.max_retries
        limits: Any = self.limits
        if isinstance(retries, bool) or not isinstance(retries, int):
            raise ClientValueError("max_retries must be an int")
        if retries < 0:
            raise ClientValueError("max_retries must be >= 0")
        if not isinstance(limits, Limits):
            raise ClientValueError("limits must be a Limits")

    def read_wait(self, total: float) -> float:
        """Seconds a single read may wait in a request whose total deadline is `total`."""
        return total if self.read_timeout is None else self.read_timeout

    def backoff(self, attempt: int, jitter: float) -> float:
        """Delay before retry number `attempt` (0-based); `jitter` in [0, 1) shortens it."""
        base = min(self.initial_retry_delay * 2.0**attempt, self.max_retry_delay)
        return base * (1 - 0.25 * jitter)


def quote_path_param(value: object, name: str = "") -> str:
    """Percent-encode a path parameter as one segment: "/" and the dot segments included.

    None and "" are refused (ClientValueError): they would change which resource is meant.
    """
    label = f"path parameter {name!r}" if name else "a path parameter"
    if value is None:
        raise ClientValueError(f"{label} is None")
    text = urllib.parse.quote(scalar(value), safe="")
    if not text:
        raise ClientValueError(f"{label} is empty")
    if text in (".", ".."):
        text = text.replace(".", "%2E")
    return text


def scalar(value: object) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def seconds(value: str | None, scale: float = 1.0) -> float | None:
    """A finite, non-negative number of seconds from a header value, else None."""
    if value is None:
        return None
    try:
        delay = float(value.strip()) * scale
    except ValueError:
        return None
    return delay if math.isfinite(delay) and delay >= 0 else None


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Server-requested delay from retry-after-ms / Retry-After, clamped to [0, MAX_RETRY_AFTER].

    An HTTP date in the past means "now" (0); garbage, negative or non-finite values: None.
    """
    delay = seconds(header_value(headers, "retry-after-ms"), 0.001)
    value = header_value(headers, "retry-after")
    if delay is None and value is not None:
        delay = seconds(value)
        if delay is None:
            try:
                when = email.utils.parsedate_to_datetime(value)
                delay = max(when.timestamp() - time.time(), 0.0)
            except (TypeError, ValueError, OverflowError, IndexError):
                return None
    return None if delay is None else min(delay, MAX_RETRY_AFTER)


def poll_delay(headers: Mapping[str, str], interval: float) -> float:
    """openai-poll-after-ms clamped to [MIN_POLL_DELAY, MAX_POLL_DELAY], else `interval`."""
    delay = seconds(header_value(headers, "openai-poll-after-ms"), 0.001)
    if delay is None:
        return interval
    return min(max(delay, MIN_POLL_DELAY), MAX_POLL_DELAY)


def check_api_key(key: object) -> str:
    """The key without surrounding whitespace; refused (without showing it) when unsendable.

    None means "read OPENAI_API_KEY"; "" means "this API needs no key" (no Authorization).
    """
    if key is None:
        key = os.environ.get("OPENAI_API_KEY") or None
        if key is None:
            raise ClientValueError(
                "no API key: pass api_key=... or set the OPENAI_API_KEY environment "
                'variable (api_key="" for an API that needs none)'
            )
    if not isinstance(key, str):
        raise ClientValueError(f"api_key must be a str, not {type(key).__name__}")
    stripped = key.strip()
    if key and not stripped:
        raise ClientValueError("api_key is blank (only whitespace)")
    for index, char in enumerate(stripped):
        if not " " <= char <= "~":
            kind = "non-ASCII" if ord(char) > 127 else "control"
            raise ClientValueError(
                f"api_key has a {kind} character at position {index}; "
                "check how the key was read (file encoding, pasted text)"
            )
    return stripped


def check_base_url(url: object) -> tuple[str, tuple[str, str, int]]:
    """(base URL without trailing "/", its origin); refused when it cannot be an API root.

    Messages show it without query and fragment (which might hold a key) and never with
    credentials.
    """
    if not isinstance(url, str):
        raise ClientValueError(f"base_url must be a str, not {type(url).__name__}")
    url = url.strip()
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ClientValueError(f"base_url is not a valid URL: {exc}") from exc
    if "@" in parts.netloc:
        raise ClientValueError(
            "base_url must not hold credentials (user:password@host): pass api_key= or "
            "default_headers= instead"
        )
    shown = url.partition("?")[0].partition("#")[0]
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ClientValueError(
            f"base_url must start with http:// or https://, got {shown!r}"
        )
    if any(not "!" <= char <= "~" for char in url):
        raise ClientValueError(
            f"base_url {shown!r} has spaces, control or non-ASCII characters "
            "(percent-encode them; IDNA-encode a non-ASCII host)"
        )
    if not parts.hostname:
        raise ClientValueError(f"base_url {shown!r} has no host")
    if "?" in url:
        raise ClientValueError(
            f"base_url {shown!r} must not have a query: use default_query= for parameters "
            "every request sends (like api-version)"
        )
    if "#" in url:
        raise ClientValueError(f"base_url {shown!r} must not have a fragment")
    base = urllib.parse.urlunsplit((scheme, parts.netloc, parts.path, "", ""))
    return base.rstrip("/"), origin_of(scheme, parts.hostname, port)


def origin_of(scheme: str, host: str, port: int | None) -> tuple[str, str, int]:
    default = 443 if scheme == "https" else 80
    return scheme, host.lower(), port if port is not None else default


def url_origin(url: str) -> tuple[str, str, int] | None:
    """The (scheme, host, port) of an absolute http(s) URL, else None."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return None
    return origin_of(scheme, parts.hostname, port)


def check_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers as http.client will send them; a bad one raises ClientValueError naming it."""
    out: dict[str, str] = {}
    name: Any  # checked although typed: a caller need not use a type checker
    value: Any
    for name, value in headers.items():
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            raise ClientValueError(f"header name {name!r} is not a valid HTTP token")
        shown = "(value hidden)" if is_credential(name) else repr(value)
        if not isinstance(value, str):
            raise ClientValueError(f"header {name!r} must be a str {shown}")
        if _BAD_HEADER_VALUE.search(value):
            raise ClientValueError(
                f"header {name!r} has a line break or control character {shown}"
            )
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            raise ClientValueError(
                f"header {name!r} has characters outside Latin-1 {shown}"
            ) from None
        out[name] = value
    return out
