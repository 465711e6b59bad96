"""black's output for runmodels' own generated modules, without running black on every line.

black costs ~20 ms per kB, and the whole 2026 OpenAI spec renders to ~8 MB: two minutes of CPU.
Almost every line the templates emit is already in black's style, so this pass only touches
what black would change, line by line, and reuses black's own functions for the details:

- string literals: black's prefix, quote and escape normalisation (`normalize_string_*`);
- docstrings (first statement of a class or def): black's docstring rules, ported verbatim;
- a statement longer than the limit: the few shapes the templates produce are split the way
  black splits them (imports, def signatures); any other one is given to black alone, at its
  indentation, and the answer is memoised by (indent, text).

Anything this pass does not recognise makes it return None, and the caller runs black on the
whole file.  The input is what the templates render: tokens already spaced as black spaces them,
numbers in black's case (this pass checks neither); what it does check and refuse (comments
spaced otherwise, a block's body on its header's line, a triple-quoted string inside a line...)
goes to black.  tests/test_fastfmt.py compares it with black on case files (one per construct)
and on every module of the construct and property-based specs; `python benchmarks/run.py
--verify-black` does so file by file on the whole 2026 spec.  Tied to the pinned black version
(see `SUPPORTED_BLACK`); with any other version black_format.py runs plain black.
"""

from __future__ import annotations

import re
import sys

import black
from black.strings import (
    fix_multiline_docstring,
    normalize_string_prefix,
    normalize_string_quotes,
    normalize_unicode_escape_sequences,
)
from blib2to3.pgen2 import token  # type: ignore[import-untyped]
from blib2to3.pytree import Leaf  # type: ignore[import-untyped]

from runmodels.emit.exprs import LINE_LENGTH

SUPPORTED_BLACK = ("26.10.1",)
_OPENERS = "([{"
_CLOSERS = ")]}"
_HEADER_KEYWORDS = ("def ", "class ", "async def ")
_BLOCK_KEYWORDS = ("if ", "while ", "for ", "with ")
_COMPOUND = ("if ", "elif ", "else:", "for ", "while ", "try:", "except", "finally:", "with ",
             "def ", "class ", "async ", "@")
# a statement that starts a block (a decorator line does not)
_COMPOUND_HEAD = re.compile(r"(?:if|elif|else|for|while|try|except|finally|with|def|class|async)\b")
_CALL_HEAD = re.compile(r"[\w.]+ = [\w.]+\(")  # `__slots__ = _r.slots(`
_STRING_START = re.compile(r"[rRbBuUfF]{0,2}(\"\"\"|'''|\"|')")
_IMPORT = re.compile(r"from (\S+) import (.+)")
_DEF = re.compile(r"(async def |def )(\w+)\(([^()]*)\)( -> [^:]+)?:")
_RETURNS = re.compile(r"(?: -> [\w.\[\], |]+)?:")
_SUFFIX = re.compile(r" from \w+| = \w+")  # `) from exc`, `) = t` (a tuple target)
_ONE_TUPLE = re.compile(r"\(([\w.]+), \)")
_ASSIGN = re.compile(r"([\w.]+(?:: [\w.| ]+)? = )(.+)")
_NAME = re.compile(r"[\w.]+")
_KEY_ASSIGN = re.compile(r'([\w.]+\["[^"\\]*"\] = )(.+)')
_TERNARY_EXPR = re.compile(r"(.+?) if (.+?) else (.+)")
_ANNOTATED = re.compile(r"(\w+): ([\w. |]+?)( = \w+)?")
_STRING_ATOM = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_CALL = re.compile(r"([\w.]+\()(.*)\)")

_snippets: dict[tuple[int, str], list[str]] = {}


class Unsupported(Exception):
    """Something this pass does not reproduce exactly: the caller runs black instead."""


def supported() -> bool:
    return str(black.__version__) in SUPPORTED_BLACK  # type: ignore[attr-defined]


def format_module(source: str, mode: black.Mode) -> str | None:
    """black.format_str(source, mode) for generated modules, or None when unsure."""
    if mode.line_length != LINE_LENGTH or not mode.string_normalization or mode.preview:
        return None
    try:
        return _Formatter(source, mode).run()
    except (Unsupported, black.InvalidInput):  # type: ignore[attr-defined]
        return None


