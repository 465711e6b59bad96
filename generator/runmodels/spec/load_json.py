"""JSON spec files: the standard library's parser, with a line:column for every node and key.

`json.loads` (in C) builds the values; one regular-expression pass over the same text finds where
every object, array and key starts. Both see the document in the same order, so a walk of the
parsed tree in document order pairs them up. The result is the YMap/YSeq tree the YAML path
builds, with JSON's own semantics: surrogate-pair escapes, raw U+007F, duplicate keys (the last
one wins), NaN/Infinity as Python's json reads them.
"""

from __future__ import annotations

import json
import re
import sys
from bisect import bisect_right
from pathlib import Path
from typing import Any

from runmodels.errors import SpecError

if sys.version_info >= (3, 11):  # possessive: runs of plain characters at once, no backtracking
    _STRING = r'"(?:[^"\\]++|\\.)*+"'
    _SKIP = r"[^\"{}\[\]]++"
    _MANY = "*+"
else:  # pragma: no cover - one character at a time (a nested `+` could backtrack badly)
    _STRING = r'"(?:[^"\\]|\\.)*"'
    _SKIP = r"[^\"{}\[\]]"
    _MANY = "*"
# one match per bracket, the strings and other characters before it consumed inside the match
_BRACKETS = re.compile(rf"(?:{_SKIP}|{_STRING}){_MANY}([{{}}\[\]])", re.DOTALL)
# one match per bracket or key (a string followed by a colon): to place the keys of one object
_KEYS = re.compile(rf"(?:{_SKIP}|{_STRING}(?!\s*:)){_MANY}(?:({_STRING})\s*:|([{{}}\[\]]))",
                   re.DOTALL)
_NEWLINE = re.compile("\n")


class _Source:
    """The text of one JSON file and where its lines start."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        self.starts.extend(m.end() for m in _NEWLINE.finditer(text))

    def at(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def keys_at(self, offset: int) -> dict[str, tuple[int, int]]:
        """The position of each key of the object whose `{` is at offset (the last one wins)."""
        found: dict[str, tuple[int, int]] = {}
        depth = 0
        for match in _KEYS.finditer(self.text, offset + 1):
            bracket = match.group(2)
            if bracket is None:
                if depth == 0:
                    found[json.loads(match.group(1))] = self.at(match.start(1))
            elif bracket in "{[":
                depth += 1
            elif depth == 0:
                break
            else:
                depth -= 1
        return found


class _KeyLocs(dict[str, tuple[int, int]]):
    """An object's key positions, found in the text the first time anyone asks for them.

    Positions only matter for messages, and a big spec has hundreds of thousands of keys.
    """

    __slots__ = ("_offset", "_source")

    def __init__(self, source: _Source, offset: int) -> None:
        super().__init__()
        self._source: _Source | None = source
        self._offset = offset

    def _fill(self) -> None:
        if self._source is not None:
            source, self._source = self._source, None
            dict.update(self, source.keys_at(self._offset))

    def __getitem__(self, key: str) -> tuple[int, int]:
        self._fill()
        return dict.__getitem__(self, key)

    def __contains__(self, key: object) -> bool:
        self._fill()
        return dict.__contains__(self, key)

    def __eq__(self, other: object) -> bool:
        self._fill()
        return dict.__eq__(self, other)

    __hash__ = None


def _filling(name: str) -> Any:
    """dict's method `name`, run once the positions are found."""
    method = getattr(dict, name)

    def call(self: _KeyLocs, *args: Any) -> Any:
        self._fill()
        return method(self, *args)

    call.__name__ = name
    return call


for _name in ("__iter__", "__len__", "__repr__", "get", "items", "keys", "values", "copy"):
    setattr(_KeyLocs, _name, _filling(_name))


def _containers(text: str, path: Path, max_depth: int) -> list[int]:
    """The offset of each object and array, in document order; refuses too deep a nesting."""
    opens: list[int] = []
    depth = 0
    for match in _BRACKETS.finditer(text):
        bracket = match.group(1)
        if bracket == "{" or bracket == "[":
            depth += 1
            if depth > max_depth:
                line, column = _Source(text).at(match.start(1))
                raise SpecError(f"nesting deeper than {max_depth} levels", file=path, line=line,
                                column=column,
                                hint="flatten the document; real specs are far shallower")
            opens.append(match.start(1))
        else:
            depth -= 1
    return opens


class JSONSyntaxError(SpecError):
    """The text is not JSON (the caller may try the YAML parser, which takes trailing commas)."""


def load_json(path: Path, text: str, max_depth: int, ymap: type, yseq: type) -> Any:
    """Parse JSON text into `ymap`/`yseq` containers that carry `file`, `loc` and `key_locs`."""
    opens = _containers(text, path, max_depth)
    duplicated: dict[int, list[tuple[str, Any]]] = {}

    def mapping(pairs: list[tuple[str, Any]]) -> Any:
        box = ymap(pairs)
        if len(box) != len(pairs):  # a duplicate key: the walk must see the dropped value too
            duplicated[id(box)] = pairs
        return box

    try:
        root = json.loads(text, object_pairs_hook=mapping)
    except json.JSONDecodeError as exc:
        raise JSONSyntaxError(f"invalid JSON: {exc.msg}", file=path, line=exc.lineno,
                        column=exc.colno, hint="fix the syntax at this position") from None
    if isinstance(root, list):
        root = yseq(root)
    _place(root, path, _Source(text), opens, duplicated, ymap, yseq)
    return root


def _place(root: Any, path: Path, source: _Source, opens: list[int],
           duplicated: dict[int, list[tuple[str, Any]]], ymap: type, yseq: type) -> None:
    """Give every container its position, in document order (depth first, iteratively)."""
    if not isinstance(root, (ymap, yseq)):
        return
    index = 0
    stack: list[tuple[Any, bool]] = [(root, True)]  # (node, kept: False for a dropped duplicate)
    while stack:
        node, kept = stack.pop()
        own = index
        index += 1
        if kept:
            node.file, node.loc = path, source.at(opens[own])
        entries: Any  # (where the child sits, the child, whether it is kept)
        is_map = node.__class__ is ymap
        if is_map:
            if kept:
                node.key_locs = _KeyLocs(source, opens[own])
            pairs = duplicated.get(id(node))
            entries = ([(k, v, kept) for k, v in node.items()] if pairs is None else
                       [(k, v, kept and node[k] is v) for k, v in pairs])
        else:
            entries = [(n, v, kept) for n, v in enumerate(node)]
        children: list[tuple[Any, bool]] = []
        for slot, value, keep in entries:
            if value.__class__ is list:
                value = yseq(value)
                if keep:
                    node[slot] = value
                children.append((value, keep))
            elif value.__class__ is ymap:
                children.append((value, keep))
        stack.extend(reversed(children))
