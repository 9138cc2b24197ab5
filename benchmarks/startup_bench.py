"""Time what a user waits for each command on the demo workspace, start-up included.

Run: make bench-startup   (or .venv/bin/python -m benchmarks.startup_bench)
Writes: benchmarks/results/startup.md
Targets (issue 11): `sqo --help` and `sqo opp show` under 0.5 s; every read command under 1 s
(issue 15: the weekly review under 2 s).

Each figure is the median wall time of fresh processes, measured side by side (interleaved, in
the same run) with two references: an empty Python start-up (`python -c pass`) and a
hand-written sqlite3 read of the same deal, and the import of the libraries a command needs
(SQLAlchemy, pydantic, Typer, Rich, Babel), so that a busy or slow machine shows in the
references as much as in sqo's figures.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "startup.md"
WORK = Path(__file__).parent / "work"
DEMO = WORK / "startup-demo.db"
TODAY = "2026-11-22"
RUNS = 7
HELP_TARGET, READ_TARGET = 0.5, 1.0
REVIEW_TARGET = 2.0  # issue 15: the weekly review on the demo under 2 s
NOTES = "## Notes"

# (command line, target in seconds)
COMMANDS: list[tuple[list[str], float]] = [
    (["--help"], HELP_TARGET),
    (["opp", "show", "{opp}"], HELP_TARGET),
    (["opp", "list", "--open"], READ_TARGET),
    (["lead", "list"], READ_TARGET),
    (["lead", "show", "1"], READ_TARGET),
    (["pipeline"], READ_TARGET),
    (["history", "{opp}"], READ_TARGET),
    (["qualify", "{opp}"], READ_TARGET),
    (["near-misses"], READ_TARGET),
    (["funnel", "--by", "segment"], READ_TARGET),
    (["benchmarks"], READ_TARGET),
    (["coverage"], READ_TARGET),
    (["pipeline-change"], READ_TARGET),
    (["stages"], READ_TARGET),
    (["rep", "list"], READ_TARGET),
    (["team", "list"], READ_TARGET),
    (["account", "list"], READ_TARGET),
    (["campaign", "list"], READ_TARGET),
    (["playbook", "list"], READ_TARGET),
    (["forecast"], READ_TARGET),
    (["forecast", "rates"], READ_TARGET),
    (["forecast", "accuracy"], READ_TARGET),
    (["model", "show"], READ_TARGET),
    (["hygiene"], READ_TARGET),
    (["scorecard"], READ_TARGET),
    (["losses"], READ_TARGET),
    (["campaigns"], READ_TARGET),
    (["review"], REVIEW_TARGET),
]

# The libraries `sqo opp show` cannot run without (the database layer, the stage model's
# validation, the command line, the tables, the locale's number formats), imported and nothing
# else: what any command costs before sqo's own code runs.
LIBRARIES = """
import sqlite3
import sqlalchemy, pydantic, typer, typer._adapters, rich.console, rich.table
import babel.numbers, babel.messages.pofile
babel.numbers.format_currency(1, "USD", locale="en")
"""

SQLITE_READ = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
row = connection.execute("SELECT * FROM opportunities WHERE id = ?", (int(sys.argv[2]),)).fetchone()
recent = connection.execute(
    "SELECT * FROM activities WHERE opportunity_id = ? ORDER BY occurred_at DESC LIMIT 10",
    (int(sys.argv[2]),),
).fetchall()
print(row, len(recent))
"""


def environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["SQO_LANG"] = "en"  # users have bytecode caches; a benchmark without them measures
    return env  # the compiler, not sqo


def sqo_command() -> list[str]:
    script = Path(sys.executable).parent / "sqo"
    return [str(script)] if script.exists() else [sys.executable, "-m", "sqo"]


CPU: dict[str, list[float]] = {}


