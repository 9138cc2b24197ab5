# ruff: noqa: E501
"""`sqo campaigns --model all` on 1,000,000 opportunities with 10,000,000 activities.

Run with `make bench-campaigns` (`python -m benchmarks.campaigns_bench --help` for options).
Data: the analytics benchmark's generated pipeline (benchmarks/pipeline_data.py, seed 12, loaded
into a SQLite workspace) plus campaigns, leads, campaign memberships and activities generated
outside sqo (benchmarks/campaigns_data.py). sqo: fresh processes with `--json`, wall time, CPU
time and peak memory from GNU time: first a cold run (the workspace's analytics copy deleted, so
the run builds it), then `--runs` warm ones (the target is for a warm copy). Reference: the same
question for first touch and linear (SQOs per campaign) as hand-written DuckDB SQL over the
generated Parquet files, timed as a query in the same run; its cells are compared with sqo's
JSON, and with `--expect FILE` the whole JSON with a saved one (byte for byte). Targets: under
10 s and 1 GB. `--size 100000` builds and times a tenth of the data (for iterating).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from benchmarks.campaigns_data import append, generate
from benchmarks.pipeline_data import generate_parquet
from benchmarks.pipeline_load import load_sqlite
from sqo.store.analytics_copy_file import copy_path

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results" / "campaigns.md"
AS_OF = "2025-12-31"
SQO_OR_LATER = ("SQO", "Solution", "Proposal", "Negotiation", "Commit", "Won")


def prepare(work: Path, size: int, seed: int) -> Path:
    pipeline, marketing = work / f"data-{size}", work / f"marketing-{size}"
    db = work / f"campaigns-{size}.db"
    done = db.with_suffix(".loaded")
    if done.exists():
        return db
    if not (pipeline / "history.parquet").exists():
        generate_parquet(pipeline, size, seed=seed)
    load_sqlite(pipeline, db)
    generate(pipeline, marketing, seed=seed)
    append(marketing, db)
    done.write_text("loaded\n")
    return db


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu: float  # user + system
    peak_mb: int
    output: bytes

    @property
    def data(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.output)
        return parsed


def run_sqo(db: Path) -> Run:
    with tempfile.TemporaryDirectory() as tmp:
        out, timing = Path(tmp) / "out.json", Path(tmp) / "time.txt"
        command = [
            "/usr/bin/time",
            "-f",
            "%e %U %S %M",
            "-o",
            str(timing),
            sys.executable,
            "-m",
            "sqo",
            "--db",
            str(db),
            "campaigns",
            "--model",
            "all",
            "--as-of",
            AS_OF,
            "--json",
        ]
        with out.open("w") as handle:
            subprocess.run(
                command,
                stdout=handle,
                check=True,
                env={**os.environ, "PYTHONPATH": str(ROOT.parent)},
            )
        seconds, user, system, kb = timing.read_text().split()[-4:]
        return Run(float(seconds), float(user) + float(system), int(kb) // 1024, out.read_bytes())


def load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def reference(pipeline: Path, marketing: Path) -> tuple[float, dict[tuple[str, str], float]]:
    """First-touch and linear SQOs per campaign (or source), in DuckDB over the Parquet files."""
    stages = ", ".join(f"'{s}'" for s in SQO_OR_LATER)
    sql = f"""
    WITH sqo AS (
        SELECT record_id AS opp, min(changed_at) AS sqo_at FROM read_parquet('{pipeline}/history.parquet')
        WHERE record_type = 'opportunity' AND field = 'stage' AND new_value IN ({stages}) GROUP BY 1
    ), leads AS (SELECT * FROM read_parquet('{marketing}/leads.parquet') WHERE converted_opportunity_id IS NOT NULL),
    campaigns AS (SELECT id, channel FROM read_parquet('{marketing}/campaigns.parquet')),
    raw AS (
        SELECT l.converted_opportunity_id AS opp, m.touched_at AS touched, m.campaign_id, NULL AS source
        FROM read_parquet('{marketing}/campaign_members.parquet') m JOIN leads l ON l.id = m.lead_id
        UNION SELECT converted_opportunity_id, created_at, campaign_id, NULL FROM leads WHERE campaign_id IS NOT NULL
        UNION SELECT converted_opportunity_id, created_at, NULL, source FROM leads WHERE campaign_id IS NULL AND source IS NOT NULL
        UNION SELECT id, created_at, NULL, source FROM read_parquet('{pipeline}/opportunities.parquet')
              WHERE id NOT IN (SELECT converted_opportunity_id FROM leads) AND source IS NOT NULL
    ), counted AS (
        SELECT r.opp, r.touched, r.campaign_id, coalesce(c.channel, r.source) AS channel
        FROM raw r JOIN sqo s ON s.opp = r.opp LEFT JOIN campaigns c ON c.id = r.campaign_id
        WHERE r.touched <= s.sqo_at AND r.touched <= TIMESTAMP '{AS_OF} 23:59:59.999999'
    ), ranked AS (
        SELECT *, row_number() OVER (PARTITION BY opp ORDER BY touched, campaign_id IS NULL, campaign_id, channel) AS rn,
               count(*) OVER (PARTITION BY opp) AS n FROM counted
    )
    SELECT 'first-touch', coalesce(campaign_id::VARCHAR, 'source:' || channel), count(*)::DOUBLE FROM ranked WHERE rn = 1 GROUP BY 2
    UNION ALL SELECT 'first-touch', 'none', (SELECT count(*) FROM sqo) - (SELECT count(DISTINCT opp) FROM counted)
    UNION ALL SELECT 'linear', coalesce(campaign_id::VARCHAR, 'source:' || channel), sum(1.0 / n) FROM ranked GROUP BY 2
    UNION ALL SELECT 'linear', 'none', (SELECT count(*) FROM sqo) - (SELECT count(DISTINCT opp) FROM counted)
    """
    db = duckdb.connect()
    db.execute("SET memory_limit = '1GB'; SET enable_progress_bar = false")
    started = time.perf_counter()
    rows = db.execute(sql).fetchall()
    seconds = time.perf_counter() - started
    db.close()
    return seconds, {(m, k): float(v) for m, k, v in rows if v}


def sqo_cells(data: dict[str, Any]) -> dict[tuple[str, str], float]:
    out = {}
    for line in data["campaigns"]:
        if line["model"] not in ("first-touch", "linear") or not line["credited"]["SQO"]:
            continue
        if line["campaign_id"] is not None:
            key = str(line["campaign_id"])
        elif line["channel"] is not None:
            key = "source:" + line["channel"]
        else:
            key = "none"
        out[line["model"], key] = float(line["credited"]["SQO"])
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--work", type=Path, default=ROOT / "work", help="where the data and workspace are kept"
    )
    parser.add_argument(
        "--size", type=int, default=1_000_000, help="opportunities (default 1,000,000)"
    )
    parser.add_argument("--runs", type=int, default=3, help="fresh-process runs")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--note", default="", help="a line for the results file")
    parser.add_argument(
        "--expect", type=Path, help="sqo's JSON from before a change, to compare byte for byte"
    )
    options = parser.parse_args(argv)
    options.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    db = prepare(options.work, options.size, options.seed)
    prepared = time.perf_counter() - started
    load_before = load()
    copy = copy_path(f"sqlite:///{db}")
    for stale in (copy, copy.with_name(copy.name + ".wal")):
        stale.unlink(missing_ok=True)
    cold = run_sqo(db)  # builds the analytics copy
    runs = [run_sqo(db) for _ in range(options.runs)]
    ref_seconds = []
    for _ in range(options.runs):
        seconds, expected = reference(
            options.work / f"data-{options.size}", options.work / f"marketing-{options.size}"
        )
        ref_seconds.append(seconds)
    load_after = load()
    got = sqo_cells(runs[-1].data)
    differing = sum(
        1 for k in set(got) | set(expected) if abs(got.get(k, 0.0) - expected.get(k, 0.0)) > 1e-6
    )
    same = all(r.output == cold.output for r in runs)
    if options.expect is not None:
        same = same and cold.output == options.expect.read_bytes()
    times = sorted(r.seconds for r in runs)
    median, slowest, peak = times[len(times) // 2], times[-1], max(r.peak_mb for r in runs)
    cpu = sorted(r.cpu for r in runs)[len(runs) // 2]
    ref = sorted(ref_seconds)[len(ref_seconds) // 2]
    counts = (
        duckdb.connect()
        .execute(
            f"SELECT (SELECT count(*) FROM read_parquet('{options.work}/marketing-{options.size}/activities.parquet')),"
            f" (SELECT count(*) FROM read_parquet('{options.work}/marketing-{options.size}/campaign_members.parquet')),"
            f" (SELECT count(*) FROM read_parquet('{options.work}/marketing-{options.size}/leads.parquet'))"
        )
        .fetchone()
    )
    assert counts is not None
    met = median < 10 and peak < 1024
    compared = (
        f"identical to {options.expect.name}: {'yes' if same else '**no**'}"
        if options.expect is not None
        else f"runs identical to each other: {'yes' if same else '**no**'}"
    )
    text = f"""# Campaigns benchmark: `sqo campaigns --model all`

