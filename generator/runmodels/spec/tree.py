"""Read one YAML/JSON file into position-aware containers (YMap, YSeq), within safety limits."""

from __future__ import annotations

import gc
import re
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]
from yaml import events as ev  # type: ignore[import-untyped, unused-ignore]

from runmodels.errors import SpecError
from runmodels.spec.inputs import MAX_FILE_BYTES, InputLog
from runmodels.spec.load_json import JSONSyntaxError, load_json

MAX_DEPTH = 500
MAX_MERGED_KEYS = 1_000_000
MAX_EXPANDED_VALUES = 10_000_000  # values a document holds once shared (aliased) nodes are copied
USE_LIBYAML: bool = bool(getattr(yaml, "__with_libyaml__", False))

_TAG = "tag:yaml.org,2002:"
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_NUL = re.compile("\0")
_RESOLVER = yaml.resolver.Resolver()
_NO_KEY = object()
_MERGE = object()
_TRUE = {"yes", "true", "on", "y"}


class YMap(dict[str, Any]):
    """A mapping that remembers its file, its position and the position of each key.

    `key_files` (set only when an overlay merged keys in) names the file of keys that came
    from another file than the mapping itself.
    """

    __slots__ = ("file", "key_files", "key_locs", "loc")
    loc: tuple[int, int]
    key_locs: dict[str, tuple[int, int]]
    key_files: dict[str, Path]
    file: Path


class YSeq(list[Any]):
    """A sequence that remembers its file and its position."""

    __slots__ = ("file", "loc")
    loc: tuple[int, int]
    file: Path


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based (line, column) of a character index in text."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _decode(path: Path, data: bytes, is_json: bool = False) -> str:
    """Bytes → text, rejecting invalid UTF-8 and characters YAML forbids, with positions.

    JSON allows any character inside strings (its parser refuses raw control characters), so
    for JSON only a NUL byte, the mark of a binary file, is refused here.
    """
    try:
        text = data.decode("utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8", "replace")
        line, col = _position(before, len(before))
        raise SpecError(
            f"file is not valid UTF-8 text (byte 0x{data[exc.start]:02x})",
            file=path, line=line, column=col,
            hint="save the spec as UTF-8; is this really a YAML or JSON file?",
        ) from None
    bad = _NUL.search(text) if is_json else _NOT_PRINTABLE.search(text)
    if bad:
        line, col = _position(text, bad.start())
        what = "a NUL byte" if bad.group() == "\0" else f"control character {bad.group()!r}"
        raise SpecError(
            f"file contains {what}, which YAML does not allow",
            file=path, line=line, column=col,
            hint="remove the character; binary data cannot be part of a spec",
        )
    return text


def _int(text: str) -> int:
    """YAML 1.1 integer (sign, 0b/0x/0 octal, sexagesimal, underscores)."""
    text = text.replace("_", "")
    sign = -1 if text[:1] == "-" else 1
    text = text.lstrip("+-")
    if text.startswith(("0b", "0x")):
        return sign * int(text, 0)
    if ":" in text:
        total = 0
        for part in text.split(":"):
            total = total * 60 + int(part)
        return sign * total
    if len(text) > 1 and text[0] == "0":
        return sign * int(text, 8)
    return sign * int(text)


def _float(text: str) -> float:
    """YAML 1.1 float (.inf, .nan, sexagesimal, underscores)."""
    text = text.replace("_", "").lower()
    sign = -1.0 if text[:1] == "-" else 1.0
    text = text.lstrip("+-")
    if text == ".inf":
        return sign * float("inf")
    if text == ".nan":
        return float("nan")
    if ":" in text:
        total = 0.0
        for part in text.split(":"):
            total = total * 60 + float(part)
        return sign * total
    return sign * float(text)


_SURROGATE = re.compile("[\ud800-\udfff]")


