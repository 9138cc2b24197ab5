"""Many moments, one reading of history: for training and the backtest, which ask "what did the
pipeline look like then" at dozens of moments.

On SQLite and PostgreSQL ``history_intervals`` is a view: each query that names it computes the
intervals of all history again (a window over every analytics row), five times in a training
row's query. ``history_read_once`` computes the opportunity intervals once into a temporary
table of the same name, which the database reads before the view for this connection (SQLite
searches the ``temp`` schema first, PostgreSQL ``pg_temp``), and drops it at the end; the queries
themselves are unchanged. The analytics copy (DuckDB) keeps a real table: nothing to do there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

_TEMPORARY = {"sqlite": "temp", "postgresql": "pg_temp"}


@contextmanager
def history_read_once(connection: Connection) -> Iterator[None]:
    schema = _TEMPORARY.get(connection.dialect.name)
    if schema is None:
        yield
        return
    source = "main.history_intervals" if schema == "temp" else "history_intervals"
    connection.execute(
        text(
            "CREATE TEMPORARY TABLE history_intervals AS SELECT * FROM "
            f"{source} WHERE record_type = 'opportunity'"
        )
    )
    connection.execute(
        text(
            "CREATE INDEX sqo_replay_intervals ON history_intervals "
            "(record_type, field, record_id, valid_from)"
        )
    )
    try:
        yield
    finally:
        connection.execute(text(f"DROP TABLE {schema}.history_intervals"))
