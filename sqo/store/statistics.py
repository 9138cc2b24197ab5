"""The query planner's statistics, kept after the database changes in bulk.

SQLite plans a query from ``sqlite_stat1``, which nothing fills unless ``ANALYZE`` runs. Without
it, the demo's time-in-stage query took a nested loop over history: 4.4 s of CPU against 1.2 s
once analysed (benchmarks/results/startup.md). ``analysis_limit`` samples each index instead of
reading it whole, so a million-deal import pays milliseconds, not a scan of every index.
PostgreSQL's autovacuum keeps its own statistics.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

ROWS_SAMPLED = 1_000  # per index: enough for the planner's choice, as SQLite's docs suggest


def refresh(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    connection.execute(text(f"PRAGMA analysis_limit = {ROWS_SAMPLED}"))
    connection.execute(text("ANALYZE"))
