"""The API-change report as Markdown, for a pull request description or a CHANGELOG.

`markdown(diff)` turns an `apidiff.ApiDiff` into one section: a title, the counts, then the
breaking changes and the other changes, each grouped by class and by operation, one table row
per change with the type (or value) before and after.  Classes and operations that were added
or removed as a whole are listed by name above the tables.  The text depends on the diff only
(no dates, no paths beyond the ones given), so the same two specs give the same bytes.

`append(path, text)` adds such a section to a changelog file without ever leaving it half
written.  Every string that comes from a spec goes through `_code` or `_text`, which escape
what Markdown (and GitHub's tables) would otherwise interpret.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from runmodels.errors import SpecError

if TYPE_CHECKING:
    from runmodels.diff.apidiff import ApiDiff, Change

_PHRASES = {
    "kind-changed": "kind of class changed",
    "field-added": "field added",
    "field-removed": "field removed",
    "field-renamed": "Python attribute renamed",
    "type-changed": "type changed",
    "nullable": "may now be None",
    "not-nullable": "may no longer be None",
    "constraints-changed": "constraints changed (strict decoding)",
    "field-optional": "no longer required (may be UNSET)",
    "field-required": "now required",
    "field-default": "server default changed",
    "field-deprecated": "deprecated",
    "enum-base-changed": "enum base changed",
    "enum-member-added": "member added",
    "enum-member-removed": "member removed",
    "enum-member-renamed": "member renamed",
    "union-variant-added": "variant added",
    "union-variant-removed": "variant removed",
    "union-tag-changed": "discriminator property changed",
    "operation-endpoint-changed": "endpoint changed",
    "fixed-header-changed": "constant header changed",
    "parameter-added": "parameter added",
    "parameter-removed": "parameter removed",
    "parameter-renamed": "parameter renamed in Python",
    "parameter-required": "parameter now required",
    "parameter-optional": "parameter now optional",
    "body-added": "request body added",
    "body-removed": "request body removed",
    "body-required": "request body now required",
    "result-added": "result added",
    "result-removed": "result removed",
    "stream-added": "event stream added",
    "stream-removed": "event stream removed",
}
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def markdown(diff: ApiDiff, title: str | None = None) -> str:
    """The report as one Markdown section (a `##` heading and what follows it)."""
    heading = title or f"API changes from {_code(diff.old_spec)} to {_code(diff.new_spec)}"
    lines = [f"## {heading}", ""]
    if not diff.changes:
        return "\n".join([*lines, "No changes to the generated Python API.", ""])
    breaking, other = len(diff.breaking), len(diff.non_breaking)
    plural = "s" if breaking + other != 1 else ""
    summary = (f"**{breaking} breaking** and {other} non-breaking change{plural} to the "
               "generated Python API.")
    lines += [summary, ""]
    for title_, group in (("Breaking changes", diff.breaking),
                          ("Non-breaking changes", diff.non_breaking)):
        if group:
            lines += [f"### {title_}", "", *_section(group)]
    return "\n".join(lines)


def _section(changes: Sequence[Change]) -> list[str]:
    whole = [c for c in changes if c.member is None and c.kind.endswith(("-added", "-removed"))]
    lines: list[str] = []
    for label, items in _whole_groups(whole):
        names = ", ".join(_whole_name(c) for c in items)
        lines += [f"**{label} ({len(items)}):** {names}", ""]
    groups: dict[str, list[Change]] = {}
    for change in changes:
        if change not in whole:
            groups.setdefault(change.entity, []).append(change)
    for entity, items in groups.items():
        usage = items[0].usage
        shown = f"{entity}()" if usage in ("operation", "method") else entity
        lines += [f"#### {_code(shown)} ({usage})", "",
                  "| member | change | before | after |", "|---|---|---|---|"]
        lines += [_row(c) for c in items]
        lines.append("")
    return lines


def _whole_groups(whole: list[Change]) -> list[tuple[str, list[Change]]]:
    added = [c for c in whole if c.kind.endswith("-added")]
    removed = [c for c in whole if c.kind.endswith("-removed")]
    out = []
    for verb, items in (("New", added), ("Removed", removed)):
        classes = [c for c in items if c.usage not in ("operation", "method")]
        operations = [c for c in items if c.usage == "operation"]
        methods = [c for c in items if c.usage == "method"]
        out += [(f"{verb} classes", classes), (f"{verb} operations", operations),
                (f"{verb} client methods", methods)]
    return [(label, items) for label, items in out if items]


def _whole_name(change: Change) -> str:
    if change.usage == "operation":
        endpoint = change.new if change.kind.endswith("-added") else change.old
        return f"{_code(change.entity + '()')} ({_code(endpoint or '')})"
    kind = change.new if change.kind.endswith("-added") else change.old
    if change.usage == "method":
        return f"{_code(change.entity + '()')} ({kind})"
    return f"{_code(change.entity)} ({kind}, {change.usage})"


def _row(change: Change) -> str:
    phrase = _PHRASES.get(change.kind, change.kind.replace("-", " "))
    if change.kind in ("field-added", "parameter-added") and change.new is not None:
        phrase = ("required " if change.new.endswith(", required") or change.breaking
                  else "optional ") + phrase
    note = change.message.partition(" — ")[2]
    if note:
        phrase = f"{phrase} — {note}"
    member = _code(change.member, True) if change.member is not None else "(class)"
    return (f"| {member} | {_text(phrase)} | {_value(change.old)} | {_value(change.new)} |")


def _value(value: str | None) -> str:
    return "—" if value is None else _code(value, True)


def _text(text: str) -> str:
    """Plain text in a table cell: Markdown's special characters escaped, one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _code(text: str, table: bool = False) -> str:
    """A code span holding text exactly (on one line); `table`: inside a table cell, where
    GitHub splits cells at every `|` not escaped, even in code."""
    text = " ".join(text.splitlines()) or " "
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or text.strip() == "" else ""
    shown = text.replace("|", "\\|") if table else text
    return f"{fence}{pad}{shown}{pad}{fence}"


