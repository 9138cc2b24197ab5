"""Where the analytics copy (:mod:`sqo.store.analytics_copy`) lives, and what a user meets when
it cannot be opened or written."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from sqlalchemy.engine import make_url

from sqo.domain.errors import WorkspaceError
from sqo.i18n import _
from sqo.store.database import sqlite_path


class CopyUnavailable(WorkspaceError):
    """The copy cannot be opened here (held by another process, or a read-only folder)."""

    def __init__(self, path: Path, problem: object) -> None:
        super().__init__(
            _(
                "The analytics copy {path} cannot be opened: {problem}. Wait for the other sqo "
                "command that uses it, or set SQO_ANALYTICS_COPY=off to read the workspace "
                "database directly.",
                path=str(path),
                problem=problem,
            )
        )


class CopyNotWritable(CopyUnavailable):
    """The copy's folder is full or read-only: the copy cannot be brought up to date."""

    def __init__(self, path: Path, problem: object) -> None:
        WorkspaceError.__init__(
            self,
            _(
                "The analytics copy {path} cannot be written ({problem}); free some space or "
                "make its folder writable, or point SQO_ANALYTICS_DIR at another folder "
                "(SQO_ANALYTICS_COPY=off reads the workspace database directly).",
                path=str(path),
                problem=_first_line(problem),
            ),
        )


# What a full or read-only folder raises from DuckDB: the write itself (IOException), the
# transaction it broke (TransactionException) and the database it invalidated (FatalException).
def write_faults() -> tuple[type[BaseException], ...]:
    import duckdb  # loaded already whenever a copy is open

    return (OSError, duckdb.IOException, duckdb.TransactionException, duckdb.FatalException)


def _first_line(problem: object) -> str:
    lines = str(problem).strip().splitlines()
    return lines[0] if lines else type(problem).__name__


def copy_path(url: str) -> Path:
    """Beside a SQLite workspace (``sqo.db`` -> ``sqo.analytics.duckdb``); for a server, or when
    ``SQO_ANALYTICS_DIR`` is set, a file named after the database in that folder (default
    ``~/.cache/sqo``)."""
    folder = os.environ.get("SQO_ANALYTICS_DIR")
    path = sqlite_path(url)
    if path is not None and not folder:
        return path.with_name(path.stem + ".analytics.duckdb")
    where = make_url(url).set(password=None).render_as_string(hide_password=True)
    digest = hashlib.sha256(where.encode()).hexdigest()[:16]
    base = Path(folder) if folder else Path(os.environ.get("XDG_CACHE_HOME", "~/.cache")) / "sqo"
    return base.expanduser() / f"analytics-{digest}.duckdb"
