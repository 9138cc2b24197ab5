"""Forecast benchmarks (issue 14), each figure beside a reference computation as a ratio.

Run: make bench-forecast   (or .venv/bin/python -m benchmarks.forecast_bench)
Writes: benchmarks/results/forecast.md

Targets on a 2-core machine:
- training on 100,000 closed opportunities under 60 s (the fit: both models, calibrated, scored
  on later weeks, the better refitted; ~3 weekly rows per deal, like the demo's 3.2); reference:
  one plain scikit-learn logistic regression on the same matrix;
- scoring 100,000 open opportunities under 10 s (encoding and calibrated predict); reference: the
  bare estimator's predict_proba on a matrix already built;
- a Monte Carlo forecast, 10,000 draws over 50,000 open deals, under 5 s; reference: the normal
  approximation (mean and variance in pandas) to the same range, with the gap between the two P50s;
- the demo's backtest (a year of Mondays) under 2 minutes; reference: pandas replaying the same
  Mondays from the history table for the configured stage values only (their Brier scores must
  agree);
- ``train-e2e``: `sqo model train` end to end on a generated workspace of 200,000 opportunities
  (about 110,000 closed SQO-pipeline deals; benchmarks/pipeline_data.py, loaded into SQLite),
  under 60 s: the training rows, the fit and the write, as a user runs it, timed with GNU time
  (wall, user + sys, peak memory); the training rows alone are timed in-process beside it, and
  beside them the reference: one hand-written DuckDB query building the same rows from the
  workspace's Parquet files (benchmarks/forecast_rows_reference.py), its rows compared.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

import numpy as np
import pandas as pd

from sqo.analytics.forecast.model import LOGISTIC, candidates, fit, one_thread
from sqo.analytics.forecast.montecarlo import percentiles, simulate_totals
from sqo.analytics.forecast.training_rows import DealRow
from sqo.domain.actor import Actor
from sqo.services.demo import build_demo
from sqo.services.forecast_backtest import backtest_report
from sqo.services.workspace import open_workspace

RESULTS = Path(__file__).parent / "results" / "forecast.md"
STAGES = ("SQO", "Solution", "Proposal", "Negotiation", "Commit")
CONFIGURED = {"SQO": 0.15, "Solution": 0.3, "Proposal": 0.5, "Negotiation": 0.7, "Commit": 0.9}
PIPELINE = set(STAGES)
AS_OF = "2026-01-01"  # train-e2e: what the user types, the end of that day


def synthetic_rows(deals: int, per_deal: int, seed: int) -> list[DealRow]:
    rng = np.random.default_rng(seed)
    t0 = datetime(2022, 1, 3)
    rows = []
    for deal in range(deals):
        stage_index = int(rng.integers(len(STAGES)))
        won = bool(rng.random() < 0.15 + 0.15 * stage_index)
        start = t0 + timedelta(days=int(rng.integers(0, 1000)))
        for week in range(per_deal):
            stage = STAGES[min(stage_index + week // 2, len(STAGES) - 1)]
            rows.append(
                DealRow(
                    deal_id=deal,
                    moment=start + timedelta(weeks=week),
                    stage=stage,
                    segment=("SMB", "mid-market", "enterprise")[deal % 3],
                    source=("Website", "Referral", "Outbound")[deal % 3],
                    age_days=7.0 * week + 10,
                    days_in_stage=float(rng.uniform(1, 40)),
                    amount_cents=int(rng.integers(1_000, 200_000)) * 100,
                    days_to_close=float(rng.uniform(-10, 90)),
                    pushes=int(rng.poisson(0.8)),
                    amount_changes=int(rng.poisson(0.4)),
                    qualification_score=float(rng.uniform(0.4, 1)),
                    overridden=bool(rng.random() < 0.1),
                    activities=int(rng.poisson(8)),
                    recent_activities=int(rng.poisson(3)),
                    days_since_activity=float(rng.uniform(0, 30)),
                    inbound_share=float(rng.uniform(0, 1)),
                    won=won,
                )
            )
    return rows


CPU: dict[str, float] = {}  # the last timed action's processor time, beside its wall time


def timed(action):  # type: ignore[no-untyped-def]
    """Wall time (and, in ``CPU``, processor time: on a shared machine the two differ)."""
    started, cpu = time.perf_counter(), time.process_time()
    result = action()
    CPU["last"] = time.process_time() - cpu
    return time.perf_counter() - started, result


def bench_training() -> tuple[list[str], object]:
    rows = synthetic_rows(100_000, 3, seed=1)
    seconds, fitted = timed(lambda: fit(rows, CONFIGURED))
    x = fitted.encoding.matrix(rows)
    y = np.asarray([r.won for r in rows], dtype=int)
    with one_thread():
        reference, _ = timed(lambda: candidates()[LOGISTIC].fit(x, y))
    return [
        f"| training, 100,000 closed deals ({len(rows):,} weekly rows) | {seconds:.1f} s | "
        f"60 s | plain logistic regression on the same matrix: {reference:.2f} s | "
        f"{seconds / reference:.0f}x |"
    ], fitted


def bench_scoring(fitted) -> list[str]:  # type: ignore[no-untyped-def]
    rows = synthetic_rows(100_000, 1, seed=2)
    seconds, _ = timed(lambda: fitted.probabilities(rows))
    x = fitted.encoding.matrix(rows)
    with one_thread():
        reference, _ = timed(lambda: fitted.estimator.predict_proba(x))
    return [
        f"| scoring 100,000 open deals ({fitted.kind}) | {seconds:.2f} s | 10 s | "
        f"bare predict_proba on a built matrix: {reference:.2f} s | {seconds / reference:.1f}x |"
    ]


def train_workspace(opportunities: int = 200_000, seed: int = 12) -> Path:
    """A SQLite workspace of generated deals in benchmarks/work (made once, then reused)."""
    from benchmarks.pipeline_data import generate_parquet
    from benchmarks.pipeline_load import load_sqlite

    work = Path(__file__).parent / "work"
    db = work / f"forecast-train-{opportunities}-seed{seed}.db"
    if not db.exists():
        folder = work / f"forecast-train-{opportunities}-seed{seed}-data"
        generate_parquet(folder, opportunities, seed=seed, log=False)
        load_sqlite(folder, db)
    return db


def _compared(rows: list[DealRow], moments: list[datetime]) -> list[tuple[object, ...]]:
    """The columns the DuckDB reference returns, in its order."""
    index = {m: k for k, m in enumerate(moments)}
    return [
        (
            r.deal_id,
            index[r.moment],
            r.stage,
            r.segment,
            r.source,
            r.amount_cents,
            r.pushes,
            r.amount_changes,
            r.qualification_score,
            r.activities,
            r.recent_activities,
            r.won,
            None if r.closed_on is None else r.closed_on.isoformat(),
        )
        for r in rows
    ]


def bench_train_end_to_end() -> list[str]:
    import subprocess

    from benchmarks.forecast_rows_reference import reference_rows
    from sqo.analytics.forecast.training_rows import history_span, snapshot_moments, training_rows
    from sqo.analytics.states import open_sqo_stages
    from sqo.services.periods import as_of_moment

    db = train_workspace()
    folder = db.with_name(db.stem + "-data")  # the Parquet files the workspace was loaded from
    cutoff = as_of_moment(AS_OF)
    assert cutoff is not None
    load = os.getloadavg()[0]
    ws = open_workspace(str(db))
    try:
        with ws.unit_of_work() as uow:
            rows_seconds, rows = timed(
                lambda: training_rows(uow.connection, ws.stage_model, cutoff)
            )
            rows_cpu = CPU["last"]
            first, _last = history_span(uow.connection)
        stages = open_sqo_stages(ws.stage_model)
    finally:
        ws.close()
    assert first is not None
    moments = snapshot_moments(first, cutoff)
    reference, expected = timed(lambda: reference_rows(folder, moments, cutoff, stages))
    reference_cpu = CPU["last"]
    agree = _compared(rows, moments) == [tuple(r) for r in expected]
    deals = len({r.deal_id for r in rows})
    command = [
        "/usr/bin/time",
        "-f",
        "%e %U %S %M",
        sys.executable,
        "-m",
        "sqo",
        "--db",
        str(db),
        "model",
        "train",
        "--as-of",
        AS_OF,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    wall, user, system, peak_kb = done.stderr.strip().splitlines()[-1].split()
    load_after = os.getloadavg()[0]
    return [
        f"| `sqo model train` end to end, {deals:,} closed deals ({len(rows):,} weekly rows) | "
        f"{float(wall):.1f} s wall, {float(user) + float(system):.1f} s CPU, "
        f"{int(peak_kb) / 1024:.0f} MiB peak | 60 s | the training rows alone: "
        f"{rows_seconds:.1f} s wall, {rows_cpu:.1f} s CPU; DuckDB over the Parquet files, the "
        f"same rows in one query ({'rows agree' if agree else 'ROWS DIFFER'}): "
        f"{reference:.1f} s wall, {reference_cpu:.1f} s CPU | "
        f"rows {rows_seconds / reference:.1f}x wall, {rows_cpu / reference_cpu:.1f}x CPU "
        f"(load {load:.1f} before, {load_after:.1f} after) |"
    ]


def bench_monte_carlo() -> list[str]:
    rng = np.random.default_rng(3)
    amounts = (rng.integers(1_000, 200_000, 50_000) * 100).tolist()
    chances = rng.uniform(0, 0.6, 50_000).tolist()
    seconds, totals = timed(lambda: percentiles(simulate_totals(amounts, chances)))
    cpu = CPU["last"]

    def normal() -> float:
        frame = pd.DataFrame({"a": amounts, "p": chances})
        return float((frame.a * frame.p).sum())

    reference, mean = timed(normal)
    gap = abs(totals.p50_cents - mean) / mean
    return [
        f"| Monte Carlo, 10,000 draws x 50,000 deals | {seconds:.2f} s (processor {cpu:.2f} s) "
        "| 5 s | "
        f"normal approximation in pandas: {reference:.3f} s (P50s differ by {gap:.3%}) | "
        f"{seconds / reference:.0f}x |"
    ]


def replay_in_pandas(path: Path, start: date, end: date, cutoff: datetime) -> list[np.ndarray]:
    """The configured stage values' Brier over the same Mondays, from the history table alone."""
    with sqlite3.connect(path) as db:
        history = pd.read_sql(
            "SELECT id, record_id, new_value AS stage, changed_at FROM history "
            "WHERE record_type = 'opportunity' AND field = 'stage'",
            db,
            parse_dates=["changed_at"],
        )
    history = history.sort_values(["changed_at", "id"])
    final = history[history.changed_at <= cutoff].groupby("record_id").stage.last()
    closed = final[final.isin(["Won", "Lost"])]
    squares = []
    monday = start + timedelta(days=(7 - start.weekday()) % 7)
    while monday <= end:
        moment = datetime.combine(monday, clock())
        then = history[history.changed_at <= moment].groupby("record_id").stage.last()
        open_then = then[then.isin(PIPELINE) & then.index.isin(closed.index)]
        p = open_then.map(CONFIGURED)
        y = (closed.loc[open_then.index] == "Won").astype(float)
        squares.append(((p - y) ** 2).to_numpy())
        monday += timedelta(days=7)
    return squares


