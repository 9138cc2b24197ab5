"""`sqo hygiene` against a hand-written DuckDB reference, on the demo and on 1,000,000 deals.

Run with ``make bench-hygiene`` (= ``.venv/bin/python -m benchmarks.hygiene_bench``); options go
in ARGS: ``make bench-hygiene ARGS="--runs 5 --skip-1m"``.

- Demo: the demo workspace (seed 7, today 2026-06-30) exported with ``sqo export --format
  parquet``; ``sqo hygiene --as-of 2026-06-30 --json`` in a fresh process, ``--runs`` times.
- 1M: a copy of the analytics benchmark's SQLite workspace (200 reps, 1,000,000 opportunities,
  9.3 million history rows; ``make bench-analytics`` builds it under benchmarks/work/, or give
  ``--source``), never written to, with the facts it lacks added to the copy
  (benchmarks/hygiene_data.py: about a million activities, next steps, buying roles, gate
  evaluations). The copy's analytics copy is built first (timed apart: the once-per-workspace
  cost every analytics command shares), then ``sqo hygiene --as-of 2025-12-31 --json``.

Each run's wall time and peak memory (max RSS) are measured in a fresh process; the reference
(benchmarks/hygiene_reference.py) runs in this process over the same data as Parquet and is
timed as its query. The findings are compared pair by pair (rule, deal). Results go to
benchmarks/results/hygiene.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from benchmarks import hygiene_reference as ref
from benchmarks.analytics_bench import measure
from benchmarks.analytics_results import Run
from benchmarks.hygiene_data import enrich, load

ROOT = Path(__file__).resolve().parent
WORK = ROOT / "work"
RESULTS = ROOT / "results" / "hygiene.md"
SOURCE = WORK / "sqlite-1000000-seed12.db"
SOURCE_DATA = WORK / "data-1000000-seed12"
DEMO_AS_OF, BIG_AS_OF = "2026-06-30", "2025-12-31"


def sqo(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "sqo", "--db", str(db), *args]


def env() -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONPATH": str(ROOT.parent), "SQO_ANALYTICS_COPY": "on"}


@dataclass
class Case:
    name: str
    runs: list[Run]
    reference_seconds: list[float]
    reference_mb: float
    findings: int
    differing: int
    rules: dict[str, int]
    notes: str = ""
    baseline: float = 0.0  # `sqo pipeline --json` on the same workspace: the machine's load

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.peak_mb for r in self.runs)

    @property
    def reference(self) -> float:
        return statistics.median(self.reference_seconds)


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(name: str, db: Path, data: Path, as_of: str, runs: int, notes: str = "") -> Case:
    measured, report, baseline = [], None, []
    for _ in range(runs):
        baseline.append(measure(sqo(db, "pipeline", "--json"), env()).seconds)
        run = measure(sqo(db, "hygiene", "--as-of", as_of, "--json"), env())
        if run.exit_code != 0:
            raise SystemExit(f"sqo hygiene failed on {name}")
        measured.append(run)
        report = json.loads(run.stdout)
    assert report is not None
    moment = f"{as_of} 23:59:59.999999"
    seconds, pairs = [], set()
    for _ in range(runs):
        db_ref = ref.connect(data)
        took, pairs = ref.findings(db_ref, moment)
        db_ref.close()
        seconds.append(took)
    mine = ref.sqo_pairs(report)
    differing = len(mine ^ pairs)
    if differing:
        print(
            f"  {name}: only sqo {sorted(mine - pairs)[:5]}, only reference "
            f"{sorted(pairs - mine)[:5]}",
            flush=True,
        )
    return Case(
        name,
        measured,
        seconds,
        _peak_mb(),
        len(mine),
        differing,
        report["rule_counts"],
        notes,
        statistics.median(baseline),
    )


def demo_case(runs: int) -> Case:
    from sqo.domain.actor import Actor
    from sqo.services.demo import build_demo

    db, export = WORK / "hygiene-demo.db", WORK / "hygiene-demo-export"
    if not db.exists():
        build_demo(str(db), Actor("bench"), seed=7, today=date(2026, 6, 30)).workspace.close()
    if not (export / "manifest.json").exists():
        shutil.rmtree(export, ignore_errors=True)
        subprocess.run(
            sqo(db, "export", str(export), "--format", "parquet"),
            check=True,
            env=env(),
            capture_output=True,
        )
    return run_case("demo (1,403 deals, 89,869 history rows)", db, export, DEMO_AS_OF, runs)


def big_case(runs: int, source: Path, source_data: Path) -> Case:
    db, data = WORK / "hygiene-1m.db", WORK / "hygiene-1m-data"
    stamp = Path(str(db) + ".enriched")
    notes = []
    if not stamp.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        started = time.perf_counter()
        shutil.copyfile(source, db)  # the source is another benchmark's: never written to
        enrich(source_data, data, f"{BIG_AS_OF} 23:59:59.999999")
        loaded = load(data, db)
        stamp.write_text(f"{time.perf_counter() - started:.0f}")
        notes.append(f"copied and enriched in {stamp.read_text()} s (load {loaded:.0f} s)")
    build = measure(sqo(db, "refresh-analytics", "--json"), env())
    notes.append(
        f"analytics copy brought up to date first in {build.seconds:.0f} s, "
        f"peak {build.peak_mb:.0f} MiB"
    )
    return run_case(
        "1M (200 reps, 1,000,000 deals, 9.3M history rows, 1.0M activities)",
        db,
        data,
        BIG_AS_OF,
        runs,
        "; ".join(notes),
    )


def write(cases: list[Case], runs: int) -> None:
    lines = [
        "# `sqo hygiene`: measured against a hand-written DuckDB reference",
        "",
        "Written by `make bench-hygiene` (benchmarks/hygiene_bench.py); 2-core machine shared "
        "with other work. sqo: median wall time of a fresh `sqo hygiene --as-of DAY --json` "
        f"process over {runs} runs, and its peak memory (max RSS). Reference: the same "
        "findings as one DuckDB query over the same data as Parquet "
        "(benchmarks/hygiene_reference.py), timed as its query (median). Findings are "
        "compared as (rule, deal) pairs; pipeline bloat (per rep and team) is not in the "
        "reference. The last column times `sqo pipeline --json` (the lightest command) on the "
        "same workspace between the runs: how loaded the machine was.",
        "",
        "| data | sqo | peak memory | reference | ratio | findings | differing | target "
        "| `sqo pipeline`, same moment |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for c in cases:
        target = "< 2 s" if c.name.startswith("demo") else "< 15 s, < 1 GB"
        lines.append(
            f"| {c.name} | {c.seconds:.2f} s | {c.peak_mb:.0f} MiB | {c.reference:.2f} s | "
            f"{c.seconds / c.reference:.1f}x | {c.findings:,} | {c.differing} | {target} "
            f"| {c.baseline:.2f} s |"
        )
    lines.append("")
    for c in cases:
        counts = ", ".join(f"{k} {v:,}" for k, v in c.rules.items())
        lines.append(f"- {c.name}: {counts}." + (f" {c.notes}." if c.notes else ""))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(RESULTS.read_text(), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-1m", action="store_true")
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--source-data", type=Path, default=SOURCE_DATA)
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    cases = [demo_case(args.runs)]
    if not args.skip_1m:
        cases.append(big_case(args.runs, args.source, args.source_data))
    write(cases, args.runs)


if __name__ == "__main__":
    main()
