"""In-memory fake of the OpenAI Assistants runs API over real HTTP, with fault injection.

Usage::

    with start_fake_server() as (base_url, state):   # base_url ends with "/v1"
        state.fail(429, headers={"Retry-After": "1"})  # next response is a 429
        ...
        assert state.requests[-1].path == "/v1/threads/thread_0001/runs"

Run lifecycle (each GET of a run advances it one step):
queued -> in_progress -> requires_action (two function tool calls)
-- submit_tool_outputs --> in_progress -> completed (tool_calls + message_creation steps).
A cancelled run goes cancelling -> cancelled.  Streaming (``"stream": true`` in the body of
create run / create thread and run / submit tool outputs) replays SSE frames, by default built
from the run (see ``default_frames``), or ``state.sse_frames`` verbatim when set.
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import hashlib
import json
import socket
import ssl
import struct
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API_KEY = "sk-test"
# bodies that are forms, or a file's bytes (/v1/files/raw)
FORM_ROUTES = ("/v1/files", "/v1/files/batch", "/v1/files/raw", "/v1/customers")
BETA = "assistants=v2"


@dataclass
class RecordedRequest:
    """One request as received by the fake server."""

    method: str
    path: str  # raw (still percent-encoded) path without the query string
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: Any  # decoded JSON, a form's parts or pairs, raw bytes otherwise, None when empty
    raw_body: bytes
    digest: str = ""  # sha256 of the body as received (with `digest_bodies`: raw_body is b"")
    size: int = 0  # bytes of the body as received
    chunked: bool = False  # sent with Transfer-Encoding: chunked


@dataclass(frozen=True)
class FormPart:
    """One part of a multipart/form-data body, parsed by the standard library's email parser."""

    name: str
    filename: str | None
    content_type: str
    data: bytes


@dataclass
class Fault:
    """A fault applied to one upcoming request."""

    kind: str  # "status" | "drop" | "reset" | "malformed_json" | "slow" | "trickle" | "endless"
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None  # dict -> JSON, str/bytes -> verbatim, None -> OpenAI-style error
    delay: float = 0.0
    content_type: str = "application/json"
    whole: bool = False  # trickle: the status line and headers too, not just the body