class _Builder:
    """Builds YMap/YSeq trees straight from parser events (allows re-defined anchors)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.anchors: dict[str, tuple[Any, str | None]] = {}
        self.stack: list[list[Any]] = []  # [container, pending key, key loc, merges]
        self.open_ids: set[int] = set()
        self.merged = 0
        self.plain: dict[str, Any] = {}
        self.root: Any = _NO_KEY
        self.shares_nodes = False  # an alias was used: walks may see a node more than once
        self.events = 0

    def fail(self, message: str, mark: Any, hint: str) -> SpecError:
        """A SpecError at a parser mark."""
        return SpecError(message, file=self.path, line=mark.line + 1, column=mark.column + 1,
                         hint=hint)

    def scalar(self, event: Any) -> Any:
        """Construct a plain Python value from a scalar event (safe tags only)."""
        tag, value = event.tag, event.value
        if event.style == '"' and _SURROGATE.search(value):
            # "\ud83d\ude00" (how JSON writers escape an astral character) is one character
            # in JSON; the YAML parser reads each \u escape alone and leaves two surrogates
            value = value.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
        if tag is None:
            if event.style:
                return value
            found = self.plain.get(value, _NO_KEY)
            if found is _NO_KEY:
                found = self.plain[value] = self.plain_value(value, event)
            return found
        if tag == "!":
            return value
        return self.typed(tag, value, event.start_mark)

    def plain_value(self, value: str, event: Any) -> Any:
        """An untagged plain scalar, resolved as YAML 1.1."""
        tag = _RESOLVER.resolve(yaml.ScalarNode, value, event.implicit)
        return self.typed(tag, value, event.start_mark)

    def typed(self, tag: str, value: str, mark: Any) -> Any:
        """A scalar with a resolved or explicit tag; unknown tags are refused."""
        kind = tag[len(_TAG):] if tag.startswith(_TAG) else None
        try:
            if kind in ("str", "timestamp", "binary", "value"):
                return value
            if kind == "merge":
                return _MERGE
            if kind == "int":
                return _int(value)
            if kind == "float":
                return _float(value)
            if kind == "bool":
                return value.lower() in _TRUE
            if kind == "null":
                return None
        except ValueError:
            shown = value if len(value) <= 60 else f"{value[:40]}...({len(value)} characters)"
            raise self.fail(f"{shown!r} is not a valid {kind}", mark,
                            f"quote the value or drop the !!{kind} tag") from None
        raise self.unknown_tag(tag, mark)

    def unknown_tag(self, tag: str, mark: Any) -> SpecError:
        """The error for a custom or unsafe tag."""
        shown = "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag
        return self.fail(f"custom tags are not allowed (found {shown!r})", mark,
                         "remove the tag; specs may only use plain YAML/JSON values")

    def add(self, value: Any, event: Any, text: str | None = None) -> None:
        """Attach a finished value to the open container (or make it the root)."""
        if not self.stack:
            self.root = "<<" if value is _MERGE else value
            return
        frame = self.stack[-1]
        box = frame[0]
        if value is _MERGE and (box.__class__ is YSeq or frame[1] is not _NO_KEY):
            value = "<<"
        if box.__class__ is YSeq:
            box.append(value)
        elif frame[1] is _NO_KEY:
            if isinstance(value, (YMap, YSeq)):
                raise self.fail("mapping keys must be plain scalars", event.start_mark,
                                "use a string key")
            mark = event.start_mark
            frame[1] = value if isinstance(value, str) or value is _MERGE else str(text)
            frame[2] = (mark.line + 1, mark.column + 1)
        elif frame[1] is _MERGE:
            sources = value if isinstance(value, YSeq) else [value]
            if not all(isinstance(src, YMap) for src in sources):
                raise SpecError("merge key '<<' needs a mapping or a list of mappings",
                                file=self.path, line=frame[2][0], column=frame[2][1],
                                hint="point '<<' at anchored mappings")
            frame[3].extend(sources)
            frame[1] = _NO_KEY
        else:
            box[frame[1]] = value
            box.key_locs[frame[1]] = frame[2]
            frame[1] = _NO_KEY

    def open(self, box: YMap | YSeq, event: Any) -> None:
        """Start a container: position, file, anchor, depth check."""
        mark = event.start_mark
        if len(self.stack) >= MAX_DEPTH:
            raise self.fail(f"nesting deeper than {MAX_DEPTH} levels", mark,
                            "flatten the document; real specs are far shallower")
        if self.stack and self.stack[-1][1] is _NO_KEY and self.stack[-1][0].__class__ is YMap:
            raise self.fail("mapping keys must be plain scalars", mark, "use a string key")
        box.loc = (mark.line + 1, mark.column + 1)
        box.file = self.path
        if event.anchor is not None:
            self.anchors[event.anchor] = (box, None)
        self.open_ids.add(id(box))
        self.stack.append([box, _NO_KEY, None, []])

    def close(self, event: Any) -> None:
        """Finish the innermost container, applying any merge keys."""
        box, _, _, merges = self.stack.pop()
        self.open_ids.discard(id(box))
        if merges:
            own, own_locs = dict(box), dict(box.key_locs)
            box.clear()
            for source in merges:
                self.merged += len(source)
                if self.merged > MAX_MERGED_KEYS:
                    raise self.fail("too many keys copied by merge keys '<<'",
                                    event.start_mark, "the document looks like a merge bomb")
                for key, value in source.items():
                    if key not in box:
                        box[key] = value
                        box.key_locs[key] = source.key_locs[key]
            box.update(own)
            box.key_locs.update(own_locs)
        self.add(box, event)

    def alias(self, event: Any) -> None:
        """Re-use (never copy) the node an alias names."""
        found = self.anchors.get(event.anchor)
        if found is None:
            raise self.fail(f"alias *{event.anchor} names no anchor defined before it",
                            event.start_mark, "define the &anchor before using it")
        if id(found[0]) in self.open_ids:
            raise self.fail(f"alias *{event.anchor} refers to a node that contains it",
                            event.start_mark, "recursive structures cannot be generated")
        self.shares_nodes = True
        self.add(found[0], event, found[1])

    def run(self, parser: Any) -> Any:
        """Consume the whole event stream; return the single document's root."""
        get_event = parser.get_event
        docs = 0
        while True:
            event = get_event()
            self.events += 1
            kind = event.__class__
            if kind is ev.ScalarEvent:
                value = self.scalar(event)
                if event.anchor is not None:
                    self.anchors[event.anchor] = (value, event.value)
                self.add(value, event, event.value)
            elif kind is ev.MappingStartEvent or kind is ev.SequenceStartEvent:
                is_map = kind is ev.MappingStartEvent
                if event.tag not in (None, "!") and event.tag[len(_TAG):] not in (
                        ("map", "set") if is_map else ("seq", "omap", "pairs")):
                    raise self.unknown_tag(event.tag, event.start_mark)
                box: YMap | YSeq = YMap() if is_map else YSeq()
                if is_map:
                    box.key_locs = {}  # type: ignore[union-attr]
                self.open(box, event)
            elif kind is ev.MappingEndEvent or kind is ev.SequenceEndEvent:
                self.close(event)
            elif kind is ev.AliasEvent:
                self.alias(event)
            elif kind is ev.DocumentStartEvent:
                docs += 1
                if docs > 1:
                    raise self.fail("file holds more than one YAML document", event.start_mark,
                                    "keep one spec per file (remove the extra '---')")
            elif kind is ev.StreamEndEvent:
                return self.root


