"""Errors a user can meet. Each carries a code that every interface maps the same way: the
command line to an exit code (``sqo.cli.context``), a route to an HTTP status."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID_VALUE = "invalid_value"
    UNKNOWN_REFERENCE = "unknown_reference"
    NOT_FOUND = "not_found"
    FORBIDDEN_MOVE = "forbidden_move"
    VERSION_CONFLICT = "version_conflict"
    GATE_REFUSED = "gate_refused"
    CONFIGURATION = "configuration"
    WORKSPACE = "workspace"
    IMPORT_FAILED = "import_failed"


class SqoError(Exception):
    """A problem the user can fix. ``message`` is already translated and says what to do."""

    code: ErrorCode = ErrorCode.INVALID_VALUE

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        allowed: Iterable[str] | None = None,
        code: ErrorCode | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.allowed = list(allowed) if allowed is not None else None
        if code is not None:
            self.code = code


class InvalidValue(SqoError):
    code = ErrorCode.INVALID_VALUE


class UnknownReference(SqoError):
    code = ErrorCode.UNKNOWN_REFERENCE


class NotFound(SqoError):
    code = ErrorCode.NOT_FOUND


class ForbiddenMove(SqoError):
    code = ErrorCode.FORBIDDEN_MOVE


class VersionConflict(SqoError):
    code = ErrorCode.VERSION_CONFLICT


class GateRefused(SqoError):
    code = ErrorCode.GATE_REFUSED


class ConfigurationError(SqoError):
    code = ErrorCode.CONFIGURATION


class WorkspaceError(SqoError):
    code = ErrorCode.WORKSPACE


def list_values(values: Iterable[str], limit: int = 12) -> str:
    """``a, b, c`` for short lists, the first ``limit`` and a count for long ones."""
    items = list(values)
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f" … (+{len(items) - limit})"


class ImportFailed(SqoError):
    """An import refused a file; nothing of that file was written. ``report`` says why, per row."""

    code = ErrorCode.IMPORT_FAILED

    def __init__(self, message: str, *, report: object = None) -> None:
        super().__init__(message)
        self.report = report
