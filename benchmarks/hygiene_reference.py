"""The reference for `sqo hygiene`: the same findings written by hand in DuckDB SQL over an sqo
Parquet export (the layout of ``sqo export --format parquet``), independent of sqo's code.

It answers, for the deals open at ``as_of`` (history after it ignored), which deal each rule
names, with the shipped thresholds of ``sqo/defaults/hygiene.yaml`` written out here again.
Pipeline bloat is left out: its coverage is the coverage reference's question
(benchmarks/reference.py ``coverage_sql``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import duckdb

OPEN = ("Qualification", "SQO", "Solution", "Proposal", "Negotiation", "Commit")
SQO_OPEN = OPEN[1:]
BEFORE_SQO = ("Lead", "MQL", "SAL", "SQL", "Disqualified", "Qualification")
TABLES = (
    "opportunities",
    "history",
    "accounts",
    "leads",
    "activities",
    "opportunity_contacts",
    "qualification_snapshots",
)


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def connect(folder: Path, memory: str = "1GB") -> duckdb.DuckDBPyConnection:
    db = duckdb.connect()
    db.execute("SET enable_progress_bar = false")
    db.execute(f"SET memory_limit = '{memory}'")
    db.execute("SET threads = 2")
    for name in TABLES:
        db.execute(
            f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{folder / (name + '.parquet')}')"
        )
    return db


def _sql(as_of: str) -> str:
    ts = f"TIMESTAMP '{as_of}'"
    day = f"CAST({ts} AS DATE)"
    first = "least(coalesce(lf.first_at, w.first_at), w.first_at)"
    pos = "CASE " + " ".join(f"WHEN {{c}} = '{s}' THEN {i}" for i, s in enumerate(OPEN)) + " END"
    return f"""
    WITH h AS (SELECT * FROM history WHERE record_type = 'opportunity' AND changed_at <= {ts}),
    state AS (
        SELECT record_id AS id,
               {_last("stage")} AS stage, {_last("amount_cents")} AS amount,
               {_last("close_date")} AS close_date
        FROM h WHERE field IN ('stage', 'amount_cents', 'close_date') GROUP BY record_id
    ),
    deal AS (
        SELECT s.id, s.stage, s.amount, CAST(s.close_date AS DATE) AS close_date,
               o.next_step, o.next_step_due, o.created_at, o.complexity,
               coalesce(a.segment, l.segment) AS segment,
               coalesce(l.created_at, o.created_at) AS first_contact,
               s.stage IN {_in(SQO_OPEN)} AS is_sqo
        FROM state s JOIN opportunities o ON o.id = s.id
        LEFT JOIN accounts a ON a.id = o.account_id LEFT JOIN leads l ON l.id = o.lead_id
        WHERE s.stage IN {_in(OPEN)}
    ),
    -- the funnel's won cycle: first stage row of the record (its lead's, when converted) to Won
    lead_first AS (
        SELECT record_id, min(changed_at) AS first_at FROM history
        WHERE record_type = 'lead' AND field = 'stage' AND changed_at <= {ts} GROUP BY record_id
    ),
    won AS (
        SELECT s.id, coalesce(a.segment, l.segment) AS segment,
               {_days_sql("w.won_at", first)} AS days
        FROM state s
        JOIN (SELECT record_id, min(changed_at) FILTER (WHERE new_value = 'Won') AS won_at,
                     min(changed_at) AS first_at
              FROM h WHERE field = 'stage' GROUP BY record_id) w ON w.record_id = s.id
        JOIN opportunities o ON o.id = s.id
        LEFT JOIN accounts a ON a.id = o.account_id LEFT JOIN leads l ON l.id = o.lead_id
        LEFT JOIN lead_first lf ON lf.record_id = o.lead_id
        WHERE s.stage = 'Won'
    ),
    p90 AS (
        SELECT segment, quantile_cont(days, 0.9) AS p90, count(*) AS n FROM won GROUP BY segment
        UNION ALL SELECT '<all>', quantile_cont(days, 0.9), count(*) FROM won
    ),
    last_activity AS (
        SELECT opportunity_id AS id, max(occurred_at) AS at FROM activities
        WHERE occurred_at <= {ts} GROUP BY opportunity_id
    ),
    changes AS (
        SELECT record_id AS id, field, old_value, new_value, changed_at,
               row_number() OVER (PARTITION BY record_id, field, kind
                                  ORDER BY changed_at DESC, id DESC) AS recency,
               count(*) OVER (PARTITION BY record_id, field, kind) AS times, kind
        FROM (
            SELECT *, CASE
                WHEN field = 'close_date' AND left(new_value, 7) > left(old_value, 7) THEN 'push'
                WHEN field = 'amount_cents'
                     AND TRY_CAST(new_value AS BIGINT) < TRY_CAST(old_value AS BIGINT) THEN 'cut'
                WHEN field = 'stage' AND {pos.format(c="new_value")} < {pos.format(c="old_value")}
                     THEN 'back'
            END AS kind
            FROM h WHERE old_value IS NOT NULL AND new_value IS NOT NULL
              AND field IN ('close_date', 'amount_cents', 'stage')
        ) WHERE kind IS NOT NULL
    ),
    roles AS (
        SELECT opportunity_id AS id, bool_or(role = 'economic_buyer') AS eb,
               bool_or(role = 'champion') AS champion
        FROM opportunity_contacts GROUP BY opportunity_id
    ),
    promo AS (
        SELECT opportunity_id AS id, arg_max(overridden, (evaluated_at, id)) AS overridden
        FROM qualification_snapshots WHERE evaluated_at <= {ts} GROUP BY opportunity_id
    ),
    stage_rows AS (
        SELECT record_id AS id, old_value, new_value, changed_at, h.id AS hid FROM h
        WHERE field = 'stage'
    ),
    exits AS (
        SELECT e.id, e.changed_at AS left_at,
               (SELECT max(p.changed_at) FROM stage_rows p
                WHERE p.id = e.id AND p.changed_at <= e.changed_at AND p.hid <> e.hid
                  AND p.new_value IN {_in((*SQO_OPEN, "Won"))}
                  AND (p.old_value IS NULL OR p.old_value IN {_in(BEFORE_SQO)})) AS promoted_at
        FROM stage_rows e
        WHERE e.changed_at > {ts} - INTERVAL 30 DAY
          AND e.old_value IN {_in(SQO_OPEN)} AND e.new_value IN {_in((*BEFORE_SQO, "Lost"))}
    ),
    idle AS (
        SELECT d.id, date_diff('day', CAST(coalesce(la.at, d.created_at) AS DATE), {day}) AS days,
               CASE d.segment WHEN 'SMB' THEN 7 WHEN 'mid-market' THEN 14
                              WHEN 'enterprise' THEN 21 ELSE 14 END AS limit_days
        FROM deal d LEFT JOIN last_activity la ON la.id = d.id
    )
    SELECT 'no_amount' AS rule, id FROM deal WHERE amount IS NULL
    UNION ALL
    SELECT 'stale', d.id FROM deal d
        LEFT JOIN p90 s ON s.segment = coalesce(d.segment, '<all>')
        LEFT JOIN p90 c ON c.segment = '<all>'
        WHERE d.close_date < {day}
           OR (CASE WHEN s.p90 IS NOT NULL THEN s.n >= 10
                         AND date_diff('day', CAST(d.first_contact AS DATE), {day}) > s.p90
                    ELSE c.n >= 10
                         AND date_diff('day', CAST(d.first_contact AS DATE), {day}) > c.p90 END)
    UNION ALL
    SELECT 'neglected', id FROM idle WHERE days > limit_days
    UNION ALL
    SELECT 'no_next_step', id FROM deal WHERE coalesce(trim(next_step), '') = ''
    UNION ALL
    SELECT 'next_step_overdue', id FROM deal
        WHERE coalesce(trim(next_step), '') <> '' AND next_step_due < {day}
    UNION ALL
    SELECT 'close_date_pushed', d.id FROM deal d JOIN changes c ON c.id = d.id
        WHERE c.kind = 'push' AND c.recency = 1 AND c.times >= 2
    UNION ALL
    SELECT 'amount_cut', d.id FROM deal d JOIN changes c ON c.id = d.id
        WHERE d.is_sqo AND c.kind = 'cut' AND c.recency = 1
          AND CAST(c.changed_at AS DATE) >= {day} - INTERVAL 30 DAY
          AND (TRY_CAST(c.old_value AS BIGINT) - TRY_CAST(c.new_value AS BIGINT))
              >= 0.1 * TRY_CAST(c.old_value AS BIGINT)
    UNION ALL
    SELECT 'stage_backwards', d.id FROM deal d JOIN changes c ON c.id = d.id
        WHERE c.kind = 'back' AND c.recency = 1
          AND CAST(c.changed_at AS DATE) >= {day} - INTERVAL 30 DAY
    UNION ALL
    SELECT 'missing_buying_role', d.id FROM deal d LEFT JOIN roles r ON r.id = d.id
        WHERE d.is_sqo AND (NOT coalesce(r.eb, false)
                            OR (d.complexity = 'complex' AND NOT coalesce(r.champion, false)))
    UNION ALL
    SELECT 'premature_sqo', d.id FROM deal d JOIN promo p ON p.id = d.id
        WHERE d.is_sqo AND p.overridden
    UNION ALL
    SELECT DISTINCT 'premature_sqo', id FROM exits
        WHERE promoted_at IS NOT NULL
          AND date_diff('day', CAST(promoted_at AS DATE), CAST(left_at AS DATE)) <= 14
    """


def _last(field: str) -> str:
    return f"arg_max(new_value, (changed_at, id)) FILTER (WHERE field = '{field}')"


def _days_sql(later: str, earlier: str) -> str:
    return f"(epoch_us({later}) - epoch_us({earlier})) / 86400e6"


def findings(db: duckdb.DuckDBPyConnection, as_of: str) -> tuple[float, set[tuple[str, int]]]:
    """(seconds, the (rule, deal id) pairs)."""
    started = time.perf_counter()
    pairs = {(str(rule), int(i)) for rule, i in db.execute(_sql(as_of)).fetchall()}
    return time.perf_counter() - started, pairs


def sqo_pairs(report: dict[str, Any]) -> set[tuple[str, int]]:
    return {
        (f["rule"], int(f["opportunity_id"]))
        for f in report["findings"]
        if f["opportunity_id"] is not None
    }
