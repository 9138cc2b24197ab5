from __future__ import annotations

from sqlalchemy import func, or_, select

from sqo.domain.records import Quota, Rep, Team
from sqo.store import tables as t
from sqo.store.repositories.base import Repository, record_values, to_record


class PeopleRepository(Repository):
    """Reps, teams and quotas."""

    def add_team(self, team: Team) -> int:
        return self._insert(t.teams, record_values(team))

    def set_team_manager(self, team_id: int, manager_id: int) -> None:
        self.connection.execute(
            t.teams.update().where(t.teams.c.id == team_id).values(manager_id=manager_id)
        )

    def add_rep(self, rep: Rep) -> int:
        return self._insert(t.reps, record_values(rep))

    def add_quota(self, quota: Quota) -> int:
        return self._insert(t.quotas, record_values(quota))

    def rep(self, rep_id: int) -> Rep | None:
        row = (
            self.connection.execute(select(t.reps).where(t.reps.c.id == rep_id)).mappings().first()
        )
        return to_record(Rep, row) if row else None

    def find_rep(self, reference: str) -> Rep | None:
        """The one rep a reference names (:meth:`reps_matching`); None when it names none, or
        several (an e-mail address they share)."""
        found = self.reps_matching(reference)
        return found[0] if len(found) == 1 else None

    def reps_matching(self, reference: str) -> list[Rep]:
        """The reps a typed reference names, by the most specific reading that finds any: the
        id, the external id, the name (unique; case-insensitive), the e-mail address
        (case-insensitive; several people may share one: integration users, a shared inbox),
        else a name containing it, when only one does ("ann" for "Ann Lee")."""
        text = reference.strip()
        readings = [
            t.reps.c.external_id == text,
            func.lower(t.reps.c.name) == text.lower(),
            func.lower(t.reps.c.email) == text.lower(),
        ]
        if text.isdigit():
            readings.insert(0, t.reps.c.id == int(text))
        for condition in readings:
            found = [
                to_record(Rep, row)
                for row in self.connection.execute(
                    select(t.reps).where(condition).order_by(t.reps.c.name)
                ).mappings()
            ]
            if found:
                return found
        # autoescape: a typed % or _ is a character of the name, not a LIKE wildcard.
        part = func.lower(t.reps.c.name).contains(text.lower(), autoescape=True)
        like = select(t.reps).where(part).limit(2)
        partial = self.connection.execute(like).mappings().all()
        return [to_record(Rep, partial[0])] if len(partial) == 1 else []

    def rep_named(self, name: str) -> Rep | None:
        """The rep with exactly this name (case-insensitive): names are unique."""
        row = (
            self.connection.execute(
                select(t.reps).where(func.lower(t.reps.c.name) == name.strip().lower())
            )
            .mappings()
            .first()
        )
        return to_record(Rep, row) if row else None

    def rep_names(self, ids: set[int]) -> dict[int, str]:
        if not ids:
            return {}
        rows = self.connection.execute(
            select(t.reps.c.id, t.reps.c.name).where(t.reps.c.id.in_(ids))
        )
        return {rep_id: name for rep_id, name in rows}

    def reps(self) -> list[Rep]:
        rows = self.connection.execute(select(t.reps).order_by(t.reps.c.name)).mappings()
        return [to_record(Rep, row) for row in rows]

    def team(self, team_id: int) -> Team | None:
        row = (
            self.connection.execute(select(t.teams).where(t.teams.c.id == team_id))
            .mappings()
            .first()
        )
        return to_record(Team, row) if row else None

    def find_team(self, reference: str) -> Team | None:
        text = reference.strip()
        conditions = [func.lower(t.teams.c.name) == text.lower(), t.teams.c.external_id == text]
        if text.isdigit():
            conditions.append(t.teams.c.id == int(text))
        row = self.connection.execute(select(t.teams).where(or_(*conditions))).mappings().first()
        return to_record(Team, row) if row else None

    def teams(self) -> list[Team]:
        rows = self.connection.execute(select(t.teams).order_by(t.teams.c.name)).mappings()
        return [to_record(Team, row) for row in rows]

    def quotas(self) -> list[Quota]:
        rows = self.connection.execute(
            select(t.quotas).order_by(t.quotas.c.period_start, t.quotas.c.id)
        ).mappings()
        return [to_record(Quota, row) for row in rows]
