"""Generation targets from ``[tool.runmodels]`` in pyproject.toml or a standalone TOML file."""

from __future__ import annotations

import keyword
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from runmodels.errors import SpecError
from runmodels.options import Options

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - black depends on tomli on Python 3.10
    import tomli as tomllib

TABLE = "tool.runmodels"
TARGETS = "tool.runmodels.targets"
GLOBAL_KEYS = ("targets", "out", "templates", "client", "changelog", "strict_spec")
TARGET_KEYS = ("name", "spec", "out", "package", "select", "templates", "client", "overlays",
               "changelog", "strict_spec")
_HEADER = re.compile(r"\s*(\[\[?)\s*([^\]]*?)\s*\]")
_KEY = re.compile(r"""\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*=""")
_TOML_POS = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)")
_TYPES = {bool: "a boolean", int: "an integer", float: "a float", str: "a string",
          list: "an array", dict: "a table", datetime: "a datetime", date: "a date", time: "a time"}


@dataclass(frozen=True)
class Target:
    """One package to generate: a spec, where it goes, and what to include."""

    name: str
    spec: Path
    out: Path
    package: str
    select: tuple[str, ...]
    templates: Path | None
    client: bool
    overlays: tuple[Path, ...] = ()  # OpenAPI Overlay files applied to the spec, in order
    changelog: Path | None = None  # Markdown file that API changes are appended to
    strict_spec: bool = False  # every warning (a repaired local defect) refuses the spec

    def options(self, allow_roots: Sequence[Path] = ()) -> Options:
        """What decides this target's files (`allow_roots` come from the command line)."""
        return Options(self.spec, self.package, self.select, self.templates, self.client,
                       self.overlays, tuple(allow_roots), self.strict_spec, self.changelog)


class _Locator:
    """Finds the line:col of tables and keys by scanning the TOML text."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.positions: dict[tuple[str, int, str], tuple[int, int]] = {}
        section, index, counts = "", -1, dict[str, int]()
        for lineno, line in enumerate(text.splitlines(), 1):
            header = _HEADER.match(line)
            if header:
                section = re.sub(r"\s*\.\s*", ".", header.group(2)).replace('"', "")
                index = -1
                if header.group(1) == "[[":
                    index = counts[section] = counts.get(section, -1) + 1
                self.positions.setdefault((section, index, ""), (lineno, header.start(1) + 1))
            elif key := _KEY.match(line):
                name = next(group for group in key.groups() if group is not None)
                column = len(line) - len(line.lstrip()) + 1
                self.positions.setdefault((section, index, name), (lineno, column))

    def error(self, message: str, section: str, index: int = -1, key: str = "",
              *, hint: str | None = None) -> SpecError:
        """A SpecError at the key (or else its table) in the config file."""
        place = self.positions.get((section, index, key)) or self.positions.get((section, index, ""))
        line, column = place if place else (None, None)
        pointer = section + (f"[{index}]" if index >= 0 else "") + (f".{key}" if key else "")
        return SpecError(message, file=self.path, line=line, column=column, pointer=pointer,
                         hint=hint)


def _type_name(value: object) -> str:
    """The TOML name of a parsed value's type."""
    return next((name for kind, name in _TYPES.items() if type(value) is kind), type(value).__name__)


def _parse(path: Path) -> tuple[dict[str, Any], str]:
    """Read and parse the TOML file, turning every failure into a located SpecError."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise SpecError(f"cannot read config file: {exc.strerror or exc}", file=path) from None
    except UnicodeDecodeError as exc:
        raise SpecError(f"config file is not valid UTF-8 ({exc.reason})", file=path) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = _TOML_POS.search(message)
        line = column = None
        if where and where.group(1):
            line, column = int(where.group(1)), int(where.group(2))
        elif where:  # "at end of document"
            line = max(text.count("\n") + (not text.endswith("\n")), 1)
        message = _TOML_POS.sub("", message)
        raise SpecError(f"invalid TOML: {message}", file=path, line=line, column=column) from None


def _table(data: dict[str, Any]) -> Any:
    """The [tool.runmodels] value, or None when the file has none."""
    tool = data.get("tool")
    return tool.get("runmodels") if isinstance(tool, dict) else None


def _check_keys(table: dict[str, Any], allowed: tuple[str, ...], loc: _Locator, section: str,
                index: int = -1) -> None:
    """Refuse unknown keys, naming the key and listing the allowed ones."""
    for key in table:
        if key not in allowed:
            where = f"target #{index + 1}" if index >= 0 else f"[{section}]"
            raise loc.error(f"unknown key {key!r} in {where}", section, index, key,
                            hint=f"allowed keys: {', '.join(allowed)}")


def _get(table: dict[str, Any], key: str, kind: type, loc: _Locator, section: str,
         index: int = -1) -> Any:
    """table[key] (None when absent) after checking its TOML type."""
    value = table.get(key)
    if value is not None and type(value) is not kind:
        raise loc.error(f"{key!r} must be {_TYPES[kind]}, not {_type_name(value)}",
                        section, index, key)
    return value


def _path(base: Path, value: str) -> Path:
    """value as an absolute path, relative to the config file's folder."""
    return (base / Path(value).expanduser()).resolve()


