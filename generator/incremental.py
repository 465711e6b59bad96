"""Render and format a package, reusing every models module whose inputs did not change (issue 7).

Rendering a models module reads its `Module` (name, entities, imports) and entries of
`pkg.entities`, nothing else (`render.render_module`).  When a module is rendered, the entity
names it looks up are recorded; its formatted text (without the header line, which names the
spec file) is stored with a digest of its `Module` and its own entities, the names it looked up
and a digest of those entities as they were.  The next run reuses the text when both digests
still hold, so after a one-schema change only the modules that read that schema are rendered
and formatted again.  Digests leave out `Origin` (a schema's line moves when lines are added
above it); rendering never reads it, which `tests/test_incremental.py` checks.

The store is one JSON file per target (spec path, package, options), inside the cache folder,
keyed also by the generator's own fingerprint (its source, its templates, black's version).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from . import memo, render
from .format import Progress, StreamingFormatter, format_files
from .ir import Entity, Module, Origin, Package

KEEP = 8  # stores kept in the cache folder (least recently written removed)
EVERYTHING = "*"  # recorded when rendering walked the whole entity table
_NO_ORIGIN = Origin("", "")


class LookupRecorder(dict[str, Entity]):
    """The entity table, remembering which names were looked up (the module's dependencies)."""

    def __init__(self, entities: Mapping[str, Entity]) -> None:
        super().__init__(entities)
        self.seen: set[str] = set()

    def __getitem__(self, name: str) -> Entity:
        self.seen.add(name)
        return super().__getitem__(name)

    def get(self, name: str, default: Any = None) -> Any:
        self.seen.add(name)
        return super().get(name, default)

    def __contains__(self, name: object) -> bool:
        self.seen.add(str(name))
        return super().__contains__(name)

    def __iter__(self) -> Iterator[str]:
        self.seen.add(EVERYTHING)
        return super().__iter__()

    def keys(self) -> Any:
        self.seen.add(EVERYTHING)
        return super().keys()

    def values(self) -> Any:
        self.seen.add(EVERYTHING)
        return super().values()

    def items(self) -> Any:
        self.seen.add(EVERYTHING)
        return super().items()


class Digests:
    """sha256 of entities as rendering sees them (origin left out), computed once per run."""

    def __init__(self, entities: Mapping[str, Entity]) -> None:
        self.entities = entities
        self._done: dict[str, str] = {}

    def entity(self, name: str) -> str:
        found = self._done.get(name)
        if found is None:
            entity = self.entities.get(name)
            text = "absent" if entity is None else repr(
                dataclasses.replace(entity, origin=_NO_ORIGIN))
            found = self._done[name] = hashlib.sha256(text.encode()).hexdigest()
        return found

    def module(self, module: Module) -> str:
        digest = hashlib.sha256(repr(module).encode())
        for name in module.entities:
            digest.update(self.entity(name).encode())
        return digest.hexdigest()

    def lookups(self, names: list[str]) -> str:
        digest = hashlib.sha256()
        for name in names:
            if name == EVERYTHING:
                for other in sorted(self.entities):
                    digest.update(f"{other}={self.entity(other)};".encode())
            else:
                digest.update(f"{name}={self.entity(name)};".encode())
        return digest.hexdigest()


def store_path(cache: Path | None, spec: Path, package: str, options: Mapping[str, Any],
               templates: Path | None) -> Path | None:
    """The store of one target, or None without a cache folder."""
    if cache is None:
        return None
    digest = hashlib.sha256(json.dumps(
        {"spec": str(Path(spec).resolve()), "package": package, "cwd": os.getcwd(),
         "generator": memo.fingerprint(), **options}, sort_keys=True, default=str).encode())
    memo.hash_templates(digest, templates)
    return cache / "modules" / f"{digest.hexdigest()}.json"


def _load(path: Path | None) -> dict[str, list[Any]]:
    if path is None:
        return {}
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save(path: Path | None, entries: dict[str, list[Any]]) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(entries), encoding="utf-8")
        os.replace(tmp, path)
        stores = sorted(path.parent.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in stores[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def _reusable(entry: Any, own: str, digests: Digests) -> str | None:
    """The stored module text when its module and everything it looked up are unchanged."""
    if not (isinstance(entry, list) and len(entry) == 4 and entry[0] == own):
        return None
    looked_up, lookups_digest, text = entry[1], entry[2], entry[3]
    if not (isinstance(looked_up, list) and isinstance(text, str)):
        return None
    return text if digests.lookups([str(n) for n in looked_up]) == lookups_digest else None


def render_formatted(pkg: Package, templates: Path | None, cache: Path | None,
                     store: Path | None, progress: Progress | None = None) -> dict[str, str]:
    """`format_files(render_package(pkg))`, reusing unchanged modules from `store`."""
    env = render.environment(templates)
    head = render.header(pkg)
    stored = _load(store)
    digests = Digests(pkg.entities)
    reused: dict[str, str] = {}
    entries: dict[str, list[Any]] = {}
    todo: list[tuple[Module, str, str]] = []
    for module in pkg.modules:
        path = render.module_path(module)
        own = digests.module(module)
        text = _reusable(stored.get(path), own, digests)
        if text is not None:
            reused[path] = f"{head}\n{text}"
            entries[path] = stored[path]
        else:
            todo.append((module, path, own))
    others = render.render_package(pkg, templates, modules=False)
    streaming = StreamingFormatter(cache) if StreamingFormatter.worthwhile(len(todo)) else None
    if streaming is not None:
        for path, source in others.items():  # the big client first: not the last one left
            streaming.add(path, source)
    fresh: dict[str, str] = {}
    traces: dict[str, tuple[str, list[str]]] = {}
    for module, path, own in todo:
        recorder = LookupRecorder(pkg.entities)
        fresh[path] = render.render_module(env, dataclasses.replace(pkg, entities=recorder),
                                           module, head)
        traces[path] = (own, sorted(recorder.seen))
        if streaming is not None:
            streaming.add(path, fresh[path])
    formatted = streaming.results(progress) if streaming else format_files(
        {**fresh, **others}, cache, progress)
    for path, (own, looked_up) in traces.items():
        text = formatted[path]
        if text.startswith(f"{head}\n"):
            entries[path] = [own, looked_up, digests.lookups(looked_up), text[len(head) + 1:]]
    if traces or set(entries) != set(stored):
        _save(store, entries)
    files = {**reused, **formatted}
    order = [render.module_path(m) for m in pkg.modules] + list(others)
    return {path: files[path] for path in order}
