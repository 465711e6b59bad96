"""runmodels: OpenAPI specs of the OpenAI run objects -> typed, lossless Python packages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["GenerateResult", "__version__", "generate"]

if TYPE_CHECKING:
    from .api import GenerateResult as GenerateResult
    from .api import generate as generate


def __getattr__(name: str) -> Any:
    """Import the pipeline (and black) only when it is used."""
    if name in ("generate", "GenerateResult"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