def bench_backtest() -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.db"
        build_demo(str(path), Actor("bench"), seed=7, today=date(2026, 6, 30)).workspace.close()
        ws = open_workspace(str(path))
        start, end = date(2025, 7, 1), date(2026, 6, 30)
        cutoff = datetime.combine(end, clock.max)
        seconds, report = timed(
            lambda: backtest_report(ws, Actor("bench"), start=start, end=end, as_of=cutoff)
        )
        ws.close()
        reference, squares = timed(lambda: replay_in_pandas(path, start, end, cutoff))
    scored = squares[-report.weeks :]  # the Mondays every method predicts: the last ones
    pandas_brier = float(np.concatenate(scored).mean())
    mine = next(r for r in report.results if r.method == "configured").brier or 0.0
    return [
        f"| demo backtest, {report.weeks} Mondays x 5 methods | {seconds:.1f} s | 120 s | "
        f"pandas replay of the configured values only: {reference:.1f} s (Brier {pandas_brier:.4f} "
        f"vs {mine:.4f}) | {seconds / reference:.0f}x |"
    ]


def main() -> None:
    which = set(sys.argv[1:]) or {"training", "scoring", "montecarlo", "backtest", "train-e2e"}
    lines = [
        "# Forecast benchmarks",
        "",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()} (shared with other work while measured)",
        f"- measured: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        "| what | time | target | reference | ratio |",
        "|---|---|---|---|---|",
    ]
    fitted = None
    if "training" in which or "scoring" in which:
        rows, fitted = bench_training()
        if "training" in which:
            lines += rows
    if "scoring" in which and fitted is not None:
        lines += bench_scoring(fitted)
    if "montecarlo" in which:
        lines += bench_monte_carlo()
    if "backtest" in which:
        lines += bench_backtest()
    if "train-e2e" in which:
        lines += bench_train_end_to_end()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
