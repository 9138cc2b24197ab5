from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from sqo.store import tables as t
from sqo.store.repositories.base import Repository


class SettingsRepository(Repository):
    def get(self, key: str, default: Any = None) -> Any:
        value = self.connection.execute(
            select(t.settings.c.value).where(t.settings.c.key == key)
        ).scalar_one_or_none()
        return default if value is None else value

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


class AuditRepository(Repository):
    def add(
        self,
        *,
        at: datetime,
        actor: str,
        action: str,
        record_type: str | None = None,
        record_id: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> int:
        return self._insert(
            t.audit_log,
            {
                "at": at,
                "actor": actor,
                "action": action,
                "record_type": record_type,
                "record_id": record_id,
                "detail": detail or {},
            },
        )

    def entries(self, action: str | None = None) -> list[dict[str, Any]]:
        query = select(t.audit_log).order_by(t.audit_log.c.id)
        if action:
            query = query.where(t.audit_log.c.action == action)
        return [dict(row) for row in self.connection.execute(query).mappings()]
