"""Whole-run memo: when nothing that generation reads has changed, reuse the last output.

A memo entry records, besides the files written and the warnings, every file the loader read
(`inputs.InputLog`: the spec and every file a `$ref` reached, whatever its folder or name, with
the sha256 of the bytes read, and the links followed on the way).  Its name is a digest of
everything else that decides the output: the spec's path and its bytes, the path shown in
headers (it depends on the working folder), the options (package, selection, client, allowed
roots, template overrides and their bytes), the generator's own source and templates, Python's
and black's versions.  A lookup finds the entry by that name and then checks each recorded file
against the disk: one byte or one link target changed is a miss.  A hit skips loading,
resolving, rendering and formatting: warm regeneration is reading the spec and its refs, one
entry, and comparing the package.  Entries live in the cache store (`store.py`), which checks
their integrity and owner.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from runmodels.cache.store import Store
from runmodels.errors import SpecWarning
from runmodels.options import Options
from runmodels.paths import display_path
from runmodels.spec import inputs


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
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"black {black_version()} python {sys.version}".encode())
    # the templates folder is a link in a source checkout: rglob does not follow links
    for root in (package, package / "templates"):
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".jinja") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def options_key(options: Options, purpose: str, **extra: str) -> str:
    """The name of a cache entry made for `options`: their identity, the working folder (paths
    in messages depend on it), the generator's fingerprint, the template overrides' bytes, and
    what the purpose adds (`extra`).  Both caches name their entries with it."""
    named = {**options.identity(), "purpose": purpose, "cwd": os.getcwd(),
             "generator": fingerprint(), **extra}
    digest = hashlib.sha256(json.dumps(named, sort_keys=True).encode())
    hash_templates(digest, options.templates)
    return digest.hexdigest()


def run_key(options: Options, spec_digest: str) -> str:
    """The memo entry's name: everything that decides the output except the files `$ref`s
    (and overlays) reach: those are recorded in the entry and checked on lookup."""
    return options_key(options, "run", spec_sha256=spec_digest,
                       display=display_path(options.spec))


def hash_templates(digest: Any, templates: Path | None) -> None:
    """Feed a template override folder (names and bytes) into digest."""
    if templates is not None and Path(templates).is_dir():
        for path in sorted(Path(templates).rglob("*")):
            if path.is_file():
                digest.update(str(path).encode() + b"\0" + path.read_bytes())


def load(store: Store | None, key: str | None, known: Mapping[str, str] | None = None
         ) -> tuple[dict[str, str], tuple[SpecWarning, ...]] | None:
    """The files and warnings of the run memoised under key, if every file it read is unchanged
    (`known`: digests of files already hashed this run)."""
    if store is None or key is None:
        return None
    payload = store.get("runs", key)
    if payload is None:
        return None
    try:
        data: Any = json.loads(payload)
        if not inputs.unchanged(data["inputs"], known):
            return None
        files = data["files"]
        warnings = data["warnings"]
        if not (isinstance(files, dict) and files and isinstance(warnings, list) and all(
                isinstance(k, str) and isinstance(v, str) for k, v in files.items())
                and all(isinstance(w, dict) for w in warnings)):
            raise ValueError("not a memo")
        found = tuple(SpecWarning.from_json(w) for w in warnings)
    except (ValueError, KeyError, TypeError, AttributeError):
        store.drop("runs", key)
        return None
    return dict(files), found


def store(cache: Store | None, key: str | None, log: inputs.InputLog, files: Mapping[str, str],
          warnings: Sequence[SpecWarning]) -> None:
    """Memoise a run: its output, its warnings and every file it read."""
    if cache is None or key is None or not log.files:
        return
    cache.put("runs", key, json.dumps({"inputs": log.to_json(), "files": dict(files),
                                       "warnings": [w.to_json() for w in warnings]}).encode())
