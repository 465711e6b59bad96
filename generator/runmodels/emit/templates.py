"""Where templates come from: the user's override folder first, then the package's own.

The built-in templates are `runmodels/templates/` inside the installed package (in a source
checkout that folder is a link to the top-level `templates/`), so one lookup finds them in a
wheel, an editable install and a checkout alike.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import jinja2


def builtin_templates() -> Path:
    """The package's own templates folder (Jinja templates, and the runtime under `runtime/`)."""
    return Path(str(resources.files("runmodels") / "templates"))


def environment(overrides: Path | None = None) -> jinja2.Environment:
    """A Jinja environment that finds a template in `overrides` first, then among the built-ins."""
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(str(builtin_templates()))]
    if overrides:
        loaders.insert(0, jinja2.FileSystemLoader(str(overrides)))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


def runtime_source(name: str, overrides: Path | None = None) -> str:
    """The text of a runtime module (`_runtime.py`, `_http.py`, …): the override's, if present."""
    override = overrides / "runtime" / name if overrides else None
    path = override if override and override.is_file() else builtin_templates() / "runtime" / name
    return path.read_text(encoding="utf-8")