Run with `make bench-campaigns` (`python -m benchmarks.campaigns_bench`). {options.note}

Data: {options.size:,} generated opportunities (benchmarks/pipeline_data.py, seed {options.seed}), {counts[2]:,} leads,
{counts[1]:,} campaign memberships over 40 campaigns, {counts[0]:,} activities (benchmarks/campaigns_data.py),
SQLite workspace; `--as-of {AS_OF}`; preparing it took {prepared:.0f} s this run (0 when kept from before).
Load average (1 / 5 / 15 min) {load_before} before the runs, {load_after} after.

| command | sqo median s | sqo slowest s | sqo CPU s | reference s | ratio | sqo peak MB | cells differing | target met |
|---|---:|---:|---:|---:|---:|---:|---:|---|
| `sqo campaigns --model all --json`, warm copy ({options.runs} runs) | {median:.2f} | {slowest:.2f} | {cpu:.2f} | {ref:.3f} | {median / ref:.1f}x | {peak} | {differing} of {len(set(got) | set(expected))} | {"yes" if met else "**no**"} |
| the same, cold: the first run builds the analytics copy | {cold.seconds:.2f} | | {cold.cpu:.2f} | | | {cold.peak_mb} | | |

JSON output: {compared}.

The reference answers a smaller question (SQOs per campaign under first touch and linear, in one
DuckDB query over the Parquet files, data in place) than the command (seven models, six
milestones, pipeline and revenue, cost per milestone, channels); its cells are compared with the
command's first-touch and linear SQO credit (equal to a millionth).
"""
    options.results.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
