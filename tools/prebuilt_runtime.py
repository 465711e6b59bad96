"""Rewrite runmodels/format/prebuilt.json: black's output for the runtime modules, shipped so
that a cold run does not format the same hand-written ~100 kB again.

    python tools/prebuilt_runtime.py

Run it after editing a file of templates/runtime/ (or pinning another black);
tests/test_fastfmt.py fails until it is run, and until then generation formats that file with
black as before.
"""

from __future__ import annotations

import sys

from runmodels.format import prebuilt
from runmodels.format.black_format import BLACK_MODE_KEY, MODE


def main() -> None:
    print(f"wrote {prebuilt.write(MODE, BLACK_MODE_KEY)}", file=sys.stderr)


if __name__ == "__main__":
    main()
