"""The `runmodels` command: the only place that prints and picks exit codes (0 ok, 1 stale, 2 bad input)."""

from __future__ import annotations

import dataclasses
import keyword
import sys
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import click

from runmodels import signals
from runmodels._version import __version__
from runmodels.api import GenerateResult, generate_package
from runmodels.cli.config import Target, find_config, load_config
from runmodels.errors import SpecError, environment_failure
from runmodels.paths import shown_path


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _targets(spec: Path | None, out: Path | None, package: str | None, select: tuple[str, ...],
             templates: Path | None, config: Path | None, names: tuple[str, ...],
             overlays: tuple[Path, ...] = ()) -> list[Target]:
    if spec is not None:
        if out is None or package is None:
            raise click.UsageError("with a SPEC argument, --out and --package are required")
        if not package.isidentifier() or keyword.iskeyword(package) or not package.isascii():
            raise click.UsageError(f"--package {package!r} is not a valid Python identifier "
                                   "(ASCII letters, digits and underscores, not a keyword)")
        return [Target(package, spec, out, package, select, templates, True, overlays)]
    if overlays:
        raise click.UsageError("--overlay goes with a SPEC argument; a configured target lists "
                               "its overlays under `overlays = [...]`")
    path = config or find_config(Path.cwd())
    if path is None:
        raise click.UsageError(
            "no SPEC given and no [tool.runmodels] table found in a pyproject.toml here or above;"
            " run `runmodels generate SPEC --out DIR --package NAME`"
        )
    targets = load_config(path)
    if names:
        unknown = [n for n in names if n not in {t.name for t in targets}]
        if unknown:
            known = ", ".join(t.name for t in targets)
            raise click.UsageError(f"unknown --target {', '.join(unknown)} (known: {known})")
        targets = [t for t in targets if t.name in names]
    if templates is not None:
        targets = [dataclasses.replace(t, templates=templates) for t in targets]
    return targets


class _Command(click.Group):
    """The command group: SIGINT and SIGTERM stop a run cleanly, with 130 and 143."""

    def invoke(self, ctx: click.Context) -> Any:
        signals.install()
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as stop:  # the cleanup has run on the way here
            code = stop.exit_code if isinstance(stop, signals.Interrupted) else 130
            name = stop.args[0] if isinstance(stop, signals.Interrupted) else "SIGINT"
            click.echo(f"\nrunmodels: stopped by {name}; the previous output is intact",
                       err=True)
            sys.exit(code)


_OVERLAY = click.Path(path_type=Path, dir_okay=False, exists=True)


@click.group(cls=_Command, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="runmodels")
def main() -> None:
    """Generate typed, lossless Python models and a client from OpenAPI specs."""


