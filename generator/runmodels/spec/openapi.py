"""Words of the OpenAPI specification that more than one stage needs."""

from __future__ import annotations

# the operations a path item may hold, in the specification's order: operations are read, and
# so generated, in this order
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
