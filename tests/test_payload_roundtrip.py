"""Every payload in tests/payloads decodes, re-encodes to the same JSON, and passes strict mode."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import import_generated

from runmodels.build.names import snake

PAYLOADS = Path(__file__).resolve().parent / "payloads"
CASES = sorted(PAYLOADS.glob("v*/*.json"))


def decoder(pkg: ModuleType, schema: str) -> Callable[..., Any]:
    target = getattr(pkg, schema)
    if hasattr(target, "from_dict"):
        return target.from_dict  # type: ignore[no-any-return]
    return getattr(pkg, f"decode_{snake(schema)}")  # type: ignore[no-any-return]


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_payload_round_trips(path: Path) -> None:
    pkg = import_generated(f"runs_{path.parent.name}")
    data = json.loads(path.read_text(encoding="utf-8"))
    decode = decoder(pkg, path.name.split("__")[0])
    value = decode(data)
    assert pkg.encode(value) == data
    assert json.loads(json.dumps(pkg.encode(value))) == data
    if "forward_compat" in path.name and "unknown_fields" not in path.name:
        # unknown fields are kept, not violations; unknown values and null-for-string are
        with pytest.raises(pkg.DecodeError):
            decode(data, strict=True)
    else:
        decode(data, strict=True)


def test_there_are_enough_payloads() -> None:
    assert len([p for p in CASES if p.parent.name == "v1"]) >= 8
    assert len([p for p in CASES if p.parent.name == "v2"]) >= 20
