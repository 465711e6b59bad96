from __future__ import annotations

from .. import _runtime as _r

if TYPE_CHECKING:
    from dataclasses import dataclass
    from typing import Any, Final
else:
    dataclass = _r.dataclass
_new = object.__new__


class RunStatus(_r.OpenStrEnum):
    """The status of a run."""

    QUEUED = "queued"
    IN_PROGRESS = "in_progress"


class Empty(_r.Model):
    __slots__ = ()


class Documented(_r.Model):
    """Leading spaces and a trailing quote" """

    id: str
    """The identifier."""
    count: int | None
    """A count.

    More about it, indented."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON."""
        out: dict[str, Any] = {}
        return out

    class Inner:
        pass
