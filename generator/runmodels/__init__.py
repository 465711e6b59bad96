"""runmodels: OpenAPI specs of the OpenAI run objects -> typed, lossless Python packages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from runmodels._version import __version__

__all__ = ["GenerateResult", "__version__", "generate"]

if TYPE_CHECKING:
    from runmodels.api import GenerateResult as GenerateResult
    from runmodels.api import generate as generate


def __getattr__(name: str) -> Any:
    """Import the pipeline (and black) only when it is used."""
    if name in ("generate", "GenerateResult"):
        from runmodels import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
