"""The orders generated code lists names in, as ruff (which checks it) wants them."""

from __future__ import annotations

import re
from typing import Any


def natural(text: str) -> tuple[Any, ...]:
    """Digits compared as numbers: `tool2` before `tool10`."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def _kind(symbol: str) -> int:
    return 0 if symbol.isupper() else 1 if symbol[:1].isupper() else 2


def isort_key(symbol: str) -> tuple[Any, ...]:
    """ruff's isort order for imported names (I001): CONSTANTS, Classes, functions, each
    group case-insensitive and natural, ties broken by the exact spelling."""
    return (_kind(symbol), natural(symbol.lower()), symbol)


def all_key(symbol: str) -> tuple[Any, ...]:
    """ruff's RUF022 order for `__all__`: the same groups, case-sensitive."""
    return (_kind(symbol), natural(symbol))
