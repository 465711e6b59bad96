"""The pipeline in one place: load -> resolve -> model -> render -> format -> write."""

from __future__ import annotations

import hashlib
import keyword
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runmodels.cache import memo, store
from runmodels.errors import SpecError, SpecWarning
from runmodels.options import Options
from runmodels.paths import API_RECORD, default_cache_dir, display_path
from runmodels.spec import inputs
from runmodels.write import spare
from runmodels.write.files import Plan, check_package, write_package

if TYPE_CHECKING:
    from runmodels.diff.apidiff import ApiDiff
    from runmodels.format.black_format import Progress


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
    api_diff: ApiDiff | None = None  # with a changelog: how the API changed since the last run
    changelog_note: str = ""  # with a changelog: why nothing could be appended
    cache_notes: tuple[str, ...] = ()  # why cache entries were ignored (shown by -v)


def render(options: Options, cache_dir: Path | None = None, *,
           progress: Progress | None = None, will_write: spare.Preparer | None = None,
           cache: store.Store | None = None
           ) -> tuple[dict[str, str], tuple[SpecWarning, ...]]:
    """The formatted files of a package, and the warnings met on the way.

    `will_write` prepares the output tree's files while generation runs (see spare.py); with
    a changelog in the options, the files include the record of the package's API that the
    changelog compares with.  `cache` is an open store (else the one in cache_dir, or the
    default cache folder).
    """
    spec = options.spec
    if cache is None:
        cache = store.open_store(cache_dir if cache_dir is not None else default_cache_dir())
    key = None
    known: dict[str, str] = {}
    if cache is not None:
        try:
            digest = known[os.path.realpath(spec)] = inputs.file_digest(spec)
        except OSError:
            digest = None  # the loader reports it
        if digest is not None:
            key = memo.run_key(options, digest)
    hit = memo.load(cache, key, known)
    if hit is not None and (not options.api_record or API_RECORD in hit[0]):
        # nothing generation reads has changed since that run
        return {k: v for k, v in hit[0].items() if options.api_record or k != API_RECORD}, hit[1]
    # a miss: only now the loader, the templates and black (a hit needs none of them)
    from runmodels import incremental
    from runmodels.build.package_ir import build_package
    from runmodels.emit.render import planned_paths
    from runmodels.format import workers

    modules = incremental.store_key(options)
    # with rendered modules to reuse, a spec edit formats a few files: one worker is enough,
    # and it leaves the main process a core of its own on a two-core machine
    few = cache is not None and cache.has("modules", modules)
    log = inputs.InputLog()
    with workers.started(_size(spec), limit=1 if few else None):  # black imports meanwhile
        if will_write is not None:  # after the workers are forked: the thread is not copied
            will_write.start()
        pkg = build_package(spec, options.package, options.select, client=options.client,
                            allow_roots=options.allow_roots, overlays=options.overlays, log=log)
        if will_write is not None:
            will_write.start(planned_paths(pkg))
        files = incremental.render_formatted(pkg, options.templates, cache, modules, progress)
        if options.api_record:
            from runmodels.diff import apisnapshot
            from runmodels.diff.apidiff import package_roles

            roles = package_roles(pkg, spec, options.overlays)
            files[API_RECORD] = apisnapshot.dumps(apisnapshot.record(pkg, roles))
    memo.store(cache, key, log, files, pkg.warnings)
    return files, pkg.warnings


