"""The pipeline in one place: load -> resolve -> model -> render -> format -> write."""

from __future__ import annotations

import keyword
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import memo, spare
from .errors import SpecError, SpecWarning
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
    warnings: tuple[SpecWarning, ...]
    seconds: float
    plan: Plan | None = None  # set by check mode, which writes nothing


def render(spec: Path, package: str, select: Sequence[str] = (),
           templates: Path | None = None, cache_dir: Path | None = None, *,
           client: bool = True, allow_roots: Sequence[Path] = (),
           progress: Progress | None = None, will_write: spare.Preparer | None = None,
           overlays: Sequence[Path] = ()) -> tuple[dict[str, str], tuple[SpecWarning, ...]]:
    """The formatted files of a package, and the warnings met on the way.

    `will_write` prepares the output tree's files while generation runs (see spare.py);
    `overlays` are OpenAPI Overlay files applied to the spec first.
    """
    cache = cache_dir if cache_dir is not None else default_cache_dir()
    # the run memo watches the spec's own folder only, so refs beyond it skip the memo
    memo_ok = cache is not None and not allow_roots
    key = memo.run_key(Path(spec), package, select, templates, client,
                       display_path(Path(spec)), cache, overlays=overlays) if memo_ok else None
    hit = memo.load(cache, key)
    if hit is not None:  # nothing generation reads has changed since that run
        return hit
    # a miss: only now the loader, the templates and black (a hit needs none of them)
    from . import incremental, workers
    from .build import build_package
    from .render import planned_paths

    with workers.started(_size(spec)):  # they import black while the spec loads
        if will_write is not None:  # after the workers are forked: the thread is not copied
            will_write.start()
        pkg = build_package(Path(spec), package, select, client=client, allow_roots=allow_roots,
                            overlays=overlays)
        if will_write is not None:
            will_write.start(planned_paths(pkg))
        options: dict[str, object] = {"select": list(select), "client": client}
        if overlays:
            options["overlays"] = [str(Path(o).resolve()) for o in overlays]
        store = incremental.store_path(cache, Path(spec), package, options, templates)
        files = incremental.render_formatted(pkg, templates, cache_dir, store, progress)
    memo.store(cache, key, files, pkg.warnings)
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
             overlays: Sequence[Path | str] = (), strict_spec: bool = False) -> GenerateResult:
    """Generate package `package` from `spec` into `out/package` (or, with check, compare only).

    Returns what was written, left unchanged and removed, and the warnings: defects local to one
    schema or operation that were repaired or left out. `strict_spec=True` refuses the spec
    (SpecError, nothing written) on the first of them; `client=False` generates models only;
    `overlays` (OpenAPI Overlay files) are applied to the spec, in order, before it is read.
    """
    start = time.perf_counter()
    if not (package.isascii() and package.isidentifier()) or keyword.iskeyword(package):
        raise SpecError(f"package {package!r} is not a valid Python identifier",
                        hint="use ASCII letters, digits and underscores, not a keyword")
    package_dir = Path(out) / package
    cache = cache_dir if cache_dir is not None else default_cache_dir()
    spare_root = cache / "spare" if cache is not None else None
    preparer = None if check else spare.Preparer(spare_root, package_dir)
    try:
        files, warnings = render(Path(spec), package, select, templates, cache_dir,
                                 client=client, allow_roots=allow_roots, progress=progress,
                                 will_write=preparer, overlays=[Path(o) for o in overlays])
    finally:
        if preparer is not None:
            preparer.join()
    defects = [w for w in warnings if not w.limitation]
    if strict_spec and defects:
        error = defects[0].as_error()
        if len(defects) > 1:
            error.message += f" (and {len(defects) - 1} more warnings)"
        raise error
    if check:
        plan = check_package(package_dir, files)
        return GenerateResult(package_dir, (), tuple(plan.unchanged), (), warnings,
                              time.perf_counter() - start, plan)
    result = write_package(package_dir, files, force=force, spare_root=spare_root)
    return GenerateResult(package_dir, result.written, result.unchanged, result.removed, warnings,
                          time.perf_counter() - start)
