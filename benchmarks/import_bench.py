"""Import benchmark: 1,000,000 Salesforce opportunities with 5,000,000 stage history rows into a
SQLite workspace. Reports rows per second and peak memory, and writes benchmarks/results/import.md.

Run with `make bench-import` (= `.venv/bin/python -m benchmarks.import_bench`); options:
`--opportunities N` (default 1,000,000; history rows are 5 per opportunity).
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import resource
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent
WORK = ROOT / "work"
RESULTS = ROOT / "results" / "import.md"
STAGES = ["Prospecting", "Needs Analysis", "Value Proposition", "Proposal/Price Quote"]
CLOSED = ["Closed Won", "Closed Lost"]


def generate(folder: Path, opportunities: int, seed: int = 7) -> tuple[int, int]:
    """Opportunity.csv and OpportunityHistory.csv: every deal has 5 history rows."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    start = datetime(2022, 1, 1)
    history_rows = 0
    with (
        (folder / "Opportunity.csv").open("w", newline="", encoding="utf-8") as o_file,
        (folder / "OpportunityHistory.csv").open("w", newline="", encoding="utf-8") as h_file,
    ):
        opps = csv.writer(o_file)
        hist = csv.writer(h_file)
        opps.writerow(
            [
                "Id",
                "Name",
                "StageName",
                "Amount",
                "CloseDate",
                "CreatedDate",
                "OwnerId",
                "AccountId",
                "LeadSource",
                "Region__c",
            ]
        )
        hist.writerow(["Id", "OpportunityId", "StageName", "Amount", "CreatedDate"])
        for n in range(opportunities):
            oid = f"006{n:015d}"
            created = start + timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60))
            path = [*STAGES, rng.choice(CLOSED)] if rng.random() < 0.6 else [*STAGES, STAGES[-1]]
            at = created
            amount = rng.randrange(1_000, 200_000)
            for step, stage in enumerate(path):
                history_rows += 1
                hist.writerow(
                    [
                        f"008{history_rows:015d}",
                        oid,
                        stage,
                        amount,
                        at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    ]
                )
                at += timedelta(days=rng.randrange(1, 20), minutes=step)
            opps.writerow(
                [
                    oid,
                    f"Deal {n}",
                    path[-1],
                    amount,
                    at.date().isoformat(),
                    created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    f"005{n % 500:015d}",
                    f"001{n % 20000:015d}",
                    rng.choice(["Web", "Partner", "Event"]),
                    rng.choice(["EMEA", "AMER", "APAC"]),
                ]
            )
    return opportunities, history_rows


def run_import(folder: Path, db: Path) -> None:
    """The measured part, in its own process so its peak memory is its own."""
    from sqo.domain.actor import Actor
    from sqo.domain.values import utc_now
    from sqo.io import salesforce
    from sqo.io.salesforce_files import salesforce_files
    from sqo.services.imports import known_keys, run_import
    from sqo.services.workspace import init_workspace

    actor = Actor("bench")
    ws = init_workspace(str(db), actor)
    reader = salesforce.SalesforceReader(
        ws.stage_model,
        utc_now(),
        "USD",
        salesforce.DEFAULT_STAGES,
        salesforce.DEFAULT_LEAD_STATUSES,
    )
    started = time.perf_counter()
    marks: dict[str, list[float]] = {}

    def progress(name: str, _rows: int) -> None:
        now = time.perf_counter()
        marks.setdefault(name, [now, now])[1] = now

    report = run_import(
        ws,
        actor,
        "salesforce",
        salesforce_files(folder, reader, known_keys(ws)),
        progress=progress,
    )
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = sum(f.rows for f in report.files)
    # Phases: each file from the end of the previous one to its last progress report.
    previous = 0.0
    for file in report.files:
        end = marks.get(file.name, [started, started])[1] - started
        print(f"PHASE {file.name} {file.rows} {end - previous:.1f} {file.history_rows}")
        previous = end
    print(f"PHASE commit 0 {elapsed - previous:.1f} 0")  # the last file's commit, and the audit
    print(f"RESULT {rows} {elapsed:.1f} {peak_mb:.0f} {report.total('history_rows')}")
    ws.close()


def _load(values: tuple[float, float, float]) -> str:
    return ", ".join(f"{v:.1f}" for v in values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opportunities", type=int, default=1_000_000)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_import(Path(args.child[0]), Path(args.child[1]))
        return
    folder = WORK / f"salesforce-{args.opportunities}"
    t0 = time.perf_counter()
    if not (folder / "OpportunityHistory.csv").exists():
        generate(folder, args.opportunities)
    generated = time.perf_counter() - t0
    db = WORK / f"bench-{args.opportunities}.db"
    load_before = os.getloadavg()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.import_bench", "--child", str(folder), str(db)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT.parent,
    )
    line = next(x for x in child.stdout.splitlines() if x.startswith("RESULT"))
    _tag, rows, elapsed, peak, history = line.split()
    rate = int(rows) / float(elapsed)
    load_after = os.getloadavg()
    with sqlite3.connect(db) as check:
        history = str(check.execute("SELECT COUNT(*) FROM history").fetchone()[0])
    db_mb = sum(Path(f"{db}{s}").stat().st_size for s in ("", "-wal") if Path(f"{db}{s}").exists())
    phases = []
    for phase in (x.split() for x in child.stdout.splitlines() if x.startswith("PHASE")):
        _p, name, phase_rows, seconds, _h = phase
        if name == "commit":
            phases.append(f"| (commit of the last file) | - | {float(seconds):,.1f} s | - |")
            continue
        per_second = int(phase_rows) / max(float(seconds), 0.001)
        phases.append(
            f"| {name} | {int(phase_rows):,} | {float(seconds):,.1f} s | {per_second:,.0f} |"
        )
    phase_table = "\n".join(phases)
    size_mb = sum(p.stat().st_size for p in folder.glob("*.csv")) / 1e6
    hist_text = (
        f"OpportunityHistory.csv ({int(rows) - args.opportunities:,} rows), {size_mb:,.0f} MB"
    )
    text = f"""# Import benchmark

`make bench-import` (`.venv/bin/python -m benchmarks.import_bench`),
measured {datetime.now():%Y-%m-%d}.

| | |
|---|---|
| input | Salesforce folder: Opportunity.csv ({args.opportunities:,} rows) + {hist_text} |
| database | SQLite file (WAL) |
| machine | {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()} |
| rows read | {int(rows):,} |
| history rows in the workspace | {int(history):,} |
| import time | {float(elapsed):,.1f} s (generating the CSVs: {generated:,.1f} s, not counted) |
| **rows per second** | **{rate:,.0f}** |
| **peak memory (import process)** | **{float(peak):,.0f} MB** |
| workspace file after the import | {db_mb / 1e6:,.0f} MB |
| load average (1, 5, 15 min) before / after | {_load(load_before)} / {_load(load_after)} |

By phase (one transaction per file):

| file | rows read | time | rows per second |
|---|---|---|---|
{phase_table}

"""
    print(text)
    if args.opportunities == 1_000_000:
        RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
