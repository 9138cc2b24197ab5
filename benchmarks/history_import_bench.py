"""History-rich import benchmark: a mapped CSV of 1,000,000 opportunities, each with up to ten
stage-entered dates (about 19.7 million history rows), into a SQLite workspace with a
ten-stage sales process. Writes benchmarks/results/history_import.md.

Run with `make bench-history-import` (= `.venv/bin/python -m benchmarks.history_import_bench`);
`--records N` (default 1,000,000) for a smaller run.

The reference, measured in the same run on the same CSV: DuckDB reads the file and writes the
same history rows (one per stage date, plus the creation values) into a table of its own, a
hand-written query. The figure to watch is sqo's time as a multiple of it, since this machine's
speed drifts; the target is the whole import in under 3 minutes on two cores, memory flat.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import resource
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent
WORK = ROOT / "work"
RESULTS = ROOT / "results" / "history_import.md"
# The figures before issue 10's work on import speed, kept in the results so the change shows.
BEFORE = (
    "373.7 s wall, 423.3 s CPU, peak 1,225 MB, 112.4x the reference (3.3 s); "
    "load average 1.0, 1.0, 1.5 / 1.6, 1.3, 1.4"
)
# A ten-step enterprise process: nine open stages, then Closed Won or Closed Lost.
OPEN = [
    "Discovery",
    "Qualification",
    "SQO",
    "Demo",
    "Solution",
    "Proposal",
    "Negotiation",
    "Legal",
    "Commit",
]
STAGE_MODEL = """name: enterprise-ten
sqo_stage: SQO
opportunity_start_stage: Discovery
convertible_from: [SQL]
allow_reopen: true
loss_reason_required: false
stages:
  - {name: Lead, kind: lead}
  - {name: MQL, kind: lead}
  - {name: SAL, kind: lead}
  - {name: SQL, kind: lead}
  - {name: Disqualified, kind: disqualified}
  - {name: Discovery, kind: opportunity, probability: 0.02, forecast_category: Pipeline}
  - {name: Qualification, kind: opportunity, probability: 0.05, forecast_category: Pipeline}
  - {name: SQO, kind: opportunity, probability: 0.15, forecast_category: Pipeline}
  - {name: Demo, kind: opportunity, probability: 0.2, forecast_category: Pipeline}
  - {name: Solution, kind: opportunity, probability: 0.3, forecast_category: Pipeline}
  - {name: Proposal, kind: opportunity, probability: 0.5, forecast_category: Best Case}
  - {name: Negotiation, kind: opportunity, probability: 0.7, forecast_category: Best Case}
  - {name: Legal, kind: opportunity, probability: 0.8, forecast_category: Commit}
  - {name: Commit, kind: opportunity, probability: 0.9, forecast_category: Commit}
  - {name: Won, kind: won, probability: 1.0, forecast_category: Closed}
  - {name: Lost, kind: lost, probability: 0.0, forecast_category: Omitted}
"""
COLUMNS = [f"Entered {s}" for s in OPEN] + ["Closed Date"]
MAPPING = f"""source: bench
id: Deal ID
date_format: iso
currency: USD
fields:
  name: Deal Name
  stage: Stage
  amount: Amount
  close_date: Close Date
  created_at: Created
  owner: Owner
  account: Account
  source: Lead Source
values:
  stage:
    Closed Won: Won
    Closed Lost: Lost
{chr(10).join(f"    {s}: {s}" for s in OPEN)}
stage_entered:
{chr(10).join(f'  {s}: "Entered {s}"' for s in OPEN)}
  Won: Closed Date
  Lost: Closed Date