class _SyntaxError(SpecError):
    """A failure the YAML library reported (not one of our own checks)."""


def _parse(path: Path, text: str) -> tuple[Any, bool]:
    """Text → (containers, whether an alias bomb is possible), every parser failure a SpecError.

    Without aliases the document is a tree with fewer values than parser events, so
    `check_expansion` cannot fail unless there are that many events.
    """
    if USE_LIBYAML:
        try:
            return _parse_with(yaml.CSafeLoader, path, text)
        except _SyntaxError:
            # libyaml scans ahead and has limits of its own (flow nesting, since PyYAML 6.0.4)
            # that can fire before ours. The pure-Python parser has the same grammar and no
            # such limits, so it re-diagnoses the document and our own limits speak first.
            pass
    return _parse_with(yaml.SafeLoader, path, text)


def _parse_with(loader_class: Any, path: Path, text: str) -> tuple[Any, bool]:
    """`_parse` with one parser class."""
    parser = loader_class(text)
    builder = _Builder(path)
    try:
        root = builder.run(parser)
        return root, builder.shares_nodes or builder.events > MAX_EXPANDED_VALUES
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        raise _SyntaxError(f"invalid YAML: {problem}", file=path, line=line, column=col,
                           hint="fix the syntax at this position") from None
    except yaml.YAMLError as exc:
        offset = getattr(exc, "position", 0)
        line, col = _position(text, min(offset, len(text)))
        raise _SyntaxError(f"invalid YAML: {exc}", file=path, line=line, column=col,
                           hint="fix the syntax at this position") from None
    finally:
        parser.dispose()


