"""Multipart and form bodies over real HTTP: the fake server parses what the generated client
sends with the standard library (the `email` parser, `parse_qsl`) and the tests compare it byte
for byte — files as bytes, file objects and tuples, arrays of files, a 50 MB file streamed in
bounded memory, a pipe sent chunked, a seekable file resent whole on a retry — through the sync
client and the async runtime (asyncio sockets, httpx's async client)."""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import io
import os
import subprocess
import sys
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fake_runs_server import API_KEY, FakeState, FormPart

from runmodels.api import generate

SPEC = Path(__file__).parent / "forms" / "uploads.yaml"


@pytest.fixture(scope="module")
def uploads(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    out = tmp_path_factory.mktemp("forms")
    generate(SPEC, out, "forms_uploads")
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module("forms_uploads")
    finally:
        sys.path.remove(str(out))


@pytest.fixture
def client(uploads: ModuleType, server: tuple[str, FakeState]) -> Any:
    return uploads.Client(server[0], API_KEY, max_retries=1)


def _boundary(content_type: str) -> str:
    kind, _, boundary = content_type.partition("; boundary=")
    assert kind == "multipart/form-data" and boundary
    return boundary


def test_a_file_and_a_field_byte_for_byte(uploads: ModuleType, client: Any,
                                          state: FakeState) -> None:
    content = b"line one\r\n--not-a-boundary\r\n\x00\xff binary\r\n"
    uploaded = client.create_file(file=("notes \"q\".txt", content, "text/plain"),
                                  purpose=uploads.CreateFileRequestPurpose.ASSISTANTS)
    assert isinstance(uploaded, uploads.UploadedFile) and uploaded.bytes_ == len(content)
    request = state.requests[-1]
    boundary = _boundary(request.headers["content-type"])
    expected = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="notes %22q%22.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n").encode() + content + (
        f"\r\n--{boundary}\r\n"
        'Content-Disposition: form-data; name="purpose"\r\n\r\n'
        f"assistants\r\n--{boundary}--\r\n").encode()
    assert request.raw_body == expected
    assert request.headers["content-length"] == str(len(expected)) and not request.chunked
    # a quote in a name is escaped by HTML's rule (as browsers, urllib3 and httpx send it),
    # which the email parser leaves as it is
    assert request.body == [FormPart("file", "notes %22q%22.txt", "text/plain", content),
                            FormPart("purpose", None, "text/plain", b"assistants")]
    assert uploaded.purpose == "assistants"


def test_arrays_of_files_file_objects_and_every_kind_of_field(
        client: Any, state: FakeState, tmp_path: Path) -> None:
    on_disk = tmp_path / "report.pdf"
    on_disk.write_bytes(b"%PDF-1.7 " + bytes(range(256)))
    with open(on_disk, "rb") as handle:
        handle.read(4)  # a file object is sent from where it stands
        client.upload_batch(
            files=[b"raw bytes", handle, ("table.csv", io.BytesIO(b"a,b\n1,2\n")),
                   (None, b"\x00\x01", "image/png")],
            cover=("cover.png", b"png"), note="héllo wörld", count=3, public=True, tags=["x", "y"], meta={"k": "v"})
    parts = state.requests[-1].body
    assert parts == [
        FormPart("files", None, "application/octet-stream", b"raw bytes"),
        FormPart("files", "report.pdf", "application/pdf", on_disk.read_bytes()[4:]),
        FormPart("files", "table.csv", "text/csv", b"a,b\n1,2\n"),
        FormPart("files", None, "image/png", b"\x00\x01"),
        FormPart("cover", "cover.png", "image/png", b"png"),
        FormPart("note", None, "text/plain", "héllo wörld".encode()),
        FormPart("count", None, "text/plain", b"3"),
        FormPart("public", None, "text/plain", b"true"),
        FormPart("tags", None, "text/plain", b"x"),
        FormPart("tags", None, "text/plain", b"y"),
        FormPart("meta", None, "application/json", b'{"k":"v"}'),
    ]


def test_a_form_body_byte_for_byte(uploads: ModuleType, client: Any, state: FakeState) -> None:
    customer = client.create_customer(
        name="Jenny Rosen & co", balance=-5, tax_exempt=False, expand=["sources", "tax"],
        preferred_locales=["en", "fr"], metadata={"order_id": "6735"},
        address=uploads.CreateCustomerRequestAddress(city="Berlin", line1="Straße 1"))
    request = state.requests[-1]
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.raw_body == (
        b"name=Jenny+Rosen+%26+co&balance=-5&tax_exempt=false"
        b"&expand%5B0%5D=sources&expand%5B1%5D=tax&preferred_locales=en&preferred_locales=fr"
        b"&metadata%5Border_id%5D=6735&address%5Bcity%5D=Berlin&address%5Bline1%5D=Stra%C3%9Fe+1")
    assert customer.fields[0] == ["name", "Jenny Rosen & co"]
    assert ["address[line1]", "Straße 1"] in customer.fields
    client.create_customer()  # an optional body with nothing in it is not sent
    assert state.requests[-1].raw_body == b"" and "content-type" not in state.requests[-1].headers


