"""Shared fixtures: the committed generated packages, importable by name."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
GENERATED = ROOT / "generated"


def import_generated(name: str) -> ModuleType:
    if str(GENERATED) not in sys.path:
        sys.path.insert(0, str(GENERATED))
    return importlib.import_module(name)


@pytest.fixture(scope="session")
def runs_v2() -> ModuleType:
    return import_generated("runs_v2")


@pytest.fixture(scope="session")
def runs_v1() -> ModuleType:
    return import_generated("runs_v1")