def load_file(path: Path) -> Any:
    """Parse a YAML or JSON spec file into YMap/YSeq containers with source positions."""
    return _load_tree(path)[0]


def _load_json_text(path: Path, data: bytes) -> tuple[Any, bool]:
    """A .json file as JSON; if it is not, as YAML (whose flow style takes what JSON editors
    let through, such as trailing commas), and the JSON error when neither can read it."""
    text = _decode(path, data, is_json=True)
    try:
        return load_json(path, text, MAX_DEPTH, YMap, YSeq), False
    except JSONSyntaxError as not_json:
        try:  # JSON allows tabs only as whitespace; YAML does not
            return _parse(path, _decode(path, data).replace("\t", " "))
        except SpecError:
            raise not_json from None


def _load_tree(path: Path, log: InputLog | None = None) -> tuple[Any, bool]:
    """load_file's root, and whether `check_expansion` must walk it (aliases were used).

    The bytes are read through `log`, which records them for the run memo."""
    try:
        data = (log or InputLog()).read(path, MAX_FILE_BYTES)
    except OSError as exc:
        raise SpecError(f"cannot read the file: {exc.strerror}", file=path,
                        hint="check the path and its permissions") from None
    if len(data) > MAX_FILE_BYTES:
        raise SpecError(f"file is larger than {MAX_FILE_BYTES // 2**20} MB", file=path, line=1,
                        column=1, hint="split the spec into several files joined by $ref")
    # a tree of containers is built and nothing in it is garbage: the collector's passes over
    # the growing heap would cost more than the parse (2x on a 28 MB spec)
    collecting = gc.isenabled()
    gc.disable()
    try:
        if path.suffix.lower() == ".json":
            root, may_expand = _load_json_text(path, data)
        else:
            root, may_expand = _parse(path, _decode(path, data))
    finally:
        if collecting:
            gc.enable()
    if root is _NO_KEY or root is None:
        raise SpecError("empty document", file=path, line=1, column=1,
                        hint="the file must contain an OpenAPI mapping (openapi: 3.x ...)")
    if not isinstance(root, YMap):
        line, col = root.loc if isinstance(root, YSeq) else (1, 1)
        kind = "a list" if isinstance(root, YSeq) else f"the scalar {str(root)[:40]!r}"
        raise SpecError(f"the document root must be a mapping, not {kind}",
                        file=path, line=line, column=col,
                        hint="an OpenAPI document starts with keys like 'openapi:' and 'paths:'")
    return root, may_expand


def check_expansion(root: Any) -> None:
    """Refuse a document whose aliases make it hold too many values once walked (an alias bomb).

    load_file shares aliased nodes instead of copying them, so loading stays cheap; but any walk
    of the tree (a default rendered as JSON, an enum listed) would see every copy.
    """
    sizes: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        if done:
            total = 1 + sum(sizes.get(id(child), 1) for child in children)
            sizes[id(node)] = total
            if total > MAX_EXPANDED_VALUES:
                raise SpecError(
                    f"this value expands to more than {MAX_EXPANDED_VALUES:,} values through "
                    "aliases", file=node.file, line=node.loc[0], column=node.loc[1],
                    hint="the document looks like an alias bomb (billion laughs); write the "
                         "values out or drop the aliases")
        elif id(node) not in sizes:
            stack.append((node, True))
            stack.extend((child, False) for child in children
                         if isinstance(child, (YMap, YSeq)) and id(child) not in sizes)
