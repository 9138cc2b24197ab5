"""What to tell a user when the database itself refused an operation (locked, full, read-only).

Every face says it in its own words (a CLI sentence and exit code, an HTTP problem response);
recognising the refusal and finding its cause is the same for all, so it lives here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import OperationalError

from sqo.services.workspace import Workspace
from sqo.store.database import read_only_folder, sqlite_path


@dataclass(frozen=True)
class DatabaseRefusal:
    """The database's own words, and the folder when the refusal is a read-only SQLite folder."""

    problem: str
    read_only_folder: str | None = None


def database_refusal(error: BaseException, ws: Workspace | None) -> DatabaseRefusal | None:
    """The refusal ``error`` is, or None when it is not the database refusing an operation."""
    if not isinstance(error, OperationalError):
        return None
    folder = _read_only_folder(ws) if "readonly" in str(error.orig) else None
    return DatabaseRefusal(str(error.orig).strip(), folder)


def _read_only_folder(ws: Workspace | None) -> str | None:
    path = sqlite_path(ws.url) if ws is not None else None
    return str(path.parent) if path is not None and read_only_folder(path) else None
