"""Ctrl-C and the unexpected: one line for the user, never a traceback.

Transactions roll back on any exception (the unit of work commits only when told), so an
interrupted command has changed nothing; this module only decides what the user reads and the
exit code (130, the shell's code for "stopped by Ctrl-C"; 1 for a problem sqo did not foresee).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from types import TracebackType
from typing import Any

INTERRUPTED = 130
UNEXPECTED = 1


def say(message: str) -> None:
    """Print one line to stderr without Rich: it must work however far start-up got."""
    with contextlib.suppress(OSError, ValueError):  # stdout may be closed or a broken pipe
        sys.stdout.flush()
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def ignore() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def _c_warnings_hidden() -> Iterator[None]:
    """Standard error closed to C code for a moment. A Ctrl-C that cut short the first load of
    ``_decimal`` makes its second load (Babel needs it) print a libmpdec warning straight to the
    file descriptor, a line that means nothing to the user."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def interrupted() -> int:
    with _c_warnings_hidden():
        from sqo import i18n  # imported here: the hook is installed before anything slow loads

    ignore()  # said once: a second Ctrl-C, or one re-delivered from a finaliser, cannot cut it
    say(i18n._("Interrupted; nothing was changed."))
    return INTERRUPTED


def finish(code: int) -> int:
    """The exit code, once any Ctrl-C has been reported. A Ctrl-C re-delivered from a finaliser
    (see ``_unraisable``) may still arrive while this runs: then it is reported here, once."""
    said = False
    while True:
        try:
            ignore()  # from here on a Ctrl-C changes neither the output nor the exit code
            if code == INTERRUPTED:
                if not said:
                    said = True
                    interrupted()
                # Python remembers a Ctrl-C that once escaped any frame and, at exit, would kill
                # itself with SIGINT instead of exiting 130: so leave now (nothing is pending).
                with contextlib.suppress(OSError, ValueError):
                    sys.stdout.flush()
                    sys.stderr.flush()
                os._exit(INTERRUPTED)
            return code
        except KeyboardInterrupt:
            code = INTERRUPTED


def unexpected(exc: BaseException) -> int:
    from sqo import i18n

    problem = (type(exc).__name__ + ": " + str(exc))[:300]
    say(
        i18n._(
            "Error: sqo met a problem it did not expect ({problem}); nothing was changed. "
            "Set SQO_DEBUG=1 to see the details, and please report it.",
            problem=problem,
        )
    )
    return UNEXPECTED


def debugging() -> bool:
    return os.environ.get("SQO_DEBUG", "").strip().casefold() in ("1", "yes", "true", "on")


def _hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    # A Ctrl-C while the command modules are still being imported, before main() runs.
    if issubclass(kind, KeyboardInterrupt):
        os._exit(interrupted())
    sys.__excepthook__(kind, exc, tb)


def _unraisable(report: Any) -> None:
    # A Ctrl-C that lands in a finaliser (a garbage-collected SQLAlchemy event, say) cannot
    # propagate there; Python would print it with a traceback and carry on. Deliver it again,
    # to the code that is running.
    if isinstance(report.exc_value, KeyboardInterrupt):
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.raise_signal(signal.SIGINT)
        return
    sys.__unraisablehook__(report)


def install() -> None:
    sys.excepthook = _hook
    sys.unraisablehook = _unraisable
