"""Shared fixtures: the committed generated packages, importable by name."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from fake_runs_server import FakeState, start_fake_server

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


@pytest.fixture
def server() -> Iterator[tuple[str, FakeState]]:
    """A fake runs API on 127.0.0.1 (a free port): (base_url, its state)."""
    with start_fake_server() as pair:
        yield pair


@pytest.fixture
def state(server: tuple[str, FakeState]) -> FakeState:
    return server[1]