def test_form_fields_are_validated_before_sending(client: Any, state: FakeState) -> None:
    with pytest.raises(Exception, match="balance"):
        client.create_customer(balance="lots")
    assert state.requests == []


def test_a_large_file_is_streamed_in_bounded_memory(
        uploads: ModuleType, client: Any, state: FakeState, tmp_path: Path) -> None:
    size = 50 * 1024 * 1024
    big = tmp_path / "big.jsonl"
    with open(big, "wb") as handle:
        block = os.urandom(1 << 20)
        handle.writelines(block for _ in range(size >> 20))
    state.digest_bodies = True  # the server hashes the body as it arrives, holding none of it
    tracemalloc.start()
    try:
        with open(big, "rb") as handle:
            client.create_file(file=handle, purpose="batch")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024, f"peak {peak} bytes for a {size}-byte upload"
    request = state.requests[-1]
    boundary = _boundary(request.headers["content-type"])
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            'filename="big.jsonl"\r\nContent-Type: application/octet-stream\r\n\r\n').encode()
    tail = (f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n"
            f"batch\r\n--{boundary}--\r\n").encode()
    expected = hashlib.sha256()
    expected.update(head)
    with open(big, "rb") as handle:
        while chunk := handle.read(1 << 20):
            expected.update(chunk)
    expected.update(tail)
    assert request.size == len(head) + size + len(tail) == int(request.headers["content-length"])
    assert request.digest == expected.hexdigest() and not request.chunked


def test_a_pipe_is_sent_chunked_once_and_never_resent(
        uploads: ModuleType, client: Any, state: FakeState) -> None:
    read_end, write_end = os.pipe()
    payload = os.urandom(300_000)

    def feed() -> None:
        with open(write_end, "wb") as pipe:
            pipe.write(payload)

    writer = threading.Thread(target=feed)
    writer.start()
    with open(read_end, "rb") as pipe:
        client.create_file(file=("stdin.bin", pipe), purpose="batch")
    writer.join()
    request = state.requests[-1]
    assert request.chunked and "content-length" not in request.headers
    assert request.body[0] == FormPart("file", "stdin.bin", "application/octet-stream", payload)

    # a 500 would be retried (the upload carries an idempotency key), but a pipe cannot be
    # read twice: the error is raised instead of sending a truncated body
    read_end, write_end = os.pipe()
    writer = threading.Thread(target=feed)
    writer.start()
    state.fail(500)
    before = len(state.requests)
    with open(read_end, "rb") as pipe, pytest.raises(uploads.InternalServerError):
        client.create_file(file=pipe, purpose="batch")
    writer.join()
    assert len(state.requests) == before + 1


def test_a_seekable_file_is_resent_whole_on_a_retry(
        uploads: ModuleType, client: Any, state: FakeState, tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(os.urandom(200_000))
    state.fail(500)
    with open(path, "rb") as handle:
        client.create_file(file=handle, purpose="fine-tune")
    first, second = state.requests[-2:]
    assert first.raw_body == second.raw_body and len(first.raw_body) > 200_000
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]
    assert second.body[0].data == path.read_bytes()


def test_what_is_not_a_file_is_refused_before_sending(
        uploads: ModuleType, client: Any, state: FakeState, tmp_path: Path) -> None:
    with pytest.raises(uploads.ClientValueError, match="file: a file is bytes"):
        client.create_file(file="just a path.txt", purpose="batch")
    text = tmp_path / "t.txt"
    text.write_text("text")
    with open(text, encoding="utf-8") as handle, pytest.raises(uploads.ClientValueError,
                                                               match="binary mode"):
        client.create_file(file=handle, purpose="batch")
    assert state.requests == []


# ---- the async runtime: the same bodies over asyncio sockets (and httpx's async client) -------


def _async_post(uploads: ModuleType, url: str, body: Any, kind: str) -> Any:
    """POST a form body with the package's AsyncBaseClient, in a fresh event loop."""

    async def main() -> Any:
        transport = None
        if kind == "httpx":
            httpx = pytest.importorskip("httpx")
            transport = uploads._http.HttpxAsyncTransport(httpx.AsyncClient())
        client = uploads._http.AsyncBaseClient(url, API_KEY, max_retries=0, transport=transport)
        try:
            return (await client._request_json("POST", "files", body=body)).data
        finally:
            await client.aclose()

    return asyncio.run(main())


