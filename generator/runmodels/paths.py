"""The small path rules shared by the pipeline, kept apart so a warm run imports little."""

from __future__ import annotations

import os
from pathlib import Path

MANIFEST = ".runmodels-manifest.json"  # the files a package owns, with their hashes (write.files)
API_RECORD = ".runmodels-api.json"  # the package's API as the last run made it (apisnapshot.py)


def shown_path(path: str | Path) -> str:
    """A path as messages name it: a relative path as given; an absolute one relative to the
    working folder when it lies inside it (also through links), else as it is."""
    if not Path(path).is_absolute():
        return str(path)
    return _inside_working_folder(Path(path)) or str(path)


def display_path(path: Path) -> str:
    """The spec's path as written in headers and manifests: relative to the working folder
    when inside it, else only its name (generated files do not record the machine's folders)."""
    return _inside_working_folder(Path(path)) or Path(path).name


def _inside_working_folder(path: Path) -> str | None:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return None


def default_cache_dir() -> Path | None:
    """`$RUNMODELS_CACHE`, else the user's cache folder; `RUNMODELS_CACHE=off` disables it.

    The caches live in a folder of their own inside it (`store.FOLDER`)."""
    configured = os.environ.get("RUNMODELS_CACHE")
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "runmodels"
