"""RFC 9535 JSONPath: parse a query once, then find the nodes it selects in a loaded document.

Overlay actions name their targets with these queries.  Supported: the root `$`, child segments
(`.name`, `['name']`, `["name"]`, `.*`, `[*]`, several selectors `[a, 'b', 0]`), descendant
segments (`..name`, `..*`, `..[...]`), array indexes (negative from the end) and slices
(`[start:end:step]`), and filters `[?...]` with `@` (the current value) and `$` queries,
string/number/true/false/null literals, `==`, `!=`, `<`, `<=`, `>`, `>=`, `&&`, `||`, `!`,
parentheses, existence tests (`[?@.deprecated]`) and the functions `length`, `count`, `match`,
`search` and `value`.

One leniency, because real overlays (and the Overlay 1.0 specification's own example) write
`@.x-oai-traits`: a member name shorthand may contain `-` after its first character.

A node is reported with its parent container and its key (or index) there, so an overlay can
replace or remove it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

_WHITESPACE = " \t\n\r"
_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "/": "/", "\\": "\\",
            "'": "'", '"': '"'}
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_MAX_INT = 2**53 - 1  # RFC 9535: indexes and slice bounds are I-JSON integers
_COMPARISONS = ("==", "!=", "<=", ">=", "<", ">")
_MAX_NESTING = 64  # parentheses and nested filters: deeper is no real query, and would recurse


class JSONPathError(ValueError):
    """A query that is not valid JSONPath; `position` is the 0-based character offset."""

    def __init__(self, message: str, text: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.text = text
        self.position = position

    def __str__(self) -> str:
        return f"{self.message} at character {self.position + 1} of {self.text!r}"


@dataclass(frozen=True)
class Node:
    """A selected value, the container holding it (None for the root) and its key or index."""

    value: Any
    parent: Any = None
    key: str | int | None = None


class _Nothing:
    """The result of a singular query that selects nothing (RFC 9535 "Nothing")."""

    def __repr__(self) -> str:
        return "Nothing"


NOTHING = _Nothing()


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: booleans are not numbers, containers compare member by member."""
    if a is NOTHING or b is NOTHING:
        return a is b
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return type(a) is type(b) and a == b
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    return False


def _less(a: Any, b: Any) -> bool:
    if _is_number(a) and _is_number(b):
        return bool(a < b)
    if isinstance(a, str) and isinstance(b, str):
        return a < b
    return False


def _compare(op: str, a: Any, b: Any) -> bool:
    if op == "==":
        return _equal(a, b)
    if op == "!=":
        return not _equal(a, b)
    if op == "<":
        return _less(a, b)
    if op == ">":
        return _less(b, a)
    if op == "<=":
        return _less(a, b) or _equal(a, b)
    return _less(b, a) or _equal(a, b)


# ---- selectors and segments --------------------------------------------------------------------

Selector = Callable[[Node, Any], Iterator[Node]]  # (node, document root) -> selected children


def _name(name: str) -> Selector:
    def select(node: Node, root: Any) -> Iterator[Node]:
        value = node.value
        if isinstance(value, dict) and name in value:
            yield Node(value[name], value, name)
    return select


def _wildcard(node: Node, root: Any) -> Iterator[Node]:
    value = node.value
    if isinstance(value, dict):
        for key, child in value.items():
            yield Node(child, value, key)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield Node(child, value, index)


def _index(index: int) -> Selector:
    def select(node: Node, root: Any) -> Iterator[Node]:
        value = node.value
        if isinstance(value, list):
            at = index + len(value) if index < 0 else index
            if 0 <= at < len(value):
                yield Node(value[at], value, at)
    return select


def _slice(start: int | None, end: int | None, step: int) -> Selector:
    def select(node: Node, root: Any) -> Iterator[Node]:
        value = node.value
        if not isinstance(value, list) or step == 0:
            return
        for at in range(*slice(start, end, step).indices(len(value))):
            yield Node(value[at], value, at)
    return select


