"""Rejected rows of an import with ``--skip-invalid``: streamed, with the reason per row, to a
CSV next to the input, and never left half-written."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqo.domain.errors import SqoError
from sqo.i18n import _
from sqo.io.formula_guard import guard_cell
from sqo.io.incoming import Rejected


class RejectedNotWritten(SqoError):
    """The rejected-rows file cannot be written (a full disk, a read-only folder)."""

    def __init__(self, path: Path, problem: OSError) -> None:
        super().__init__(
            _(
                "the rejected rows cannot be written to {path} ({problem}); nothing from this "
                "file was imported. Free some space or make the folder writable, or import "
                "without --skip-invalid.",
                path=str(path),
                problem=problem.strerror or problem,
            )
        )


class RejectedCsv:
    """Rejected rows with their reason, streamed to ``<input>.rejected.csv``. A failed write
    removes the file and raises :class:`RejectedNotWritten`: no half-written file is left."""

    def __init__(self, source: Path, columns: list[str]) -> None:
        self.path = source.with_name(source.stem + ".rejected.csv")
        self.columns = columns
        self.handle: Any = None
        self.discarded = False
        with self._faults():
            self.handle = self.path.open("w", encoding="utf-8", newline="")
            self.writer = csv.writer(self.handle)
            self.writer.writerow([guard_cell(c) for c in ["row", "reason", *columns]])

    def write(self, rejected: Rejected) -> None:
        cells = [rejected.message, *(rejected.raw.get(c, "") for c in self.columns)]
        with self._faults():
            # Opened in a spreadsheet: a cell such as =HYPERLINK(...) is shown, never run.
            self.writer.writerow([rejected.row, *(guard_cell(c) if c else c for c in cells)])

    def close(self) -> None:
        with self._faults():
            if self.handle is not None:
                self.handle.close()

    def discard(self) -> None:
        self.discarded = True
        # Its buffer is what could not be written; a folder that refuses the removal too keeps
        # the part written, which the refusal's sentence names.
        with suppress(OSError):
            if self.handle is not None:
                self.handle.close()
        with suppress(OSError):
            self.path.unlink(missing_ok=True)

    @contextmanager
    def _faults(self) -> Iterator[None]:
        try:
            yield
        except OSError as exc:
            self.discard()
            raise RejectedNotWritten(self.path, exc) from exc
