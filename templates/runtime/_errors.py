"""Errors of the generated client, and the case-insensitive headers they carry.

A credential header's value is never shown: `is_credential` decides which headers those are.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeGuard, cast

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIRedirectError",
    "APIResponseError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientValueError",
    "ConflictError",
    "Headers",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "PollTimeoutError",
    "RateLimitError",
    "ResponseTooLargeError",
    "UnprocessableEntityError",
]


CREDENTIAL_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "api-key", "x-api-key"}
)


class Headers(Mapping[str, str]):
    """Read-only, case-insensitive header mapping (repeated headers are joined with ", ")."""

    def __init__(
        self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()
    ) -> None:
        if isinstance(items, Mapping):  # isinstance alone would leave its key type unknown
            pairs: Iterable[tuple[str, str]] = cast("Mapping[str, str]", items).items()
        else:
            pairs = items
        self._data: dict[str, tuple[str, str]] = {}
        for key, value in pairs:
            old = self._data.get(key.lower())
            self._data[key.lower()] = (key, f"{old[1]}, {value}" if old else value)

    def __getitem__(self, key: str) -> str:
        return self._data[key.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self._data.values())

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive lookup in any mapping."""
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
    return value


def is_credential(name: str) -> bool:
    """Whether a header is one whose value must never be shown."""
    low = name.lower()
    return low in CREDENTIAL_HEADERS or any(
        word in low for word in ("token", "secret", "key", "auth")
    )


class APIError(Exception):
    """Base error of the client; `status_code` is None when no HTTP response was received."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        type: str | None = None,
        code: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
        body: bytes | None = None,
        request: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.type = type
        self.code = code
        self.param = param
        self.request_id = request_id
        self.body = body
        self.request = request
        self.headers: Mapping[str, str] = headers if headers is not None else Headers()

    def __str__(self) -> str:
        parts = [
            f"{self.status_code}: {self.message}" if self.status_code else self.message
        ]
        if self.request:
            parts.append(f"[{self.request}]")
        if self.request_id:
            parts.append(f"(request_id={self.request_id})")
        return " ".join(parts)


class ClientValueError(APIError, ValueError):
    """A value given to the client cannot be sent: API key, base_url, header, path parameter.

    The message names the value's role, never the value itself (it may be a secret).
    """


class BadRequestError(APIError):
    """HTTP 400."""


class AuthenticationError(APIError):
    """HTTP 401."""


class PermissionDeniedError(APIError):
    """HTTP 403."""


class NotFoundError(APIError):
    """HTTP 404."""


class ConflictError(APIError):
    """HTTP 409."""


class UnprocessableEntityError(APIError):
    """HTTP 422."""


class RateLimitError(APIError):
    """HTTP 429."""


class InternalServerError(APIError):
    """HTTP 5xx."""


class APIRedirectError(APIError):
    """The server redirected and the client did not follow; `location` is the target."""

    def __init__(self, message: str, *, location: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.location = location


class APIConnectionError(APIError):
    """The server could not be reached or the connection broke.

    `sent` is False only when the request provably never left (the connection could not be
    opened); a non-idempotent request is retried only then, or when it has an idempotency key.
    """

    def __init__(self, message: str, *, sent: bool = True, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.sent = sent


class APITimeoutError(APIConnectionError):
    """The request timed out (a read took too long, or the request's total deadline passed)."""


class PollTimeoutError(APITimeoutError):
    """Polling did not reach a final state in time; `last` holds the last fetched value."""

    def __init__(self, message: str, last: object) -> None:
        super().__init__(message)
        self.last = last


class APIResponseError(APIError):
    """The response body or an SSE frame is malformed."""


class ResponseTooLargeError(APIResponseError):
    """A response body, SSE line or SSE event exceeded its limit (see `Limits`)."""


STATUS_ERRORS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def decode_json(data: bytes, where: str, what: str = "response body") -> Any:
    """Decode JSON, raising APIResponseError that names the request."""
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        snippet = data[:200].decode("utf-8", "replace")
        raise APIResponseError(
            f"malformed JSON in {what} of {where}: {exc} (got {snippet!r})",
            request=where,
            body=data,
        ) from exc


def is_object(value: object) -> TypeGuard[dict[str, Any]]:
    """A JSON object (isinstance would narrow `Any` to `dict[Unknown, Unknown]`)."""
    return isinstance(value, dict)


def is_array(value: object) -> TypeGuard[list[Any] | tuple[Any, ...]]:
    """A list or tuple (isinstance would narrow `Any` to `list[Unknown]`)."""
    return isinstance(value, (list, tuple))


def opt_str(value: object) -> str | None:
    return None if value is None else str(value)