def _filter(test: Callable[[Any, Any], bool]) -> Selector:
    def select(node: Node, root: Any) -> Iterator[Node]:
        for child in _wildcard(node, root):
            if test(child.value, root):
                yield child
    return select


@dataclass(frozen=True)
class _Segment:
    selectors: tuple[Selector, ...]
    descendant: bool
    singular: bool  # one name or one index, not descendant


def _descend(node: Node) -> Iterator[Node]:
    """The node and every node below it, in document order."""
    yield node
    for child in _wildcard(node, None):
        if isinstance(child.value, (dict, list)):
            yield from _descend(child)
        else:
            yield child


def _run(segments: tuple[_Segment, ...], start: Node, root: Any) -> list[Node]:
    nodes = [start]
    for segment in segments:
        found: list[Node] = []
        for node in nodes:
            for visited in (_descend(node) if segment.descendant else (node,)):
                for selector in segment.selectors:
                    found.extend(selector(visited, root))
        nodes = found
    return nodes


@dataclass(frozen=True)
class Query:
    """A compiled JSONPath query."""

    text: str
    segments: tuple[_Segment, ...]
    relative: bool = False  # starts with @ (only inside filters)

    @property
    def singular(self) -> bool:
        """Whether the query can select at most one node (names and indexes only)."""
        return all(s.singular for s in self.segments)

    def find(self, root: Any, current: Any = None) -> list[Node]:
        """The nodes selected in `root` (a relative query starts at `current`)."""
        start = Node(current) if self.relative else Node(root)
        return _run(self.segments, start, root)


def compile_query(text: str) -> Query:
    """Parse a JSONPath query; raises JSONPathError with the offending position."""
    parser = _Parser(text)
    if not text.startswith("$"):
        raise parser.error("a JSONPath query starts with '$'")
    query = parser.query()
    if parser.pos != len(text):
        raise parser.error("unexpected character " + repr(text[parser.pos]))
    return query


# ---- the parser --------------------------------------------------------------------------------

_Eval = Callable[[Any, Any], Any]  # (current value, root) -> value / bool / list[Node]


