"""runmodels: OpenAPI specs of the OpenAI run objects -> typed, lossless Python packages."""

from __future__ import annotations

__version__ = "0.1.0"

from .api import GenerateResult, generate  # noqa: E402

__all__ = ["GenerateResult", "__version__", "generate"]
