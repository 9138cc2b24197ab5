"""Where the analytics copy (:mod:`sqo.store.analytics_copy`) lives, how its file is opened, and
what a user meets when it cannot be opened or written."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from sqo.domain.errors import WorkspaceError
from sqo.i18n import _
from sqo.store.database import sqlite_path

if TYPE_CHECKING:  # DuckDB loads only when a copy is opened (start-up time)
    import duckdb


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


# Another command holds the copy for the few seconds it runs; waiting for it beats falling back
# to the workspace database, which is many times slower on a large workspace.
LOCK_WAIT_SECONDS = 30.0
MEMORY_LIMIT = "600MB"  # keeps a command's peak well under 1 GB; DuckDB spills beyond it
# A (first) build holds Arrow batches and the workspace's reader beside DuckDB: less for DuckDB.
BUILD_MEMORY_LIMIT = "400MB"


def connect_copy(path: Path) -> duckdb.DuckDBPyConnection:
    """Open (or create) the copy, waiting a little for another process that holds it. A file
    DuckDB cannot read (damaged, or written by another DuckDB version) is a cache lost: it is
    removed and the copy built again."""
    import duckdb

    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    discarded = False
    while True:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return duckdb.connect(
                str(path), config={"memory_limit": MEMORY_LIMIT, "threads": os.cpu_count() or 1}
            )
        except duckdb.IOException as exc:
            # DuckDB's words for a file another process holds (not "lock" anywhere in the path)
            locked = "could not set lock" in str(exc).lower()
            if locked and time.monotonic() < deadline:
                time.sleep(0.1)
                continue
            if not locked and not path.exists():  # the folder cannot take a new file
                raise CopyNotWritable(path, exc) from exc
            if locked or discarded:
                raise CopyUnavailable(path, exc) from exc
        except duckdb.Error as exc:
            if discarded or not path.exists():
                raise CopyUnavailable(path, exc) from exc
        except OSError as exc:  # the folder cannot be created: read-only, or full
            raise CopyNotWritable(path, exc) from exc
        for stale in (path, path.with_name(path.name + ".wal")):
            stale.unlink(missing_ok=True)
        discarded = True