@pytest.mark.parametrize("kind", ["asyncio", "httpx"])
def test_async_transports_send_the_same_multipart_bytes(
        uploads: ModuleType, client: Any, server: tuple[str, FakeState], tmp_path: Path,
        kind: str) -> None:
    url, state = server
    on_disk = tmp_path / "a.bin"
    on_disk.write_bytes(os.urandom(150_000))
    with open(on_disk, "rb") as handle:
        body = uploads._multipart.multipart_body(
            {"file": [handle, ("b.txt", b"bee", "text/plain")], "purpose": "batch"},
            files=("file",))
        answer = _async_post(uploads, url, body, kind)
        sent_async = state.requests[-1]
        # the same body object, iterated anew, through the sync client
        client._request_json("POST", "files", body=body)
    sent_sync = state.requests[-1]
    assert answer["parts"] == 3 and answer["bytes"] == 150_003
    assert sent_async.raw_body == sent_sync.raw_body
    assert sent_async.headers["content-length"] == str(len(sent_sync.raw_body))
    assert sent_async.body[0] == FormPart("file", "a.bin", "application/octet-stream",
                                          on_disk.read_bytes())


def test_the_asyncio_transport_streams_a_pipe_chunked(
        uploads: ModuleType, server: tuple[str, FakeState]) -> None:
    url, state = server
    payload = os.urandom(200_000)
    read_end, write_end = os.pipe()

    def feed() -> None:
        with open(write_end, "wb") as pipe:
            pipe.write(payload)

    writer = threading.Thread(target=feed)
    writer.start()
    with open(read_end, "rb") as pipe:
        body = uploads._multipart.multipart_body({"file": pipe}, files=("file",))
        assert body.length is None and not body.replayable
        _async_post(uploads, url, body, "asyncio")
    writer.join()
    request = state.requests[-1]
    assert request.chunked and "content-length" not in request.headers
    assert request.body == [FormPart("file", None, "application/octet-stream", payload)]


def test_a_body_that_is_one_file(uploads: ModuleType, client: Any, state: FakeState,
                                 tmp_path: Path) -> None:
    """`application/octet-stream` (or `image/png`…) bodies: bytes or a file object, sent as
    they are with the spec's content type; a seekable file is streamed with its length."""
    path = tmp_path / "blob.bin"
    path.write_bytes(os.urandom(300_000))
    with open(path, "rb") as handle:
        uploaded = client.upload_raw(body=handle)
    request = state.requests[-1]
    assert request.raw_body == path.read_bytes() and uploaded.bytes_ == 300_000
    assert request.headers["content-type"] == "application/octet-stream"
    assert request.headers["content-length"] == "300000" and not request.chunked
    client.upload_raw(body=b"\x89PNG", extra_headers={"Content-Type": "image/png"})
    assert state.requests[-1].headers["content-type"] == "image/png"
    assert state.requests[-1].raw_body == b"\x89PNG"
    with pytest.raises(uploads.ClientValueError, match="body: a file is bytes"):
        client.upload_raw(body={"not": "a file"})
    client.replace_image(body=io.BytesIO(b"\x89PNG\r\n"))  # an optional body, `image/png`
    assert state.requests[-1].headers["content-type"] == "image/png"
    assert state.requests[-1].raw_body == b"\x89PNG\r\n"
    client.replace_image()
    assert state.requests[-1].raw_body == b"" and "content-type" not in state.requests[-1].headers


@pytest.mark.slow
def test_the_generated_upload_client_passes_mypy_strict(uploads: ModuleType) -> None:
    package_dir = Path(uploads.__file__).parent
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                             package_dir.name], cwd=package_dir.parent, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout


def test_multipart_members_are_validated_but_not_the_files(
        uploads: ModuleType, server: tuple[str, FakeState], client: Any,
        state: FakeState) -> None:
    with pytest.raises(uploads.DecodeError, match=r"\$\.purpose") as caught:
        client.create_file(file=b"data", purpose="not-a-purpose")
    assert all(path == "$.purpose" for path, _ in caught.value.errors)
    with pytest.raises(uploads.DecodeError, match=r"\$\.count"):
        client.upload_batch(files=[b"a"], count="three")  # type: ignore[arg-type]
    assert state.requests == []
    unchecked = uploads.Client(server[0], API_KEY, validate=False)
    unchecked.upload_batch(files=[b"a"], count="three")
    assert state.requests[-1].body[1] == FormPart("count", None, "text/plain", b"three")


def test_the_generated_async_client_uploads_the_same(
        uploads: ModuleType, client: Any, server: tuple[str, FakeState], tmp_path: Path) -> None:
    url, state = server
    path = tmp_path / "notes.txt"
    path.write_bytes(b"hello\r\n" * 10_000)

    async def main(handle: Any) -> Any:
        aclient = uploads.AsyncClient(url, API_KEY, max_retries=0)
        try:
            return await aclient.create_file(file=handle, purpose="assistants")
        finally:
            await aclient.aclose()

    with open(path, "rb") as handle:
        uploaded = asyncio.run(main(handle))
    sent_async = state.requests[-1]
    with open(path, "rb") as handle:
        client.create_file(file=handle, purpose="assistants")
    boundary = _boundary(sent_async.headers["content-type"])
    sync_boundary = _boundary(state.requests[-1].headers["content-type"])
    assert sent_async.raw_body.replace(boundary.encode(), b"B") == \
        state.requests[-1].raw_body.replace(sync_boundary.encode(), b"B")
    assert uploaded.bytes_ == 70_000 and sent_async.body[0].filename == "notes.txt"
