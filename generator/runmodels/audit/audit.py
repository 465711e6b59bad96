"""`runmodels audit SPEC CAPTURES…`: where real traffic deviates from its spec.

The package generated from the spec decodes every captured payload leniently, exactly as a user's
service would, and lists what lenient decoding accepted that the spec does not allow (the
package's `deviations()`): values of the wrong JSON type, missing required members, nulls the
spec forbids, enum values and union variants it does not list, members it does not declare.
They are aggregated by schema, JSON path (array indexes folded to `[*]`) and kind, with a count,
the first value seen and the files it was seen in. `audit_overlay.py` turns the result into an
Overlay that makes the spec say what the traffic does.
"""

from __future__ import annotations

import importlib
import itertools
import json
import re
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from runmodels.audit.captures import Payload, Unmatched, read_captures
from runmodels.ir.nodes import Package, TypeRef

_names = (f"_runmodels_audit_{n}" for n in itertools.count())
KINDS = ("wrong_type", "missing", "null", "unknown_enum", "unknown_variant", "unknown_member")
MAX_FILES_SHOWN = 3
_INDEX = re.compile(r"\[\d+\]")


@dataclass
class Finding:
    """One kind of deviation at one place of one schema, over all payloads."""

    schema: str  # the class the payloads were decoded as
    model: str  # the class whose member deviates
    path: str  # JSON path with indexes folded: `$.tools[*].type`
    kind: str
    message: str
    count: int = 0
    example: Any = None
    examples: list[Any] = field(default_factory=list)  # distinct values seen (a few)
    files: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"schema": self.schema, "model": self.model, "path": self.path,
                "kind": self.kind, "count": self.count, "example": _jsonable(self.example),
                "message": self.message, "files": self.files}


@dataclass
class AuditReport:
    spec: str
    package: Package | None = None  # the IR the payloads were decoded with
    payloads: int = 0
    decoded: int = 0
    conforming: int = 0
    findings: dict[tuple[str, str, str], Finding] = field(default_factory=dict)
    unmatched: list[Unmatched] = field(default_factory=list)

    @property
    def ordered(self) -> list[Finding]:
        return sorted(self.findings.values(), key=lambda f: (f.schema, f.path, f.kind))

    def failing(self, kinds: Iterable[str]) -> list[Finding]:
        wanted = set(kinds)
        return [f for f in self.ordered if "any" in wanted or f.kind in wanted]


class Decoders:
    """The generated package of a spec, imported, and how to decode a payload with it."""

    def __init__(self, pkg: Package, module: ModuleType) -> None:
        self.pkg = pkg
        self.module = module
        names = {name: name for name in pkg.entities}
        names.update(pkg.schema_names)
        self.by_name = names
        self.loose = {_loose(key): value for key, value in names.items()}

    def schema(self, name: str) -> str | None:
        """A class name for a schema named in a file name or --schema (loosely: `run_step`)."""
        return self.by_name.get(name) or self.loose.get(_loose(name))

    def decode(self, payload: Payload) -> tuple[str, list[tuple[str, Any]]] | str:
        """(the class decoded as, [(path prefix, decoded value)]) or why it cannot be decoded."""
        if payload.stream:
            assert payload.operation is not None and payload.operation.stream_event is not None
            return self._typed(payload.operation.stream_event, payload.data)
        if payload.operation is not None:
            if payload.operation.result is None:
                return f"operation {payload.operation.name} declares no JSON result"
            return self._typed(payload.operation.result, payload.data)
        assert payload.schema is not None
        name = self.schema(payload.schema)
        if name is None:
            return f"no schema or class named {payload.schema!r} in the spec"
        entity = self.pkg.entities[name]
        if entity.kind == "alias":
            return self._typed(entity.type, payload.data)
        return self._typed(TypeRef(entity.kind, name), payload.data)

    def _typed(self, t: TypeRef, data: Any) -> tuple[str, list[tuple[str, Any]]] | str:
        from runmodels.emit.render import union_decoder_name

        if t.kind == "list" and t.item is not None:
            if not isinstance(data, list):
                return "expected a JSON array"
            decoded = []
            for index, item in enumerate(data):
                one = self._typed(t.item, item)
                if isinstance(one, str):
                    return one
                decoded += [(f"[{index}]{prefix}", value) for prefix, value in one[1]]
            return (t.item.ref or t.item.kind) + "[]", decoded
        entity = self.pkg.entities.get(t.ref)
        if entity is not None and entity.kind == "alias":
            return self._typed(entity.type, data)
        if t.kind == "model":
            return t.ref, [("", getattr(self.module, t.ref).from_dict(data))]
        if t.kind == "union":
            decode = getattr(self.module, union_decoder_name(t.ref))
            return t.ref, [("", decode(data))]
        return f"a {t.kind} result is not audited (only objects and unions)"


def import_package(pkg: Package, folder: Path) -> ModuleType:
    """Write the package's (unformatted) files under folder and import it."""
    from runmodels.emit.render import render_package

    files = render_package(pkg)
    root = folder / pkg.name
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    sys.path.insert(0, str(folder))
    try:
        importlib.invalidate_caches()
        return importlib.import_module(pkg.name)
    finally:
        sys.path.remove(str(folder))