"""


def generate(path: Path, records: int, seed: int = 11) -> None:
    """Deals created over three years, to the second; each stays in a stage for a spread of
    days (lognormal, a few hours to months); most run the whole process, a fifth are still
    open somewhere along it."""
    rng = random.Random(seed)
    start = datetime(2023, 1, 1)
    span = 3 * 365 * 24 * 3600
    owners = [f"Rep {n:03d}" for n in range(400)]
    accounts = [f"Account {n:05d}" for n in range(40_000)]
    sources = ["Web", "Partner", "Event", "Outbound", "Paid Search", "Referral"]
    with path.open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file)
        out.writerow(
            [
                "Deal ID",
                "Deal Name",
                "Stage",
                "Amount",
                "Close Date",
                "Created",
                "Owner",
                "Account",
                "Lead Source",
                *COLUMNS,
            ]
        )
        for n in range(records):
            created = start + timedelta(seconds=rng.randrange(span))
            at = created
            dates: list[str] = []
            still_open = rng.random() < 0.2
            reached = rng.randrange(1, len(OPEN)) if still_open else len(OPEN)
            for _stage in OPEN[:reached]:
                dates.append(at.strftime("%Y-%m-%d %H:%M:%S"))
                at += timedelta(seconds=int(rng.lognormvariate(13.0, 0.9)))
            dates += [""] * (len(OPEN) - reached)
            if still_open:
                stage = OPEN[reached - 1]
                closed = ""
                close_date = (at + timedelta(days=rng.randrange(10, 120))).date().isoformat()
            else:
                stage = "Closed Won" if rng.random() < 0.3 else "Closed Lost"
                closed = at.strftime("%Y-%m-%d %H:%M:%S")
                close_date = at.date().isoformat()
            amount = f"{rng.lognormvariate(10.3, 1.0):.2f}"
            out.writerow(
                [
                    f"D-{n:07d}",
                    f"Deal {n}",
                    stage,
                    amount,
                    close_date,
                    created.strftime("%Y-%m-%d %H:%M:%S"),
                    rng.choice(owners),
                    rng.choice(accounts),
                    rng.choice(sources),
                    *dates,
                    closed,
                ]
            )


def run_child(csv_path: Path, mapping_path: Path, stages_path: Path, db: Path) -> None:
    """The measured import, in its own process so its peak memory is its own."""
    from sqo.domain.actor import Actor
    from sqo.domain.values import utc_now
    from sqo.io.mapped_csv import mapped_csv_files
    from sqo.io.mapping import load_mapping
    from sqo.services.imports import run_import
    from sqo.services.workspace import init_workspace

    actor = Actor("bench")
    ws = init_workspace(str(db), actor, stage_file=stages_path)
    mapping = load_mapping(mapping_path)
    started = time.perf_counter()
    cpu_started = time.process_time()
    watch = _MemoryWatch(started)
    watch.start()
    report = run_import(
        ws, actor, "csv", mapped_csv_files(csv_path, mapping, ws.stage_model, utc_now())
    )
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    watch.stop.set()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = sum(f.rows for f in report.files)
    print(f"RESULT {rows} {elapsed:.1f} {cpu:.1f} {peak_mb:.0f} {report.total('history_rows')}")
    print(f"MEMORY {watch.at_peak:.0f} {watch.samples_text()}")
    ws.close()


class _MemoryWatch(threading.Thread):
    """The import's resident memory once a second: when it peaks (rows, or the index builds at
    the end), and its course in tenths of the run."""

    def __init__(self, started: float) -> None:
        super().__init__(daemon=True)
        self.started = started
        self.stop = threading.Event()
        self.peak = 0
        self.at_peak = 0.0
        self.samples: list[tuple[float, int]] = []

    def run(self) -> None:
        while not self.stop.wait(1.0):
            mb = _resident_mb()
            at = time.perf_counter() - self.started
            self.samples.append((at, mb))
            if mb > self.peak:
                self.peak, self.at_peak = mb, at

    def samples_text(self) -> str:
        if not self.samples:
            return "-"
        step = max(1, len(self.samples) // 10)
        return ",".join(f"{at:.0f}s:{mb}" for at, mb in self.samples[::step])


def _resident_mb() -> int:
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
    return 0


def reference(csv_path: Path) -> tuple[float, int]:
    """The same history rows written by a hand-written DuckDB query: seconds, rows."""
    import duckdb

    stage_columns = ", ".join(f'"{c}"' for c in COLUMNS)
    started = time.perf_counter()
    con = duckdb.connect(":memory:")
    con.execute(
        f"""
        CREATE TABLE history AS
        WITH deals AS (
            SELECT *, CAST(round(CAST("Amount" AS DOUBLE) * 100) AS VARCHAR) AS amount_cents
            FROM read_csv('{csv_path}', header = true, all_varchar = true)
        ),
        moves AS (
            UNPIVOT deals ON {stage_columns} INTO NAME stage_column VALUE entered_at
        ),
        created AS (
            UNPIVOT deals ON "Deal Name", amount_cents, "Close Date", "Owner", "Lead Source"
            INTO NAME field VALUE value
        )
        SELECT "Deal ID" AS record, 'stage' AS field, stage_column AS value,
               CAST(entered_at AS TIMESTAMP) AS changed_at FROM moves WHERE entered_at <> ''
        UNION ALL
        SELECT "Deal ID", field, value, CAST("Created" AS TIMESTAMP) FROM created
        """
    )
    rows = con.execute("SELECT count(*) FROM history").fetchone()
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed, int(rows[0]) if rows else 0


def _load(values: tuple[float, float, float]) -> str:
    return ", ".join(f"{v:.1f}" for v in values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(*(Path(p) for p in args.child))
        return
    WORK.mkdir(parents=True, exist_ok=True)
    csv_path = WORK / f"history-rich-{args.records}.csv"
    mapping_path = WORK / "history-rich-mapping.yaml"
    stages_path = WORK / "history-rich-stages.yaml"
    mapping_path.write_text(MAPPING, encoding="utf-8")
    stages_path.write_text(STAGE_MODEL, encoding="utf-8")
    t0 = time.perf_counter()
    if not csv_path.exists():
        generate(csv_path, args.records)
    generated = time.perf_counter() - t0
    db = WORK / f"history-rich-{args.records}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    load_before = os.getloadavg()
    ref_seconds, ref_rows = reference(csv_path)
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.history_import_bench",
            "--child",
            str(csv_path),
            str(mapping_path),
            str(stages_path),
            str(db),
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT.parent,
    )
    load_after = os.getloadavg()
    line = next(x for x in child.stdout.splitlines() if x.startswith("RESULT"))
    _tag, rows, elapsed, cpu, peak, history = line.split()
    memory = next(x for x in child.stdout.splitlines() if x.startswith("MEMORY"))
    _tag, at_peak, course = memory.split()
    seconds = float(elapsed)
    sampled = f"1 s samples: highest at {float(at_peak):,.0f} s"
    size_mb = csv_path.stat().st_size / 1e6
    text = f"""# History-rich import benchmark

