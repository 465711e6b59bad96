"""The pipeline in one place: load -> resolve -> model -> render -> format -> write."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import inputs, memo, spare, store
from .paths import default_cache_dir, display_path
from .write import Plan, check_package, write_package

if TYPE_CHECKING:
    from .format import Progress


@dataclass(frozen=True)
class GenerateResult:
    """What one generation did: files written, left unchanged and removed, and any warnings."""

    package_dir: Path
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    warnings: tuple[str, ...]
    seconds: float
    plan: Plan | None = None  # set by check mode, which writes nothing
    cache_notes: tuple[str, ...] = ()  # why cache entries were ignored (shown by -v)


def render(spec: Path, package: str, select: Sequence[str] = (),
           templates: Path | None = None, cache_dir: Path | None = None, *,
           client: bool = True, allow_roots: Sequence[Path] = (),
           progress: Progress | None = None, will_write: spare.Preparer | None = None,
           overlays: Sequence[Path] = (), cache: store.Store | None = None
           ) -> tuple[dict[str, str], tuple[str, ...]]:
    """The formatted files of a package, and the warnings met on the way.

    `will_write` prepares the output tree's files while generation runs (see spare.py);
    `overlays` are OpenAPI Overlay files applied to the spec first.  `cache` is an open store
    (else the one in cache_dir, or the default cache folder).
    """
    if cache is None:
        cache = store.open_store(cache_dir if cache_dir is not None else default_cache_dir())
    key = None
    known: dict[str, str] = {}
    if cache is not None:
        try:
            digest = known[os.path.realpath(spec)] = inputs.file_digest(Path(spec))
        except OSError:
            digest = None  # the loader reports it
        if digest is not None:
            key = memo.run_key(Path(spec), digest, package, select, templates, client,
                               display_path(Path(spec)), allow_roots, overlays)
    hit = memo.load(cache, key, known)
    if hit is not None:  # nothing generation reads has changed since that run
        return hit
    # a miss: only now the loader, the templates and black (a hit needs none of them)
    from . import incremental, workers
    from .build import build_package
    from .render import planned_paths

    log = inputs.InputLog()
    with workers.started(_size(spec)):  # they import black while the spec loads
        if will_write is not None:  # after the workers are forked: the thread is not copied
            will_write.start()
        pkg = build_package(Path(spec), package, select, client=client, allow_roots=allow_roots,
                            overlays=overlays, log=log)
        if will_write is not None:
            will_write.start(planned_paths(pkg))
        options: dict[str, object] = {"select": list(select), "client": client}
        if overlays:
            options["overlays"] = [str(Path(o).resolve()) for o in overlays]
        modules = incremental.store_key(Path(spec), package, options, templates)
        files = incremental.render_formatted(pkg, templates, cache, modules, progress)
    memo.store(cache, key, log, files, pkg.warnings)
    return files, pkg.warnings


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def generate(spec: Path | str, out: Path | str, package: str, *, select: Sequence[str] = (),
             templates: Path | None = None, check: bool = False, force: bool = False,
             cache_dir: Path | None = None, client: bool = True,
             allow_roots: Sequence[Path] = (), progress: Progress | None = None,
             overlays: Sequence[Path | str] = ()) -> GenerateResult:
    """Generate package `package` from `spec` into `out/package` (or, with check, compare only).

    Returns what was written, left unchanged and removed; `client=False` generates models only;
    `overlays` (OpenAPI Overlay files) are applied to the spec, in order, before it is read.
    """
    start = time.perf_counter()
    package_dir = Path(out) / package
    cache = store.open_store(cache_dir if cache_dir is not None else default_cache_dir())
    spare_root = cache.folder("spare") if cache is not None else None
    preparer = None if check else spare.Preparer(spare_root, package_dir)
    try:
        files, warnings = render(Path(spec), package, select, templates, cache_dir,
                                 client=client, allow_roots=allow_roots, progress=progress,
                                 will_write=preparer, overlays=[Path(o) for o in overlays],
                                 cache=cache)
    finally:
        if preparer is not None:
            preparer.join()
    if check:
        plan = check_package(package_dir, files)
        _finish(cache)
        return GenerateResult(package_dir, (), tuple(plan.unchanged), (), warnings,
                              time.perf_counter() - start, plan, store.take_notes())
    result = write_package(package_dir, files, force=force, spare_root=spare_root)
    _finish(cache)
    return GenerateResult(package_dir, result.written, result.unchanged, result.removed, warnings,
                          time.perf_counter() - start, cache_notes=store.take_notes())


def _finish(cache: store.Store | None) -> None:
    """Keep the cache within its bounds (only the kinds this run added to)."""
    if cache is not None:
        cache.finish()
