"""Who is acting. Every service call takes one: for the audit trail today, permissions later."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    name: str
    rep_id: int | None = None
    role: str = "admin"

    @classmethod
    def system(cls, purpose: str = "system") -> Actor:
        return cls(name=purpose, role="system")
