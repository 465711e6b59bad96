"""Form request bodies, encoded with the standard library: `multipart/form-data` (fields and
files) and `application/x-www-form-urlencoded`; and bodies that are one file's bytes.

A file is `bytes`, a binary file object, or a tuple `(filename, content)` or
`(filename, content, content_type)`; a list of them sends one part each under the same name.
A file object is read in chunks while the request is sent, never whole: a seekable one (a file
on disk) gives the body its Content-Length and is rewound for a retry; one that is not (a pipe)
is sent chunked, once. Other members are encoded as the API's JSON would have them: a string,
number or boolean as text, an object or a list of objects as a JSON part (a form body nests
them as `name[key]=value`).
"""

from __future__ import annotations

import io
import json
import mimetypes
import os
import urllib.parse
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import IO, Any, TypeAlias

from ._http import ClientValueError, RawBody
from ._runtime import DecodeError, enc, is_dict, is_list, path_text

FileContent: TypeAlias = bytes | IO[bytes]
FileInput: TypeAlias = (
    FileContent | tuple[str | None, FileContent] | tuple[str | None, FileContent, str]
)
CHUNK_SIZE = 64 * 1024  # bytes read from a file object at a time
_CRLF = b"\r\n"


class _Content:
    """The bytes of one file, read in chunks each time it is iterated over (see the module)."""

    def __init__(self, name: str, content: Any) -> None:
        if isinstance(content, (bytearray, memoryview)):
            content = bytes(content)  # pyright: ignore[reportUnknownArgumentType]
        if not isinstance(content, bytes) and not callable(
            getattr(content, "read", None)
        ):
            raise ClientValueError(
                f"{name}: a file is bytes, a binary file object or a "
                f"(filename, content[, content_type]) tuple, not {type(content).__name__}"
            )
        if isinstance(content, io.TextIOBase):
            raise ClientValueError(f"{name}: open the file in binary mode ('rb')")
        self.content: bytes | IO[bytes] = content
        self.start: int | None = None
        self.size: int | None = len(content) if isinstance(content, bytes) else None
        self.sent = False
        if not isinstance(content, bytes) and _seekable(content):
            self.start = content.tell()
            self.size = content.seek(0, os.SEEK_END) - self.start
            content.seek(self.start)

    def __iter__(self) -> Iterator[bytes]:
        content = self.content
        if isinstance(content, bytes):
            yield content
        elif self.start is not None and self.size is not None:
            content.seek(self.start)
            left = self.size
            while left > 0:
                chunk = content.read(min(CHUNK_SIZE, left))
                if not chunk:
                    raise ClientValueError(
                        f"a file shrank while it was being sent ({left} bytes missing)"
                    )
                left -= len(chunk)
                yield chunk
        else:
            if self.sent:
                raise ClientValueError(
                    "a file object that cannot seek was already sent once: it cannot be "
                    "sent again (pass bytes or a seekable file to allow retries)"
                )
            self.sent = True
            while chunk := content.read(CHUNK_SIZE):
                yield chunk


class _FilePart:
    """One file of a multipart body: its part header, then its content."""

    def __init__(self, name: str, value: Any) -> None:
        filename: str | None = None
        content_type: str | None = None
        content: Any = value
        parts = _tuple_of(content)
        if len(parts) in (2, 3):
            filename = _optional_text(name, "filename", parts[0])
            content = parts[1]
            content_type = _optional_text(
                name, "content type", parts[2] if len(parts) == 3 else None
            )
        elif not isinstance(content, (bytes, bytearray, memoryview)):
            named = getattr(content, "name", None)
            filename = os.path.basename(named) if isinstance(named, str) else None
        self.content = _Content(name, content)
        if content_type is None:
            guessed = mimetypes.guess_type(filename)[0] if filename else None
            content_type = guessed or "application/octet-stream"
        disposition = f'form-data; name="{_quote(name)}"'
        if filename is not None:
            disposition += f'; filename="{_quote(filename)}"'
        self.head = _head(disposition, content_type)
        self.size = self.content.size

    def chunks(self) -> Iterator[bytes]:
        yield self.head
        yield from self.content
        yield _CRLF


class MultipartBody:
    """The parts of a `multipart/form-data` body, produced afresh at each iteration."""

    def __init__(self, parts: list[bytes | _FilePart], boundary: str) -> None:
        self.boundary = boundary
        self._parts = parts
        self._separator = f"--{boundary}\r\n".encode()
        self._end = f"--{boundary}--\r\n".encode()

    @property
    def length(self) -> int | None:
        """The size in bytes; None when a file's size cannot be known in advance."""
        total = len(self._end) + len(self._separator) * len(self._parts)
        for part in self._parts:
            if isinstance(part, bytes):
                total += len(part)
            elif part.size is None:
                return None
            else:
                total += len(part.head) + part.size + len(_CRLF)
        return total

    @property
    def replayable(self) -> bool:
        """Whether it can be sent again: every file is bytes or can seek."""
        return all(isinstance(p, bytes) or p.size is not None for p in self._parts)

    def __iter__(self) -> Iterator[bytes]:
        for part in self._parts:
            yield self._separator
            if isinstance(part, bytes):
                yield part
            else:
                yield from part.chunks()
        yield self._end


