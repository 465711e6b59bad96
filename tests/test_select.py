"""--select generates exactly the transitive closure of the chosen schemas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from corpus import V2_2024, corpus_file

from runmodels.build.package_ir import build_package
from runmodels.errors import SpecError
from runmodels.spec.tree import load_file

ROOT = Path(__file__).resolve().parents[1]


def _closure(doc: dict[str, Any], roots: list[str]) -> set[str]:
    """Component keys reachable from `roots` through local $refs (walked independently)."""
    prefix = "#/components/schemas/"
    schemas = doc["components"]["schemas"]
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        seen.add(key)
        stack: list[Any] = [schemas[key]]
        visited: set[int] = set()
        while stack:
            node = stack.pop()
            if id(node) in visited:
                continue
            visited.add(id(node))
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str) and ref.startswith(prefix):
                    todo.append(ref[len(prefix):].split("/")[0])
                stack.extend(v for k, v in node.items() if k not in ("x-oaiMeta", "example"))
            elif isinstance(node, list):
                stack.extend(node)
    return seen


def test_select_is_the_transitive_closure() -> None:
    spec = corpus_file(V2_2024)
    pkg = build_package(spec, "runs", ["RunObject", "RunStepObject"])
    generated = {key for key, _ in pkg.schema_names}
    expected = _closure(load_file(spec), ["RunObject", "RunStepObject"])
    # every component reached is generated, and nothing else is
    assert generated == expected
    assert {"RunToolCallObject", "AssistantToolsFileSearch", "RunStepDetailsToolCallsObject"} \
        <= generated
    assert "CreateChatCompletionRequest" not in generated
    assert not pkg.operations


def test_unknown_select_names_suggest_close_matches() -> None:
    with pytest.raises(SpecError, match="did you mean Run"):
        build_package(ROOT / "specs" / "runs_v2.yaml", "p", ["Runn"])
