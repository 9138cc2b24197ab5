"""The training rows in one hand-written DuckDB query over the workspace's Parquet files: the
reference the benchmark times beside ``sqo.analytics.forecast.training_rows`` (issue 14).

The same definitions, written set-based for a columnar engine: the moments as a table, each
deal's stage interval current at a moment by a range join (``valid_from <= T < valid_until``),
the amount and close date current then with their running counts (amount changes, close-date
pushes) as window functions, activities by a join up to the moment, the latest qualification
snapshot by its own interval. Returns, per row, the columns the benchmark compares.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

QUERY = """
WITH h AS (
    SELECT id, record_id, field, new_value, changed_at AS valid_from,
           lead(changed_at) OVER (PARTITION BY record_id, field ORDER BY changed_at, id)
               AS valid_until
    FROM read_parquet('{folder}/history.parquet')
    WHERE record_type = 'opportunity'
      AND field IN ('stage', 'amount_cents', 'close_date', 'closed_at')
),
outcome AS (
    SELECT record_id,
           max(CASE WHEN field = 'stage' THEN new_value END) AS stage,
           max(CASE WHEN field = 'closed_at' THEN new_value END) AS closed_at
    FROM h
    WHERE field IN ('stage', 'closed_at') AND valid_from <= $cutoff
      AND (valid_until IS NULL OR valid_until > $cutoff)
    GROUP BY record_id
),
pairs AS (
    SELECT s.record_id, s.new_value AS stage, s.valid_from AS since, m.k, m.moment,
           o.stage = $won AS won, o.closed_at
    FROM h s
    JOIN moments m ON s.valid_from <= m.moment
                  AND (s.valid_until IS NULL OR s.valid_until > m.moment)
    JOIN outcome o ON o.record_id = s.record_id AND o.stage IN ($won, $lost)
    WHERE s.field = 'stage' AND list_contains($open_stages, s.new_value)
),
amounts AS (
    SELECT record_id, CAST(new_value AS BIGINT) AS amount_cents, valid_from, valid_until,
           row_number() OVER (PARTITION BY record_id ORDER BY valid_from, id) - 1 AS changes
    FROM h WHERE field = 'amount_cents'
),
closes AS (
    SELECT record_id, new_value AS close_date, valid_from, valid_until,
           sum(CASE WHEN previous IS NOT NULL AND new_value > previous THEN 1 ELSE 0 END)
               OVER (PARTITION BY record_id ORDER BY valid_from, id) AS pushes
    FROM (
        SELECT *, lag(new_value) OVER (PARTITION BY record_id ORDER BY valid_from, id)
                      AS previous
        FROM h WHERE field = 'close_date'
    )
),
acts AS (
    SELECT p.record_id, p.k, count(*) AS total,
           sum(CASE WHEN a.occurred_at > p.moment - INTERVAL 30 DAY THEN 1 ELSE 0 END)
               AS recent,
           sum(CASE WHEN a.direction = 'inbound' THEN 1 ELSE 0 END) AS inbound
    FROM pairs p
    JOIN read_parquet('{folder}/activities.parquet') a
      ON a.opportunity_id = p.record_id AND a.occurred_at <= p.moment
    GROUP BY p.record_id, p.k
),
gates AS (
    SELECT opportunity_id, score, evaluated_at AS valid_from,
           lead(evaluated_at) OVER (PARTITION BY opportunity_id ORDER BY evaluated_at, id)
               AS valid_until
    FROM read_parquet('{folder}/qualification_snapshots.parquet')
)
SELECT p.record_id, p.k, p.stage, coalesce(acc.segment, l.segment), opp.source,
       am.amount_cents, coalesce(cl.pushes, 0), coalesce(am.changes, 0), g.score,
       coalesce(acts.total, 0), coalesce(acts.recent, 0), p.won, left(p.closed_at, 10)
FROM pairs p
JOIN read_parquet('{folder}/opportunities.parquet') opp ON opp.id = p.record_id
LEFT JOIN read_parquet('{folder}/leads.parquet') l ON l.id = opp.lead_id
LEFT JOIN read_parquet('{folder}/accounts.parquet') acc
       ON acc.id = coalesce(opp.account_id, l.account_id)
LEFT JOIN amounts am ON am.record_id = p.record_id AND am.valid_from <= p.moment
      AND (am.valid_until IS NULL OR am.valid_until > p.moment)
LEFT JOIN closes cl ON cl.record_id = p.record_id AND cl.valid_from <= p.moment
      AND (cl.valid_until IS NULL OR cl.valid_until > p.moment)
LEFT JOIN acts ON acts.record_id = p.record_id AND acts.k = p.k
LEFT JOIN gates g ON g.opportunity_id = p.record_id AND g.valid_from <= p.moment
      AND (g.valid_until IS NULL OR g.valid_until > p.moment)
ORDER BY p.k, p.record_id
"""


def reference_rows(
    folder: Path,
    moments: Sequence[datetime],
    cutoff: datetime,
    open_stages: Sequence[str],
    won: str = "Won",
    lost: str = "Lost",
) -> list[tuple[Any, ...]]:
    import duckdb

    db = duckdb.connect()
    try:
        db.execute("SET enable_progress_bar = false")
        db.execute("CREATE TEMPORARY TABLE moments (k INTEGER, moment TIMESTAMP)")
        db.executemany("INSERT INTO moments VALUES (?, ?)", list(enumerate(moments)))
        parameters = {
            "cutoff": cutoff,
            "won": won,
            "lost": lost,
            "open_stages": list(open_stages),
        }
        return db.execute(QUERY.format(folder=folder), parameters).fetchall()
    finally:
        db.close()
