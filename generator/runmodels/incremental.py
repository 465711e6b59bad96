"""Render and format a package, reusing every models module whose inputs did not change (issue 7).

Rendering a models module reads its `Module` (name, entities, imports) and entries of
`pkg.entities`, nothing else (`render.render_module`).  When a module is rendered, the entity
names it looks up are recorded; its formatted text (without the header line, which names the
spec file) is stored with a digest of its `Module` and its own entities, the names it looked up
and a digest of those entities as they were.  The next run reuses the text when both digests
still hold, so after a one-schema change only the modules that read that schema are rendered
and formatted again.  Digests leave out `Origin` (a schema's line moves when lines are added
above it); rendering never reads it, which `tests/test_incremental.py` checks.

The store is one entry of the cache store (`store.py`, kind "modules") per target (spec path,
package, options), keyed also by the generator's own fingerprint (its source, its templates,
black's version); the cache store verifies each entry's integrity and owner.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from runmodels.cache import memo
from runmodels.cache.store import Store
from runmodels.emit import render
from runmodels.emit import templates as templates_mod
from runmodels.format.black_format import Progress, StreamingFormatter, format_files
from runmodels.ir.nodes import Entity, Module, Origin, Package
from runmodels.options import Options

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


def store_key(options: Options) -> str:
    """The name of one target's module store (the spec's bytes are not part of it: the store
    is what a spec edit reuses)."""
    return memo.options_key(options, "modules")


def _load(cache: Store | None, key: str) -> dict[str, list[Any]]:
    payload = cache.get("modules", key) if cache is not None else None
    if payload is None:
        return {}
    try:
        data: Any = json.loads(payload)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        assert cache is not None
        cache.drop("modules", key)
        return {}
    return data


def _save(cache: Store | None, key: str, entries: dict[str, list[Any]]) -> None:
    if cache is not None:
        cache.put("modules", key, json.dumps(entries).encode())


def _reusable(entry: Any, own: str, digests: Digests) -> str | None:
    """The stored module text when its module and everything it looked up are unchanged."""
    if not (isinstance(entry, list) and len(entry) == 4 and entry[0] == own):
        return None
    looked_up, lookups_digest, text = entry[1], entry[2], entry[3]
    if not (isinstance(looked_up, list) and isinstance(text, str)):
        return None
    return text if digests.lookups([str(n) for n in looked_up]) == lookups_digest else None


def render_formatted(pkg: Package, templates: Path | None, cache: Store | None,
                     key: str, progress: Progress | None = None) -> dict[str, str]:
    """`format_files(render_package(pkg))`, reusing unchanged modules from the store `key`."""
    env = templates_mod.environment(templates)
    head = render.header(pkg)
    stored = _load(cache, key)
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
    try:
        for module, path, own in todo:
            recorder = LookupRecorder(pkg.entities)
            fresh[path] = render.render_module(env, dataclasses.replace(pkg, entities=recorder),
                                               module, head)
            traces[path] = (own, sorted(recorder.seen))
            if streaming is not None:
                streaming.add(path, fresh[path])
        formatted = streaming.results(progress) if streaming else format_files(
            {**fresh, **others}, cache, progress)
    except BaseException:
        if streaming is not None:
            streaming.abort()
        raise
    for path, (own, looked_up) in traces.items():
        text = formatted[path]
        if text.startswith(f"{head}\n"):
            entries[path] = [own, looked_up, digests.lookups(looked_up), text[len(head) + 1:]]
    if traces or set(entries) != set(stored):
        _save(cache, key, entries)
    files = {**reused, **formatted}
    order = [render.module_path(m) for m in pkg.modules] + list(others)
    return {path: files[path] for path in order}