`make bench-history-import` (`.venv/bin/python -m benchmarks.history_import_bench`),
measured {datetime.now():%Y-%m-%d}.

| | |
|---|---|
| input | mapped CSV, {int(rows):,} deals, up to ten stage-entered dates each (to the second) |
| CSV size | {size_mb:,.0f} MB (generating it: {generated:,.1f} s, not counted) |
| database | SQLite file (WAL), a ten-stage process (`sqo init --stages`) |
| machine | {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()} |
| history rows written | {int(history):,} |
| **import time (wall)** | **{seconds:,.1f} s** (target: under 180 s) |
| import CPU time | {float(cpu):,.1f} s |
| records per second (wall) | {int(rows) / seconds:,.0f} |
| **peak memory (import process)** | **{float(peak):,.0f} MB** ({sampled}) |
| resident memory over the run (s: MB) | {course.replace(",", ", ")} |
| reference: DuckDB writes {ref_rows:,} history rows from the same CSV | {ref_seconds:,.1f} s |
| **sqo / reference** | **{seconds / ref_seconds:,.1f}x** |
| load average (1, 5, 15 min) before / after | {_load(load_before)} / {_load(load_after)} |
| before (same benchmark, the code before issue 10's speed work) | {BEFORE} |

The reference does less than sqo (no validation, no stage checks, no indexes, no durable
file): it is the floor for the same rows on this machine, in the same run.

The machine is shared (other processes run beside the benchmark; see the load average):
compare the CPU time as well as the wall time, and the ratio to the reference measured in the
same run.
"""
    print(text)
    if args.records == 1_000_000:
        RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