def _target(raw: dict[str, Any], index: int, defaults: dict[str, Any], base: Path,
            loc: _Locator) -> Target:
    """Validate one [[tool.runmodels.targets]] table."""
    _check_keys(raw, TARGET_KEYS, loc, TARGETS, index)
    values = {key: _get(raw, key, str, loc, TARGETS, index)
              for key in ("name", "spec", "out", "package", "templates", "changelog")}
    for key in ("out", "templates", "changelog"):
        if values[key] is None:
            values[key] = defaults[key]
    for key in ("spec", "out", "package"):
        if not values[key]:
            raise loc.error(f"target is missing {key!r}", TARGETS, index,
                            key if key in raw else "", hint=f"set {key} = \"...\" in this target")
    package: str = values["package"]
    if not package.isidentifier() or keyword.iskeyword(package):
        raise loc.error(f"package {package!r} is not a valid Python identifier", TARGETS, index,
                        "package", hint="use letters, digits and underscores, e.g. runs_v2")
    spec = _path(base, values["spec"])
    if not spec.is_file():
        raise loc.error(f"spec file not found: {spec}", TARGETS, index, "spec",
                        hint="spec paths are relative to the config file's folder")
    templates = _path(base, values["templates"]) if values["templates"] else None
    if templates is not None and not templates.is_dir():
        where = (TARGETS, index) if "templates" in raw else (TABLE, -1)
        raise loc.error(f"templates folder not found: {templates}", *where, "templates")
    select = _get(raw, "select", list, loc, TARGETS, index) or []
    for item in select:
        if not isinstance(item, str) or not item.strip() or item in ("tag:", "path:"):
            raise loc.error(f"'select' entries must be schema names, \"tag:NAME\" or "
                            f"\"path:/PATH\", not {item!r}", TARGETS, index, "select")
        if item.startswith("path:") and not item[5:].startswith("/"):
            raise loc.error(f"select path must start with '/': {item!r}", TARGETS, index,
                            "select")
    client = _get(raw, "client", bool, loc, TARGETS, index)
    strict_spec = _get(raw, "strict_spec", bool, loc, TARGETS, index)
    overlays: list[Path] = []
    for item in _get(raw, "overlays", list, loc, TARGETS, index) or []:
        if not isinstance(item, str) or not item.strip() or not _path(base, item).is_file():
            raise loc.error(f"overlay file not found: {item!r}", TARGETS, index, "overlays",
                            hint="overlay paths are relative to the config file's folder")
        overlays.append(_path(base, item))
    name = values["name"] if values["name"] is not None else package
    if not name.strip():
        raise loc.error("target 'name' must not be empty", TARGETS, index, "name")
    return Target(name=name, spec=spec, out=_path(base, values["out"]), package=package,
                  select=tuple(select), templates=templates,
                  client=defaults["client"] if client is None else client,
                  overlays=tuple(overlays),
                  changelog=_path(base, values["changelog"]) if values["changelog"] else None,
                  strict_spec=defaults["strict_spec"] if strict_spec is None else strict_spec)


def load_config(path: Path) -> list[Target]:
    """Read every target from the [tool.runmodels] table of a TOML file."""
    path = Path(path).resolve()
    data, text = _parse(path)
    loc = _Locator(path, text)
    table = _table(data)
    if table is None:
        raise SpecError(f"no [{TABLE}] table in the config file", file=path,
                        hint=f"add [[{TARGETS}]] tables with spec, out and package")
    if not isinstance(table, dict):
        raise loc.error(f"[{TABLE}] must be a table, not {_type_name(table)}", TABLE)
    _check_keys(table, GLOBAL_KEYS, loc, TABLE)
    defaults = {"out": _get(table, "out", str, loc, TABLE),
                "templates": _get(table, "templates", str, loc, TABLE),
                "client": _get(table, "client", bool, loc, TABLE),
                "changelog": _get(table, "changelog", str, loc, TABLE),
                "strict_spec": _get(table, "strict_spec", bool, loc, TABLE) is True}
    defaults["client"] = True if defaults["client"] is None else defaults["client"]
    raw_targets = table.get("targets")
    if not raw_targets:
        raise loc.error("no targets configured", TABLE, key="targets" if "targets" in table else "",
                        hint=f"add a [[{TARGETS}]] table with spec, out and package")
    if not isinstance(raw_targets, list) or not all(isinstance(t, dict) for t in raw_targets):
        raise loc.error(f"'targets' must be an array of tables, not {_type_name(raw_targets)}",
                        TABLE, key="targets", hint=f"write each target as [[{TARGETS}]]")
    targets: list[Target] = []
    for index, raw in enumerate(raw_targets):
        target = _target(raw, index, defaults, path.parent, loc)
        for other in targets:
            if other.name == target.name:
                raise loc.error(f"duplicate target name {target.name!r}", TARGETS, index,
                                "name" if "name" in raw else "package",
                                hint="give each target a distinct name")
            if (other.out, other.package) == (target.out, target.package):
                raise loc.error(f"targets {other.name!r} and {target.name!r} both write "
                                f"{target.out / target.package}", TARGETS, index, "package")
        targets.append(target)
    return targets


def find_config(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above start that has a [tool.runmodels] table."""
    start = Path(start).resolve()
    for folder in [start, *start.parents] if start.is_dir() else start.parents:
        candidate = folder / "pyproject.toml"
        if not candidate.is_file():
            continue
        try:
            text = candidate.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        try:
            if _table(tomllib.loads(text)) is not None:
                return candidate
        except tomllib.TOMLDecodeError:
            if re.search(r"^\s*\[\[?\s*tool\.runmodels\b", text, re.MULTILINE):
                return candidate  # broken but meant for us: load_config reports where
    return None