def provenance(spec: Path, overlays: Sequence[Path] = ()) -> dict[str, Any]:
    """What the manifest records about a run's input: generator version, spec path and hash
    (of the spec's bytes, then of each overlay's), and the overlays."""
    from runmodels._version import __version__

    digest = hashlib.sha256(spec.read_bytes())
    for overlay in overlays:
        digest.update(b"\0overlay\0" + Path(overlay).read_bytes())
    made: dict[str, Any] = {"version": __version__, "spec": display_path(spec),
                            "spec_sha256": digest.hexdigest()}
    if overlays:
        made["overlays"] = [display_path(Path(o)) for o in overlays]
    return made


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def generate(spec: Path | str, out: Path | str, package: str, *, select: Sequence[str] = (),
             templates: Path | None = None, check: bool = False, force: bool = False,
             cache_dir: Path | None = None, client: bool = True,
             allow_roots: Sequence[Path] = (), progress: Progress | None = None,
             overlays: Sequence[Path | str] = (), changelog: Path | None = None,
             strict_spec: bool = False) -> GenerateResult:
    """Generate package `package` from `spec` into `out/package` (or, with check, compare only).

    Returns what was written, left unchanged and removed, and the warnings: defects local to one
    schema or operation that were repaired or left out. `strict_spec=True` refuses the spec
    (SpecError, nothing written) on the first of them; `client=False` generates models only;
    `overlays` (OpenAPI Overlay files) are applied to the spec, in order, before it is read.
    With `changelog`, the API changes since the previous run are appended to that file.
    The keyword form of `generate_package(Options(...), out, ...)`.
    """
    options = Options(Path(spec), package, tuple(select), templates, client,
                      tuple(Path(o) for o in overlays), tuple(allow_roots), strict_spec,
                      changelog)
    return generate_package(options, out, check=check, force=force, cache_dir=cache_dir,
                            progress=progress)


def generate_package(options: Options, out: Path | str, *, check: bool = False,
                     force: bool = False, cache_dir: Path | None = None,
                     progress: Progress | None = None) -> GenerateResult:
    """Generate the package `options` describe into `out/<package>` (with check, compare only).

    `force` takes over an output folder runmodels did not create; `cache_dir` overrides the
    cache folder; `progress(done, total)` is called while files are formatted.
    """
    start = time.perf_counter()
    package = options.package
    if not (package.isascii() and package.isidentifier()) or keyword.iskeyword(package):
        raise SpecError(f"package {package!r} is not a valid Python identifier",
                        hint="use ASCII letters, digits and underscores, not a keyword")
    package_dir = Path(out) / package
    cache = store.open_store(cache_dir if cache_dir is not None else default_cache_dir())
    spare_root = cache.folder("spare") if cache is not None else None
    preparer = None if check else spare.Preparer(spare_root, package_dir)
    try:
        files, warnings = render(options, cache_dir, progress=progress, will_write=preparer,
                                 cache=cache)
    finally:
        if preparer is not None:
            preparer.join()
    defects = [w for w in warnings if not w.limitation]
    if options.strict_spec and defects:
        error = defects[0].as_error()
        if len(defects) > 1:
            error.message += f" (and {len(defects) - 1} more warnings)"
        raise error
    if check:
        plan = check_package(package_dir, files)
        _finish(cache)
        return GenerateResult(package_dir, (), tuple(plan.unchanged), (), warnings,
                              time.perf_counter() - start, plan,
                              cache_notes=store.take_notes())
    changelog = options.changelog
    before = _previous_api(package_dir) if changelog is not None else (None, None)
    made = provenance(options.spec, options.overlays)
    result = write_package(package_dir, files, force=force, spare_root=spare_root,
                           provenance=made)
    api_diff, note = None, ""
    if changelog is not None and before != (None, None):  # a new package has no API changes
        from runmodels.diff.changelog import update

        api_diff, note = update(changelog, package, before, files[API_RECORD],
                                made["spec"], made["spec_sha256"])
    _finish(cache)
    return GenerateResult(package_dir, result.written, result.unchanged, result.removed, warnings,
                          time.perf_counter() - start, None, api_diff, note,
                          cache_notes=store.take_notes())


def _previous_api(package_dir: Path) -> tuple[str | None, str | None]:
    """The API record and spec hash the previous run left in package_dir (None when absent;
    both None when no run left anything there)."""
    import json

    from runmodels.paths import MANIFEST

    try:
        record: str | None = (package_dir / API_RECORD).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        record = None
    try:
        manifest = json.loads((package_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return record, None
    sha = manifest.get("spec_sha256") if isinstance(manifest, dict) else None
    return record, sha if isinstance(sha, str) else ""  # "": generated, but no hash recorded


def _finish(cache: store.Store | None) -> None:
    """Keep the cache within its bounds (only the kinds this run added to)."""
    if cache is not None:
        cache.finish()
