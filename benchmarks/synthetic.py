"""Synthetic specs N times the size of a real one, to check that generation time grows linearly.

`scaled_spec(source, copies, folder)` writes `folder/scaled-{copies}x.json`: the source document
with its component schemas repeated `copies` times.  Copy 1 keeps the original names; copy k > 1
renames every schema `Name` to `NameCopy{k}` and points its `$ref`s (and discriminator mappings)
at the schemas of the same copy, so each copy is a complete, independent set of models.  The
rest of the document (info, paths, parameters…) appears once and refers to copy 1.  JSON, not
YAML: it is written in a second and every tool reads it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMAS_REF = "#/components/schemas/"


def _renamed(node: Any, suffix: str) -> Any:
    """A copy of node with every `#/components/schemas/Name...` string pointing at NameSUFFIX."""
    if isinstance(node, dict):
        return {key: _renamed(value, suffix) for key, value in node.items()}
    if isinstance(node, list):
        return [_renamed(value, suffix) for value in node]
    if isinstance(node, str) and node.startswith(SCHEMAS_REF):
        name, slash, rest = node[len(SCHEMAS_REF):].partition("/")
        return f"{SCHEMAS_REF}{name}{suffix}{slash}{rest}"
    return node


def load_spec(source: Path) -> dict[str, Any]:
    import yaml

    with open(source, encoding="utf-8") as handle:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        document: dict[str, Any] = yaml.load(handle, Loader=loader)  # a safe loader
    return document


def scaled_spec(source: Path | dict[str, Any], copies: int, folder: Path) -> Path:
    """Write the spec with `copies` copies of its component schemas; return its path."""
    document = load_spec(source) if isinstance(source, Path) else source
    schemas: dict[str, Any] = document["components"]["schemas"]
    scaled = dict(schemas)
    for k in range(2, copies + 1):
        suffix = f"Copy{k}"
        for name, schema in schemas.items():
            scaled[f"{name}{suffix}"] = _renamed(schema, suffix)
    result = {**document, "components": {**document["components"], "schemas": scaled}}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"scaled-{copies}x.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n",
                    encoding="utf-8")
    return path