@dataclass(frozen=True)
class _Expr:
    """A parsed filter operand: how to evaluate it and what RFC 9535 type it has."""

    run: _Eval
    kind: str  # "value" (a value or Nothing), "logical", "nodes"
    query: Query | None = None


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0  # filter expressions being parsed, one inside the other

    def error(self, message: str, at: int | None = None) -> JSONPathError:
        return JSONPathError(message, self.text, self.pos if at is None else at)

    def peek(self, width: int = 1) -> str:
        return self.text[self.pos:self.pos + width]

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _WHITESPACE:
            self.pos += 1

    def expect(self, token: str) -> None:
        if not self.text.startswith(token, self.pos):
            found = repr(self.text[self.pos]) if self.pos < len(self.text) else "the end"
            raise self.error(f"expected {token!r}, found {found}")
        self.pos += len(token)

    # -- queries --

    def query(self) -> Query:
        start = self.pos
        if self.peek() not in ("$", "@"):
            raise self.error("a JSONPath query starts with '$'")
        relative = self.peek() == "@"
        self.pos += 1
        segments: list[_Segment] = []
        while True:
            mark = self.pos
            self.skip()
            if self.peek() == "[" or self.peek() == ".":
                segments.append(self.segment())
            else:
                self.pos = mark
                break
        return Query(self.text[start:self.pos], tuple(segments), relative)

    def segment(self) -> _Segment:
        if self.peek(2) == "..":
            self.pos += 2
            if self.peek() == "[":
                return _Segment(self.bracket()[0], True, False)
            return _Segment((self.dot_member(),), True, False)
        if self.peek() == ".":
            self.pos += 1
            is_name = self.peek() != "*"
            return _Segment((self.dot_member(),), False, is_name)
        selectors, singular = self.bracket()
        return _Segment(selectors, False, singular)

    def dot_member(self) -> Selector:
        if self.peek() == "*":
            self.pos += 1
            return _wildcard
        start = self.pos
        if self.pos >= len(self.text) or not _name_first(self.text[self.pos]):
            raise self.error("expected a member name or '*' after '.'")
        self.pos += 1
        while self.pos < len(self.text) and _name_char(self.text[self.pos]):
            self.pos += 1
        return _name(self.text[start:self.pos])

    def bracket(self) -> tuple[tuple[Selector, ...], bool]:
        """A bracketed selection, and whether it is one name or one index."""
        self.expect("[")
        selectors: list[Selector] = []
        singular = True
        while True:
            self.skip()
            selector, one = self.selector()
            selectors.append(selector)
            singular = singular and one
            self.skip()
            if self.peek() == ",":
                self.pos += 1
                continue
            self.expect("]")
            break
        return tuple(selectors), singular and len(selectors) == 1

    def selector(self) -> tuple[Selector, bool]:
        char = self.peek()
        if char in ("'", '"'):
            return _name(self.string()), True
        if char == "*":
            self.pos += 1
            return _wildcard, False
        if char == "?":
            self.pos += 1
            self.skip()
            expr = self.logical_or()
            test = expr.run
            return _filter(lambda current, root: bool(test(current, root))), False
        if char == ":" or char == "-" or char.isdigit():
            return self.index_or_slice()
        raise self.error("expected a selector (a quoted name, '*', an index, a slice or '?')")

    def integer(self) -> int:
        found = _INT.match(self.text, self.pos)
        if not found or found.group() == "-0":
            raise self.error("expected an integer")
        self.pos = found.end()
        value = int(found.group())
        if abs(value) > _MAX_INT:
            raise self.error("integer out of range", found.start())
        return value

    def index_or_slice(self) -> tuple[Selector, bool]:
        start = end = None
        if self.peek() != ":":
            start = self.integer()
            self.skip()
            if self.peek() != ":":
                return _index(start), True
        self.expect(":")
        self.skip()
        if self.peek() not in (":", "]", ","):
            end = self.integer()
            self.skip()
        step = 1
        if self.peek() == ":":
            self.pos += 1
            self.skip()
            if self.peek() not in ("]", ","):
                step = self.integer()
        return _slice(start, end, step), False

    def string(self) -> str:
        quote = self.peek()
        self.pos += 1
        out: list[str] = []
        while True:
            if self.pos >= len(self.text):
                raise self.error("unterminated string")
            char = self.text[self.pos]
            if char == quote:
                self.pos += 1
                return "".join(out)
            if char == "\\":
                out.append(self.escape())
                continue
            if ord(char) < 0x20:
                raise self.error("control character in a string")
            out.append(char)
            self.pos += 1

    def escape(self) -> str:
        self.pos += 1
        char = self.peek()
        if char in _ESCAPES:
            self.pos += 1
            return _ESCAPES[char]
        if char != "u":
            raise self.error("invalid escape in a string")
        code = self.hex4()
        if 0xD800 <= code <= 0xDBFF and self.peek(2) == "\\u":
            self.pos += 1
            low = self.hex4()
            if 0xDC00 <= low <= 0xDFFF:
                return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00))
            raise self.error("invalid surrogate pair in a string")
        return chr(code)

    def hex4(self) -> int:
        digits = self.text[self.pos + 1:self.pos + 5]
        if len(digits) != 4 or not all(c in "0123456789abcdefABCDEF" for c in digits):
            raise self.error("expected four hex digits after \\u")
        self.pos += 5
        return int(digits, 16)

    # -- filter expressions --

    def logical_or(self) -> _Expr:
        self.depth += 1
        if self.depth > _MAX_NESTING:
            raise self.error(f"filters nest deeper than {_MAX_NESTING} levels")
        parts = [self.logical_and()]
        while True:
            mark = self.pos
            self.skip()
            if self.peek(2) != "||":
                self.pos = mark
                break
            self.pos += 2
            self.skip()
            parts.append(self.logical_and())
        self.depth -= 1
        if len(parts) == 1:
            return parts[0]
        runs = [p.run for p in parts]
        return _Expr(lambda cur, root: any(r(cur, root) for r in runs), "logical")

    def logical_and(self) -> _Expr:
        parts = [self.basic()]
        while True:
            mark = self.pos
            self.skip()
            if self.peek(2) != "&&":
                self.pos = mark
                break
            self.pos += 2
            self.skip()
            parts.append(self.basic())
        if len(parts) == 1:
            return parts[0]
        runs = [p.run for p in parts]
        return _Expr(lambda cur, root: all(r(cur, root) for r in runs), "logical")

    def basic(self) -> _Expr:
        start = self.pos
        if self.peek() == "!":
            self.pos += 1
            self.skip()
            inner = self.paren() if self.peek() == "(" else self.test(start)
            run = inner.run
            return _Expr(lambda cur, root: not run(cur, root), "logical")
        if self.peek() == "(":
            return self.paren()
        left = self.operand()
        mark = self.pos
        self.skip()
        op = next((o for o in _COMPARISONS if self.text.startswith(o, self.pos)), None)
        if op is None:
            self.pos = mark
            return self.as_test(left, start)
        self.pos += len(op)
        self.skip()
        right_at = self.pos
        right = self.operand()
        self.comparable(left, start)
        self.comparable(right, right_at)
        lrun, lkind, rrun, rkind = left.run, left.kind, right.run, right.kind
        return _Expr(lambda cur, root: _compare(op, _value_of(lrun, lkind, cur, root),
                                                _value_of(rrun, rkind, cur, root)), "logical")

    def paren(self) -> _Expr:
        self.expect("(")
        self.skip()
        inner = self.logical_or()
        self.skip()
        self.expect(")")
        return _Expr(inner.run, "logical")

    def test(self, start: int) -> _Expr:
        return self.as_test(self.operand(), start)

    def as_test(self, expr: _Expr, start: int) -> _Expr:
        """An operand used alone: a query tests for existence, a function must be logical."""
        if expr.kind == "nodes":
            run = expr.run
            return _Expr(lambda cur, root: bool(run(cur, root)), "logical")
        if expr.kind == "logical":
            return expr
        raise self.error("a literal or a value function cannot stand alone as a filter; "
                         "compare it with ==, !=, <, <=, > or >=", start)

    def comparable(self, expr: _Expr, at: int) -> None:
        if expr.kind == "logical":
            raise self.error("a test (match, search) cannot be compared", at)
        if expr.kind == "nodes" and expr.query is not None and not expr.query.singular:
            raise self.error("only singular queries (names and indexes, no '*', '..', slices "
                             "or filters) can be compared", at)

    def operand(self) -> _Expr:
        """A literal, a query (@... or $...) or a function call."""
        char = self.peek()
        if char in ("@", "$"):
            query = self.query()

            def nodes(cur: Any, root: Any) -> list[Node]:
                return query.find(root, cur)
            return _Expr(nodes, "nodes", query)
        if char in ("'", '"'):
            text = self.string()
            return _Expr(lambda cur, root: text, "value")
        number = _NUMBER.match(self.text, self.pos)
        if number:
            self.pos = number.end()
            token = number.group()
            value: Any = float(token) if any(c in token for c in ".eE") else int(token)
            return _Expr(lambda cur, root: value, "value")
        for word, constant in _CONSTANTS.items():
            if self.text.startswith(word, self.pos) and not _name_char(self.peek_after(word)):
                self.pos += len(word)
                return _constant(constant)
        if char.isalpha():
            return self.function()
        raise self.error("expected a value: a string, number, true, false, null, @ or $ query, "
                         "or a function")

    def peek_after(self, word: str) -> str:
        return self.text[self.pos + len(word):self.pos + len(word) + 1] or " "

    def function(self) -> _Expr:
        start = self.pos
        found = re.compile(r"[a-z][a-z0-9_]*").match(self.text, self.pos)
        name = found.group() if found else ""
        self.pos += len(name)
        if name not in _FUNCTIONS:
            raise self.error(f"unknown function {name!r} (known: {', '.join(_FUNCTIONS)})",
                             start)
        self.expect("(")
        args: list[_Expr] = []
        self.skip()
        while self.peek() != ")":
            arg_at = self.pos
            arg = self.logical_or() if self.peek() in ("!", "(") else self.operand_or_test()
            args.append(arg)
            if arg.kind == "logical":
                raise self.error(f"{name}() takes values, not a test", arg_at)
            self.skip()
            if self.peek() == ",":
                self.pos += 1
                self.skip()
            elif self.peek() != ")":
                raise self.error("expected ',' or ')' in the function's arguments")
        self.pos += 1
        kind, arity, make = _FUNCTIONS[name]
        if len(args) != arity:
            raise self.error(f"{name}() takes {arity} argument{'s' * (arity > 1)}", start)
        if name in ("count", "value") and args[0].kind != "nodes":
            raise self.error(f"{name}() takes a query", start)
        return _Expr(make([a.run for a in args], [a.kind for a in args]), kind)

    def operand_or_test(self) -> _Expr:
        expr = self.operand()
        mark = self.pos
        self.skip()
        if any(self.text.startswith(o, self.pos) for o in _COMPARISONS):
            raise self.error("a comparison cannot be a function argument")
        self.pos = mark
        return expr


