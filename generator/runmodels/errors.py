"""The one error type a user ever sees from the generator, and its warning twin."""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runmodels.paths import shown_path


def _where(file: str | Path | None, line: int | None, column: int | None, pointer: str | None) -> str:
    parts = []
    if file is not None:
        place = shown_path(file)
        if line is not None:
            place += f":{line}"
            if column is not None:
                place += f":{column}"
        parts.append(place)
    if pointer:
        parts.append(f"(#{pointer})" if pointer.startswith("/") else f"({pointer})")
    return " ".join(parts)


class SpecError(Exception):
    """A spec (or configuration) that cannot be generated; printed as one line, exit code 2."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
        pointer: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.pointer = pointer
        self.hint = hint

    def format(self) -> str:
        where = _where(self.file, self.line, self.column, self.pointer)
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def __str__(self) -> str:
        return self.format()


class EnvironmentFailure(SpecError):
    """The machine, not the spec, stopped the run: a full disk, a permission, a read-only file
    system, a path too long.  Printed as one line naming the path, exit code 2."""


_HINTS = {
    errno.ENOSPC: "the disk holding it is full: free some space and run again",
    errno.EDQUOT: "your disk quota is used up: free some space and run again",
    errno.EACCES: "check the permissions of that folder, or choose another --out",
    errno.EPERM: "check the permissions of that folder, or choose another --out",
    errno.EROFS: "that file system is read-only: choose another --out",
    errno.ENAMETOOLONG: "the path is too long for the file system: choose a shorter --out or "
                        "--package",
    errno.ENOTDIR: "a file is in the way where a folder is needed",
    errno.EEXIST: "a file is in the way where a folder is needed",
}


def environment_failure(error: OSError, path: str | Path | None, doing: str) -> EnvironmentFailure:
    """The located message for an OSError met while `doing` something with `path`."""
    where = error.filename if error.filename is not None else path
    reason = error.strerror or str(error)
    return EnvironmentFailure(f"cannot {doing}: {reason}", file=where,
                              hint=_HINTS.get(error.errno or 0))


class RefError(SpecError):
    """A `$ref` that leads nowhere (missing file or pointer, a cycle): local to what uses it."""


@dataclass(frozen=True)
class SpecWarning:
    """A defect local to one schema or operation, repaired or left out; generation goes on.

    `code` is stable (tests and tools may match on it); `message` says what is wrong, `repair`
    what generation did about it, `hint` how the spec's author can fix it.
    """

    code: str
    message: str
    repair: str = ""
    hint: str | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None
    pointer: str | None = None
    limitation: bool = False  # left out by design (a multipart body): --strict-spec lets it be

    def format(self) -> str:
        """The one line `-v` prints: `file:line:col (#/pointer): warning[code]: message; repair`
        (only the CLI prints warnings; everything else passes the objects on)."""
        where = _where(self.file, self.line, self.column, self.pointer)
        text = f"warning[{self.code}]: {self.message}"
        if self.repair:
            text += f"; {self.repair}"
        return f"{where}: {text}" if where else text

    def as_error(self) -> SpecError:
        """The same defect as a refusal (`--strict-spec`)."""
        return SpecError(f"{self.message} [{self.code}]", file=self.file, line=self.line,
                         column=self.column, pointer=self.pointer, hint=self.hint)

    def to_json(self) -> dict[str, str | int | bool | None]:
        return {"code": self.code, "message": self.message, "repair": self.repair,
                "hint": self.hint, "file": self.file,
                "line": self.line, "column": self.column, "pointer": self.pointer,
                "limitation": self.limitation}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SpecWarning:
        def text(key: str) -> str | None:
            value = data.get(key)
            return value if isinstance(value, str) else None

        def number(key: str) -> int | None:
            value = data.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        return cls(text("code") or "warning", text("message") or "", text("repair") or "",
                   text("hint"), text("file"), number("line"), number("column"),
                   text("pointer"), data.get("limitation") is True)
