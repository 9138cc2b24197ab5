"""The facts hygiene reads that the pipeline generator leaves out, added to a copy of its
workspace: activities, next steps, buying roles and gate evaluations at promotion.

Deterministic (DuckDB ``hash`` of ids), written once as Parquet beside the generator's own
export (the reference reads the same files) and loaded into the SQLite copy with plain inserts,
as ``benchmarks/pipeline_load.py`` loads the generator's rows. Next steps are set in place on
the open deals without history rows: the benchmark's as-of moment is after every change, where
sqo reads the current records (docs/hygiene.md).
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import duckdb

from benchmarks.pipeline_load import _batches, _columns, _sqlite_select

OPEN = "('Qualification', 'SQO', 'Solution', 'Proposal', 'Negotiation', 'Commit')"
SQO_OPEN = "('SQO', 'Solution', 'Proposal', 'Negotiation', 'Commit')"
ADDED = ("activities", "contacts", "opportunity_contacts", "qualification_snapshots")
KEPT = ("history", "accounts", "leads", "reps", "teams", "quotas")


def _activities(base: Path, as_of: str) -> str:
    o = f"read_parquet('{base / 'opportunities.parquet'}')"
    end = f"least(coalesce(closed_at, TIMESTAMP '{as_of}'), TIMESTAMP '{as_of}')"
    return f"""
        WITH spread AS (  -- 0-2 activities over each deal's life
            SELECT id AS opp, owner_id, created_at, {end} AS ended, k
            FROM {o}, range(3) t(k) WHERE k < hash(id) % 3
        ), recent AS (  -- and, for 70% of the open deals, one in the 40 days before the as-of
            SELECT id AS opp, owner_id, TIMESTAMP '{as_of}' - to_days(CAST(hash(id, 7) % 40 AS INT))
                   - to_hours(CAST(hash(id, 8) % 20 AS INT)) AS moment
            FROM {o} WHERE stage IN {OPEN} AND hash(id, 9) % 10 < 7
        ), rows AS (
            SELECT opp, owner_id, created_at + to_seconds(CAST(hash(opp, k) % greatest(1,
                       epoch(ended) - epoch(created_at)) AS BIGINT)) AS moment, k FROM spread
            UNION ALL SELECT opp, owner_id, moment, 5 FROM recent
        )
        SELECT row_number() OVER (ORDER BY opp, k) AS id,
               ['call', 'email', 'meeting'][CAST(1 + hash(opp, k, 1) % 3 AS BIGINT)] AS kind,
               'outbound' AS direction, NULL::VARCHAR AS subject, moment AS occurred_at,
               NULL::BIGINT AS lead_id, opp AS opportunity_id, NULL::BIGINT AS contact_id,
               owner_id AS rep_id, NULL::VARCHAR AS external_id
        FROM rows
    """


def _roles_sql(base: Path) -> tuple[str, str]:
    o = f"read_parquet('{base / 'opportunities.parquet'}')"
    people = f"""
        SELECT id AS opp, account_id, role, row_number() OVER (ORDER BY id, role) AS cid FROM (
            SELECT id, account_id, 'economic_buyer' AS role FROM {o}
             WHERE stage IN {SQO_OPEN} AND hash(id, 11) % 10 < 6
            UNION ALL SELECT id, account_id, 'champion' FROM {o}
             WHERE stage IN {SQO_OPEN} AND hash(id, 12) % 10 < 3
            UNION ALL SELECT id, account_id, 'stakeholder' FROM {o}
             WHERE stage IN {OPEN} AND hash(id, 13) % 10 < 5)
    """
    contacts = f"""
        SELECT cid AS id, account_id, 'Contact ' || cid AS name, NULL::VARCHAR AS email,
               NULL::VARCHAR AS title, role AS buying_role, NULL::VARCHAR AS external_id
        FROM ({people})
    """
    links = f"""
        SELECT cid AS id, opp AS opportunity_id, cid AS contact_id, role, false AS is_primary,
               NULL::VARCHAR AS external_id
        FROM ({people})
    """
    return contacts, links


def _snapshots(base: Path) -> str:
    o, h = (f"read_parquet('{base / (n + '.parquet')}')" for n in ("opportunities", "history"))
    return f"""
        SELECT row_number() OVER (ORDER BY o.id) AS id, o.id AS opportunity_id, 'SQO' AS stage,
               'sqo-default' AS playbook, '1' AS playbook_version, p.moment AS evaluated_at,
               'bench' AS actor, hash(o.id, 21) % 10 >= 1 AS passed,
               hash(o.id, 21) % 10 < 1 AS overridden, NULL::VARCHAR AS justification,
               0.5::DOUBLE AS score, '{{}}' AS detail
        FROM {o} o JOIN (
            SELECT record_id, max(changed_at) AS moment FROM {h}
            WHERE record_type = 'opportunity' AND field = 'stage' AND new_value = 'SQO'
            GROUP BY record_id) p ON p.record_id = o.id
        WHERE o.stage IN {SQO_OPEN}
    """


def _opportunities(base: Path, as_of: str) -> str:
    o = f"read_parquet('{base / 'opportunities.parquet'}')"
    return f"""
        SELECT * REPLACE (
            CASE WHEN stage IN {OPEN} AND hash(id, 31) % 100 < 85 THEN 'Follow-up call' END
                AS next_step,
            CASE WHEN stage IN {OPEN} AND hash(id, 31) % 100 < 85
                 THEN CAST(TIMESTAMP '{as_of}' AS DATE) + CAST(hash(id, 32) % 40 AS INT) - 20
            END AS next_step_due)
        FROM {o}
    """


def enrich(base: Path, folder: Path, as_of: str) -> None:
    """The generator's export with the added facts, as a folder of the same layout."""
    folder.mkdir(parents=True, exist_ok=True)
    db = duckdb.connect()
    db.execute("SET enable_progress_bar = false")
    db.execute("SET memory_limit = '1GB'")
    contacts, links = _roles_sql(base)
    queries = {
        "activities": _activities(base, as_of),
        "contacts": contacts,
        "opportunity_contacts": links,
        "qualification_snapshots": _snapshots(base),
        "opportunities": _opportunities(base, as_of),
    }
    for name, sql in queries.items():
        db.execute(f"COPY ({sql}) TO '{folder / (name + '.parquet')}' (FORMAT parquet)")
    for name in KEPT:
        link = folder / (name + ".parquet")
        if not link.exists():
            link.symlink_to(base / (name + ".parquet"))
    db.close()


def load(folder: Path, path: Path) -> float:
    """The added rows into the SQLite copy at ``path``; the next steps set on its deals."""
    started = time.perf_counter()
    db = duckdb.connect()
    db.execute("SET enable_progress_bar = false")
    target = sqlite3.connect(path)
    target.execute("PRAGMA synchronous = OFF")
    try:
        for name in ADDED:
            cols = _columns(name)
            insert = f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            for rows in _batches(db, _sqlite_select(folder, name)):
                target.executemany(insert, rows)
        steps = (
            "SELECT next_step, strftime(next_step_due, '%Y-%m-%d'), id "
            f"FROM read_parquet('{folder / 'opportunities.parquet'}') WHERE next_step IS NOT NULL"
        )
        for rows in _batches(db, steps):
            target.executemany(
                "UPDATE opportunities SET next_step = ?, next_step_due = ? WHERE id = ?", rows
            )
        target.commit()
        for name in ADDED:  # the planner's statistics for the new rows only
            target.execute(f"ANALYZE {name}")
        target.commit()
    finally:
        target.close()
        db.close()
    return time.perf_counter() - started