_CONSTANTS: dict[str, Any] = {"true": True, "false": False, "null": None}


def _constant(value: Any) -> _Expr:
    return _Expr(lambda cur, root: value, "value")


def _name_first(char: str) -> bool:
    return char.isascii() and (char.isalpha() or char == "_") or ord(char) >= 0x80


def _name_char(char: str) -> bool:
    return _name_first(char) or char.isdigit() or char == "-"


# ---- functions ---------------------------------------------------------------------------------


def _value_of(run: _Eval, kind: str, cur: Any, root: Any) -> Any:
    """A function argument as one value: a query gives its single node's value, else Nothing."""
    result = run(cur, root)
    if kind == "nodes":
        return result[0].value if len(result) == 1 else NOTHING
    return result


def _length(runs: list[_Eval], kinds: list[str]) -> _Eval:
    def run(cur: Any, root: Any) -> Any:
        value = _value_of(runs[0], kinds[0], cur, root)
        if isinstance(value, (str, list, dict)):
            return len(value)
        return NOTHING
    return run


def _count(runs: list[_Eval], kinds: list[str]) -> _Eval:
    return lambda cur, root: len(runs[0](cur, root))


def _value(runs: list[_Eval], kinds: list[str]) -> _Eval:
    return lambda cur, root: _value_of(runs[0], "nodes", cur, root)


def _regex(full: bool) -> Callable[[list[_Eval], list[str]], _Eval]:
    def make(runs: list[_Eval], kinds: list[str]) -> _Eval:
        cache: dict[str, re.Pattern[str] | None] = {}

        def run(cur: Any, root: Any) -> bool:
            text = _value_of(runs[0], kinds[0], cur, root)
            pattern = _value_of(runs[1], kinds[1], cur, root)
            if not isinstance(text, str) or not isinstance(pattern, str):
                return False
            if pattern not in cache:
                try:  # I-Regexp (RFC 9485) is, near enough, a subset of Python's syntax
                    cache[pattern] = re.compile(pattern)
                except re.error:
                    cache[pattern] = None
            compiled = cache[pattern]
            if compiled is None:
                return False
            return bool(compiled.fullmatch(text) if full else compiled.search(text))
        return run
    return make


_FUNCTIONS: dict[str, tuple[str, int, Callable[[list[_Eval], list[str]], _Eval]]] = {
    "length": ("value", 1, _length),
    "count": ("value", 1, _count),
    "match": ("logical", 2, _regex(True)),
    "search": ("logical", 2, _regex(False)),
    "value": ("value", 1, _value),
}
