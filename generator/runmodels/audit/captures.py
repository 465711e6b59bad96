"""Captured traffic for `runmodels audit`: payloads from JSON, JSON Lines, HAR files and folders.

Each payload says what it is decoded as: a schema (named by `--schema`, or by the file name —
`Run.json`, `run_step.jsonl`, `Run__completed.json` as in tests/payloads), or an operation and
its response (HAR entries, matched by method and path template), or an operation's stream of
server-sent events. Nothing here decodes: that is the generated package's work (audit.py).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from runmodels.errors import SpecError
from runmodels.ir.nodes import Operation

SUFFIXES = (".json", ".jsonl", ".ndjson", ".har")
MAX_FILE_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class Payload:
    """One JSON value to decode, and what to decode it as."""

    source: str  # where it came from: `file`, `file:line` or `file#entry`
    data: Any
    schema: str | None = None  # a schema or class name (from the file name or --schema)
    operation: Operation | None = None  # a HAR entry's operation: its result type
    stream: bool = False  # `data` is one server-sent event {"event": …, "data": …}
    file: str = ""  # the capture file it was read from


@dataclass(frozen=True)
class Unmatched:
    """A capture that could not be decoded, and why (listed in the report, never fatal)."""

    source: str
    reason: str


def files_of(paths: Sequence[Path]) -> list[Path]:
    """The capture files named, folders searched recursively, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in SUFFIXES)
        elif path.is_file():
            found.append(path)
        else:
            raise SpecError("no such file or folder", file=path,
                            hint="name JSON, JSON Lines or HAR files, or folders of them")
    return found


def read_captures(paths: Sequence[Path], operations: Sequence[Operation],
                  servers: Sequence[str], schema: str | None
                  ) -> Iterator[Payload | Unmatched]:
    """Every payload in the files, or why one could not be used."""
    router = _Router(operations, servers)
    for path in files_of(paths):
        shown = str(path)
        try:
            text = _read(path)
        except (OSError, UnicodeDecodeError) as exc:
            yield Unmatched(shown, f"cannot read: {getattr(exc, 'strerror', None) or exc}")
            continue
        suffix = path.suffix.lower()
        named = schema or schema_of_file(path)
        if suffix in (".jsonl", ".ndjson"):
            for number, line in enumerate(text.splitlines(), 1):
                if line.strip():
                    yield _one(shown, number, line, named)
            continue
        try:
            document = json.loads(text)
        except ValueError as exc:
            yield Unmatched(shown, f"not JSON ({exc})")
            continue
        if suffix == ".har" or (isinstance(document, dict) and "log" in document
                                and isinstance(document["log"], dict)):
            yield from _har(shown, document, router, schema)
        elif isinstance(document, list) and named is not None:
            for index, item in enumerate(document):
                yield Payload(f"{shown}[{index}]", item, named, file=shown)
        else:
            yield Payload(shown, document, named, file=shown) if named else Unmatched(
                shown, "no schema: name the file after one (Run.json) or pass --schema")


def schema_of_file(path: Path) -> str | None:
    """`Run__completed.json` → `Run`; `run_step.jsonl` → `run_step` (matched loosely later)."""
    stem = path.name.split(".", 1)[0].split("__", 1)[0]
    return stem or None


def _read(path: Path) -> str:
    with open(path, "rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise OSError(0, f"larger than {MAX_FILE_BYTES // 2**20} MB")
    return data.decode("utf-8-sig")


def _one(file: str, number: int, text: str, schema: str | None) -> Payload | Unmatched:
    source = f"{file}:{number}"
    try:
        data = json.loads(text)
    except ValueError as exc:
        return Unmatched(source, f"not JSON ({exc})")
    if schema is None:
        return Unmatched(source, "no schema: name the file after one or pass --schema")
    return Payload(source, data, schema, file=file)


def _har(shown: str, document: Any, router: _Router, schema: str | None
         ) -> Iterator[Payload | Unmatched]:
    entries = document.get("log", {}).get("entries") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        yield Unmatched(shown, "a HAR file without log.entries")
        return
    for index, entry in enumerate(entries):
        where = f"{shown}#{index}"
        try:
            request, response = entry["request"], entry["response"]
            method, url = str(request["method"]).upper(), str(request["url"])
            status = int(response.get("status", 0))
            content = response.get("content") or {}
        except (KeyError, TypeError, ValueError, AttributeError):
            yield Unmatched(where, "an entry without request.method, request.url or response")
            continue
        if not 200 <= status < 300:
            continue  # errors are described by other schemas; only successes are audited
        text = content.get("text")
        if not isinstance(text, str) or not text:
            continue
        if content.get("encoding") == "base64":
            try:
                text = base64.b64decode(text).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                yield Unmatched(where, "a base64 body that is not UTF-8 text")
                continue
        operation = router.match(method, url)
        if operation is None and schema is None:
            yield Unmatched(where, f"no operation of the spec answers {method} {urlsplit(url).path}")
            continue
        mime = str(content.get("mimeType", "")).split(";", 1)[0].strip().lower()
        if mime == "text/event-stream":
            if operation is None or operation.stream_event is None:
                yield Unmatched(where, "a stream from an operation without typed events")
                continue
            for number, event in enumerate(sse_events(text)):
                yield Payload(f"{where}.{number}", event, operation=operation, stream=True,
                              file=shown)
            continue
        try:
            data = json.loads(text)
        except ValueError:
            continue  # not a JSON answer (a file download, HTML…): nothing to audit
        yield Payload(where, data, schema, None if schema else operation, file=shown)


def sse_events(text: str) -> Iterator[dict[str, Any]]:
    """The events of a text/event-stream body as `{"event": name, "data": JSON or text}`."""
    for frame in re.split(r"\r?\n\r?\n", text):
        event: str | None = None
        data: list[str] = []
        for line in frame.splitlines():
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                event = value
            elif field == "data":
                data.append(value)
        if event is None and not data:
            continue
        raw = "\n".join(data)
        try:
            decoded: Any = json.loads(raw)
        except ValueError:
            decoded = raw
        yield {"event": event, "data": decoded}


class _Router:
    """Request method and URL → the operation whose path template matches (most literal wins)."""

    def __init__(self, operations: Sequence[Operation], servers: Sequence[str]) -> None:
        self.prefixes = sorted({urlsplit(s).path.rstrip("/") for s in servers} | {""},
                               key=len, reverse=True)
        self.routes: list[tuple[int, str, re.Pattern[str], Operation]] = []
        for op in operations:
            parts = re.split(r"(\{[^}/]*\})", op.path)
            pattern = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
            literal = sum(len(p) for p in parts if not p.startswith("{"))
            self.routes.append((-literal, op.method.upper(), re.compile(pattern + "/?"), op))
        self.routes.sort(key=lambda route: route[0])

    def match(self, method: str, url: str) -> Operation | None:
        path = unquote(urlsplit(url).path)
        for prefix in self.prefixes:
            if prefix and not path.startswith(prefix + "/"):
                continue
            rest = path[len(prefix):]
            for _, verb, pattern, op in self.routes:
                if verb == method and pattern.fullmatch(rest):
                    return op
        return None
