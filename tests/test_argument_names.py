"""A parameter and a body field with the same name: distinct, stable names; each value goes to
its place (checked on the wire, against a local HTTP server)."""

from __future__ import annotations

import http.server
import inspect
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from _hostile import imported, unique_package
from corpus import SHARED, corpus_file

from runmodels.api import generate

CLASHES = Path(__file__).resolve().parent / "local_defects" / "name_clashes.yaml"
PETSTORE = SHARED / "corpus/realworld/feature-examples/readme30-petstore/petstore.yaml"


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, Any]]] = []

    def do_PUT(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"null")
        self.seen.append({"method": "PUT", "path": self.path, "body": body})
        answer = json.dumps(body if isinstance(body, dict) else {}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    _Recorder.seen = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v2", _Recorder.seen
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def _mypy(out: Path, package: str) -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                             "-p", package], cwd=out, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


def test_petstore_update_user_sends_path_and_body(
        tmp_path: Path, server: tuple[str, list[dict[str, Any]]]) -> None:
    spec = corpus_file(PETSTORE)
    package = unique_package("petstore")
    generate(spec, tmp_path, package, cache_dir=tmp_path / "cache")
    _mypy(tmp_path, package)
    base_url, seen = server
    with imported(tmp_path, package) as pkg:
        params = inspect.signature(pkg.Client.update_user).parameters
        assert "username" in params and "username_body" in params
        assert "The request body's field `username`." in (pkg.Client.update_user.__doc__ or "")
        client = pkg.Client(base_url=base_url, api_key="k", max_retries=0)
        client.update_user("old name", username_body="new", email="a@b.c")
    assert seen == [{"method": "PUT", "path": "/v2/user/old%20name",
                     "body": {"username": "new", "email": "a@b.c"}}]


def test_clashes_with_query_parameters_and_call_options(
        tmp_path: Path, server: tuple[str, list[dict[str, Any]]]) -> None:
    package = unique_package("clashes")
    generate(CLASHES, tmp_path, package, cache_dir=tmp_path / "cache")
    _mypy(tmp_path, package)
    base_url, seen = server
    with imported(tmp_path, package) as pkg:
        params = list(inspect.signature(pkg.Client.update_user).parameters)
        assert params == ["self", "username", "username_query", "timeout_query",
                          "username_body", "email", "self_", "extra_headers", "extra_query",
                          "extra_body", "timeout", "idempotency_key", "max_retries"]
        client = pkg.Client(base_url=base_url, api_key="k", max_retries=0)
        user = client.update_user("p", username_query="q", timeout_query=3, username_body="b",
                                  self_="s", timeout=5.0)
        assert user == pkg.User(username="b", self_="s")
    assert seen == [{"method": "PUT", "path": "/v2/users/p?username=q&timeout=3",
                     "body": {"username": "b", "self": "s"}}]