def seconds(command: list[str], key: str | None = None) -> float:
    """Wall time of one fresh process; its CPU time (user + system) is kept under ``key``: on a
    shared machine the wall time also counts the other processes' turns, the CPU time does not."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment()
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if key is not None:
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        CPU.setdefault(key, []).append(cpu)
    return wall


def build_demo() -> None:
    WORK.mkdir(exist_ok=True)
    if not DEMO.exists():
        subprocess.run(
            [*sqo_command(), "--db", str(DEMO), "demo", "--no-serve", "--today", TODAY],
            check=True,
            stdout=subprocess.DEVNULL,
            env=environment(),
        )
        # A trained model, as a team that forecasts has: `model show` and `forecast` read it.
        subprocess.run(
            [*sqo_command(), "--db", str(DEMO), "model", "train"],
            check=True,
            stdout=subprocess.DEVNULL,
            env=environment(),
        )


def showcase() -> int:
    """An open SQO with history: the deal the demo suggests looking at."""
    import sqlite3

    with sqlite3.connect(DEMO) as connection:
        row = connection.execute(
            "SELECT id FROM opportunities WHERE stage NOT IN ('Won', 'Lost') "
            "ORDER BY amount_cents DESC LIMIT 1"
        ).fetchone()
    return int(row[0]) if row else 1


def main() -> None:
    build_demo()
    opp = showcase()
    python_pass = [sys.executable, "-c", "pass"]
    sqlite_read = [sys.executable, "-c", SQLITE_READ, str(DEMO), str(opp)]
    lines = [[part.format(opp=opp) for part in line] for line, _target in COMMANDS]
    for line in lines:  # warm-up: bytecode caches, the analytics copy, the OS file cache
        seconds([*sqo_command(), "--db", str(DEMO), *line])
    libraries = [sys.executable, "-c", LIBRARIES]
    timings: dict[str, list[float]] = {
        "python -c pass": [],
        "sqlite3 read of one deal": [],
        "import of the libraries": [],
    }
    load_before = os.getloadavg()[0]
    for _run in range(RUNS):
        timings["python -c pass"].append(seconds(python_pass, "python -c pass"))
        timings["sqlite3 read of one deal"].append(seconds(sqlite_read, "sqlite3 read of one deal"))
        timings["import of the libraries"].append(seconds(libraries, "import of the libraries"))
        for line in lines:
            key = "sqo " + " ".join(line)
            command = [*sqo_command(), "--db", str(DEMO), *line]
            timings.setdefault(key, []).append(seconds(command, key))
    write(timings, lines, (load_before, os.getloadavg()[0]))


def write(
    timings: dict[str, list[float]], lines: list[list[str]], load: tuple[float, float]
) -> None:
    median = {key: statistics.median(values) for key, values in timings.items()}
    cpu = {key: statistics.median(values) for key, values in CPU.items()}
    base = median["python -c pass"]
    read = median["sqlite3 read of one deal"]
    rows = [
        "| command | wall median (s) | CPU median (s) | target (s) | met (wall) | "
        "× python start-up | × sqlite3 read |",
        "| --- | ---: | ---: | ---: | :---: | ---: | ---: |",
    ]
    for key in ("python -c pass", "sqlite3 read of one deal", "import of the libraries"):
        rows.append(
            f"| `{key}` (reference) | {median[key]:.3f} | {cpu[key]:.3f} | | | "
            f"{median[key] / base:.1f} | |"
        )
    met_all = True
    for line, (_template, target) in zip(lines, COMMANDS, strict=True):
        key = "sqo " + " ".join(line)
        value = median[key]
        met = value < target
        met_all &= met
        rows.append(
            f"| `{key}` | {value:.3f} | {cpu[key]:.3f} | {target:.1f} | {'yes' if met else 'NO'} | "
            f"{value / base:.1f} | {value / read:.1f} |"
        )
    text = "\n".join(
        [
            "# Start-up: what a user waits for, per command, on the demo workspace",
            "",
            f"`python -m benchmarks.startup_bench` on {platform.machine()}, {os.cpu_count()} "
            f"cores, Python {platform.python_version()}; median of {RUNS} fresh processes per "
            "command, interleaved with the references in the same run. Demo: `sqo demo "
            f"--today {TODAY}` (seed 7). Load average (1 min) {load[0]:.2f} before, "
            f"{load[1]:.2f} after.",
            "",
            *rows,
            "",
            f"All targets met: {'yes' if met_all else 'NO'}.",
            "",
        ]
    )
    # The notes below the figures (what they say, the before/after measurement) are kept.
    previous = RESULTS.read_text() if RESULTS.exists() else ""
    notes = previous[previous.index(NOTES) :] if NOTES in previous else ""
    RESULTS.write_text(text + ("\n" + notes if notes else ""))
    print(text)


if __name__ == "__main__":
    main()
