"""Finding the shared corpus and the JSON examples inside its OpenAPI files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "openai-openapi"
V2_2024 = CORPUS / "2024-04-25-assistants-v2.yaml"
WHOLE_2026 = CORPUS / "2026-08-21.yaml"


def corpus_file(path: Path) -> Path:
    """The corpus file, or a clean skip when ../shared is not beside the checkout."""
    if not path.is_file():
        pytest.skip(f"{path} is absent (the shared corpus is not beside this checkout)")
    return path


@dataclass(frozen=True)
class Example:
    where: str  # e.g. "#/paths/~1threads~1runs/post x-oaiMeta.examples[0]" or a schema
    schema: str | None  # the component schema the example should decode as, when known
    event: str | None  # the SSE event name, for data: lines of stream examples
    text: str  # the raw JSON text

    def data(self) -> Any:
        return json.loads(self.text)


def _component_of(ref: Any) -> str | None:
    if isinstance(ref, dict) and isinstance(ref.get("$ref"), str):
        prefix = "#/components/schemas/"
        if ref["$ref"].startswith(prefix):
            return ref["$ref"][len(prefix):]
    return None


def success_schema(operation: dict[str, Any]) -> str | None:
    """The component named by the first 2xx application/json response of an operation."""
    responses = operation.get("responses") or {}
    for code in sorted(responses):
        if str(code).startswith("2") and isinstance(responses[code], dict):
            content = responses[code].get("content") or {}
            media = content.get("application/json") or {}
            return _component_of(media.get("schema"))
    return None


def sse_frames(text: str) -> Iterator[tuple[str, str]]:
    """(event, data) pairs of an SSE example, data lines joined as the SSE rules say."""
    event: str | None = None
    data: list[str] = []
    for line in text.splitlines() + [""]:
        if not line.strip():
            if event is not None and data:
                yield event, "\n".join(data)
            event, data = None, []
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip(" "))


def iter_examples(doc: dict[str, Any]) -> Iterator[Example]:
    """Schema examples, operation response examples, and the data lines of stream examples."""
    schemas = (doc.get("components") or {}).get("schemas") or {}
    for name, schema in schemas.items():
        meta = schema.get("x-oaiMeta") if isinstance(schema, dict) else None
        if isinstance(meta, dict) and isinstance(meta.get("example"), str):
            yield Example(f"#/components/schemas/{name} x-oaiMeta.example", name, None,
                          meta["example"])
    for path, item in (doc.get("paths") or {}).items():
        for method, op in (item or {}).items():
            if not isinstance(op, dict) or not isinstance(op.get("x-oaiMeta"), dict):
                continue
            examples = op["x-oaiMeta"].get("examples")
            if isinstance(examples, dict):
                examples = [examples]
            for index, example in enumerate(examples or []):
                response = example.get("response") if isinstance(example, dict) else None
                if not isinstance(response, str):
                    continue
                where = f"{method.upper()} {path} x-oaiMeta.examples[{index}]"
                if response.lstrip().startswith("event:"):
                    for n, (event, data) in enumerate(sse_frames(response)):
                        yield Example(f"{where} frame {n}", None, event, data)
                else:
                    yield Example(where, success_schema(op), None, response)
