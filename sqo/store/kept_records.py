"""Figures the analytics copy keeps per funnel record between commands, derived from its history.

What they are is the analytics' business (``sqo.analytics.funnel_records`` defines the query);
the copy owns the tables: it creates, refreshes and drops them in its own refresh, in the same
DuckDB transaction as the history they derive from, before any analytics query reads. Analytics
queries only read them.

- ``sqo_funnel_records``: one row per funnel record, built whole when the definition changes
  (its ``signature``), otherwise recomputed for the records whose history arrived since
  (``sqo_pending``, filled by the refresh);
- ``sqo_funnel_leads``: converted lead -> the funnel record holding it, so that a lead converted
  or re-linked since also recomputes the record it belonged to before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import literal_column, select, text
from sqlalchemy.sql.selectable import Select

from sqo.store.copy_sources import duck_sql

if TYPE_CHECKING:
    import duckdb

NAME = "sqo_funnel_records"
LEADS = "sqo_funnel_leads"
PENDING = "sqo_pending"
SIGNATURE_KEY = "kept_records"


@dataclass(frozen=True)
class KeptRecords:
    """The definition of the kept funnel records: ``signature`` names it (another one rebuilds
    the table) and ``build(only)`` is the query of their rows: every record's, or with ``only``
    (a query of keys) those records' only. Its first column is ``key``."""

    signature: str
    build: Callable[[Select[Any] | None], Select[Any]]


def refresh_kept(duck: duckdb.DuckDBPyConnection, kept: KeptRecords) -> None:
    """Bring the kept records up to date, inside the caller's transaction."""
    stored = duck.execute(f"SELECT value FROM sqo_copy WHERE key = '{SIGNATURE_KEY}'").fetchall()
    if not stored or stored[0][0] != kept.signature:
        duck.execute(f"DROP TABLE IF EXISTS {NAME}")
        duck.execute(f"CREATE TABLE {NAME} AS {duck_sql(kept.build(None))}")
        duck.execute(f"DROP TABLE IF EXISTS {LEADS}")
        duck.execute(
            f"CREATE TABLE {LEADS} AS SELECT id AS lead_id, converted_opportunity_id AS key "
            "FROM leads WHERE converted_opportunity_id IS NOT NULL"
        )
        duck.execute(
            "INSERT OR REPLACE INTO sqo_copy VALUES (?, ?)", [SIGNATURE_KEY, kept.signature]
        )
    elif duck.execute(f"SELECT count(*) FROM {PENDING}").fetchall()[0][0]:
        _recompute_pending(duck, kept)
    duck.execute(f"DELETE FROM {PENDING}")


def _recompute_pending(duck: duckdb.DuckDBPyConnection, kept: KeptRecords) -> None:
    """The records the pending leads and opportunities belong to now, and, for a lead converted
    or re-linked since, the records it belonged to before."""
    leads = f"SELECT record_id FROM {PENDING} WHERE record_type = 'lead'"
    duck.execute("DROP TABLE IF EXISTS sqo_affected")
    duck.execute(
        "CREATE TEMPORARY TABLE sqo_affected AS "
        f"SELECT record_id AS key FROM {PENDING} WHERE record_type = 'opportunity' "
        f"UNION SELECT -record_id FROM {PENDING} WHERE record_type = 'lead' "
        f"UNION SELECT converted_opportunity_id FROM leads WHERE id IN ({leads}) "
        "AND converted_opportunity_id IS NOT NULL "
        f"UNION SELECT key FROM {LEADS} WHERE lead_id IN ({leads})"
    )
    affected: Select[Any] = select(literal_column("key")).select_from(text("sqo_affected"))
    duck.execute(f"DELETE FROM {NAME} WHERE key IN (SELECT key FROM sqo_affected)")
    duck.execute(f"INSERT INTO {NAME} {duck_sql(kept.build(affected))}")
    duck.execute(f"DELETE FROM {LEADS} WHERE lead_id IN ({leads})")
    duck.execute(
        f"INSERT INTO {LEADS} SELECT id, converted_opportunity_id FROM leads "
        f"WHERE id IN ({leads}) AND converted_opportunity_id IS NOT NULL"
    )
    duck.execute("DROP TABLE sqo_affected")