def multipart_body(fields: Any, files: Collection[str]) -> RawBody:
    """The `multipart/form-data` body of `fields` (JSON name -> value); members named in
    `files` hold files."""
    if not is_dict(fields):
        raise ClientValueError(
            f"a multipart body is a JSON object, not {type(fields).__name__}"
        )
    boundary = f"runmodels-{uuid.uuid4().hex}"
    parts: list[bytes | _FilePart] = []
    for name, value in fields.items():
        if name in files:
            files_given: list[Any] = value if is_list(value) else [value]
            parts.extend(_FilePart(name, item) for item in files_given)
            continue
        data: Any = enc(value)
        items: list[Any] = (
            data if is_list(data) and all(map(_is_scalar, data)) else [data]
        )
        for item in items:
            if _is_scalar(item):
                head = _head(f'form-data; name="{_quote(name)}"', None)
                parts.append(head + _text(item).encode() + _CRLF)
            else:
                head = _head(f'form-data; name="{_quote(name)}"', "application/json")
                text = json.dumps(item, separators=(",", ":"), ensure_ascii=False)
                parts.append(head + text.encode() + _CRLF)
    body = MultipartBody(parts, boundary)
    return RawBody(
        f"multipart/form-data; boundary={boundary}",
        body,
        body.length,
        body.replayable,
    )


def check_fields(
    decode: Callable[..., object], fields: Mapping[str, Any], files: Collection[str]
) -> None:
    """Check a multipart body's members with its model's strict rules (`decode` is the
    model's `from_dict`), all but the files, which the model can only describe as strings:
    a problem raises DecodeError, as for a JSON body."""
    try:
        decode({k: enc(v) for k, v in fields.items() if k not in files}, strict=True)
    except DecodeError as exc:
        places = [path_text(("$", name)) for name in files]
        kept = [
            (path, what)
            for path, what in exc.errors
            if not any(path == p or path.startswith((p + ".", p + "[")) for p in places)
        ]
        if kept:
            raise DecodeError(kept) from None


def binary_body(content: FileContent, content_type: str) -> RawBody:
    """A body that is one file's bytes (`application/octet-stream`, `image/png`…), streamed
    from a file object as a multipart file is."""
    data = _Content("body", content)
    if isinstance(data.content, bytes):
        return RawBody(content_type, data.content, len(data.content))
    return RawBody(content_type, data, data.size, data.size is not None)


def form_body(fields: Any, deep: Collection[str] = ()) -> RawBody:
    """The `application/x-www-form-urlencoded` body of a JSON object.

    Objects nest as `name[key]=value`; a list repeats its name (`tag=a&tag=b`), or, for the
    members in `deep` (`style: deepObject`) and for lists of objects, numbers its items
    (`items[0][price]=…`).
    """
    if not is_dict(fields):
        raise ClientValueError(
            f"a form body is a JSON object, not {type(fields).__name__}"
        )
    pairs: list[tuple[str, str]] = []
    for name, value in fields.items():
        _pairs(pairs, name, value, indexed=name in deep)
    return RawBody(
        "application/x-www-form-urlencoded",
        urllib.parse.urlencode(pairs).encode("ascii"),
    )


def _pairs(out: list[tuple[str, str]], key: str, value: Any, indexed: bool) -> None:
    if is_dict(value):
        for sub, item in value.items():
            _pairs(out, f"{key}[{sub}]", item, True)
    elif is_list(value):
        numbered = indexed or not all(map(_is_scalar, value))
        for i, item in enumerate(value):
            _pairs(out, f"{key}[{i}]" if numbered else key, item, True)
    else:
        out.append((key, _text(value)))


def _tuple_of(value: Any) -> tuple[Any, ...]:
    """`value` if it is a tuple (a file with its name and type), else ()."""
    if not isinstance(value, tuple):
        return ()
    items: tuple[Any, ...] = value  # pyright: ignore[reportUnknownVariableType]
    return items


def _optional_text(name: str, what: str, value: Any) -> str | None:
    """A tuple's filename or content type: a string, or None."""
    if value is None or isinstance(value, str):
        return value
    raise ClientValueError(
        f"{name}: a file's {what} is a string, not {type(value).__name__}"
    )


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _text(value: Any) -> str:
    """A JSON scalar as form text: booleans as true/false, null as an empty string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


def _quote(text: str) -> str:
    """A name or filename inside a quoted header parameter, escaped as browsers do."""
    return text.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _head(disposition: str, content_type: str | None) -> bytes:
    lines = f"Content-Disposition: {disposition}\r\n"
    if content_type is not None:
        lines += f"Content-Type: {_quote(content_type)}\r\n"
    return (lines + "\r\n").encode("utf-8")


def _seekable(content: Any) -> bool:
    try:
        return bool(content.seekable()) and isinstance(content.tell(), int)
    except (AttributeError, OSError, ValueError):
        return False