def append(path: Path, text: str) -> None:
    """Add a section at the end of a changelog file (created if missing), atomically."""
    path = Path(path)
    try:
        old = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read the changelog: {exc}", file=path,
                        hint="--changelog needs a UTF-8 text file it can read and write") from None
    joiner = "" if not old else ("" if old.endswith("\n\n") else "\n" if old.endswith("\n")
                                 else "\n\n")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(old + joiner + text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise SpecError(f"cannot write the changelog: {exc.strerror}", file=path,
                        hint="check that its folder exists and is writable") from None


def update(path: Path, package: str, before: tuple[str | None, str | None], after: str,
           spec: str, spec_sha256: str) -> tuple[ApiDiff | None, str]:
    """Append to the changelog at `path` what changed in a package's API, if anything.

    `before` is the previous run's API record text and spec hash (None when absent), `after`
    this run's record.  Returns the comparison (None when there was nothing to compare with)
    and a note for the user when nothing could be appended.
    """
    from runmodels.diff.apidiff import diff_records
    from runmodels.diff.apisnapshot import loads
    from runmodels.paths import API_RECORD as FILE

    old_text, old_sha = before
    if old_text == after:
        return None, ""  # the same API: nothing to compare, nothing to append
    old = loads(old_text) if old_text is not None else None
    new = loads(after)
    if old is None or new is None:
        return None, (f"no record of the previous API ({FILE} appears with the first run "
                      f"that keeps a changelog): nothing appended to {path.name} this time")
    old_label = f"{spec} (sha256 {old_sha[:12]})" if old_sha else f"{spec} (previous)"
    try:
        diff = diff_records(old, new, old_label, f"{spec} (sha256 {spec_sha256[:12]})")
    except (KeyError, ValueError, TypeError, AttributeError):  # a record edited by hand
        return None, (f"the previous API record ({FILE}) is not one runmodels wrote: "
                      f"nothing appended to {path.name} this time")
    if diff.changes:
        since = f" (sha256 {old_sha[:12]} → {spec_sha256[:12]})" if old_sha else ""
        append(path, markdown(diff, f"{_code(package)}: API changes in {_code(spec)}{since}"))
    return diff, ""
