"""Run the ``sqo`` command in a child process that meets a real fault (run as a script).

``python -m tests.fault_runner MODE ARGS...`` where MODE is:

- ``fsize=N``: files cannot grow past N bytes (RLIMIT_FSIZE); a write past it fails with EFBIG,
  "File too large", as on a full disk (SIGXFSZ is ignored so the write returns the error);
- ``read-only``: without root's permission override, so a folder without write permission
  (``chmod 555``) is read-only even when the tests run as root (the override is dropped from
  the capability bounding set, which an exec then applies);
- ``none``: no fault.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2
ROOT = Path(__file__).resolve().parent.parent


def run_sqo(
    mode: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``sqo ARGS`` in a child process meeting the fault ``mode``; its exit code and output."""
    environment = {**os.environ, **(env or {}), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "tests.fault_runner", mode, *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        check=False,
    )


def _enter(mode: str) -> None:
    if mode.startswith("fsize="):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        limit = int(mode.removeprefix("fsize="))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    elif mode == "read-only" and os.geteuid() == 0 and not os.environ.get("_SQO_NO_OVERRIDE"):
        libc = ctypes.CDLL(None, use_errno=True)
        for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
            if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")
        os.environ["_SQO_NO_OVERRIDE"] = "1"
        os.execv(sys.executable, [sys.executable, "-m", "tests.fault_runner", *sys.argv[1:]])


if __name__ == "__main__":
    _enter(sys.argv[1])
    sys.argv = ["sqo", *sys.argv[2:]]
    from sqo.cli.app import main

    main()
