"""Time `sqo demo --no-serve` end to end (a fresh process, as a user runs it).

Run: make bench-demo   (or .venv/bin/python -m benchmarks.demo_bench)
Writes: benchmarks/results/demo.md
Target (issue 2): under 60 s on a 2-core machine.
"""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "demo.md"
RUNS = 3


def run_once(folder: Path) -> tuple[float, float]:
    db = folder / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sqo",
            "--db",
            str(db),
            "demo",
            "--no-serve",
            "--today",
            "2026-11-22",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak_mb


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        results = [run_once(Path(tmp)) for _ in range(RUNS)]
    times = sorted(r[0] for r in results)
    peak = max(r[1] for r in results)
    lines = [
        "# Demo build benchmark",
        "",
        f"`sqo demo --no-serve --today 2026-11-22` in a fresh process, SQLite file, {RUNS} runs.",
        "",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        f"- wall time: best {times[0]:.2f} s, median {times[len(times) // 2]:.2f} s, "
        f"worst {times[-1]:.2f} s (target: under 60 s)",
        f"- peak memory of the demo process: {peak:.0f} MB",
        f"- measured: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
    ]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
