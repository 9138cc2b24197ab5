"""Ids for records written in bulk, handed out before the rows are inserted so that records,
their history and their links can be written in batches."""

from __future__ import annotations

from sqlalchemy import Connection, Table, func, select

# Ids taken from a PostgreSQL sequence at a time.
ID_BLOCK = 1000


class IdAllocator:
    """Ids the database hands out, so that writers beside the import never collide with it.

    PostgreSQL: blocks of the table's own sequence (``nextval`` is never handed out twice, even
    to transactions that run at once). SQLite: above the table's current maximum, which is what
    its rowid would give; the writer holds the write lock from the start of its transaction
    (see :mod:`sqo.store.transactions`), so nobody else can insert meanwhile."""

    def __init__(self, connection: Connection, table: Table) -> None:
        self.table = table
        self.connection = connection
        self._sequence = connection.dialect.name == "postgresql"
        self._block: list[int] = []
        self.next_id = 0
        if not self._sequence:
            current = connection.execute(select(func.max(table.c.id))).scalar_one_or_none()
            self.next_id = int(current or 0) + 1
        self.used = False

    def take(self) -> int:
        self.used = True
        if self._sequence:
            if not self._block:
                self._block = self._next_block()
            return self._block.pop()
        value = self.next_id
        self.next_id += 1
        return value

    def _next_block(self) -> list[int]:
        rows = self.connection.exec_driver_sql(
            "SELECT nextval(pg_get_serial_sequence(%(table)s, 'id')) "
            "FROM generate_series(1, %(count)s)",
            {"table": self.table.name, "count": ID_BLOCK},
        )
        return sorted((int(value) for (value,) in rows), reverse=True)  # popped smallest first
