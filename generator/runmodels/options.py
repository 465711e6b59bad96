"""What decides a package's files, in one frozen object.

`Options` is what one generation is asked for: the spec, the package name, the selection, the
template overrides, the client switch, the overlays, the extra `$ref` roots, `--strict-spec`
and the changelog.  The pipeline takes it whole (`api.render`, `api.generate_package`) instead
of a dozen loose parameters, and both caches name their entries from `Options.identity()`, so a
new option that changes the output cannot be forgotten by one cache and remembered by the other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Options:
    """One generation's input.  Sequences are stored as tuples and paths as `Path`s, whatever
    the caller passed, so two equal requests make equal (and hashable) objects."""

    spec: Path
    package: str
    select: tuple[str, ...] = ()  # schema names, tag:NAME, path:/prefix
    templates: Path | None = None  # a folder of template overrides
    client: bool = True  # False: models only
    overlays: tuple[Path, ...] = ()  # OpenAPI Overlay files, applied in order
    allow_roots: tuple[Path, ...] = ()  # more folders `$ref`s may read from
    strict_spec: bool = False  # any warning refuses the spec
    changelog: Path | None = None  # a Markdown file the API changes are appended to

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: normalise once, here
        set_(self, "spec", Path(self.spec))
        set_(self, "select", tuple(self.select))
        set_(self, "templates", None if self.templates is None else Path(self.templates))
        set_(self, "overlays", _paths(self.overlays))
        set_(self, "allow_roots", _paths(self.allow_roots))
        set_(self, "changelog", None if self.changelog is None else Path(self.changelog))

    @property
    def api_record(self) -> bool:
        """Whether the package gets the record of its API that a changelog compares with."""
        return self.changelog is not None

    def identity(self) -> dict[str, Any]:
        """The options that decide the rendered files, as JSON values (paths resolved): what
        cache entries are named from.  `strict_spec` and `changelog` only decide what happens
        to the files once made (refused, compared), so they are left out."""
        return {
            "spec": str(self.spec.resolve()),
            "package": self.package,
            "select": list(self.select),
            "templates": str(self.templates.resolve()) if self.templates is not None else None,
            "client": self.client,
            "overlays": [str(p.resolve()) for p in self.overlays],
            "allow_roots": [str(p.resolve()) for p in self.allow_roots],
        }


def _paths(values: Iterable[Path | str]) -> tuple[Path, ...]:
    return tuple(Path(value) for value in values)
