from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from sqo.domain.audit import AuditEntry
from sqo.store import tables as t
from sqo.store.repositories.base import Repository


class SettingsRepository(Repository):
    def get(self, key: str, default: Any = None) -> Any:
        value = self.connection.execute(
            select(t.settings.c.value).where(t.settings.c.key == key)
        ).scalar_one_or_none()
        return default if value is None else value

    def get_many(self, keys: Sequence[str]) -> dict[str, Any]:
        """The stored values of ``keys`` (absent keys left out), in one query."""
        rows = self.connection.execute(
            select(t.settings.c.key, t.settings.c.value).where(t.settings.c.key.in_(list(keys)))
        )
        return {key: value for key, value in rows}

    def put(self, key: str, value: Any) -> None:
        exists = self.connection.execute(
            select(t.settings.c.key).where(t.settings.c.key == key)
        ).first()
        if exists:
            self.connection.execute(
                t.settings.update().where(t.settings.c.key == key).values(value=value)
            )
        else:
            self.connection.execute(t.settings.insert().values(key=key, value=value))


def _audit_row(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action.value,
        "record_type": entry.record_type.value if entry.record_type else None,
        "record_id": entry.record_id,
        "detail": entry.detail,
    }


class AuditRepository(Repository):
    def add(self, entry: AuditEntry) -> int:
        return self._insert(t.audit_log, _audit_row(entry))

    def add_many(self, entries: Sequence[AuditEntry]) -> None:
        """Several entries of one change in one statement."""
        self._insert_many(t.audit_log, [_audit_row(e) for e in entries])

    def entries(self, action: str | None = None) -> list[dict[str, Any]]:
        query = select(t.audit_log).order_by(t.audit_log.c.id)
        if action:
            query = query.where(t.audit_log.c.action == action)
        return [dict(row) for row in self.connection.execute(query).mappings()]
