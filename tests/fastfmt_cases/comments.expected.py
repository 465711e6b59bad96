# a leading comment
from __future__ import annotations

import json  # for dumps

# an own-line comment
_LIMIT = 10  # the page size


def page(items: list[Any]) -> list[Any]:
    # keep the first page only
    return items[:_LIMIT]  # sliced
