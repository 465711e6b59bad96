"""from_json/to_json give the same values with orjson (when installed) and with the standard
library, and the decoder's two ways of reading members (all present / some absent) agree."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

_V2 = Path(__file__).resolve().parent / "payloads" / "v2"
PAYLOADS = sorted([*_V2.glob("Run__*.json"), *_V2.glob("RunStep__*.json"), *_V2.glob("List*.json")])


@pytest.fixture(params=["orjson", "stdlib"])
def backend(request: pytest.FixtureRequest, runs_v2: ModuleType) -> Iterator[str]:
    runtime = runs_v2._runtime
    if request.param == "orjson":
        pytest.importorskip("orjson")
        runtime._orjson = None  # looked up again on first use
        assert runtime.fast_json()
    else:
        runtime._orjson = False
    yield request.param
    runtime._orjson = None


@pytest.mark.parametrize("path", PAYLOADS, ids=lambda p: p.stem)
def test_payloads_round_trip_through_json(runs_v2: ModuleType, backend: str, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    owner = getattr(runs_v2, path.name.split("__", 1)[0])
    obj = owner.from_json(text)
    assert obj == owner.from_dict(json.loads(text))
    out = obj.to_json()
    assert json.loads(out) == json.loads(text)
    assert ", " not in out[:200] and ": " not in out[:60]  # compact
    assert owner.from_json(out.encode()) == obj


def test_integers_beyond_64_bits_stay_exact(runs_v2: ModuleType, backend: str) -> None:
    big = 123456789012345678901234567890
    text = json.dumps({"id": "run_1", "created_at": big, "extra_big": -big, "x": [2**64, 2**63]})
    run = runs_v2.Run.from_json(text)
    assert run.created_at == big and isinstance(run.created_at, int)
    assert run._extra == {"extra_big": -big, "x": [2**64, 2**63]}
    assert json.loads(run.to_json())["created_at"] == big


def test_non_finite_floats_are_written_as_null(runs_v2: ModuleType, backend: str) -> None:
    run = runs_v2.Run.from_dict({"id": "run_1", "temperature": math.nan, "top_p": math.inf})
    assert json.loads(run.to_json()) == {"id": "run_1", "temperature": None, "top_p": None}


def test_text_only_the_standard_library_accepts_decodes_the_same(
        runs_v2: ModuleType, backend: str) -> None:
    # NaN literals, a byte-order mark on bytes, UTF-16 bytes and a lone surrogate escape
    assert math.isnan(runs_v2.Run.from_json('{"temperature": NaN}').temperature)
    assert runs_v2.Run.from_json('{"id": "a"}'.encode("utf-8-sig")).id == "a"
    assert runs_v2.Run.from_json('{"id": "b"}'.encode("utf-16")).id == "b"
    assert runs_v2.Run.from_json('{"id": "\\ud800"}').id == "\ud800"
    with pytest.raises(runs_v2.DecodeError, match="invalid JSON"):
        runs_v2.Run.from_json('{"id": ')
    with pytest.raises(runs_v2.DecodeError, match="invalid JSON"):
        runs_v2.Run.from_json("[" * 5000 + "]" * 5000)


def test_members_missing_or_extra_with_the_same_count(runs_v2: ModuleType) -> None:
    """The all-members fast path counts members; a missing one plus an unknown one must still
    be seen as both (the count alone would match)."""
    data: dict[str, Any] = json.loads((PAYLOADS[0].parent / "Run__completed_with_usage.json")
                                      .read_text(encoding="utf-8"))
    declared = set(runs_v2.models.run._NAMES_Run)
    assert declared <= data.keys()
    fast = runs_v2.Run.from_dict(data)
    assert fast._extra is None
    swapped = dict(data)
    del swapped["top_p"]
    swapped["zz_new"] = 1
    slow = runs_v2.Run.from_dict(swapped)
    assert slow.top_p is runs_v2.UNSET
    assert slow._extra == {"zz_new": 1}
    assert slow.to_dict() == swapped
    plus = {**data, "zz_new": 1}
    assert runs_v2.Run.from_dict(plus)._extra == {"zz_new": 1}
    assert runs_v2.Run.from_dict(plus).to_dict() == plus
