"""Helpers shared by the tests/test_hostile_*.py files: generate into temp dirs, import, inspect."""

from __future__ import annotations

import ast
import importlib
import inspect
import itertools
import json
import re
import sys
import tokenize
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from types import ModuleType
from typing import Any

from runmodels.format.black_format import format_source, split_header

ROOT = Path(__file__).resolve().parent.parent

# The only modules generated code may import (besides its own relative imports).
ALLOWED_IMPORTS = frozenset(
    {"__future__", "collections.abc", "dataclasses", "enum", "importlib", "itertools", "json"}
    | {"inspect", "math", "operator", "re"}
    | {"typing"}
)
FORBIDDEN_NAMES = frozenset({"exec", "eval", "__import__", "compile", "open", "breakpoint"})
FORBIDDEN_ATTRS = frozenset({"system", "popen", "spawnl", "execv", "check_output", "getoutput"})
FORBIDDEN_MODULES = frozenset({"os", "subprocess", "sys", "shutil", "socket", "builtins"})

_counter = itertools.count()


def unique_package(prefix: str) -> str:
    """A package name no other test in this process uses (modules are cached by name)."""
    return f"{prefix}_{next(_counter)}"


def spec_text(spec: Any) -> str:
    """JSON text for a spec whose strings hold anything: every non-plain character is escaped.

    Plain json.dumps with ensure_ascii=True would write astral characters as surrogate pairs,
    which YAML (the loader parses JSON as YAML) reads as two lone surrogates; characters YAML
    treats as line breaks (U+2028, U+0085) must not appear raw either.
    """
    text = json.dumps(spec, ensure_ascii=False, indent=1)

    def escape(match: re.Match[str]) -> str:
        return f"\\u{ord(match.group()):04x}"

    return re.sub(r"[^\x20-\x7e\n\U00010000-\U0010ffff]", escape, text)


def write_spec(path: Path, spec: Any) -> Path:
    path.write_text(spec_text(spec), encoding="utf-8")
    return path


def python_files(package_dir: Path) -> list[Path]:
    return sorted(package_dir.rglob("*.py"))


def audit_source(source: str, where: str, *, spec_derived: bool = True) -> None:
    """Fail when source does not compile or calls exec/eval/os.system & co.

    For spec-derived modules, also fail on importing or naming os & co, and on any import
    outside ALLOWED_IMPORTS. (Runtime files copied verbatim, such as the HTTP client, may
    legitimately import os; they cannot carry anything from the spec.)
    """
    tree = ast.parse(source, where)
    compile(tree, where, "exec")
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert not spec_derived or alias.name in ALLOWED_IMPORTS, f"{where}: {alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            assert not spec_derived or node.module in ALLOWED_IMPORTS, f"{where}: {node.module}"
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                assert func.id not in FORBIDDEN_NAMES, f"{where}:{node.lineno}: {func.id}()"
            elif isinstance(func, ast.Attribute):
                assert func.attr not in FORBIDDEN_ATTRS, f"{where}:{node.lineno}: .{func.attr}()"
        elif isinstance(node, ast.Name) and spec_derived:
            assert node.id not in FORBIDDEN_MODULES, f"{where}:{node.lineno}: uses {node.id}"


def _as_copied(template: str) -> tuple[str, str]:
    """A runtime template as a package may hold it: as written, or as black formats it."""
    return template, format_source(template)


def audit_package(package_dir: Path) -> int:
    """Audit every .py file of a generated package; returns how many were checked.

    Runtime files copied verbatim from templates/runtime/ get the forbidden-call check only
    (they are not spec-derived); every other file also gets the import checks.
    """
    runtime_dir = ROOT / "templates" / "runtime"
    count = 0
    for path in python_files(package_dir):
        source = path.read_text(encoding="utf-8")
        template = runtime_dir / path.name
        body = split_header(source)[1]  # the generated header: a line, then lint directives
        verbatim = (path.parent == package_dir and template.is_file()
                    and body in _as_copied(template.read_text(encoding="utf-8")))
        audit_source(source, str(path), spec_derived=not verbatim)
        count += 1
    return count


def comments(source: str) -> list[str]:
    """Every comment token of a source file."""
    return [tok.string for tok in tokenize.generate_tokens(StringIO(source).readline)
            if tok.type == tokenize.COMMENT]


@contextmanager
def imported(out: Path, package: str) -> Iterator[ModuleType]:
    """Import `out/package`; forget it (and its submodules) afterwards."""
    sys.path.insert(0, str(out))
    try:
        importlib.invalidate_caches()
        yield importlib.import_module(package)
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]


def module_of(pkg: ModuleType, class_name: str) -> ModuleType:
    obj = getattr(pkg, class_name)
    return sys.modules[obj.__module__]


def clean_doc(text: str) -> str:
    """What a docstring means once Python/black layout is set aside: cleandoc, lines rstripped."""
    return "\n".join(line.rstrip() for line in inspect.cleandoc(text).split("\n")).strip()


def attribute_docs(source: str, class_name: str) -> dict[str, str]:
    """`{field: docstring}` for the string statements that follow annotated fields of a class."""
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            docs: dict[str, str] = {}
            for before, after in itertools.pairwise(node.body):
                if (isinstance(before, ast.AnnAssign) and isinstance(before.target, ast.Name)
                        and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                        and isinstance(after.value.value, str)):
                    docs[before.target.id] = after.value.value
            return docs
    raise AssertionError(f"class {class_name} not found")
