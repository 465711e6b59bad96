"""black, in-process, with a fixed mode (never the user's config) and a content-hash cache."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path

import black
from black.mode import Mode, TargetVersion
from black.report import NothingChanged

MODE = Mode(target_versions={TargetVersion.PY310}, line_length=88)
_MODE_KEY = f"black {version('black')} py310 line_length=88"
PARALLEL_THRESHOLD = 48


def default_cache_dir() -> Path | None:
    """`$RUNMODELS_CACHE`, else the user's cache folder; `RUNMODELS_CACHE=off` disables it."""
    configured = os.environ.get("RUNMODELS_CACHE")
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "runmodels" / "black"


def format_source(source: str) -> str:
    try:
        return black.format_str(source, mode=MODE)
    except NothingChanged:
        return source


def _key(source: str) -> str:
    return hashlib.sha256(f"{_MODE_KEY}\0{source}".encode()).hexdigest()


def format_files(files: Mapping[str, str], cache_dir: Path | None = None) -> dict[str, str]:
    """Format every `.py` file; unchanged inputs come from the cache, the rest run in parallel."""
    cache = cache_dir if cache_dir is not None else default_cache_dir()
    out: dict[str, str] = {}
    todo: dict[str, str] = {}
    for path, source in files.items():
        if not path.endswith(".py"):
            out[path] = source
            continue
        cached = _read_cache(cache, _key(source))
        if cached is None:
            todo[path] = source
        else:
            out[path] = cached
    if todo:
        formatted = _format_many(list(todo.values()))
        for (path, source), result in zip(todo.items(), formatted):
            out[path] = result
            _write_cache(cache, _key(source), result)
    return {path: out[path] for path in files}


def _format_many(sources: list[str]) -> list[str]:
    workers = min(os.cpu_count() or 1, 8)
    if len(sources) < PARALLEL_THRESHOLD or workers < 2:
        return [format_source(s) for s in sources]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(format_source, sources, chunksize=16))


def _read_cache(cache: Path | None, key: str) -> str | None:
    if cache is None:
        return None
    try:
        return (cache / key[:2] / key).read_text(encoding="utf-8")
    except OSError:
        return None


def _write_cache(cache: Path | None, key: str, text: str) -> None:
    if cache is None:
        return
    folder = cache / key[:2]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{key}.{os.getpid()}.tmp"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, folder / key)
    except OSError:
        pass
