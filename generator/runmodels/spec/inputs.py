"""The files a run read, recorded as they are read: what the run memo's validity rests on.

Whatever reads a file that decides the output (the loader for the spec and every file a `$ref`
reaches, whatever its folder or name; overlays; anything added later) reads it through
`InputLog.read`, which keeps the sha256 of exactly the bytes returned.  Path resolutions that
go through a link are kept too, so a link that now points elsewhere is a change.  `unchanged`
checks a recorded log against the file system without importing the loader.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MAX_FILE_BYTES = 50 * 1024 * 1024


class InputLog:
    """sha256 of every file read (by resolved path) and every resolution that moved a path."""

    def __init__(self) -> None:
        self.files: dict[str, str] = {}
        self.links: dict[str, str] = {}

    def read(self, path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
        """The file's bytes (at most limit + 1 of them), recorded; OSError as open() raises."""
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
        self.files[str(Path(path).resolve())] = hashlib.sha256(data).hexdigest()
        return data

    def resolved(self, path: Path, real: Path) -> None:
        """Record that path resolved to real (only when they differ)."""
        if str(path) != str(real):
            self.links[str(path)] = str(real)

    def digest(self, path: Path) -> str | None:
        """The sha256 recorded for path, if it was read."""
        return self.files.get(str(Path(path).resolve()))

    def to_json(self) -> dict[str, Any]:
        return {"files": dict(sorted(self.files.items())),
                "links": dict(sorted(self.links.items()))}


def unchanged(recorded: Any, known: Mapping[str, str] | None = None) -> bool:
    """Whether every file of a recorded log still has its bytes and every link its target.

    `known` maps resolved paths to digests already computed this run (the spec's own).
    """
    if not isinstance(recorded, dict):
        return False
    files, links = recorded.get("files"), recorded.get("links")
    if not (isinstance(files, dict) and files and isinstance(links, dict)):
        return False
    for path, real in links.items():
        if not (isinstance(path, str) and isinstance(real, str) and os.path.realpath(path) == real):
            return False
    for path, digest in files.items():
        if not isinstance(path, str) or not isinstance(digest, str):
            return False
        found = (known or {}).get(path)
        if found is None:
            try:
                found = file_digest(Path(path))
            except OSError:
                return False
        if found != digest:
            return False
    return True


def file_digest(path: Path) -> str:
    """sha256 of a file's first MAX_FILE_BYTES + 1 bytes (what `InputLog.read` hashes)."""
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read(MAX_FILE_BYTES + 1)).hexdigest()