@main.command("generate")
@click.argument("spec", required=False, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Folder that receives the package.")
@click.option("--package", help="Name of the generated package (a Python identifier).")
@click.option("--select", multiple=True,
              help="Only these: schema names (with what they reference), tag:NAME or "
                   "path:/prefix (those operations, their schemas and a client for them); "
                   "repeat or separate with commas.")
@click.option("--config", type=click.Path(path_type=Path), help="TOML file with [tool.runmodels].")
@click.option("--target", "target_names", multiple=True, help="Only these configured targets.")
@click.option("--templates", type=click.Path(path_type=Path, file_okay=False),
              help="Folder of templates overriding the built-in ones by file name.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 with a diff if out of date.")
@click.option("--diff", "show_diff", is_flag=True, help="Print the diff, and write.")
@click.option("--force", is_flag=True, help="Take over an output folder runmodels did not create.")
@click.option("--allow-root", "allow_roots", multiple=True,
              type=click.Path(path_type=Path, file_okay=False),
              help="Another folder that $refs may read files from (besides the spec's).")
@click.option("--client/--no-client", "client", default=None,
              help="Generate the API client (default: yes, or as the config says).")
@click.option("--overlay", "overlays", multiple=True, type=_OVERLAY,
              help="An OpenAPI Overlay file applied to SPEC first (repeatable, in order).")
@click.option("--changelog", type=click.Path(path_type=Path, dir_okay=False),
              help="Append the API changes of this regeneration to FILE (Markdown).")
@click.option("--strict-spec", is_flag=True,
              help="Refuse the spec on any warning (a local defect runmodels would repair).")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.option("-v", "--verbose", is_flag=True,
              help="Also list every file written or removed, and the traceback of a failure.")
def generate_command(spec: Path | None, out: Path | None, package: str | None,
                     select: tuple[str, ...], config: Path | None, target_names: tuple[str, ...],
                     templates: Path | None, check: bool, show_diff: bool, force: bool,
                     allow_roots: tuple[Path, ...], client: bool | None,
                     overlays: tuple[Path, ...], changelog: Path | None, strict_spec: bool,
                     quiet: bool,
                     verbose: bool) -> None:
    """Regenerate every configured target, or SPEC into OUT/PACKAGE."""
    try:
        targets = _targets(spec, out, package, _split(select), templates, config, target_names,
                           overlays)
        if client is not None:
            targets = [dataclasses.replace(t, client=client) for t in targets]
        if changelog is not None:
            targets = [dataclasses.replace(t, changelog=changelog) for t in targets]
        if strict_spec:
            targets = [dataclasses.replace(t, strict_spec=True) for t in targets]
        # a progress bar on a terminal when there is more than one target; what the run prints
        # meanwhile is held back and printed below it
        say = _Output(hold=not quiet and len(targets) > 1 and sys.stderr.isatty())
        stale = False
        with click.progressbar(targets, label="generating", file=sys.stderr,
                               item_show_func=lambda t: t.name if t else None,
                               hidden=not say.hold) as bar:
            for target in bar:
                stale |= _generate_target(target, say, check, show_diff, force, quiet, verbose,
                                          allow_roots)
        say.flush()
    except SpecError as error:
        click.echo(f"error: {error.format()}", err=True)
        sys.exit(2)
    except (click.ClickException, click.Abort, KeyboardInterrupt):
        raise
    except OSError as error:  # the machine's, not ours: name the path
        click.echo(f"error: {environment_failure(error, None, 'generate').format()}", err=True)
        sys.exit(2)
    except Exception as error:  # noqa: BLE001 - a bug of ours must still read as one message
        if verbose:
            traceback.print_exc()
        click.echo(f"error: runmodels failed unexpectedly ({type(error).__name__}: {error}); "
                   "nothing was written. Please report this with the spec; --verbose shows "
                   "the traceback.", err=True)
        sys.exit(2)
    if check and stale:
        click.echo("generated code is out of date: run `runmodels generate`", err=True)
        sys.exit(1)
    if check and not quiet:
        click.echo("generated code is up to date")


class _Output:
    """click.echo, or held back until flush() while a progress bar is drawn."""

    def __init__(self, hold: bool) -> None:
        self.hold = hold
        self.held: list[tuple[str, bool, bool]] = []

    def __call__(self, text: str, err: bool = False, nl: bool = True) -> None:
        if self.hold:
            self.held.append((text, err, nl))
        else:
            click.echo(text, err=err, nl=nl)

    def flush(self) -> None:
        for text, err, nl in self.held:
            click.echo(text, err=err, nl=nl)
        self.held.clear()


class _FormatBar:
    """A progress bar on a terminal while a long run formats its files (a big spec, cold)."""

    MIN_FILES = 40

    def __init__(self, name: str, enabled: bool) -> None:
        self.name = name
        self.enabled = enabled
        self.bar: Any = None
        self.shown = 0

    def update(self, done: int, total: int) -> None:
        if not self.enabled or total < self.MIN_FILES:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=f"formatting {self.name}",
                                         file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _generate_target(target: Target, say: _Output, check: bool, show_diff: bool, force: bool,
                     quiet: bool, verbose: bool, allow_roots: tuple[Path, ...]) -> bool:
    """Generate (or check) one target; True when its files were out of date."""
    options = target.options(allow_roots)
    bar = _FormatBar(target.name, enabled=not quiet and not say.hold and sys.stderr.isatty())
    try:
        result = generate_package(options, target.out, check=check or show_diff, force=force,
                                  progress=bar.update)  # check mode appends no changelog
    finally:
        bar.close()
    if not quiet and (verbose or not check):
        _warnings(target.name, result, verbose, say)
    if verbose:
        for reason in result.cache_notes:  # why cache entries were ignored
            say(reason, err=True)
    stale = result.plan is not None and result.plan.changed
    if result.plan is not None and stale:
        say(result.plan.unified_diff(color=sys.stdout.isatty(),
                                     prefix=shown_path(result.package_dir)), nl=False)
        if check:
            _report_stale(result, say)
    if show_diff:
        result = generate_package(options, target.out, force=force)
    if not quiet and not check:
        _summary(target.name, result, verbose, say)
        if target.changelog is not None:
            _changelog_line(target, result, verbose, say)
    return stale


def _changelog_line(target: Target, result: GenerateResult, verbose: bool, say: _Output) -> None:
    """What the run did to the changelog: appended, nothing to append, or why not."""
    assert target.changelog is not None
    shown = shown_path(target.changelog)
    if result.changelog_note:
        say(f"{target.name}: {result.changelog_note}", err=True)
    elif result.api_diff is not None and result.api_diff.changes:
        say(f"{target.name}: {len(result.api_diff.breaking)} breaking, "
            f"{len(result.api_diff.non_breaking)} non-breaking API changes appended to {shown}")
    elif verbose:
        say(f"{target.name}: no API changes: nothing appended to {shown}")


@main.command("diff")
@click.argument("old_spec", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("new_spec", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--select", multiple=True, help="Compare only these schemas (and what they use).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="Report format.")
@click.option("--fail-on", type=click.Choice(["breaking", "any"]),
              help="Exit 1 when a breaking change (or any change) is found.")
@click.option("--overlay", "overlays", multiple=True, type=_OVERLAY,
              help="An OpenAPI Overlay file applied to both specs (repeatable, in order).")
@click.option("--old-overlay", "old_overlays", multiple=True, type=_OVERLAY,
              help="An overlay applied to OLD_SPEC only (after the --overlay ones).")
@click.option("--new-overlay", "new_overlays", multiple=True, type=_OVERLAY,
              help="An overlay applied to NEW_SPEC only (after the --overlay ones).")
def diff_command(old_spec: Path, new_spec: Path, select: tuple[str, ...], fmt: str,
                 fail_on: str | None, overlays: tuple[Path, ...], old_overlays: tuple[Path, ...],
                 new_overlays: tuple[Path, ...]) -> None:
    """Report how the generated Python API changes from OLD_SPEC to NEW_SPEC."""
    from runmodels.diff.apidiff import diff_specs

    try:
        report = diff_specs(old_spec, new_spec, _split(select),
                            old_overlays=overlays + old_overlays,
                            new_overlays=overlays + new_overlays)
    except SpecError as error:
        click.echo(f"error: {error.format()}", err=True)
        sys.exit(2)
    for warning in report.warnings:
        click.echo(warning.format(), err=True)
    if fmt == "json":
        click.echo(report.to_json(), nl=False)
    elif fmt == "markdown":
        from runmodels.diff.changelog import markdown

        click.echo(markdown(report), nl=False)
    else:
        color = sys.stdout.isatty()
        for line in report.to_text().splitlines():
            if color and line.startswith("    !"):
                line = click.style(line, fg="red")
            click.echo(line)
    if (fail_on == "breaking" and report.breaking) or (fail_on == "any" and report.changes):
        sys.exit(1)


def _warnings(name: str, result: GenerateResult, verbose: bool, say: _Output) -> None:
    """One line counting the warnings by code; -v lists each one where it is."""
    if not result.warnings:
        return
    if verbose:
        for warning in result.warnings:
            say(warning.format(), err=True)
    counts = Counter(w.code for w in result.warnings)
    listed = ", ".join(f"{n} {code}" for code, n in sorted(counts.items()))
    more = "" if verbose else " (-v lists them)"
    count = len(result.warnings)
    say(f"{name}: {count} warning{'s' if count > 1 else ''}: {listed}{more}", err=True)


def _report_stale(result: GenerateResult, say: _Output) -> None:
    plan = result.plan
    assert plan is not None
    for label, files in (("added", plan.added), ("changed", plan.modified),
                         ("removed", plan.removed)):
        for rel in files:
            say(f"would be {label}: {shown_path(result.package_dir)}/{rel}", err=True)


def _summary(name: str, result: GenerateResult, verbose: bool, say: _Output) -> None:
    if verbose:
        for rel in result.written:
            say(f"  wrote {shown_path(result.package_dir)}/{rel}")
        for rel in result.removed:
            say(f"  removed {shown_path(result.package_dir)}/{rel}")
    total = len(result.written) + len(result.unchanged)
    say(
        f"{name}: {total} files: {len(result.written)} written, {len(result.unchanged)} "
        f"unchanged, {len(result.removed)} removed — {result.seconds:.1f} s"
    )


@main.command("templates")
@click.option("--copy", "copy_to", type=click.Path(path_type=Path, file_okay=False),
              help="Copy the built-in templates into this folder, to edit them there.")
@click.argument("names", nargs=-1)
def templates_command(copy_to: Path | None, names: tuple[str, ...]) -> None:
    """List the built-in templates that --templates can override (NAMES: only these)."""
    from runmodels.emit.templates import builtin_templates

    root = builtin_templates()
    known = sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise click.UsageError(f"no built-in template {', '.join(unknown)} "
                               f"(they are: {', '.join(known)})")
    chosen = list(names) or known
    if copy_to is None:
        click.echo(f"built-in templates in {root}:")
        for name in chosen:
            click.echo(f"  {name}")
        return
    clashes = [n for n in chosen if (copy_to / n).exists()]
    if clashes:
        click.echo(f"error: {copy_to}: already holds {', '.join(clashes)}; nothing was copied",
                   err=True)
        sys.exit(2)
    try:
        for name in chosen:
            (copy_to / name).parent.mkdir(parents=True, exist_ok=True)
            (copy_to / name).write_bytes((root / name).read_bytes())
    except OSError as exc:
        click.echo(f"error: {exc.filename or copy_to}: {exc.strerror}", err=True)
        sys.exit(2)
    click.echo(f"copied {len(chosen)} template(s) into {copy_to}; pass --templates {copy_to}")


@main.command("audit")
@click.argument("spec", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("captures", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--schema", help="Decode every JSON payload as this schema (else: the file name).")
@click.option("--select", multiple=True, help="Build only these schemas (as generate's).")
@click.option("--overlay", "overlays", multiple=True,
              type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="An OpenAPI Overlay applied to SPEC first (repeatable, in order).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True, help="Report format.")
@click.option("--fail-on", "fail_on", multiple=True,
              help="Exit 1 when a deviation of these kinds is found (any, wrong_type, missing, "
                   "null, unknown_enum, unknown_variant, unknown_member; repeat or use commas).")
@click.option("--emit-overlay", type=click.Path(path_type=Path, dir_okay=False),
              help="Write an OpenAPI Overlay that makes the spec match what was seen.")
def audit_command(spec: Path, captures: tuple[Path, ...], schema: str | None,
                  select: tuple[str, ...], overlays: tuple[Path, ...], fmt: str,
                  fail_on: tuple[str, ...], emit_overlay: Path | None) -> None:
    """Report where captured payloads (JSON, JSON Lines, HAR; files or folders) deviate from SPEC."""
    from runmodels.audit.audit import KINDS, audit, to_json, to_markdown, to_text

    kinds = _split(fail_on)
    unknown = [k for k in kinds if k != "any" and k not in KINDS]
    if unknown:
        raise click.UsageError(f"unknown --fail-on kind {', '.join(unknown)} "
                               f"(kinds: any, {', '.join(KINDS)})")
    try:
        report = audit(spec, captures, schema=schema, select=_split(select), overlays=overlays)
        if emit_overlay is not None:
            from runmodels.audit.overlay import build_overlay, overlay_text

            text = overlay_text(build_overlay(report, spec))
            try:
                emit_overlay.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise SpecError(f"cannot write the overlay: {exc.strerror}", file=emit_overlay,
                                hint="check the folder exists and is writable") from None
    except SpecError as error:
        click.echo(f"error: {error.format()}", err=True)
        sys.exit(2)
    render = {"json": to_json, "markdown": to_markdown}.get(fmt, to_text)
    click.echo(render(report), nl=False)
    if kinds and report.failing(kinds):
        sys.exit(1)
