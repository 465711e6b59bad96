"""Whole-run memo: when nothing that generation reads has changed, reuse the last output.

The key covers every input of a run: the bytes of every YAML/JSON file a `$ref` could reach
(refs cannot leave the spec's folder, so that folder's spec files are a safe superset), the
spec's path as shown in headers (it depends on the working folder), the options, the
generator's own source and templates, and the black version.  A hit skips loading, resolving,
rendering and formatting: warm regeneration is then reading one file and comparing the package.
Folders with too many spec files are not memoised (hashing them would cost more than it saves).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import SpecWarning
from .write import MANIFEST  # marks a generated package

MAX_INPUT_FILES = 200
MAX_INPUT_BYTES = 64 * 2**20
KEEP = 16  # memo files kept in the cache folder (oldest removed)
MAX_ENTRIES = 5000  # directory entries looked at before giving up
_SPEC_SUFFIXES = (".yaml", ".yml", ".json")
_SKIP_DIRS = {"node_modules", "__pycache__", "venv", "site-packages"}


@functools.cache
def black_version() -> str:
    """black's installed version, from its dist-info folder's name when that is unambiguous:
    importing importlib.metadata (or black) would cost a warm run more than all its work."""
    from importlib.util import find_spec

    spec = find_spec("black")
    if spec is not None and spec.origin:
        found = list(Path(spec.origin).parent.parent.glob("black-*.dist-info"))
        if len(found) == 1:
            return found[0].name[len("black-"):-len(".dist-info")]
    from importlib.metadata import version

    return version("black")


@functools.cache
def fingerprint() -> str:
    """The generator itself: its Python source, its templates, and black's version."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"black {black_version()}".encode())
    roots = [here, here / "templates", here.parent / "templates"]
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".jinja") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def run_key(spec: Path, package: str, select: Sequence[str], templates: Path | None,
            client: bool, display: str, cache: Path | None = None, *,
            overlays: Sequence[Path] = ()) -> str | None:
    """The memo key of a run, or None when its inputs are too many to hash cheaply.

    Overlay files are inputs wherever they live: their paths and bytes are in the key.

    Generated packages (a folder with runmodels' manifest) and the cache folder are not
    inputs: they change with every run that writes them, so they would defeat the memo.
    """
    spec = Path(spec).resolve()
    folder = spec.parent
    cache_dir = str(Path(cache).resolve()) if cache is not None else None
    inputs: list[Path] = []
    total = 0
    seen = 0
    for root, dirs, names in os.walk(folder):
        if root == cache_dir or (root != str(folder) and MANIFEST in names):
            dirs[:] = []
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
        seen += len(names) + len(dirs)
        if seen > MAX_ENTRIES:
            return None
        for name in sorted(names):
            path = Path(root, name)
            if path.suffix.lower() in _SPEC_SUFFIXES and path.is_file():
                inputs.append(path)
                total += path.stat().st_size
                if len(inputs) > MAX_INPUT_FILES or total > MAX_INPUT_BYTES:
                    return None
    digest = hashlib.sha256()
    options = {"spec": str(spec), "display": display, "package": package,
               "select": list(select), "client": client, "cwd": os.getcwd(),
               "templates": str(templates) if templates else None, "generator": fingerprint()}
    digest.update(json.dumps(options, sort_keys=True).encode())
    for path in inputs:
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(path.read_bytes())
    for overlay in overlays:
        try:
            digest.update(b"overlay\0" + str(Path(overlay).resolve()).encode() + b"\0"
                          + Path(overlay).read_bytes())
        except OSError:
            return None  # the run itself reports the unreadable file
    hash_templates(digest, templates)
    return digest.hexdigest()


def hash_templates(digest: Any, templates: Path | None) -> None:
    """Feed a template override folder (names and bytes) into digest."""
    if templates is not None and Path(templates).is_dir():
        for path in sorted(Path(templates).rglob("*")):
            if path.is_file():
                digest.update(str(path).encode() + b"\0" + path.read_bytes())


def load(cache: Path | None, key: str | None
         ) -> tuple[dict[str, str], tuple[SpecWarning, ...]] | None:
    if cache is None or key is None:
        return None
    try:
        data: Any = json.loads((cache / "runs" / f"{key}.json").read_text(encoding="utf-8"))
        files = {str(k): str(v) for k, v in data["files"].items()}
        if not all(isinstance(w, dict) for w in data["warnings"]):
            return None  # a memo from before warnings were structured
        warnings = tuple(SpecWarning.from_json(w) for w in data["warnings"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return files, warnings


def store(cache: Path | None, key: str | None, files: dict[str, str],
          warnings: Sequence[SpecWarning]) -> None:
    if cache is None or key is None:
        return
    folder = cache / "runs"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{key}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps({"files": files, "warnings": [w.to_json() for w in warnings]}), encoding="utf-8")
        os.replace(tmp, folder / f"{key}.json")
        memos = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in memos[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
