"""Reading a file's items in a second process while this one writes them.

An import spends about half its time reading (parsing the CSV, the dates, building the records)
and half writing (SQLite). When a file's items depend on nothing but its rows, a forked worker
reads them and hands them over in batches through a pipe, so both halves run at once on two
cores. The pipe holds a batch or two: the worker waits when the writer is behind, so memory
stays flat whatever the size of the file.

Nothing changes for the writer: the same items arrive in the same order, a refusal while reading
(:class:`SqoError`) is raised where the writer reads the next item, and the writer's transaction
is still what commits. The worker never touches the database; it stops with the import (at the
end, on an error, on Ctrl-C) and when the importing process dies.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import queue
import signal
from collections.abc import Callable, Iterator
from typing import Any

from sqo.domain.errors import SqoError
from sqo.i18n import _
from sqo.io.incoming import Item

BATCH = 500  # items per hand-over: ~0.5 MB pickled
AHEAD = 12  # hand-overs the worker may be ahead: more than the writer takes at once
GC_YOUNG = 20_000  # allocations between collections of the youngest objects, while receiving
# Tests turn this off to compare with reading in the importing process.
ENABLED = True


class RowItems(Iterator[Item]):
    """A file's items that are a pure function of its rows (no shared state, no database), so
    they may be read in another process. Iterated directly, they are read here."""

    def __init__(self, make: Callable[[], Iterator[Item]]) -> None:
        self.make = make
        self._items: Iterator[Item] | None = None

    def __next__(self) -> Item:
        if self._items is None:
            self._items = self.make()
        return next(self._items)


def _can_fork() -> bool:
    return (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()


def read_ahead(items: Iterator[Item]) -> Iterator[Item]:
    """``items``, read by a worker process when they are :class:`RowItems` and this machine can
    fork and has a second core; otherwise ``items`` as they are. The worker stops when the
    returned iterator ends or is closed (or garbage-collected, after an error)."""
    if not ENABLED or not isinstance(items, RowItems) or items._items is not None:
        return items
    if not _can_fork():
        return items
    return _read_in_worker(items.make)


def _read_in_worker(make: Callable[[], Iterator[Item]]) -> Iterator[Item]:
    context = multiprocessing.get_context("fork")
    handed: Any = context.Queue(AHEAD)
    worker = context.Process(target=_work, args=(make, handed, os.getpid()))
    worker.daemon = True
    worker.start()
    # The writer now receives millions of short-lived objects without cycles: full collections
    # of everything it held before (and collecting every 700 allocations) only cost time.
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(thresholds[0], GC_YOUNG), *thresholds[1:])
    try:
        yield from _received(handed, worker)
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
        if worker.is_alive():
            worker.terminate()
        worker.join()
        handed.close()


def _received(handed: Any, worker: Any) -> Iterator[Item]:
    while True:
        blob = _next_batch(handed, worker)
        # The objects received hold no cycles: collecting while millions of them arrive only
        # costs time (as much as the unpickling itself).
        collecting = gc.isenabled()
        gc.disable()
        try:
            tag, payload = pickle.loads(blob)
        finally:
            if collecting:
                gc.enable()
        if tag == "items":
            yield from payload
        elif tag == "end":
            return
        else:
            raise payload


def _next_batch(handed: Any, worker: Any) -> bytes:
    while True:
        try:
            return handed.get(timeout=1.0)  # type: ignore[no-any-return]
        except queue.Empty:
            if worker.is_alive():
                continue
        worker.join()
        raise SqoError(
            _(
                "the process reading the file stopped unexpectedly (exit code {code}); "
                "nothing from it was imported. Run the import again.",
                code=worker.exitcode,
            )
        )


def _work(make: Callable[[], Iterator[Item]], handed: Any, parent: int) -> None:
    """In the worker: read, send batches, then the end (or the exception that stopped it)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the importing process's to handle
    gc.freeze()  # the inherited objects are the writer's: leave their pages alone
    _die_with(parent)
    try:
        batch: list[Item] = []
        for item in make():
            batch.append(item)
            if len(batch) >= BATCH:
                handed.put(pickle.dumps(("items", batch), pickle.HIGHEST_PROTOCOL))
                batch = []
        handed.put(pickle.dumps(("items", batch), pickle.HIGHEST_PROTOCOL))
        message: tuple[str, Any] = ("end", None)
    except Exception as exc:  # every failure goes back, to be raised where the items are read
        message = ("failed", exc)
    try:
        blob = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    except Exception:  # an exception that does not pickle
        blob = pickle.dumps(("failed", RuntimeError(repr(message[1]))))
    handed.put(blob)


def _die_with(parent: int) -> None:
    """Ask Linux to stop this process when the importing one dies, even by SIGKILL (a broken
    pipe would stop it too, but only at its next hand-over)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(0)
