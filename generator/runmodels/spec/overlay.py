"""OpenAPI Overlay documents (1.0.x and 1.1.x): edit a loaded spec before anything reads it.

An overlay is a YAML/JSON file with `overlay: 1.1.0`, an `info` (title, version), an optional
`extends` (the document it was written for) and an ordered list of `actions`.  Each action has
a JSONPath `target` (RFC 9535, see jsonpath.py) and one of:

- `update`: merged into every target: into an object, member by member and recursively (a
  scalar replaces a scalar, a list is appended to a list, a mapping merges into a mapping; a
  `null` member leaves an existing object or list alone); into a list, appended (1.1: a list is
  concatenated); a target scalar (1.1) is replaced.
- `remove: true`: every target is removed from the object or list holding it.
- `copy` (1.1): a JSONPath selecting one node of the document, merged like an `update`.

Actions run in order, each on the result of the one before.  A target that selects nothing is
a warning; a malformed overlay is an error at its `file:line:col`.  Values merged in keep their
positions in the overlay file, so later errors about them point there, not into the spec.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from runmodels.errors import SpecError, SpecWarning
from runmodels.spec.jsonpath import JSONPathError, Node, Query, compile_query
from runmodels.spec.pointer import escape as escape_token
from runmodels.spec.tree import MAX_EXPANDED_VALUES, YMap, YSeq

SUPPORTED = ("1.0", "1.1")
_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.\d+)?")
_TOP_KEYS = ("overlay", "info", "extends", "actions")
_ACTION_KEYS = ("target", "description", "update", "remove", "copy")


class _Overlay:
    """One overlay file being applied: its path, its version and where its parts are."""

    def __init__(self, path: Path, doc: Any, spec_file: Path) -> None:
        self.path = path
        self.doc = doc
        self.spec_file = spec_file
        self.warnings: list[SpecWarning] = []
        self.budget = MAX_EXPANDED_VALUES  # values the actions may copy in
        self.version = self.check_document()

    # ---- messages -----------------------------------------------------------------------------

    def at(self, node: Any, key: str | None = None) -> tuple[Path, int | None, int | None]:
        if not isinstance(node, (YMap, YSeq)):
            return self.path, None, None
        loc = node.loc
        if key is not None and isinstance(node, YMap) and key in node.key_locs:
            loc = node.key_locs[key]
        return node.file, loc[0], loc[1]

    def fail(self, message: str, node: Any, pointer: str, key: str | None = None,
             hint: str | None = None) -> SpecError:
        file, line, column = self.at(node, key)
        return SpecError(message, file=file, line=line, column=column, pointer=pointer, hint=hint)

    def warn(self, code: str, message: str, node: Any, pointer: str,
             key: str | None = None) -> None:
        file, line, column = self.at(node, key)
        shown = str(file) if file is not None else None
        self.warnings.append(SpecWarning(code, message, file=shown, line=line, column=column,
                                         pointer=pointer))

    # ---- the document -------------------------------------------------------------------------

    def check_document(self) -> str:
        """The overlay's feature set ("1.0" or "1.1"); refuses what is not an overlay."""
        doc = self.doc
        if "overlay" not in doc:
            what = ("an OpenAPI document, not an overlay" if "openapi" in doc or "swagger" in doc
                    else "not an overlay")
            raise self.fail(f"this is {what}: it has no `overlay:` version key", doc, "",
                            hint="an overlay starts with `overlay: 1.1.0`, `info:` and "
                                 "`actions:`; pass the spec itself as SPEC")
        raw = doc["overlay"]
        text = str(raw) if isinstance(raw, (str, int, float)) and not isinstance(raw, bool) else ""
        found = _VERSION.fullmatch(text.strip())
        if found is None:
            raise self.fail(f"`overlay` must be a version such as \"1.1.0\", not {raw!r}", doc,
                            "/overlay", "overlay")
        version = f"{int(found.group(1))}.{int(found.group(2))}"
        if version not in SUPPORTED:
            newer = (int(found.group(1)), int(found.group(2))) > (1, 1)
            raise self.fail(f"overlay version {text.strip()} is "
                            f"{'newer than' if newer else 'not one of'} the versions runmodels "
                            "applies (1.0.x and 1.1.x)", doc, "/overlay", "overlay",
                            hint="write `overlay: 1.1.0` if the document uses no newer feature")
        for key in doc:
            if key not in _TOP_KEYS and not str(key).startswith("x-"):
                raise self.fail(f"unknown overlay field {key!r}", doc, f"/{key}", key,
                                hint=f"an overlay has {', '.join(_TOP_KEYS)} and x- extensions")
        info = doc.get("info")
        if not isinstance(info, dict) or not all(isinstance(info.get(k), str)
                                                 for k in ("title", "version")):
            raise self.fail("`info` must be a mapping with a `title` and a `version` (strings)",
                            info if isinstance(info, YMap) else doc, "/info",
                            None if isinstance(info, YMap) else ("info" if "info" in doc else None),
                            hint="e.g. info: {title: Friendly names, version: 1.0.0}")
        self.check_extends(doc.get("extends"))
        actions = doc.get("actions")
        if not isinstance(actions, list) or not actions:
            raise self.fail("`actions` must be a non-empty list of actions",
                            doc, "/actions", "actions" if "actions" in doc else None,
                            hint="each action is {target: JSONPATH, update: ...} or "
                                 "{target: JSONPATH, remove: true}")
        return version

    def check_extends(self, extends: Any) -> None:
        """`extends` names the document the overlay was written for: a relative reference that
        names another existing file is worth a warning (a URL cannot be checked offline)."""
        if extends is None:
            return
        if not isinstance(extends, str):
            raise self.fail("`extends` must be a URI reference (a string)", self.doc,
                            "/extends", "extends")
        parts = urlsplit(extends)
        if parts.scheme or parts.netloc or not parts.path:
            return
        meant = (self.path.parent / unquote(parts.path)).resolve()
        if meant.is_file() and meant != self.spec_file.resolve():
            self.warn("overlay-extends-other", f"the overlay extends {extends!r}, but is applied to "
                      f"{self.spec_file.name}", self.doc, "/extends", "extends")

    # ---- actions ------------------------------------------------------------------------------

    def apply(self, root: YMap) -> None:
        for index, action in enumerate(self.doc["actions"]):
            self.apply_action(root, action, f"/actions/{index}")

    def query(self, action: YMap, key: str, pointer: str) -> Query:
        text = action.get(key)
        if not isinstance(text, str):
            raise self.fail(f"`{key}` must be a JSONPath string such as \"$.paths\"", action,
                            f"{pointer}/{key}", key if key in action else None)
        try:
            return compile_query(text)
        except JSONPathError as exc:
            raise self.fail(f"invalid JSONPath in `{key}`: {exc}", action, f"{pointer}/{key}",
                            key, hint="RFC 9535 syntax: $.paths['/a/{id}'].get, "
                                      "$.paths.*[?@.operationId == 'x'], $..schemas") from None

    def apply_action(self, root: YMap, action: Any, pointer: str) -> None:
        if not isinstance(action, YMap):
            raise self.fail("an action must be a mapping with a `target`", action
                            if isinstance(action, YSeq) else self.doc["actions"], pointer,
                            hint="e.g. {target: $.info, update: {title: New title}}")
        for key in action:
            if key not in _ACTION_KEYS and not str(key).startswith("x-"):
                raise self.fail(f"unknown action field {key!r}", action, f"{pointer}/{key}", key,
                                hint=f"an action has {', '.join(_ACTION_KEYS)} and x- extensions")
        target = self.query(action, "target", pointer)
        remove = action.get("remove", False)
        if not isinstance(remove, bool):
            raise self.fail("`remove` must be true or false", action, f"{pointer}/remove",
                            "remove")
        if "copy" in action and self.version == "1.0":
            raise self.fail("`copy` needs overlay version 1.1", action, f"{pointer}/copy",
                            "copy", hint="write `overlay: 1.1.0`")
        if "copy" in action and "update" in action and not remove:
            raise self.fail("an action has `update` or `copy`, not both", action,
                            f"{pointer}/copy", "copy", hint="split it into two actions")
        if not remove and "update" not in action and "copy" not in action:
            raise self.fail("the action does nothing: it has no `update`, `copy` or "
                            "`remove: true`", action, pointer)
        nodes = target.find(root)
        if not nodes:
            self.warn("overlay-target-unmatched", f"target {target.text!r} matches nothing; the action changes nothing",
                      action, pointer, "target")
            return
        if remove:
            self.remove(nodes, action, pointer)
            return
        if "copy" in action:
            sources = self.query(action, "copy", pointer).find(root)
            if not sources:
                self.warn("overlay-copy-unmatched", f"copy {action['copy']!r} matches nothing; the action changes nothing",
                          action, pointer, "copy")
                return
            if len(sources) > 1:
                raise self.fail(f"copy {action['copy']!r} selects {len(sources)} nodes; it must "
                                "select one", action, f"{pointer}/copy", "copy")
            # a copy of the source first: the target may lie inside it, or be it
            value, kind = self.clone(sources[0].value), "copy"
        else:
            value, kind = action["update"], "update"
        for node in nodes:
            self.update(node, value, action, kind, pointer)

    def remove(self, nodes: list[Node], action: YMap, pointer: str) -> None:
        by_list: dict[int, tuple[list[Any], set[int]]] = {}
        for node in nodes:
            if node.parent is None:
                raise self.fail("the target is the document root, which cannot be removed",
                                action, f"{pointer}/target", "target")
            if isinstance(node.parent, dict):
                node.parent.pop(node.key, None)
                if isinstance(node.parent, YMap):
                    node.parent.key_locs.pop(str(node.key), None)
                    getattr(node.parent, "key_files", {}).pop(str(node.key), None)
            elif isinstance(node.key, int):
                by_list.setdefault(id(node.parent), (node.parent, set()))[1].add(node.key)
        for items, indexes in by_list.values():
            for index in sorted(indexes, reverse=True):
                del items[index]

    def update(self, node: Node, value: Any, action: YMap, kind: str, pointer: str) -> None:
        """Merge `value` (the action's update, or the node it copies) into one target node."""
        target = node.value
        what = "update" if kind == "update" else "copied node"
        if isinstance(target, dict):
            if not isinstance(value, dict):
                raise self.fail(f"the target is an object, so the {what} must be a mapping, "
                                f"not {_what(value)}", action, f"{pointer}/{kind}", kind)
            self.merge(target, value, f"{pointer}/{kind}")
        elif isinstance(target, list):
            if isinstance(value, list) and self.version != "1.0":
                target.extend(self.clone(item) for item in value)
            else:
                target.append(self.clone(value))
        elif isinstance(value, (dict, list)):
            raise self.fail(f"the target is a scalar ({_what(target)}), so the {what} must be "
                            f"a scalar, not {_what(value)}", action, f"{pointer}/{kind}", kind)
        else:
            self.set_member(node.parent, node.key, value, action, kind)

    def merge(self, target: dict[str, Any], update: dict[str, Any], pointer: str) -> None:
        for key, value in update.items():
            here = f"{pointer}/{escape_token(str(key))}"
            if key not in target:
                self.set_member(target, key, value, update, key)
                continue
            old = target[key]
            if isinstance(old, dict) and isinstance(value, dict):
                self.merge(old, value, here)
            elif isinstance(old, list) and isinstance(value, list):
                old.extend(self.clone(item) for item in value)
            elif value is None and isinstance(old, (dict, list)):
                continue  # the specification's own examples write `components:` as a no-op
            elif isinstance(old, (dict, list)) or isinstance(value, (dict, list)):
                raise self.fail(f"cannot merge {_what(value)} into {_what(old)} at {key!r}",
                                update, here, key,
                                hint="remove the member first (remove: true), then update")
            else:
                self.set_member(target, key, value, update, key)

    def set_member(self, target: Any, key: Any, value: Any, source: Any, source_key: Any) -> None:
        """target[key] = a copy of value, its position being the one in the source."""
        target[key] = self.clone(value)
        if isinstance(target, YMap) and isinstance(source, YMap) and source_key in source.key_locs:
            target.key_locs[key] = source.key_locs[source_key]
            files = getattr(target, "key_files", None)
            if source.file != target.file:
                if files is None:
                    files = target.key_files = {}
                files[key] = source.file
            elif files is not None:
                files.pop(key, None)

    def clone(self, value: Any) -> Any:
        """A deep copy that keeps every container's file and position (within the budget)."""
        self.budget -= 1
        if self.budget < 0:
            raise SpecError(f"the overlay copies more than {MAX_EXPANDED_VALUES:,} values into "
                            "the document", file=self.path,
                            hint="copy smaller parts, or fewer times")
        if isinstance(value, dict):
            out: Any = YMap() if isinstance(value, YMap) else {}
            if isinstance(value, YMap):
                out.file, out.loc, out.key_locs = value.file, value.loc, dict(value.key_locs)
                files = getattr(value, "key_files", None)
                if files is not None:
                    out.key_files = dict(files)
            for key, item in value.items():  # loops, not comprehensions: one frame per level
                out[key] = self.clone(item)
            return out
        if isinstance(value, list):
            seq: Any = YSeq() if isinstance(value, YSeq) else []
            if isinstance(value, YSeq):
                seq.file, seq.loc = value.file, value.loc
            for item in value:
                seq.append(self.clone(item))
            return seq
        return value


def _what(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "null" if value is None else f"the scalar {str(value)[:40]!r}"


def apply_overlays(root: YMap, spec_file: Path, overlays: Sequence[Path],
                   load: Callable[[Path], Any], *, shared: bool = False
                   ) -> tuple[YMap, list[SpecWarning]]:
    """Apply each overlay file to root, in order; returns the edited root and the warnings.

    `load` is the loader's own file reader (positions, limits, and the record of what a run
    read), so an overlay is read exactly like a spec file.  `shared` says the spec used YAML
    aliases: one node then sits at several places, and editing one place must not edit the
    others, so the document is first copied out into a tree.
    """
    warnings: list[SpecWarning] = []
    for index, path in enumerate(overlays):
        try:
            doc = load(Path(path))
        except SpecError as error:
            if error.message == "empty document" or error.message.startswith("the document root"):
                error.hint = ("an overlay is a mapping: overlay: 1.1.0, info: {title, version}, "
                              "actions: [{target: ..., update: ...}]")
            raise
        overlay = _Overlay(Path(path), doc, spec_file)
        if shared and index == 0:
            root = overlay.clone(root)
        overlay.apply(root)
        warnings.extend(overlay.warnings)
    return root, warnings