@dataclass
class FakeState:
    """Server state, configuration and fault queue; mutate it from tests."""

    api_key: str | None = API_KEY  # None disables the Authorization check
    beta: str | None = BETA  # None disables the OpenAI-Beta check
    poll_after_ms: int | str | None = None  # sent as openai-poll-after-ms on run GETs
    sse_frames: list[str | bytes] | None = None  # custom raw SSE frames, written verbatim
    sse_frame_delay: float = 0.0  # pause between SSE frames
    sse_fault: str | None = None  # "error" or "malformed": applied to the next stream
    tool_calls: int = 2
    digest_bodies: bool = False  # bodies hashed as they arrive, not kept (large uploads)
    threads: dict[str, dict[str, Any]] = field(default_factory=dict)
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    steps: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    faults: deque[Fault] = field(default_factory=deque)
    sse_frames_sent: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)
    stopped: threading.Event = field(default_factory=threading.Event)
    _counter: int = 0

    # -- fault injection -------------------------------------------------------------------
    def fail(
        self, status: int, count: int = 1, *, headers: dict[str, str] | None = None,
        body: Any = None,
    ) -> None:
        """Answer the next `count` requests with `status` (OpenAI-style error unless `body`)."""
        for _ in range(count):
            self.faults.append(Fault("status", status, dict(headers or {}), body))

    def drop_connection(self, count: int = 1) -> None:
        """Close the socket of the next `count` requests without any response."""
        self.faults.extend(Fault("drop") for _ in range(count))

    def reset(self, count: int = 1) -> None:
        """Read the next `count` requests whole, then reset the connection (TCP RST)."""
        self.faults.extend(Fault("reset") for _ in range(count))

    def trickle(self, body: bytes, interval: float, *, whole: bool = False,
                status: int = 200) -> None:
        """Answer the next request byte by byte, one every `interval` seconds."""
        self.faults.append(Fault("trickle", status, body=body, delay=interval, whole=whole))

    def endless(self, chunk: bytes, *, status: int = 200,
                content_type: str = "application/json") -> None:
        """Answer the next request with a chunked body repeating `chunk` until the client goes."""
        self.faults.append(Fault("endless", status, body=chunk, content_type=content_type))

    def malformed_json(self, count: int = 1) -> None:
        """Answer the next `count` requests with 200 and a truncated JSON body."""
        self.faults.extend(Fault("malformed_json") for _ in range(count))

    def slow(self, seconds: float, count: int = 1) -> None:
        """Delay the next `count` responses by `seconds`."""
        self.faults.extend(Fault("slow", delay=seconds) for _ in range(count))

    # -- data helpers ----------------------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        """Return a fresh, sortable id."""
        with self.lock:
            self._counter += 1
            return f"{prefix}_{self._counter:04d}"

    def create_thread(self, metadata: dict[str, str] | None = None) -> dict[str, Any]:
        """Create and return a thread object."""
        thread: dict[str, Any] = {
            "id": self.new_id("thread"), "object": "thread", "created_at": int(time.time()),
            "metadata": metadata or {}, "tool_resources": {},
        }
        self.threads[thread["id"]] = thread
        return thread

    def create_run(self, thread_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Create and return a queued run."""
        run: dict[str, Any] = {
            "id": self.new_id("run"), "object": "thread.run", "created_at": int(time.time()),
            "thread_id": thread_id, "assistant_id": body["assistant_id"], "status": "queued",
            "required_action": None, "last_error": None,
            "expires_at": int(time.time()) + 600, "started_at": None, "cancelled_at": None,
            "failed_at": None, "completed_at": None, "incomplete_details": None,
            "model": body.get("model") or "gpt-4o",
            "instructions": body.get("instructions") or "",
            "tools": body.get("tools") or [], "metadata": body.get("metadata") or {},
            "usage": None, "temperature": body.get("temperature", 1.0),
            "top_p": body.get("top_p", 1.0),
            "max_prompt_tokens": body.get("max_prompt_tokens"),
            "max_completion_tokens": body.get("max_completion_tokens"),
            "truncation_strategy": body.get("truncation_strategy")
            or {"type": "auto", "last_messages": None},
            "tool_choice": body.get("tool_choice", "auto"),
            "parallel_tool_calls": body.get("parallel_tool_calls", True),
            "response_format": body.get("response_format", "auto"),
            "_outputs_submitted": False,
        }
        self.runs[run["id"]] = run
        self.steps[run["id"]] = []
        return run

    def new_step(self, run: dict[str, Any], details: dict[str, Any]) -> dict[str, Any]:
        """Create an in-progress run step of `run`."""
        step = {
            "id": self.new_id("step"), "object": "thread.run.step",
            "created_at": int(time.time()), "assistant_id": run["assistant_id"],
            "thread_id": run["thread_id"], "run_id": run["id"], "type": details["type"],
            "status": "in_progress", "step_details": details, "last_error": None,
            "expired_at": None, "cancelled_at": None, "failed_at": None, "completed_at": None,
            "metadata": {}, "usage": None,
        }
        self.steps[run["id"]].append(step)
        return step

    def advance(self, run: dict[str, Any]) -> None:
        """Move `run` one step along its lifecycle (called on each GET)."""
        now = int(time.time())
        status = run["status"]
        if status == "queued":
            run.update(status="in_progress", started_at=now)
        elif status == "in_progress" and not run["_outputs_submitted"] and self.tool_calls:
            calls = [
                {"id": self.new_id("call"), "type": "function",
                 "function": {"name": f"tool_{i}", "arguments": json.dumps({"n": i})}}
                for i in range(self.tool_calls)
            ]
            self.new_step(run, {"type": "tool_calls", "tool_calls": calls})
            run.update(status="requires_action", required_action={
                "type": "submit_tool_outputs", "submit_tool_outputs": {"tool_calls": calls}})
        elif status == "in_progress":
            self.complete(run)
        elif status == "cancelling":
            run.update(status="cancelled", cancelled_at=now)
            for step in self.steps[run["id"]]:
                if step["status"] == "in_progress":
                    step.update(status="cancelled", cancelled_at=now)

    def complete(self, run: dict[str, Any], message_step: bool = True) -> None:
        """Complete `run` and its steps, first adding a message_creation step if asked."""
        now = int(time.time())
        if message_step:
            self.new_step(run, {"type": "message_creation",
                                "message_creation": {"message_id": self.new_id("msg")}})
        usage = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
        for step in self.steps[run["id"]]:
            if step["status"] == "in_progress":
                step.update(status="completed", completed_at=now, usage=usage)
        run.update(status="completed", completed_at=now, required_action=None, usage=usage)


def parse_multipart(content_type: str, raw: bytes) -> list[FormPart]:
    """The parts of a multipart/form-data body, by the standard library's email parser."""
    if not raw:
        return []
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
    parts = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        parts.append(FormPart(str(part.get_param("name", header="content-disposition")),
                              part.get_filename(), part.get_content_type(),
                              payload if isinstance(payload, bytes) else b""))
    return parts


def public(obj: dict[str, Any]) -> dict[str, Any]:
    """Drop private bookkeeping keys."""
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def frame(event: str, data: Any) -> str:
    """Format one SSE frame."""
    text = data if isinstance(data, str) else json.dumps(data)
    return f"event: {event}\ndata: {text}\n\n"


def default_frames(state: FakeState, run: dict[str, Any], submitted: bool) -> list[str]:
    """SSE frames replaying `run` to completion (mutates the stored run accordingly)."""
    frames: list[str] = []
    if submitted:
        tool_steps = [s for s in state.steps[run["id"]] if s["status"] == "in_progress"]
        for step in tool_steps:
            step.update(status="completed", completed_at=int(time.time()))
            frames.append(frame("thread.run.step.completed", public(step)))
        run.update(status="queued", required_action=None)
    else:
        frames.append(frame("thread.run.created", public(run)))
    frames.append(frame("thread.run.queued", public(run)))
    run.update(status="in_progress", started_at=int(time.time()))
    frames.append(frame("thread.run.in_progress", public(run)))
    if state.sse_fault == "error":
        state.sse_fault = None
        error = {"message": "The server had an error while processing your request.",
                 "type": "server_error", "param": None, "code": "server_error"}
        run.update(status="failed", failed_at=int(time.time()),
                   last_error={"code": "server_error", "message": error["message"]})
        return [*frames, frame("error", error)]
    msg_id = state.new_id("msg")
    step = state.new_step(run, {"type": "message_creation",
                                "message_creation": {"message_id": msg_id}})
    frames.append(frame("thread.run.step.created", public(step)))
    if state.sse_fault == "malformed":
        state.sse_fault = None
        frames.append('event: thread.run.step.delta\ndata: {"id": "' + step["id"] + '", "delt\n\n')
    frames.append(frame("thread.run.step.delta", {
        "id": step["id"], "object": "thread.run.step.delta",
        "delta": {"step_details": {"type": "message_creation",
                                   "message_creation": {"message_id": msg_id}}}}))
    frames.append(frame("thread.message.delta", {
        "id": msg_id, "object": "thread.message.delta",
        "delta": {"content": [{"index": 0, "type": "text",
                               "text": {"value": "Hello", "annotations": []}}]}}))
    state.complete(run, message_step=False)
    frames.append(frame("thread.run.step.completed", public(step)))
    frames.append(frame("thread.run.completed", public(run)))
    frames.append(frame("done", "[DONE]"))
    return frames


def paginate(items: list[dict[str, Any]], query: dict[str, list[str]]) -> dict[str, Any]:
    """Cursor-paginate `items` (in creation order) like the OpenAI list endpoints."""
    limit = int(query.get("limit", ["20"])[0])
    if not 1 <= limit <= 100:
        raise ApiFailure(400, "Invalid 'limit': integer must be between 1 and 100.", "limit")
    ordered = list(items) if query.get("order", ["desc"])[0] == "asc" else items[::-1]
    ids = [item["id"] for item in ordered]
    if after := query.get("after", [None])[0]:
        ordered = ordered[ids.index(after) + 1:] if after in ids else []
    elif before := query.get("before", [None])[0]:
        ordered = ordered[:ids.index(before)][-limit:] if before in ids else []
    page = [public(item) for item in ordered[:limit]]
    return {
        "object": "list", "data": page, "first_id": page[0]["id"] if page else None,
        "last_id": page[-1]["id"] if page else None, "has_more": len(ordered) > limit,
    }


class ApiFailure(Exception):
    """Raised by route handlers to answer with an OpenAI-style error."""

    def __init__(self, status: int, message: str, param: str | None = None,
                 code: str | None = None, type: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code, self.type = (
            status, message, param, code, type)


def error_body(message: str, type: str, param: str | None, code: str | None) -> bytes:
    """OpenAI error JSON."""
    return json.dumps({"error": {"message": message, "type": type, "param": param,
                                 "code": code}}).encode()


_DEFAULT_ERRORS = {
    429: ("Rate limit reached for requests", "requests", "rate_limit_exceeded"),
    500: ("The server had an error while processing your request.", "server_error", None),
}


class Handler(BaseHTTPRequestHandler):
    """Request handler; the server's `state` attribute holds the FakeState."""

    protocol_version = "HTTP/1.1"
    server: FakeServer

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        """Handle GET."""
        self._handle()

    def do_POST(self) -> None:
        """Handle POST."""
        self._handle()

    def do_DELETE(self) -> None:
        """Handle DELETE."""
        self._handle()

    def do_PATCH(self) -> None:
        """Handle PATCH."""
        self._handle()

    def do_PUT(self) -> None:
        """Handle PUT."""
        self._handle()

    # -- plumbing --------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None,
              content_type: str = "application/json") -> None:
        hdrs = {"Content-Type": content_type, "x-request-id": self.server.state.new_id("req"),
                "openai-processing-ms": "1", **(headers or {})}
        self.send_response(status)
        for key, value in hdrs.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(data).encode(), headers)

    def _send_sse(self, frames: list[str | bytes]) -> None:
        state = self.server.state
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("x-request-id", state.new_id("req"))
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i, item in enumerate(frames):
            data = item.encode() if isinstance(item, str) else item
            if i and state.sse_frame_delay and state.stopped.wait(state.sse_frame_delay):
                break
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()
            state.sse_frames_sent += 1
        self.wfile.write(b"0\r\n\r\n")
        self.close_connection = True

    def _handle(self) -> None:
        state = self.server.state
        split = urllib.parse.urlsplit(self.path)
        raw, digest, size, chunked = self._read_body(state.digest_bodies)
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype == "multipart/form-data":
            body: Any = parse_multipart(self.headers.get("Content-Type", ""), raw)
        elif ctype == "application/x-www-form-urlencoded":
            body = urllib.parse.parse_qsl(raw.decode("ascii"), keep_blank_values=True)
        else:
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw
        query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        headers = {k.lower(): v for k, v in self.headers.items()}
        with state.lock:
            state.requests.append(RecordedRequest(self.command, split.path, query, headers,
                                                  body, raw, digest, size, chunked))
            fault = state.faults.popleft() if state.faults else None
        try:
            if fault is not None and self._apply_fault(fault):
                return
            self._check_headers(headers)
            if split.path in FORM_ROUTES:
                self._form(split.path, body if isinstance(body, list) else [])
                return
            if raw and isinstance(body, bytes):
                raise ApiFailure(400, "We could not parse the JSON body of your request.")
            frames = self._route(self.command, split.path, query, body)
            if frames is not None:
                self._send_sse(frames)
        except ApiFailure as exc:
            self._send(exc.status, error_body(exc.message, exc.type, exc.param, exc.code))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _read_body(self, digest_only: bool) -> tuple[bytes, str, int, bool]:
        """(body, sha256, size, chunked): by Content-Length or chunked; with `digest_only`
        the body is hashed in pieces and not kept."""
        sha = hashlib.sha256()
        kept: list[bytes] = []
        size = 0

        def take(count: int) -> None:
            nonlocal size
            while count > 0:
                piece = self.rfile.read(min(count, 1 << 16))
                if not piece:
                    raise ConnectionResetError("the request body ended early")
                count -= len(piece)
                size += len(piece)
                sha.update(piece)
                if not digest_only:
                    kept.append(piece)

        chunked = "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()
        if chunked:
            while (length := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)):
                take(length)
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
        else:
            take(int(self.headers.get("Content-Length") or 0))
        return b"".join(kept), sha.hexdigest(), size, chunked

    def _apply_fault(self, fault: Fault) -> bool:
        """Apply `fault`; return True when the request is fully answered."""
        if fault.kind == "drop":
            self.close_connection = True
            return True
        if fault.kind == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.close_connection = True
            return True
        if fault.kind in ("trickle", "endless"):
            self._stream_fault(fault)
            return True
        if fault.kind == "slow":
            self.server.state.stopped.wait(fault.delay)
            return False
        if fault.kind == "malformed_json":
            self._send(200, b'{"id": "run_0001", "object": "thread.run", "status": ')
            return True
        body = fault.body
        if body is None:
            message, type_, code = _DEFAULT_ERRORS.get(
                fault.status, (f"Fake error {fault.status}", "invalid_request_error", None))
            if fault.status > 500:
                message, type_, code = _DEFAULT_ERRORS[500]
            body = error_body(message, type_, None, code)
        elif isinstance(body, dict):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        ctype = "application/json" if body[:1] in (b"{", b"[") else "text/html"
        self._send(fault.status, body, fault.headers, ctype)
        return True

    def _stream_fault(self, fault: Fault) -> None:
        """Write a trickling or endless answer until done, stopped or the client leaves."""
        state = self.server.state
        self.close_connection = True
        try:
            if fault.kind == "trickle":
                head = (f"HTTP/1.1 {fault.status} OK\r\nContent-Type: application/json\r\n"
                        f"Content-Length: {len(fault.body)}\r\n\r\n").encode()
                if not fault.whole:
                    self.wfile.write(head)
                    head = b""
                for i in range(len(head + fault.body)):
                    if state.stopped.wait(fault.delay):
                        return
                    self.wfile.write((head + fault.body)[i:i + 1])
                    self.wfile.flush()
                return
            self.send_response(fault.status)
            self.send_header("Content-Type", fault.content_type)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"%x\r\n%s\r\n" % (len(fault.body), fault.body)
            while not state.stopped.is_set():
                self.wfile.write(chunk)
        except OSError:
            return  # the client went away, as it should

    def _check_headers(self, headers: dict[str, str]) -> None:
        state = self.server.state
        if state.api_key is not None:
            auth = headers.get("authorization", "")
            if not auth.startswith("Bearer "):
                raise ApiFailure(401, "You didn't provide an API key. You need to provide your "
                                 "API key in an Authorization header using Bearer auth.")
            if auth != f"Bearer {state.api_key}":
                raise ApiFailure(401, f"Incorrect API key provided: {auth[7:]}.",
                                 code="invalid_api_key")
        if (state.beta is not None and state.beta not in headers.get("openai-beta", "")
                and self.path.split("?")[0] not in FORM_ROUTES):  # uploads are no Assistants API
            raise ApiFailure(400, "You must provide the 'OpenAI-Beta' header to access the "
                             f"Assistants API. Please try again by setting the header "
                             f"'OpenAI-Beta: {state.beta}'.", code="invalid_beta")

    # -- routes ----------------------------------------------------------------------------
    def _form(self, path: str, body: list[Any]) -> None:
        """Form routes: `POST /v1/files` (an upload), `/v1/files/raw` (a file's bytes) and
        `POST /v1/customers` (a form), answered with what the server parsed, for the tests."""
        state = self.server.state
        if path == "/v1/files/raw":
            request = state.requests[-1]
            self._send_json(200, {"id": state.new_id("file"), "object": "file",
                                  "bytes": request.size, "filename": None, "purpose": None})
        elif path in ("/v1/files", "/v1/files/batch"):
            parts = [p for p in body if isinstance(p, FormPart)]
            files = [p for p in parts if p.filename is not None or p.name == "file"]
            fields = {p.name: p.data.decode() for p in parts if p not in files}
            request = state.requests[-1]
            self._send_json(200, {
                "id": state.new_id("file"), "object": "file",
                "bytes": sum(len(p.data) for p in files) if files else request.size,
                "filename": files[0].filename if files else None,
                "purpose": fields.get("purpose"), "parts": len(parts),
            })
        elif path == "/v1/customers":
            self._send_json(200, {"id": state.new_id("cus"), "object": "customer",
                                  "fields": [list(pair) for pair in body]})
        else:
            raise ApiFailure(404, f"Invalid URL (POST {path})")

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], body: Any
    ) -> list[str | bytes] | None:
        """Answer JSON requests; return the SSE frames to send for streaming ones."""
        state = self.server.state
        if not path.startswith("/v1/"):
            raise ApiFailure(404, f"Invalid URL ({method} {path})")
        parts = [urllib.parse.unquote(p) for p in path[4:].split("/")]
        body = body if isinstance(body, dict) else {}
        key = f"{method} " + "/".join(
            p if p in ("threads", "runs", "steps", "cancel", "submit_tool_outputs") else "*"
            for p in parts)
        with state.lock:
            if key == "POST threads":
                self._send_json(200, state.create_thread(body.get("metadata")))
            elif key == "POST threads/runs":
                thread = state.create_thread((body.get("thread") or {}).get("metadata"))
                return self._start_run(thread["id"], body)
            elif key == "POST threads/*/runs":
                self._thread(parts[1])
                return self._start_run(parts[1], body)
            elif key == "GET threads/*/runs":
                self._thread(parts[1])
                runs = [r for r in state.runs.values() if r["thread_id"] == parts[1]]
                self._send_json(200, paginate(runs, query))
            elif key == "GET threads/*/runs/*":
                run = self._run(parts[1], parts[3])
                state.advance(run)
                extra = ({"openai-poll-after-ms": str(state.poll_after_ms)}
                         if state.poll_after_ms is not None else None)
                self._send_json(200, public(run), extra)
            elif key == "POST threads/*/runs/*":
                run = self._run(parts[1], parts[3])
                if "metadata" in body:
                    run["metadata"] = body["metadata"]
                self._send_json(200, public(run))
            elif key == "POST threads/*/runs/*/cancel":
                run = self._run(parts[1], parts[3])
                if run["status"] not in ("queued", "in_progress", "requires_action"):
                    raise ApiFailure(400, f"Cannot cancel run with status '{run['status']}'.")
                run["status"] = "cancelling"
                self._send_json(200, public(run))
            elif key == "POST threads/*/runs/*/submit_tool_outputs":
                return self._submit(self._run(parts[1], parts[3]), body)
            elif key == "GET threads/*/runs/*/steps":
                self._run(parts[1], parts[3])
                self._send_json(200, paginate(state.steps[parts[3]], query))
            elif key == "GET threads/*/runs/*/steps/*":
                self._run(parts[1], parts[3])
                found = [s for s in state.steps[parts[3]] if s["id"] == parts[5]]
                if not found:
                    raise ApiFailure(404, f"No run step found with id '{parts[5]}'.")
                self._send_json(200, public(found[0]))
            else:
                raise ApiFailure(404, f"Invalid URL ({method} {path})")
        return None

    def _thread(self, thread_id: str) -> dict[str, Any]:
        thread = self.server.state.threads.get(thread_id)
        if thread is None:
            raise ApiFailure(404, f"No thread found with id '{thread_id}'.")
        return thread

    def _run(self, thread_id: str, run_id: str) -> dict[str, Any]:
        self._thread(thread_id)
        run = self.server.state.runs.get(run_id)
        if run is None or run["thread_id"] != thread_id:
            raise ApiFailure(404, f"No run found with id '{run_id}'.")
        return run

    def _start_run(self, thread_id: str, body: dict[str, Any]) -> list[str | bytes] | None:
        if not isinstance(body.get("assistant_id"), str):
            raise ApiFailure(400, "Missing required parameter: 'assistant_id'.",
                             "assistant_id", "missing_required_parameter")
        run = self.server.state.create_run(thread_id, body)
        return self._reply_run(run, body, submitted=False)

    def _submit(self, run: dict[str, Any], body: dict[str, Any]) -> list[str | bytes] | None:
        if run["status"] != "requires_action":
            raise ApiFailure(400, f"Runs in status \"{run['status']}\" do not accept tool "
                             "outputs.")
        expected = {c["id"] for c in run["required_action"]["submit_tool_outputs"]["tool_calls"]}
        got = {o.get("tool_call_id") for o in body.get("tool_outputs") or []
               if isinstance(o, dict)}
        if got != expected:
            raise ApiFailure(400, f"Expected tool outputs for call_ids {sorted(expected)}, "
                             f"got {sorted(str(g) for g in got)}", "tool_outputs")
        run.update(status="in_progress", required_action=None, _outputs_submitted=True)
        return self._reply_run(run, body, submitted=True)

    def _reply_run(
        self, run: dict[str, Any], body: dict[str, Any], submitted: bool
    ) -> list[str | bytes] | None:
        state = self.server.state
        if body.get("stream") is not True:
            self._send_json(200, public(run))
            return None
        if state.sse_frames is not None:
            return list(state.sse_frames)
        return list(default_frames(state, run, submitted))


class FakeServer(ThreadingHTTPServer):
    """Threading HTTP server carrying a FakeState."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, state: FakeState) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.state = state

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore clients that went away (e.g. after a client-side timeout)."""


@contextlib.contextmanager
def start_fake_server(state: FakeState | None = None, tls: ssl.SSLContext | None = None
                      ) -> Iterator[tuple[str, FakeState]]:
    """Run a fake server on a free port in a daemon thread; yield (base_url, state).

    With `tls` (a server-side context) it speaks https, and base_url says so.
    """
    state = state or FakeState()
    server = FakeServer(state)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        scheme = "https" if tls is not None else "http"
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}/v1", state
    finally:
        state.stopped.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
