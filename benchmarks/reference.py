# ruff: noqa: E501
"""Hand-written DuckDB queries answering the questions of sqo's analytics commands, written from
docs/analytics.md and not from sqo's code, over the Parquet files of an sqo export.

Each ``*_sql`` function returns one query (or a few) over the views ``history``,
``opportunities``, ``accounts`` and ``quotas``; :func:`run` times them as queries (the data is in
place, as the export's files) and returns rows shaped like the matching keys of sqo's ``--json``
so that :func:`compare` can check them cell for cell.

The workspace is the default stage model with opportunities only (no leads): an opportunity
enters at Qualification, which is past every lead milestone, so it passed Lead, MQL, SAL and SQL
when it was created.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

MILESTONES = ["Lead", "MQL", "SAL", "SQL", "SQO", "Won"]
# Every stage's funnel level: the last milestone it is at or beyond; Lost reaches nothing.
LEVEL = {
    "Qualification": 3,
    "SQO": 4,
    "Solution": 4,
    "Proposal": 4,
    "Negotiation": 4,
    "Commit": 4,
    "Won": 5,
}
MODEL = [
    "Lead",
    "MQL",
    "SAL",
    "SQL",
    "Qualification",
    "SQO",
    "Solution",
    "Proposal",
    "Negotiation",
    "Commit",
    "Won",
]
OPEN_STAGES = MODEL[:-1]  # every stage but Won
SQO_OR_LATER = ["SQO", "Solution", "Proposal", "Negotiation", "Commit"]


def connect(folder: Path) -> duckdb.DuckDBPyConnection:
    db = duckdb.connect()
    db.execute("SET enable_progress_bar = false")
    for name in ("history", "opportunities", "accounts", "quotas"):
        db.execute(
            f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{folder / (name + '.parquet')}')"
        )
    return db


def _ts(moment: str) -> str:
    return f"TIMESTAMP '{moment}'"


def _days(later: str, earlier: str) -> str:
    return f"(epoch_us({later}) - epoch_us({earlier})) / 86400e6"


def _stage_rows(as_of: str) -> str:
    return f"SELECT record_id, new_value AS stage, changed_at, id FROM history WHERE record_type = 'opportunity' AND field = 'stage' AND changed_at <= {_ts(as_of)}"


def _level_case(column: str) -> str:
    return "CASE " + " ".join(f"WHEN {column} = '{s}' THEN {n}" for s, n in LEVEL.items()) + " END"


def _reached(levels: list[int], count: int) -> tuple[str, str]:
    """(aggregates, columns): milestone n is first reached at the first row of level n or more.
    Only levels some stage has are aggregated; a level none has (the lead milestones of an
    opportunity-only model) is reached with the next level that exists, when that is reached."""
    present = sorted(set(levels))
    aggregates = ", ".join(f"min(changed_at) FILTER (WHERE lvl >= {n}) AS l{n}" for n in present)
    columns = ", ".join(
        f"l{min(p for p in present if p >= n)} AS m{n}"
        if any(p >= n for p in present)
        else f"NULL::TIMESTAMP AS m{n}"
        for n in range(count)
    )
    return aggregates, columns


def _records(as_of: str) -> str:
    """Per opportunity: when it first reached each milestone, its stage as of ``as_of``, its
    first stage row, and its segment. History is aggregated first, then joined (a million
    records joined, not four million rows)."""
    aggregates, columns = _reached(list(LEVEL.values()), len(MILESTONES))
    return f"""
        SELECT h.record_id, {columns}, h.stage, h.first_at, a.segment
        FROM (
            SELECT record_id, {aggregates}, arg_max(stage, (changed_at, id)) AS stage,
                   min(changed_at) AS first_at
            FROM (SELECT *, {_level_case("stage")} AS lvl FROM ({_stage_rows(as_of)}))
            GROUP BY record_id
        ) h
        JOIN opportunities o ON o.id = h.record_id
        LEFT JOIN accounts a ON a.id = o.account_id
    """


def _with_records(as_of: str, shared: bool) -> str:
    # Shared: the caller made the records once as the temp table ``r`` (see share_records).
    return "" if shared else f"WITH r AS MATERIALIZED ({_records(as_of)}) "


def share_records(db: duckdb.DuckDBPyConnection, as_of: str) -> None:
    """The records once, as the temp table ``r``, for the several queries of one question."""
    db.execute(f"CREATE OR REPLACE TEMP TABLE r AS {_records(as_of)}")


def _pairs() -> list[tuple[int, int]]:
    last = len(MILESTONES) - 1
    pairs = [(n, n + 1) for n in range(last)]
    return pairs + [(n, last) for n in range(last - 1)]


def funnel_conversions_sql(as_of: str, shared: bool = False) -> str:
    """sqo funnel --by segment,quarter: cohort conversion per milestone pair."""
    parts = []
    for a, b in _pairs():
        parts.append(f"""
            SELECT '{MILESTONES[a]}' AS "from", '{MILESTONES[b]}' AS "to", segment,
                   strftime(date_trunc('quarter', m{a}), '%Y-%m-%d') AS quarter,
                   count(*) AS entered, count(m{b}) AS converted,
                   count(*) FILTER (WHERE m{b} IS NULL AND stage NOT IN ('Lost', 'Disqualified')) AS open,
                   count(*) FILTER (WHERE m{b} IS NULL AND stage IN ('Lost', 'Disqualified')) AS dropped,
                   quantile_cont({_days(f"m{b}", f"m{a}")}, [0.5, 0.9]) AS q
            FROM r WHERE m{a} IS NOT NULL GROUP BY ALL""")
    return (
        f"{_with_records(as_of, shared)}"
        'SELECT "from", "to", segment, quarter, entered, converted, open, dropped, '
        f"q[1] AS median_days, q[2] AS p90_days FROM ({' UNION ALL '.join(parts)})"
    )


def funnel_win_rates_sql(as_of: str, by: str = "segment, quarter", shared: bool = False) -> str:
    sqo = MILESTONES.index("SQO")
    return f"""
        {_with_records(as_of, shared)}
        SELECT {by.replace("quarter", f"strftime(date_trunc('quarter', m{sqo}), '%Y-%m-%d') AS quarter")},
               count(*) AS sqos, count(*) FILTER (WHERE stage = 'Won') AS won,
               count(*) FILTER (WHERE stage IN ('Lost', 'Disqualified')) AS lost,
               count(*) FILTER (WHERE stage NOT IN ('Won', 'Lost', 'Disqualified')) AS open
        FROM r WHERE m{sqo} IS NOT NULL GROUP BY ALL
    """


def funnel_cycles_sql(as_of: str, by: str = "segment, quarter", shared: bool = False) -> str:
    won = MILESTONES.index("Won")
    days = _days(f"m{won}", "first_at")
    return f"""
        {_with_records(as_of, shared)}
        SELECT * EXCLUDE (q), q[1] AS median_days, q[2] AS p90_days FROM (
            SELECT {by.replace("quarter", f"strftime(date_trunc('quarter', m{won}), '%Y-%m-%d') AS quarter")},
                   count(*) AS won, avg({days}) AS mean_days, quantile_cont({days}, [0.5, 0.9]) AS q
            FROM r WHERE stage = 'Won' GROUP BY ALL
        )
    """


def stages_time_sql(as_of: str) -> str:
    """sqo stages: completed stays (ended by the next stage row) and current stays per stage."""
    now = _ts(as_of)
    values = ", ".join(f"('{s}', {n})" for n, s in enumerate(OPEN_STAGES))
    return f"""
        WITH s AS MATERIALIZED ({_stage_rows(as_of)}),
        stays AS (
            SELECT stage, changed_at AS since,
                   lead(changed_at) OVER (PARTITION BY record_id ORDER BY changed_at, id) AS until
            FROM s
        ),
        model(stage, ord) AS (VALUES {values})
        SELECT m.stage,
               count(st.until) AS completed,
               quantile_cont({_days("st.until", "st.since")}, 0.5) FILTER (WHERE st.until IS NOT NULL) AS median_days,
               quantile_cont({_days("st.until", "st.since")}, 0.9) FILTER (WHERE st.until IS NOT NULL) AS p90_days,
               count(st.since) FILTER (WHERE st.until IS NULL) AS current,
               quantile_cont({_days(now, "st.since")}, 0.5) FILTER (WHERE st.until IS NULL) AS current_median_days
        FROM model m LEFT JOIN stays st ON st.stage = m.stage
        GROUP BY m.stage, m.ord ORDER BY m.ord
    """


def stages_drop_off_sql(as_of: str) -> str:
    """Cohort conversion between consecutive stages of the whole model."""
    levels = {s: n for n, s in enumerate(MODEL)}
    case = "CASE " + " ".join(f"WHEN stage = '{s}' THEN {n}" for s, n in levels.items()) + " END"
    # Opportunity stages only in this data: the lead stages' levels come with Qualification's.
    aggregates, columns = _reached([levels[s] for s in LEVEL], len(MODEL))
    parts = []
    for a in range(len(MODEL) - 1):
        b = a + 1
        parts.append(f"""
            SELECT {a} AS ord, '{MODEL[a]}' AS "from", '{MODEL[b]}' AS "to", count(*) AS entered,
                   count(m{b}) AS converted,
                   count(*) FILTER (WHERE m{b} IS NULL AND stage NOT IN ('Lost', 'Disqualified')) AS open,
                   count(*) FILTER (WHERE m{b} IS NULL AND stage IN ('Lost', 'Disqualified')) AS dropped,
                   quantile_cont({_days(f"m{b}", f"m{a}")}, [0.5, 0.9]) AS q
            FROM r WHERE m{a} IS NOT NULL""")
    return f"""
        WITH r AS MATERIALIZED (
            SELECT record_id, {columns}, stage FROM (
                SELECT record_id, {aggregates}, arg_max(stage, (changed_at, id)) AS stage
                FROM (SELECT *, {case} AS lvl FROM ({_stage_rows(as_of)})) GROUP BY record_id
            )
        )
        SELECT "from", "to", entered, converted, open, dropped, q[1] AS median_days, q[2] AS p90_days
        FROM ({" UNION ALL ".join(parts)}) ORDER BY ord
    """


def _state_sql(moment: str) -> str:
    """Each opportunity's stage, amount and close date as they stood at ``moment``."""
    return f"""
        SELECT record_id,
               arg_max(new_value, (changed_at, id)) FILTER (WHERE field = 'stage') AS stage,
               arg_max(new_value, (changed_at, id)) FILTER (WHERE field = 'amount_cents')::BIGINT AS amount_cents,
               arg_max(new_value, (changed_at, id)) FILTER (WHERE field = 'close_date')::DATE AS close_date
        FROM history
        WHERE record_type = 'opportunity' AND field IN ('stage', 'amount_cents', 'close_date')
          AND changed_at <= {_ts(moment)}
        GROUP BY record_id
    """


