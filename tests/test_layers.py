"""The generator's packages are the pipeline: imports run one way, and no module imports itself
back through others (every import counts, also those inside functions)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "generator" / "runmodels"

# a package may import those listed before it, never one after it
LAYERS = [
    {"_version", "paths", "signals"},
    {"errors", "options"},
    {"spec"},
    {"ir"},
    {"build"},
    {"emit"},
    {"cache"},
    {"format"},
    {"write"},
    {"diff", "audit"},
    {"incremental"},
    {"api"},
    {"cli"},
    {"__main__", "__init__"},
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return "runmodels." + ".".join(parts)


def _imports() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in SOURCE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{name}: relative import (write runmodels.…)"
                base = node.module or ""
                for alias in node.names:
                    target = f"{base}.{alias.name}"
                    found.add(target if target in modules else base)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
        graph[name] = {t for t in found if t in modules and t != name}
    return graph


def _package(module: str) -> str:
    return module.split(".")[1] if module.count(".") else "__init__"


def test_no_import_cycles_between_modules() -> None:
    graph = _imports()
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_packages_import_only_earlier_stages() -> None:
    rank = {name: i for i, layer in enumerate(LAYERS) for name in layer}
    wrong = []
    for module, targets in _imports().items():
        here = _package(module)
        assert here in rank, f"{module}: package {here!r} has no place in LAYERS"
        for target in targets:
            there = _package(target)
            if there != here and rank[there] >= rank[here] and here != "__init__":
                wrong.append(f"{module} imports {target}")
    assert not wrong, "imports against the pipeline's direction:\n" + "\n".join(sorted(wrong))
