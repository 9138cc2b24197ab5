# ruff: noqa: E501
"""Marketing data over the generated pipeline (benchmarks/pipeline_data.py), generated outside
sqo, deterministic for a seed: campaigns, the leads the deals came from, campaign memberships
and activities, written as Parquet in sqo's export layout and appended to a loaded workspace.

- 40 campaigns over 8 channels; every 7th has no cost.
- 70% of the deals come from a lead (created 1-60 days before the deal; 60% of those leads
  from a campaign, the others with a source); 300,000 more leads never convert (one stage row
  each, so they are funnel records).
- 0-4 campaign memberships per lead (about 2 on average), from 30 days before the lead's
  creation to 120 days after: some after the milestones they would be credited to.
- 10,000,000 activities on the deals (calls, e-mails, meetings), which attribution must ignore.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import duckdb

from benchmarks.pipeline_load import _batches, _columns, _sqlite_select

CHANNELS = [
    "Webinar",
    "Paid search",
    "Event",
    "Content",
    "Paid social",
    "Partner",
    "Email",
    "Review site",
]
SOURCES = ["Website", "Referral", "Outbound"]
UNCONVERTED = 300_000
ACTIVITIES = 10_000_000


def _h(expr: str, salt: int, seed: int) -> str:
    """A uniform draw in [0, 1) from a hash of (seed, salt, expr)."""
    return f"((hash({seed}, {salt}, {expr}) % 1000000007) / 1000000007.0)"


def generate(
    pipeline: Path, folder: Path, *, seed: int = 12, activities: int = ACTIVITIES
) -> dict[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    db = duckdb.connect()
    db.execute(
        "SET memory_limit = '1GB'; SET preserve_insertion_order = false; SET enable_progress_bar = false"
    )
    opps = f"read_parquet('{pipeline / 'opportunities.parquet'}')"
    channels = ", ".join(f"'{c}'" for c in CHANNELS)
    sources = ", ".join(f"'{s}'" for s in SOURCES)
    db.execute(f"""
        CREATE TEMP TABLE campaigns AS
        SELECT i::BIGINT AS id, 'Campaign ' || i AS name, [{channels}][1 + (i % 8)] AS channel,
               CASE WHEN i % 7 = 0 THEN NULL ELSE (500000 + (hash({seed}, i) % 5000000))::BIGINT END AS cost_cents,
               'USD' AS currency, DATE '2023-01-01' AS start_date, DATE '2025-12-31' AS end_date,
               NULL::VARCHAR AS external_id
        FROM range(1, 41) r(i)
    """)
    db.execute(f"""
        CREATE TEMP TABLE leads AS
        WITH converted AS (
            SELECT id AS opp, owner_id, created_at AS opp_created, account_id FROM {opps}
            WHERE {_h("id", 1, seed)} < 0.7
        ), unconverted AS (
            SELECT 1000000 + i AS id, TIMESTAMP '2023-01-01' + to_seconds((hash({seed}, 2, i) % 94608000)::BIGINT) AS created_at
            FROM range(1, {UNCONVERTED + 1}) r(i)
        )
        SELECT opp::BIGINT AS id, 'Lead ' || opp AS name, NULL::VARCHAR AS company, NULL::VARCHAR AS email,
               account_id::BIGINT AS account_id, owner_id::BIGINT AS owner_id, NULL::VARCHAR AS segment, 'SQL' AS stage,
               CASE WHEN {_h("opp", 3, seed)} >= 0.6 THEN [{sources}][1 + (hash({seed}, 4, opp) % 3)::BIGINT] END AS source,
               CASE WHEN {_h("opp", 3, seed)} < 0.6 THEN (1 + hash({seed}, 5, opp) % 40)::BIGINT END AS campaign_id,
               opp::BIGINT AS converted_opportunity_id, opp_created AS converted_at,
               opp_created - to_seconds((86400 + hash({seed}, 6, opp) % (59 * 86400))::BIGINT) AS created_at,
               1::BIGINT AS version, NULL::VARCHAR AS external_id, '{{}}' AS attributes
        FROM converted
        UNION ALL
        SELECT id::BIGINT, 'Lead ' || id, NULL, NULL, NULL, NULL, NULL, 'Lead',
               CASE WHEN {_h("id", 3, seed)} >= 0.6 THEN [{sources}][1 + (hash({seed}, 4, id) % 3)::BIGINT] END,
               CASE WHEN {_h("id", 3, seed)} < 0.6 THEN (1 + hash({seed}, 5, id) % 40)::BIGINT END,
               NULL, NULL, created_at, 1, NULL, '{{}}'
        FROM unconverted
    """)
    db.execute(f"""
        CREATE TEMP TABLE campaign_members AS
        SELECT row_number() OVER (ORDER BY l.id, k)::BIGINT AS id, (1 + hash({seed}, 7, l.id, k) % 40)::BIGINT AS campaign_id,
               l.id AS lead_id, NULL::BIGINT AS contact_id, 'Responded' AS status,
               l.created_at + to_seconds((hash({seed}, 8, l.id, k) % (150 * 86400))::BIGINT - 30 * 86400) AS touched_at,
               NULL::VARCHAR AS external_id
        FROM leads l, range(0, 4) r(k)
        WHERE k < (hash({seed}, 9, l.id) % 5)::BIGINT
    """)
    db.execute("""
        CREATE TEMP TABLE lead_history AS
        SELECT id AS record_id, created_at FROM leads WHERE converted_opportunity_id IS NULL
    """)
    db.execute(f"""
        CREATE TEMP TABLE activities AS
        SELECT i::BIGINT AS id, ['call', 'email', 'meeting'][1 + (i % 3)] AS kind,
               CASE WHEN i % 4 = 0 THEN 'inbound' ELSE 'outbound' END AS direction, NULL::VARCHAR AS subject,
               o.created_at + to_seconds((hash({seed}, 10, i) % (90 * 86400))::BIGINT) AS occurred_at,
               NULL::BIGINT AS lead_id, o.id::BIGINT AS opportunity_id, NULL::BIGINT AS contact_id,
               o.owner_id::BIGINT AS rep_id, NULL::VARCHAR AS external_id
        FROM range(1, {activities + 1}) r(i) JOIN {opps} o ON o.id = 1 + (i % 1000000)
    """)
    counts = {}
    for name in ("campaigns", "leads", "campaign_members", "activities"):
        db.execute(f"COPY {name} TO '{folder / (name + '.parquet')}' (FORMAT parquet)")
        counts[name] = int(db.execute(f"SELECT count(*) FROM {name}").fetchone()[0])  # type: ignore[index]
    db.execute(f"COPY lead_history TO '{folder / 'lead_history.parquet'}' (FORMAT parquet)")
    db.close()
    return counts


def append(folder: Path, workspace: Path) -> float:
    """Add the marketing rows to a loaded workspace: the tables, the converted deals' lead ids,
    and one stage row per unconverted lead."""
    started = time.perf_counter()
    db = duckdb.connect()
    target = sqlite3.connect(workspace)
    target.execute("PRAGMA synchronous = OFF")
    try:
        for name in ("campaigns", "leads", "campaign_members", "activities"):
            cols = _columns(name)
            insert = f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            for rows in _batches(db, _sqlite_select(folder, name)):
                target.executemany(insert, rows)
        target.execute(
            "UPDATE opportunities SET lead_id = id WHERE id IN "
            "(SELECT converted_opportunity_id FROM leads WHERE converted_opportunity_id IS NOT NULL)"
        )
        first = target.execute("SELECT coalesce(max(id), 0) + 1 FROM history").fetchone()[0]
        rows_sql = f"""SELECT {first} + row_number() OVER (ORDER BY record_id) - 1, 'lead', record_id, 'stage',
                       NULL, 'Lead', strftime(created_at, '%Y-%m-%d %H:%M:%S.%f'), 'bench', NULL
                FROM read_parquet('{folder / "lead_history.parquet"}')"""
        for rows in _batches(db, rows_sql):
            target.executemany(
                "INSERT INTO history (id, record_type, record_id, field, old_value, new_value, changed_at, actor, justification) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        target.commit()
        target.execute("ANALYZE")
        target.commit()
    finally:
        target.close()
        db.close()
    return time.perf_counter() - started
