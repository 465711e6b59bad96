"""Resolve `$ref`s across the loaded spec files (SpecSet); the files are read by `spec.tree`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from runmodels.errors import RefError, SpecError, SpecWarning
from runmodels.spec.inputs import InputLog
from runmodels.spec.pointer import unescape
from runmodels.spec.tree import YMap, YSeq, _load_tree, check_expansion


class SpecSet:
    """The loaded documents of one generation run, with cross-file `$ref` resolution."""

    def __init__(self, root_file: Path, allowed_roots: Sequence[Path] | None = None,
                 overlays: Sequence[Path] = (), log: InputLog | None = None) -> None:
        self.log = log if log is not None else InputLog()  # every file read, for the memo
        self.log.resolved(Path(root_file), Path(root_file).resolve())
        self.root_file = Path(root_file).resolve()
        roots = allowed_roots if allowed_roots is not None else [self.root_file.parent]
        self.allowed_roots = [Path(root).resolve() for root in roots]
        self._docs: dict[Path, Any] = {}
        self._real: dict[Path, Path] = {}  # Path.resolve() is slow and asked ~15,000 times
        self._shared: set[Path] = set()  # documents whose YAML aliases share nodes
        self.root = self.load(self.root_file)
        self.warnings: list[SpecWarning] = []
        if overlays:  # applied to the root document before anything reads it
            from runmodels.spec.overlay import apply_overlays

            self.root, self.warnings = apply_overlays(
                self.root, self.root_file, overlays, self.load,
                shared=self.root_file in self._shared)
            self._docs[self.root_file] = self.root  # "#/..." refs read the edited document

    def _resolve(self, path: Path) -> Path:
        """`path.resolve()`, memoised for this run."""
        real = self._real.get(path)
        if real is None:
            real = self._real[path] = Path(path).resolve()
            self.log.resolved(path, real)
        return real

    def load(self, path: Path) -> Any:
        """Load a document once (cached by absolute path)."""
        key = self._resolve(path if isinstance(path, Path) else Path(path))
        if key not in self._docs:
            doc, may_expand = _load_tree(key, self.log)
            if may_expand:
                check_expansion(doc)
                self._shared.add(key)
            self._docs[key] = doc
        return self._docs[key]

    def location(self, node: Any, key: str | None = None) -> tuple[Path | None, int | None,
                                                                  int | None]:
        """(file, line, column) of a container, or of one of its keys."""
        if not isinstance(node, (YMap, YSeq)):
            return None, None, None
        loc, file = node.loc, node.file
        if key is not None and isinstance(node, YMap) and key in node.key_locs:
            loc = node.key_locs[key]
            file = getattr(node, "key_files", {}).get(key, file)
        return file, loc[0], loc[1]

    def _error(self, message: str, at: YMap | None, base_file: Path, pointer: str | None,
               hint: str, kind: type[SpecError] = SpecError) -> SpecError:
        """A SpecError placed at the `$ref` key of `at` when known."""
        file, line, col = self.location(at, "$ref")
        return kind(message, file=file or base_file, line=line, column=col, pointer=pointer,
                    hint=hint)

    def _target(self, ref: str, base_file: Path, at: YMap | None) -> tuple[Path, str]:
        """Split a ref into (absolute file, decoded JSON pointer), checking where it points."""
        file_part, _, fragment = ref.partition("#")
        scheme = urlsplit(file_part).scheme
        if len(scheme) > 1:
            raise self._error(f"$ref {ref!r} points to a URL; the generator never downloads",
                              at, base_file, None, "download the file and $ref it by path")
        file = self._resolve(base_file)
        if file_part:
            file = self._resolve(file.parent / unquote(file_part))
            if not any(file.is_relative_to(root) for root in self.allowed_roots):
                raise self._error(f"$ref {ref!r} leaves the allowed folder", at, base_file,
                                  None, "pass --allow-root or move the file")
            if not file.is_file():
                raise self._error(f"$ref {ref!r}: file {file} does not exist", at, base_file,
                                  None, "check the relative path (it is relative to the "
                                  "file holding the $ref)", RefError)
        pointer = unquote(fragment)
        if pointer and not pointer.startswith("/"):
            raise self._error(f"$ref {ref!r}: fragment must be a JSON pointer like "
                              "'#/components/schemas/Name'", at, base_file, pointer,
                              "named anchors are not supported; use a JSON pointer")
        return file, pointer

    def _walk(self, file: Path, pointer: str, ref: str, at: YMap | None,
              base_file: Path) -> Any:
        """The node a JSON pointer names inside a file."""
        node = self.load(file)
        for token in pointer.split("/")[1:] if pointer else []:
            name = unescape(token)
            if isinstance(node, YMap) and name in node:
                node = node[name]
            elif isinstance(node, YSeq) and name.isdigit() and int(name) < len(node):
                node = node[int(name)]
            else:
                raise self._error(f"$ref {ref!r}: nothing at {name!r} in {file.name}", at,
                                  base_file, pointer, "check the spelling of the pointer",
                                  RefError)
        return node

    def resolve_ref(self, ref: str, base_file: Path,
                    at: YMap | None = None) -> tuple[Path, str, Any]:
        """Follow a `$ref` (and any chain of refs) to (file, pointer without '#', node)."""
        seen: set[tuple[Path, str]] = set()
        while True:
            file, pointer = self._target(ref, base_file, at)
            if (file, pointer) in seen:
                raise self._error(f"circular $ref: {ref!r} never reaches a schema", at,
                                  base_file, pointer, "break the cycle of $refs", RefError)
            seen.add((file, pointer))
            node = self._walk(file, pointer, ref, at, base_file)
            if not (isinstance(node, YMap) and isinstance(node.get("$ref"), str)):
                return file, pointer, node
            ref, base_file, at = node["$ref"], file, node