def _in_list(values: Sequence[str]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def coverage_sql(as_of: str, quarter_start: str, quarter_end: str) -> str:
    """The company's pipeline coverage for the quarter of ``as_of`` (one row)."""
    day = as_of[:10]
    return f"""
        WITH s AS ({_state_sql(as_of)}),
        closed AS (
            SELECT record_id, max(changed_at) AS at FROM history
            WHERE record_type = 'opportunity' AND field = 'stage' AND new_value = 'Won' AND changed_at <= {_ts(as_of)}
            GROUP BY record_id
        ),
        pipeline AS (
            SELECT count(*) AS deals, coalesce(sum(amount_cents), 0) AS cents FROM s
            WHERE stage IN {_in_list(SQO_OR_LATER)} AND close_date BETWEEN DATE '{day}' AND DATE '{quarter_end}'
        ),
        won AS (
            SELECT coalesce(sum(s.amount_cents), 0) AS cents FROM s JOIN closed c USING (record_id)
            WHERE s.stage = 'Won' AND c.at >= TIMESTAMP '{quarter_start}' AND c.at < DATE '{quarter_end}' + 1
        ),
        quota AS (
            SELECT coalesce(sum(amount_cents), 0) AS cents FROM quotas
            WHERE team_id IS NOT NULL AND period_start = DATE '{quarter_start}' AND period_end = DATE '{quarter_end}'
        )
        SELECT pipeline.deals AS open_deals,
               CASE WHEN quota.cents - won.cents > 0 THEN pipeline.cents / (quota.cents - won.cents) END AS coverage
        FROM pipeline, won, quota
    """


def waterfall_sql(start: str, end: str, close_from: str, close_to: str) -> str:
    """sqo pipeline-change: the bars between the pipeline at ``start`` and at ``end``."""
    window = f"BETWEEN DATE '{close_from}' AND DATE '{close_to}'"
    sqo = _in_list(SQO_OR_LATER)
    return f"""
        WITH a AS ({_state_sql(start)}), b AS ({_state_sql(end)}),
        d AS (
            SELECT coalesce(b.record_id, a.record_id) AS id,
                   a.stage IN {sqo} AS open_a, coalesce(a.stage IN {sqo} AND a.close_date {window}, false) AS in_a,
                   coalesce(b.stage IN {sqo} AND b.close_date {window}, false) AS in_b,
                   coalesce(b.stage IN {sqo}, false) AS open_b, b.stage AS stage_b,
                   a.amount_cents AS amount_a, b.amount_cents AS amount_b
            FROM b FULL JOIN a USING (record_id)
        ),
        bars AS (
            SELECT 'created' AS name, count(*) AS deals, sum(amount_b) AS cents FROM d WHERE in_b AND NOT coalesce(open_a, false)
            UNION ALL SELECT 'pulled_in', count(*), sum(amount_b) FROM d WHERE in_b AND open_a AND NOT in_a
            UNION ALL SELECT 'amount_changes', count(*) FILTER (WHERE amount_b <> amount_a), sum(amount_b - amount_a) FROM d WHERE in_a
            UNION ALL SELECT 'pushed_out', count(*), -sum(amount_b) FROM d WHERE in_a AND open_b AND NOT in_b
            UNION ALL SELECT 'won', count(*), -sum(amount_b) FROM d WHERE in_a AND stage_b = 'Won'
            UNION ALL SELECT 'lost', count(*), -sum(amount_b) FROM d WHERE in_a AND stage_b = 'Lost'
            UNION ALL SELECT 'demoted', count(*), -sum(amount_b) FROM d WHERE in_a AND NOT open_b AND stage_b NOT IN ('Won', 'Lost')
            UNION ALL SELECT 'start', count(*), sum(amount_a) FROM d WHERE in_a
            UNION ALL SELECT 'end', count(*), sum(amount_b) FROM d WHERE in_b
        )
        SELECT name, deals, coalesce(cents, 0) / 100.0 AS amount FROM bars
    """


# --- Running and comparing ------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """One sqo command, the reference's answer to it, and how the two line up."""

    name: str
    run: Callable[[duckdb.DuckDBPyConnection], dict[str, list[dict[str, Any]]]]
    sqo_rows: Callable[[dict[str, Any]], dict[str, list[dict[str, Any]]]]
    keys: dict[str, tuple[str, ...]]


def rows(db: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    result = db.execute(sql)
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def timed(
    db: duckdb.DuckDBPyConnection, question: Question
) -> tuple[float, dict[str, list[dict[str, Any]]]]:
    started = time.perf_counter()
    answer = question.run(db)
    return time.perf_counter() - started, answer


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        # Days and rates: the two sides subtract timestamps differently (microseconds against
        # julian days), so agreement to a millionth (of a day: under a tenth of a second) is equal.
        return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-6)
    return bool(a == b)


def compare(
    ours: dict[str, list[dict[str, Any]]],
    theirs: dict[str, list[dict[str, Any]]],
    keys: dict[str, tuple[str, ...]],
) -> tuple[int, int, list[str]]:
    """(cells compared, cells differing, the first differences) between the reference's rows
    and sqo's. A row on one side only counts every one of its cells as differing."""
    compared = differing = 0
    examples: list[str] = []
    for part, key in keys.items():
        mine = {tuple(r[k] for k in key): r for r in ours.get(part, [])}
        sqo = {tuple(r.get(k) for k in key): r for r in theirs.get(part, [])}
        for k in sorted(set(mine) | set(sqo), key=str):
            ref_row, sqo_row = mine.get(k), sqo.get(k)
            cells = [c for c in (ref_row or sqo_row or {}) if c not in key]
            if ref_row is not None:
                cells = [c for c in ref_row if c not in key]
            for cell in cells:
                compared += 1
                a = None if ref_row is None else ref_row.get(cell, "<missing>")
                b = None if sqo_row is None else sqo_row.get(cell, "<missing>")
                if ref_row is None or sqo_row is None or not _same(a, b):
                    differing += 1
                    if len(examples) < 8:
                        examples.append(
                            f"{part} {dict(zip(key, k, strict=True))} {cell}: reference {a!r}, sqo {b!r}"
                        )
    return compared, differing, examples
