"""black's output for runmodels' own runtime modules, made ahead of time and shipped with it.

Every generated package carries the hand-written runtime (`_runtime.py`, `_http.py`, …, ~100 kB
in all).  The fast formatter does not take hand-written code, so a cold run would give black
the same ~100 kB on every run: about a fifth of the CPU a whole 2026 OpenAI spec costs.  Their
black output depends only on their text, black's version and the mode, so it is computed once
(`python tools/prebuilt_runtime.py` rewrites `prebuilt.json`) and used only for the exact
text it was made from, under the same black version and mode: a runtime module edited since,
a user's override of one, or another black version goes to black as before.  tests/test_fastfmt.py
checks that the shipped answers are black's and that none is stale.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

PREBUILT = Path(__file__).with_name("prebuilt.json")
_loaded: tuple[str, dict[int, dict[str, str]]] | None = None


def _entries() -> tuple[str, dict[int, dict[str, str]]]:
    """(the mode the answers were made with, {source length: {source sha256: black's output}})."""
    global _loaded
    if _loaded is None:
        try:
            data = json.loads(PREBUILT.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        by_length: dict[int, dict[str, str]] = {}
        for entry in data.get("files", {}).values():
            by_length.setdefault(entry["length"], {})[entry["sha256"]] = entry["black"]
        _loaded = (str(data.get("mode", "")), by_length)
    return _loaded


def lookup(source: str, mode_key: str) -> str | None:
    """black's output for source if it is one of the shipped runtime modules, else None."""
    mode, by_length = _entries()
    candidates = by_length.get(len(source))
    if not candidates or mode != mode_key:
        return None
    return candidates.get(hashlib.sha256(source.encode("utf-8")).hexdigest())


def build(mode: Any, mode_key: str) -> dict[str, object]:
    """The content of prebuilt.json for the runtime modules as they are now (black's `mode`)."""
    import black

    from runmodels.emit.templates import builtin_templates

    files: dict[str, dict[str, object]] = {}
    for path in sorted((builtin_templates() / "runtime").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        files[path.name] = {"length": len(source),
                            "sha256": hashlib.sha256(source.encode("utf-8")).hexdigest(),
                            "black": black.format_str(source, mode=mode)}
    return {"mode": mode_key, "files": files}


def write(mode: Any, mode_key: str) -> Path:
    """Rewrite prebuilt.json (after an edit of a runtime module, or a new pinned black)."""
    PREBUILT.write_text(json.dumps(build(mode, mode_key), indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    return PREBUILT
