"""The benchmark's DuckDB reference funnel is itself right: on a few hundred generated deals it
equals a plain pandas computation of docs/analytics.md's definitions (first time a milestone is
reached, skipped milestones passed, Lost reaches nothing, linear-interpolated median and p90,
quarter of entering the earlier milestone)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from benchmarks import reference as ref
from benchmarks.pipeline_data import generate_parquet

AS_OF = "2025-12-31 23:59:59.999999"
MILESTONES = ["Lead", "MQL", "SAL", "SQL", "SQO", "Won"]
# The default stage model: Qualification is after SQL, SQO..Commit are at or past SQO.
LEVEL = {
    "Qualification": 3,
    "SQO": 4,
    "Solution": 4,
    "Proposal": 4,
    "Negotiation": 4,
    "Commit": 4,
    "Won": 5,
}


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bench") / "export"
    generate_parquet(folder, 400, seed=3, log=False, layout=False)
    return folder


def pandas_funnel(folder: Path) -> list[dict[str, Any]]:
    history = pd.read_parquet(folder / "history.parquet")
    deals = pd.read_parquet(folder / "opportunities.parquet")
    accounts = pd.read_parquet(folder / "accounts.parquet")
    stages = history[(history.field == "stage") & (history.changed_at <= pd.Timestamp(AS_OF))]
    stages = stages.sort_values(["record_id", "changed_at", "id"])
    segment = deals.set_index("id").account_id.map(accounts.set_index("id").segment)
    out = []
    records = []
    for record_id, rows in stages.groupby("record_id"):
        reached: dict[int, pd.Timestamp] = {}
        for stage, at in zip(rows.new_value, rows.changed_at, strict=True):
            for level in range(LEVEL.get(stage, -1) + 1):
                reached.setdefault(level, at)
        records.append((segment[record_id], reached, rows.new_value.iloc[-1]))
    last = len(MILESTONES) - 1
    pairs = [(n, n + 1) for n in range(last)] + [(n, last) for n in range(last - 1)]
    for a, b in pairs:
        groups: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
        for seg, reached, stage in records:
            if a in reached:
                quarter = reached[a].to_period("Q").start_time.strftime("%Y-%m-%d")
                groups.setdefault((seg, quarter), []).append((reached, stage))
        for (seg, quarter), members in groups.items():
            days = pd.Series(
                [(r[b] - r[a]).total_seconds() / 86400 for r, _s in members if b in r],
                dtype=float,
            )
            lost = [s for r, s in members if b not in r and s in ("Lost", "Disqualified")]
            out.append(
                {
                    "from": MILESTONES[a],
                    "to": MILESTONES[b],
                    "segment": seg,
                    "quarter": quarter,
                    "entered": len(members),
                    "converted": len(days),
                    "open": len(members) - len(days) - len(lost),
                    "dropped": len(lost),
                    "median_days": days.quantile(0.5) if len(days) else None,
                    "p90_days": days.quantile(0.9) if len(days) else None,
                }
            )
    return out


def test_reference_funnel_equals_pandas(export: Path) -> None:
    db = ref.connect(export)
    ours = {"conversions": ref.rows(db, ref.funnel_conversions_sql(AS_OF))}
    expected = {"conversions": pandas_funnel(export)}
    compared, differing, examples = ref.compare(
        ours, expected, {"conversions": ("from", "to", "segment", "quarter")}
    )
    assert differing == 0, examples
    # Enough groups to mean something: 9 milestone pairs, 3 segments, 12 quarters.
    assert compared > 1000
    # Some deals are still open at the end of 2025, some dropped, some won.
    rows = ours["conversions"]
    assert sum(r["open"] for r in rows) > 0
    assert sum(r["dropped"] for r in rows) > 0
    assert any(r["to"] == "Won" and r["converted"] for r in rows)
