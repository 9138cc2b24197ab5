"""The four benchmarked questions: the sqo command line, the reference's queries, and the parts
of sqo's ``--json`` they are compared with."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from benchmarks import reference as ref
from benchmarks.reference import Question, rows

# Everything generated happened by the end of 2025.
AS_OF = "2025-12-31 23:59:59.999999"
# Coverage looks at the quarter of --as-of: mid-quarter, so open deals still close in it.
BENCH_AS_OF = "2025-11-15"
BENCH_AS_OF_TS = "2025-11-15 23:59:59.999999"
CHANGE_FROM, CHANGE_TO = "2025-07-01", "2025-09-30"


def _funnel(db: duckdb.DuckDBPyConnection) -> dict[str, list[dict[str, Any]]]:
    ref.share_records(db, AS_OF)
    return {
        "conversions": rows(db, ref.funnel_conversions_sql(AS_OF, shared=True)),
        "win_rates": rows(db, ref.funnel_win_rates_sql(AS_OF, shared=True)),
        "cycles": rows(db, ref.funnel_cycles_sql(AS_OF, shared=True)),
    }


def _funnel_sqo(out: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {part: out[part] for part in ("conversions", "win_rates", "cycles")}


def _stages(db: duckdb.DuckDBPyConnection) -> dict[str, list[dict[str, Any]]]:
    return {
        "time_in_stage": rows(db, ref.stages_time_sql(AS_OF)),
        "drop_off": rows(db, ref.stages_drop_off_sql(AS_OF)),
    }


def _stages_sqo(out: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {part: out[part] for part in ("time_in_stage", "drop_off")}


def _quarter(day: str) -> tuple[str, str]:
    d = date.fromisoformat(day)
    first = date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
    nxt = date(first.year + (first.month == 10), (first.month + 2) % 12 + 1, 1)
    return first.isoformat(), date.fromordinal(nxt.toordinal() - 1).isoformat()


def _benchmarks(db: duckdb.DuckDBPyConnection) -> dict[str, list[dict[str, Any]]]:
    out: list[dict[str, Any]] = []
    ref.share_records(db, BENCH_AS_OF_TS)
    for by, segment in (("'all' AS scope", None), ("segment", "segment")):
        sql_to_sqo = rows(
            db,
            f"SELECT {by}, count(*) AS sample, "
            "count(m4) / count(*) AS value FROM r WHERE m3 IS NOT NULL GROUP BY ALL",
        )
        win = rows(db, ref.funnel_win_rates_sql(BENCH_AS_OF_TS, by=by, shared=True))
        cycle = rows(db, ref.funnel_cycles_sql(BENCH_AS_OF_TS, by=by, shared=True))

        def seg(row: dict[str, Any], key: str | None = segment) -> Any:
            return row[key] if key else None

        out += [
            {"metric": "sql_to_sqo", "segment": seg(r), "value": r["value"], "sample": r["sample"]}
            for r in sql_to_sqo
        ]
        out += [
            {
                "metric": "sqo_win_rate",
                "segment": seg(r),
                "value": r["won"] / (r["won"] + r["lost"]) if r["won"] + r["lost"] else None,
                "sample": r["won"] + r["lost"],
            }
            for r in win
        ]
        out += [
            {
                "metric": "sales_cycle",
                "segment": seg(r),
                "value": r["median_days"],
                "sample": r["won"],
            }
            for r in cycle
        ]
    start, end = _quarter(BENCH_AS_OF)
    (coverage,) = rows(db, ref.coverage_sql(BENCH_AS_OF_TS, start, end))
    out.append(
        {
            "metric": "pipeline_coverage",
            "segment": None,
            "value": coverage["coverage"],
            "sample": coverage["open_deals"],
        }
    )
    return {"metrics": out}


def _benchmarks_sqo(out: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {
        "metrics": [
            {k: m[k] for k in ("metric", "segment", "value", "sample")} for m in out["metrics"]
        ]
    }


def _change(db: duckdb.DuckDBPyConnection) -> dict[str, list[dict[str, Any]]]:
    close_from, _ = _quarter(CHANGE_FROM)
    _, close_to = _quarter(CHANGE_TO)
    return {
        "bars": rows(
            db,
            ref.waterfall_sql(
                f"{CHANGE_FROM} 00:00:00", f"{CHANGE_TO} 23:59:59.999999", close_from, close_to
            ),
        )
    }


def _change_sqo(out: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    bars = [{"name": b["name"], "deals": b["deals"], "amount": b["amount"]} for b in out["bars"]]
    bars.append({"name": "start", "deals": out["start_deals"], "amount": out["start"]})
    bars.append({"name": "end", "deals": out["end_deals"], "amount": out["end"]})
    return {"bars": bars}


QUESTIONS: dict[str, tuple[list[str], Question]] = {
    "sqo funnel --by segment,quarter": (
        ["funnel", "--by", "segment,quarter", "--as-of", AS_OF[:10], "--json"],
        Question(
            "funnel",
            _funnel,
            _funnel_sqo,
            {
                "conversions": ("from", "to", "segment", "quarter"),
                "win_rates": ("segment", "quarter"),
                "cycles": ("segment", "quarter"),
            },
        ),
    ),
    "sqo stages": (
        ["stages", "--as-of", AS_OF[:10], "--json"],
        Question(
            "stages",
            _stages,
            _stages_sqo,
            {"time_in_stage": ("stage",), "drop_off": ("from", "to")},
        ),
    ),
    "sqo benchmarks": (
        ["benchmarks", "--as-of", BENCH_AS_OF, "--json"],
        Question("benchmarks", _benchmarks, _benchmarks_sqo, {"metrics": ("metric", "segment")}),
    ),
    "sqo pipeline-change": (
        ["pipeline-change", "--from", CHANGE_FROM, "--to", CHANGE_TO, "--limit", "0", "--json"],
        Question("pipeline-change", _change, _change_sqo, {"bars": ("name",)}),
    ),
}