class _Formatter:
    def __init__(self, source: str, mode: black.Mode) -> None:
        self.lines = source.split("\n")
        self.mode = mode
        self.out: list[str] = []
        self.prev_code = ""  # the previous line of code (not blank, not a comment)
        # one entry per logical line: (first out index, end index, depth, blank lines before, kind)
        self.logical: list[tuple[int, int, int, int, str]] = []

    def run(self) -> str:
        lines = self.lines
        if lines[-1] != "" or (len(lines) > 1 and lines[-2] == ""):
            raise Unsupported("file must end in exactly one newline")
        i = 0
        n = len(lines) - 1
        blanks = 0
        while i < n:
            line = lines[i]
            stripped = line.lstrip(" ")
            if not stripped:  # black drops the spaces of a blank line
                blanks += 1
                i += 1
                continue
            indent = len(line) - len(stripped)
            if "\t" in line or line != line.rstrip() or indent % 4:
                raise Unsupported("tabs, trailing spaces or odd indentation")
            start = len(self.out)
            kind = ""
            if stripped.startswith("#"):
                if not stripped.startswith("# ") and stripped != "#":
                    raise Unsupported("comment without a space")
                self.out.append(line)
                kind = "comment"
                i += 1
            else:
                m = _STRING_START.match(stripped)
                if m and len(m.group(1)) == 3:
                    kind = "docstring" if self._is_docstring(indent) else ""
                    i = self._string_statement(i, indent, kind == "docstring")
                elif stripped[-1] in _OPENERS and (not stripped.startswith(_COMPOUND)
                                                   or stripped.startswith(("def ", "async def "))):
                    i = self._bracketed(i, indent)
                else:
                    self._simple(line, indent)
                    i += 1
                self.prev_code = lines[i - 1]
            self.logical.append((start, len(self.out), indent // 4, blanks, kind))
            blanks = 0
        return "".join(line + "\n" for line in _with_blank_lines(self.out, self.logical))

    # --- strings ---------------------------------------------------------------------------------
    def _string_statement(self, i: int, indent: int, docstring: bool) -> int:
        """A statement that is a triple-quoted string (a docstring or an attribute docstring)."""
        lines = self.lines
        first = lines[i][indent:]
        quote = _STRING_START.match(first).group(1)  # type: ignore[union-attr]
        prefix_len = first.index(quote)
        j = i
        text = first
        rest = first[prefix_len + 3:]
        while _find_close(rest, quote) < 0:
            j += 1
            if j >= len(lines) - 1:
                raise Unsupported("unterminated string")
            rest = lines[j]
            text += "\n" + rest
        end = _find_close(rest, quote)
        if rest[end + 3:]:
            raise Unsupported("code after a triple-quoted string")
        if docstring:
            value = _docstring(text, indent, self.mode)
        else:
            value = normalize_string_quotes(normalize_string_prefix(text, self.mode))
            leaf = Leaf(token.STRING, value)
            normalize_unicode_escape_sequences(leaf)
            value = leaf.value
        self.out.append(" " * indent + value)
        return j + 1

    def _is_docstring(self, indent: int) -> bool:
        if all(entry[4] == "comment" for entry in self.logical):
            return indent == 0  # the first statement of the module (comments may precede it)
        if self.logical[-1][4] == "comment":  # black joins the two: its own blank-line rules
            raise Unsupported("a comment before a triple-quoted string")
        first, end, depth, _, _ = self.logical[-1]
        head = self.out[first]
        return (head.lstrip(" ").startswith(_HEADER_KEYWORDS) and self.out[end - 1].endswith(":")
                and depth * 4 == indent - 4)

    # --- statements ------------------------------------------------------------------------------
    def _simple(self, line: str, indent: int) -> None:
        code = line[indent:]
        if "'" in code or "\\" in code or '"' in code or "#" in code:
            code = _normalize_strings(code, self.mode)  # (and checks a trailing comment)
        if (code.startswith(_COMPOUND) and not code.endswith(":") and _COMPOUND_HEAD.match(code)
                and not (code.endswith(": ...") and code.startswith(_HEADER_KEYWORDS))):
            raise Unsupported("a compound statement with its body on the same line")
        if code.startswith("class ") and "():" in code:
            raise Unsupported("empty parentheses after a class name")
        if ", )" in code:
            code = _ONE_TUPLE.sub(r"(\1,)", code)
        line = " " * indent + code
        magic = "," in code and _has_magic_comma(code)
        if (len(line) <= LINE_LENGTH and not _has_redundant_parens(code) and ", )" not in code
                and not magic):
            self.out.append(line)
            return
        if "  # " in code:
            raise Unsupported("long line with a comment")
        if code.endswith(":") and not code.startswith(_HEADER_KEYWORDS + _BLOCK_KEYWORDS):
            raise Unsupported("long compound statement header")
        if magic:  # black explodes the brackets a trailing comma ends, one item per line
            self.out.extend(_black_snippet(code, indent, self.mode))
            return
        self.out.extend(_split(code, indent, self.mode))

    def _bracketed(self, i: int, indent: int) -> int:
        """`NAME = {` ... `}` written one item per line with trailing commas (black keeps it)."""
        lines = self.lines
        opener = lines[i][-1]
        closer = _CLOSERS[_OPENERS.index(opener)]
        head = lines[i][indent:]
        items: list[str] = []
        j = i + 1
        nested = False
        while True:
            if j >= len(lines) - 1:
                raise Unsupported("unterminated bracket")
            line = lines[j]
            if line.startswith(" " * indent + closer) and (
                    len(line) == indent + 1 or line[indent + 1] in " :"):
                break
            if not line.startswith(" " * (indent + 4)):
                raise Unsupported("bracket layout")
            nested = nested or line[indent + 4] == " "
            items.append(line[indent + 4:])
            j += 1
        suffix = lines[j][indent + 1:]
        is_def = head.startswith(("def ", "async def "))
        if (suffix and not (is_def and _RETURNS.fullmatch(suffix))
                and not (not is_def and _SUFFIX.fullmatch(suffix))) or (is_def and not suffix):
            raise Unsupported("bracket closer")
        if nested and self._sole_collection(indent, head, items, suffix):
            return j + 1
        if nested or len(lines[j]) > LINE_LENGTH:
            text = "\n".join(line[indent:] for line in lines[i:j + 1])
            self.out.extend(_black_snippet(text, indent, self.mode))
            return j + 1
        head = _normalize_strings(head, self.mode)
        items = [_normalize_strings(item, self.mode) for item in items]
        simple = (len(head) + indent <= LINE_LENGTH and _depth(head) == 1 and bool(items)
                  and not _has_redundant_parens(head) and not _has_magic_comma(head))
        for item in items:
            if (not item.endswith(",") or _depth(item) != 0 or item.startswith(_COMPOUND)
                    or ", )" in item or _has_magic_comma(item[:-1])
                    or ("," in item[:-1] and len(_top_level_split(item[:-1]) or "xx") > 1)
                    or (len(item) + indent + 4 > LINE_LENGTH and not _unsplittable_item(item)
                        and not (is_def and _ANNOTATED.fullmatch(item[:-1])))):
                simple = False
        out = [" " * indent + head] if simple else []
        inner = indent + 4
        for item in items if simple else ():
            if _fits(inner, item) or _unsplittable_item(item):
                out.append(" " * inner + item)
                continue
            # a long parameter: black wraps its annotation (not a plain-name default) in brackets
            m = _ANNOTATED.fullmatch(item[:-1])
            if not (m and _fits(inner + 4, m.group(2)) and _fits(inner, f"){m.group(3) or ''},")
                    and not _NAME.fullmatch(m.group(2))):
                simple = False  # too long even on a line of its own, or a bare (dotted) name,
                break  # which black leaves on the parameter's line

            out += [f"{' ' * inner}{m.group(1)}: (", f"{' ' * (inner + 4)}{m.group(2)}",
                    f"{' ' * inner}){m.group(3) or ''},"]
        if not simple:
            text = "\n".join(line[indent:] for line in lines[i:j + 1])
            self.out.extend(_black_snippet(text, indent, self.mode))
            return j + 1
        self.out += out
        self.out.append(" " * indent + closer + suffix)
        return j + 1

    def _sole_collection(self, indent: int, head: str, items: list[str], suffix: str) -> bool:
        """`NAME = f(` / `{` / one item per line, each with its comma / `}` / `)`: a call whose
        only argument is a collection with a magic trailing comma (every model's `__slots__`).
        black keeps that layout as it is when every item stays on its line; False (nothing
        emitted) for any other shape."""
        if (suffix or len(items) < 3 or not _CALL_HEAD.fullmatch(head)
                or not _fits(indent, head)):
            return False
        opener, closer = items[0], items[-1]
        if opener not in ("{", "[") or closer != _CLOSERS[_OPENERS.index(opener)]:
            return False
        inner = indent + 8
        body: list[str] = []
        for line in items[1:-1]:
            if not line.startswith("    ") or line[4] == " ":
                return False
            item = _normalize_strings(line[4:], self.mode)
            if (not item.endswith(",") or _depth(item) != 0 or item.startswith(_COMPOUND)
                    or ", )" in item or _has_magic_comma(item[:-1])
                    or ("," in item[:-1] and len(_top_level_split(item[:-1]) or "xx") > 1)
                    or not (_fits(inner, item) or _unsplittable_item(item))):
                return False
            body.append(" " * inner + item)
        if not body:
            return False
        pad = " " * indent
        self.out += [pad + head, f"{pad}    {opener}", *body, f"{pad}    {closer}", pad + ")"]
        return True


def _with_blank_lines(out: list[str], logical: list[tuple[int, int, int, int, str]]) -> list[str]:
    """black's EmptyLineTracker (lines.py, non-stub mode) for the statements we emit."""
    result: list[str] = []
    prev: tuple[str, int, str] | None = None  # (first line stripped, depth, kind)
    prev_after = 0
    prev_defs: list[int] = []
    blocks: list[str] = []  # kinds of the blocks so far (module docstring rule)
    for first, end, depth, user_before, kind in logical:
        text = out[first].lstrip(" ")
        is_def = text.startswith(("def ", "async def "))
        is_class = text.startswith("class ")
        is_decorator = text.startswith("@")
        is_import = text.startswith(("import ", "from "))
        before = min(user_before, 2 if depth == 0 else 1)
        user_had_newline = bool(before)
        previous_def: int | None = None
        while prev_defs and prev_defs[-1] >= depth:
            previous_def = prev_defs.pop()
        if is_def or is_class:
            prev_defs.append(depth)
        after = 0
        if prev is None:
            before = 0
        else:
            p_text, p_depth, p_kind = prev
            p_is_def = p_text.startswith(("def ", "async def "))
            p_is_class = p_text.startswith("class ")
            p_import = p_text.startswith(("import ", "from ")) and p_kind != "docstring"
            decided = False
            if kind == "docstring":
                if p_is_class:
                    before, after, decided = 0, 1, True
                elif p_is_def and p_text.endswith(":"):
                    before, decided = 0, True
            if not decided:
                if previous_def is not None:
                    nested_block = (previous_def and text.endswith(":") and text.split(" ")[0]
                                    .rstrip(":") not in ("with", "try", "for", "while", "if",
                                                         "match"))
                    before = 1 if depth or nested_block else 2
                if is_decorator or is_def or is_class:
                    if p_text.startswith("@"):
                        before = 0
                    elif p_depth < depth and (p_is_class or p_is_def):
                        before = 1 if user_had_newline else 0
                    elif p_kind == "comment" and p_depth == depth and before == 0:
                        raise Unsupported("comment before a def")
                    else:
                        before = 1 if depth else 2
                        if p_is_def and p_text.endswith(": ...") and not user_had_newline:
                            before = 0
                elif p_import and p_depth == 0 and depth == 0 and not is_import:
                    before = 1
                elif p_import and not is_import and depth == p_depth:
                    before = before or 1
        before = max(0, before - prev_after)
        if (blocks and blocks[-1] == "docstring" and prev is not None and prev[1] == 0
                and all(k == "comment" for k in blocks[:-1]) and not (is_def or is_class)):
            before = 1  # always one empty line after a module docstring
        if prev is not None and prev_after:
            result.extend([""] * prev_after)
        result.extend([""] * before)
        result.extend(out[first:end])
        prev = (text, depth, kind)
        prev_after = after
        blocks.append(kind)
    return result


def _find_close(text: str, quote: str) -> int:
    """Index of the closing triple quote in text (escapes respected), or -1."""
    k = 0
    while True:
        k = text.find(quote, k)
        if k < 0:
            return -1
        backslashes = 0
        while k - backslashes - 1 >= 0 and text[k - backslashes - 1] == "\\":
            backslashes += 1
        if backslashes % 2 == 0:
            return k
        k += 1


def _docstring(value: str, indent_cols: int, mode: black.Mode) -> str:
    """linegen.LineGenerator.visit_STRING for a docstring leaf, as black 26.10.1 has it."""
    leaf = Leaf(token.STRING, value)
    normalize_unicode_escape_sequences(leaf)
    if re.search(r"\\\s*\n", leaf.value):
        text = normalize_string_quotes(normalize_string_prefix(leaf.value, mode))
        return text
    docstring = normalize_string_prefix(leaf.value, mode)
    docstring = normalize_string_quotes(docstring)
    prefix = ""
    while docstring[len(prefix)] not in "\"'":
        prefix += docstring[len(prefix)]
    docstring = docstring[len(prefix):]
    quote_char = docstring[0]
    quote_len = 1 if docstring[1] != quote_char else 3
    docstring = docstring[quote_len:-quote_len]
    docstring_started_empty = not docstring
    indent = " " * indent_cols
    if "\n" in leaf.value and quote_len == 3:
        docstring = fix_multiline_docstring(docstring, indent)
    else:
        docstring = docstring.strip()
    has_trailing_backslash = False
    if docstring:
        if docstring[0] == quote_char:
            docstring = " " + docstring
        if docstring[-1] == quote_char:
            docstring += " "
        if docstring[-1] == "\\":
            backslash_count = len(docstring) - len(docstring.rstrip("\\"))
            if backslash_count % 2:
                docstring += " "
                has_trailing_backslash = True
    elif not docstring_started_empty:
        docstring = " "
    quote = quote_char * quote_len
    if quote_len == 3:
        lines = docstring.splitlines()
        last_line_length = len(lines[-1]) if docstring and not docstring.endswith("\n") else 0
        if (len(lines) > 1 and last_line_length + quote_len > mode.line_length
                and len(indent) + quote_len <= mode.line_length and not has_trailing_backslash):
            if leaf.value[-1 - quote_len] == "\n":
                result = prefix + quote + docstring + quote
            else:
                result = prefix + quote + docstring + "\n" + indent + quote
        else:
            result = prefix + quote + docstring + quote
    else:
        result = prefix + quote + docstring + quote
    return normalize_string_quotes(normalize_string_prefix(result, mode))


_STRING_TOKEN = re.compile(r"""(?<![\w])([rRbBuUfF]{0,2})("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')""")
_PLAIN = re.compile(r"""[^"'\\]*""")


def _normalize_strings(code: str, mode: black.Mode) -> str:
    """Every single-line string literal in one line of code, normalised the way black does."""
    if "'" not in code and "\\" not in code and '"' not in code:
        if "#" in code:
            return _check_comment(code, len(code) - len(code.split("#", 1)[1]) - 1)
        return code
    if '"""' in code or "'''" in code:
        raise Unsupported("triple-quoted string inside a line")
    out: list[str] = []
    last = 0
    for m in _STRING_TOKEN.finditer(code):
        between = code[last:m.start()]
        if "#" in between:
            return "".join(out) + _check_comment(code[last:], between.index("#"))
        if "'" in between or '"' in between or "\\" in between:
            raise Unsupported("string layout")
        out.append(between)
        prefix, literal = m.group(1), m.group(2)
        body = literal[1:-1]
        if prefix == "" and _PLAIN.fullmatch(body):
            out.append(f'"{body}"')  # what normalize_string_quotes makes of it
        else:
            value = normalize_string_quotes(normalize_string_prefix(m.group(0), mode))
            if "\\" in value:
                leaf = Leaf(token.STRING, value)
                normalize_unicode_escape_sequences(leaf)
                value = leaf.value
            out.append(value)
        last = m.end()
    rest = code[last:]
    if "'" in rest or '"' in rest or "\\" in rest:
        raise Unsupported("string layout")
    if "#" in rest:
        return "".join(out) + _check_comment(rest, rest.index("#"))
    out.append(rest)
    return "".join(out)


def _check_comment(code: str, at: int) -> str:
    """Code (no strings) with a trailing comment at `at`: only black's own layout is accepted."""
    comment = code[at:]
    if (not code[:at].endswith("  ") or code[:at - 2].endswith(" ") or at < 3
            or not comment.startswith("# ") or comment.startswith("#  ")):
        raise Unsupported("comment layout")
    return code


_QUOTED = re.compile(r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'""")


def _depth(code: str) -> int:
    """Bracket depth at the end of a line of code (strings skipped)."""
    if '"' in code or "'" in code:
        code = _QUOTED.sub("", code)
    return (code.count("(") + code.count("[") + code.count("{")
            - code.count(")") - code.count("]") - code.count("}"))


def _has_redundant_parens(code: str) -> bool:
    """Parentheses black would remove (`return (x)`, `x = (y)`): none in our templates."""
    return code.startswith(("return (", "if (", "elif (", "while (", "for (", "del (", "assert (")
                           ) or " = (" in code


_MAGIC_COMMA = re.compile(r",\s*[)\]}]")
_ONE_TUPLE_ATOM = re.compile(r"(?<![\w)\]])\([^,()\[\]{}]+,\)")


def _has_magic_comma(code: str) -> bool:
    """Whether a bracket in code ends with a trailing comma, which makes black put its items one
    per line (a one-element tuple `(x,)` excepted: there the comma is the tuple's own)."""
    if not _MAGIC_COMMA.search(code):
        return False  # (the common case, decided without rewriting the line)
    if '"' in code or "'" in code:
        code = _QUOTED.sub("x", code)
    return bool(_MAGIC_COMMA.search(_ONE_TUPLE_ATOM.sub("x", code)))


_ONE_STRING = r"""(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')"""
_LONG_ITEM_OK = re.compile(rf"{_ONE_STRING}(?:: (?:{_ONE_STRING}|[\w.]+))?,")


def _unsplittable_item(item: str) -> bool:
    """`"key": "value",` or `"value",`: black leaves a long one as it is."""
    return bool(_LONG_ITEM_OK.fullmatch(item))


def _split(code: str, indent: int, mode: black.Mode) -> list[str]:
    """A long single-line statement, split as black splits it."""
    if _depth(code) != 0:
        raise Unsupported("unbalanced brackets")
    pad = " " * indent
    inner = " " * (indent + 4)
    m = _IMPORT.fullmatch(code)
    if m and "(" not in code:
        names = [name.strip() for name in m.group(2).split(",")]
        return ([f"{pad}from {m.group(1)} import ("] + [f"{inner}{name}," for name in names]
                + [f"{pad})"])
    m = _DEF.fullmatch(code)
    if m and m.group(3) and not any(ch in m.group(3) for ch in "([{'\"#"):
        params = m.group(3)
        tail = f") {m.group(4).strip()}:" if m.group(4) else "):"
        head = f"{m.group(1)}{m.group(2)}("
        if ("," in params and len(inner) + len(params) <= LINE_LENGTH
                and indent + len(tail) <= LINE_LENGTH and indent + len(head) <= LINE_LENGTH
                and not params.rstrip().endswith(",")):
            return [pad + head, inner + params, pad + tail]
    lines = _split_statement(code, indent)
    if lines is not None:
        return lines
    return _black_snippet(code, indent, mode)


def _fits(indent: int, text: str) -> bool:
    return indent + len(text) <= LINE_LENGTH


def _split_statement(code: str, indent: int) -> list[str] | None:
    """`TARGET = VALUE` split the way black's right_hand_split does, for the value shapes the
    templates produce (a call, a ternary); None for anything else."""
    pad = " " * indent
    m = _ANNOTATED.fullmatch(code)
    if m and _depth(m.group(2)) == 0 and "[" not in m.group(2):
        name, annotation, default = m.groups()
        if default is not None and _fits(indent, f"{name}: {annotation}{default[:3]}("):
            value = default[3:]  # black wraps the default when the rest fits
            return [f"{pad}{name}: {annotation} = (", f"{pad}    {value}", f"{pad})"]
        if _fits(indent + 4, annotation) and _fits(indent, f"{name}: (") and (
                default is None or _fits(indent, f"){default}")):
            return [f"{pad}{name}: (", f"{pad}    {annotation}", f"{pad}){default or ''}"]
        return None
    if code.startswith("return "):
        target, value = "return ", code[len("return "):]
    else:
        m = _ASSIGN.fullmatch(code)
        if not m:  # `d["key"] = A if B else C` (a ternary only: with brackets on the left,
            m = _KEY_ASSIGN.fullmatch(code)  # black weighs other splits for other values)
            if not m or _ternary(m.group(2)) is None:
                return None
        if _depth(m.group(1)) != 0:
            return None
        target, value = m.group(1), m.group(2)
    if _STRING_ATOM.fullmatch(value) and _fits(indent, target + "("):
        if not _fits(indent + 4, value):
            return None  # black wraps a string only when that makes it fit
        return [pad + target + "(", f"{pad}    {value}", pad + ")"]
    ternary = _ternary(value)
    call = _call(value)
    if ternary is None and call is not None and _fits(indent, target + call[0]):
        args = _split_args(call[1], indent + 4)
        if args is not None and call[1]:
            return [pad + target + call[0]] + args + [pad + ")"]
        return None
    if ternary is None and call is None:
        return None
    if not _fits(indent, target + "("):
        return None
    body = _split_expression(value, indent + 4)
    if body is None:
        return None
    return [pad + target + "("] + body + [pad + ")"]


def _split_expression(expr: str, indent: int) -> list[str] | None:
    """An expression alone on its line inside brackets (delimiter_split, then rhs)."""
    pad = " " * indent
    if _fits(indent, expr):
        return [pad + expr]
    ternary = _ternary(expr)
    if ternary is not None:
        value, cond, other = ternary
        out: list[str] = []
        for part in (value, f"if {cond}", f"else {other}"):
            lines = _split_expression(part, indent)
            if lines is None:
                return None
            out.extend(lines)
        return out
    for prefix in ("if ", "else ", ""):
        if expr.startswith(prefix):
            call = _call(expr[len(prefix):])
            if call is not None and call[1] and _fits(indent, prefix + call[0]):
                if prefix == "if ":
                    return None  # a comparison in the condition would split first
                args = _split_args(call[1], indent + 4)
                if args is None:
                    return None
                return [pad + prefix + call[0]] + args + [pad + ")"]
            break
    return None


def _split_args(args: str, indent: int) -> list[str] | None:
    """Call arguments: one line if they fit, else one per line with a trailing comma."""
    pad = " " * indent
    if args.rstrip().endswith(","):
        return None  # a magic trailing comma
    if "lambda" in args or ", )" in args or _has_magic_comma(args):
        return None  # a magic trailing comma inside, or commas that are not delimiters
    if _fits(indent, args):
        return [pad + args]
    parts = _top_level_split(args)
    if parts is not None and len(parts) == 1 and parts[0][:1] in "{[" and _closes_at_end(parts[0]):
        inner = _top_level_split(parts[0][1:-1])  # a sole collection argument
        if inner is None or any(not _fits(indent + 4, x + ",") or _depth(x) for x in inner):
            return None
        closer = parts[0][-1]
        return [pad + parts[0][0]] + [f"{pad}    {x}," for x in inner] + [pad + closer]
    call = _call(parts[0]) if parts is not None and len(parts) == 1 else None
    if call is not None and call[1] and _fits(indent, call[0]):
        inner_args = _split_args(call[1], indent + 4)  # a sole call argument: split in turn
        return None if inner_args is None else [pad + call[0], *inner_args, pad + ")"]
    if parts is None or len(parts) < 2 or any(not _fits(indent, part + ",") for part in parts):
        return None
    if any(_depth(part) != 0 or part.startswith("*") for part in parts):
        return None
    return [pad + part + "," for part in parts]


def _top_level_split(args: str) -> list[str] | None:
    """args split at the commas outside brackets and strings."""
    masked = _QUOTED.sub(lambda m: "x" * len(m.group(0)), args)
    parts: list[str] = []
    depth = 0
    last = 0
    for k, ch in enumerate(masked):
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(args[last:k].strip())
            last = k + 1
    parts.append(args[last:].strip())
    return parts if all(parts) else None


def _ternary(expr: str) -> tuple[str, str, str] | None:
    """`A if B else C` with simple A, B and C (no nested ternary, no and/or in B; inside
    brackets, such as a comprehension in C, anything)."""
    if " if " not in expr or " else " not in expr:
        return None
    masked = _mask_brackets(expr)
    m = _TERNARY_EXPR.fullmatch(masked)
    if m is None:
        return None
    value, cond, other = m.groups()
    if (" if " in other or " else " in cond or _depth(cond) != 0 or _depth(value) != 0
            or " or " in cond or " and " in cond or " lambda" in expr or "lambda " in expr):
        return None
    return expr[m.start(1):m.end(1)], expr[m.start(2):m.end(2)], expr[m.start(3):m.end(3)]


def _mask_brackets(code: str) -> str:
    """code with the text of strings and inside brackets replaced by `x` (same length)."""
    if '"' in code or "'" in code:
        code = _QUOTED.sub(lambda m: "x" * len(m.group(0)), code)
    if not any(ch in code for ch in _OPENERS):
        return code
    out: list[str] = []
    depth = 0
    for ch in code:
        if ch in _CLOSERS:
            depth -= 1
        out.append(ch if depth <= 0 or ch in _OPENERS or ch in _CLOSERS else "x")
        if ch in _OPENERS:
            depth += 1
    return "".join(out)


def _call(expr: str) -> tuple[str, str] | None:
    """`name.attr(args)` as ("name.attr(", "args") when the call's bracket ends the text."""
    m = _CALL.fullmatch(expr)
    if m is None or not _closes_at_end(expr):
        return None
    return m.group(1), m.group(2)


def _closes_at_end(call: str) -> bool:
    """Whether the first `(` of call is closed by its last character."""
    depth = 0
    in_str = ""
    k = min((call.find(ch) for ch in _OPENERS if ch in call), default=-1)
    if k < 0:
        return False
    while k < len(call):
        ch = call[k]
        if in_str:
            if ch == "\\":
                k += 2
                continue
            if ch == in_str:
                in_str = ""
        elif ch in "\"'":
            in_str = ch
        elif ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth -= 1
            if depth == 0:
                return k == len(call) - 1
        k += 1
    return False


def _black_snippet(code: str, indent: int, mode: black.Mode) -> list[str]:
    """black on one statement alone, at its indentation (memoised)."""
    key = (indent, code)
    cached = _snippets.get(key)
    if cached is not None:
        return cached
    header = code.endswith(":")
    source = code + ("\n    pass\n" if header else "\n")
    narrow = black.Mode(target_versions=mode.target_versions, line_length=LINE_LENGTH - indent,
                        string_normalization=mode.string_normalization,
                        is_pyi=mode.is_pyi, magic_trailing_comma=mode.magic_trailing_comma)
    result = black.format_str(source, mode=narrow).split("\n")[:-1]
    if header:
        if result[-1] != "    pass":
            raise Unsupported("unexpected header formatting")
        result = result[:-1]
    if any(not line.strip() for line in result):
        raise Unsupported("blank line inside a split statement")
    lines = [(" " * indent + line) if line else line for line in result]
    if len(_snippets) < 100_000:
        _snippets[key] = lines
    return lines


def snippet_count() -> int:
    return len(_snippets)


def _debug(argv: list[str]) -> None:  # pragma: no cover - a maintenance aid
    mode = black.Mode(target_versions={black.TargetVersion.PY310},  # type: ignore[attr-defined]
                      line_length=LINE_LENGTH)
    for path in argv:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        ours = format_module(text, mode)
        theirs = black.format_str(text, mode=mode)
        print(path, "unsupported" if ours is None else ("same" if ours == theirs else "DIFFERENT"))


if __name__ == "__main__":  # pragma: no cover
    _debug(sys.argv[1:])

