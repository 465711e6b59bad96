"""Import templates/runtime/ as a package straight from the checkout (no generation needed).

The runtime modules import each other relatively (`from ._errors import …`), so they are loaded
as submodules of a package whose path is the runtime folder, as they are in a generated package.
"""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path

RUNTIME_DIR = Path(__file__).resolve().parents[1] / "templates" / "runtime"
PACKAGE = "runmodels_runtime"


def load_runtime(module: str = "_http", package: str = PACKAGE,
                 folder: Path = RUNTIME_DIR) -> types.ModuleType:
    """`package.module` imported from `folder` (the package is registered once)."""
    if package not in sys.modules:
        pkg = types.ModuleType(package)
        pkg.__path__ = [str(folder)]
        sys.modules[package] = pkg
    return importlib.import_module(f"{package}.{module}")


# The same, as source a child interpreter runs (`h` is the loaded `_http` module).
CHILD_PRELUDE = f"""
import importlib, sys, types
_pkg = types.ModuleType({PACKAGE!r})
_pkg.__path__ = [{str(RUNTIME_DIR)!r}]
sys.modules[{PACKAGE!r}] = _pkg
h = importlib.import_module({PACKAGE + "._http"!r})
"""