def audit(spec: Path, captures: Sequence[Path], *, schema: str | None = None,
          select: Sequence[str] = (), overlays: Sequence[Path] = ()) -> AuditReport:
    """Decode every capture with the package generated from spec (and overlays) and aggregate
    the deviations."""
    from runmodels.build.package_ir import build_package
    from runmodels.options import Options

    pkg = build_package(Options(spec, next(_names), tuple(select), overlays=tuple(overlays)))
    report = AuditReport(spec=pkg.spec_display, package=pkg)
    with tempfile.TemporaryDirectory(prefix="runmodels-audit-") as tmp:
        module = import_package(pkg, Path(tmp))
        try:
            _audit_into(report, Decoders(pkg, module), captures, schema)
        finally:
            for name in [n for n in sys.modules if n == pkg.name or n.startswith(pkg.name + ".")]:
                del sys.modules[name]
    return report


def _audit_into(report: AuditReport, decoders: Decoders, captures: Sequence[Path],
                schema: str | None) -> None:
    deviations = decoders.module.deviations
    decode_error = decoders.module.DecodeError
    for item in read_captures(captures, decoders.pkg.operations, decoders.pkg.servers, schema):
        if isinstance(item, Unmatched):
            report.unmatched.append(item)
            continue
        report.payloads += 1
        try:
            outcome = decoders.decode(item)
        except decode_error as exc:  # not the shape at all (an array where an object goes)
            report.unmatched.append(Unmatched(item.source, str(exc).splitlines()[-1].strip()))
            continue
        if isinstance(outcome, str):
            report.unmatched.append(Unmatched(item.source, outcome))
            continue
        report.decoded += 1
        root, values = outcome
        found = False
        for prefix, value in values:
            for deviation in deviations(value):
                found = True
                _add(report, root, prefix, deviation, item.file or item.source)
        report.conforming += not found


def _add(report: AuditReport, root: str, prefix: str, deviation: Any, file: str) -> None:
    path = "$" + prefix + deviation.path[1:]
    folded = _INDEX.sub("[*]", path)
    key = (root, folded, deviation.kind)
    finding = report.findings.get(key)
    if finding is None:
        finding = report.findings[key] = Finding(root, deviation.model, folded, deviation.kind,
                                                 deviation.message, example=deviation.value)
    finding.count += 1
    if len(finding.examples) < 8 and deviation.value not in finding.examples:
        finding.examples.append(deviation.value)
    if file not in finding.files:
        finding.files.append(file)


def _loose(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)


def _shown(value: Any, limit: int = 40) -> str:
    text = "absent" if type(value).__name__ == "Unset" else json.dumps(_jsonable(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _files(finding: Finding) -> str:
    shown = ", ".join(finding.files[:MAX_FILES_SHOWN])
    more = len(finding.files) - MAX_FILES_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def _headline(report: AuditReport) -> str:
    places = len(report.findings)
    count = sum(f.count for f in report.findings.values())
    return (f"{report.payloads} payloads, {report.decoded} decoded, {report.conforming} "
            f"conforming; {count} deviations at {places} places; "
            f"{len(report.unmatched)} not decoded")


def to_text(report: AuditReport) -> str:
    lines = [f"Audit of captures against {report.spec}", _headline(report)]
    schema = None
    for finding in report.ordered:
        if finding.schema != schema:
            schema = finding.schema
            lines.append(f"{schema}")
        lines.append(f"  {finding.path}  {finding.kind} ×{finding.count}  "
                     f"{_shown(finding.example)}  ({_files(finding)})")
    if report.unmatched:
        lines.append("Not decoded:")
        lines += [f"  {u.source}: {u.reason}" for u in report.unmatched]
    return "\n".join(lines) + "\n"


def to_markdown(report: AuditReport) -> str:
    lines = [f"## Drift of captured traffic from `{report.spec}`", "", _headline(report) + ".", ""]
    schema = None
    for finding in report.ordered:
        if finding.schema != schema:
            schema = finding.schema
            lines += ["", f"### `{schema}`", "", "| path | kind | count | first value | files |",
                      "|---|---|---:|---|---|"]
        value = _shown(finding.example).replace("|", "\\|")
        lines.append(f"| `{finding.path}` | {finding.kind} | {finding.count} | `{value}` | "
                     f"{_files(finding)} |")
    if report.unmatched:
        lines += ["", "### Not decoded", ""]
        lines += [f"- `{u.source}`: {u.reason}" for u in report.unmatched]
    return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"


def to_json(report: AuditReport) -> str:
    return json.dumps({
        "spec": report.spec, "payloads": report.payloads, "decoded": report.decoded,
        "conforming": report.conforming,
        "deviations": [f.to_json() for f in report.ordered],
        "not_decoded": [{"source": u.source, "reason": u.reason} for u in report.unmatched],
    }, indent=2, ensure_ascii=False) + "\n"
