"""The unit of work: one transaction per use case, rolled back unless ``commit()`` ran.

Services own the commit; repositories and interfaces never commit.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Self

from sqlalchemy import Connection, Engine, Transaction
from sqlalchemy.exc import OperationalError

from sqo.store.repositories import (
    AccountRepository,
    ActivityRepository,
    AuditRepository,
    CampaignRepository,
    ContactRepository,
    HistoryRepository,
    LeadRepository,
    OpportunityRepository,
    PeopleRepository,
    SettingsRepository,
)
from sqo.store.transactions import busy_error, is_locked

if TYPE_CHECKING:
    from sqo.store.repositories.qualification import QualificationRepository


class UnitOfWork:
    connection: Connection
    settings: SettingsRepository
    people: PeopleRepository
    accounts: AccountRepository
    contacts: ContactRepository
    campaigns: CampaignRepository
    leads: LeadRepository
    opportunities: OpportunityRepository
    activities: ActivityRepository
    history: HistoryRepository
    audit: AuditRepository

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._transaction: Transaction | None = None

    def __enter__(self) -> Self:
        self.connection = self._engine.connect()
        self._transaction = self.connection.begin()
        c = self.connection
        self.settings = SettingsRepository(c)
        self.people = PeopleRepository(c)
        self.accounts = AccountRepository(c)
        self.contacts = ContactRepository(c)
        self.campaigns = CampaignRepository(c)
        self.leads = LeadRepository(c)
        self.opportunities = OpportunityRepository(c)
        self.activities = ActivityRepository(c)
        self.history = HistoryRepository(c)
        self.audit = AuditRepository(c)
        self._qualification: QualificationRepository | None = None
        return self

    @property
    def qualification(self) -> QualificationRepository:
        # Built on first use: it loads the playbook machinery, which most commands never need
        # (start-up time, benchmarks/results/startup.md).
        if self._qualification is None:
            from sqo.store.repositories.qualification import QualificationRepository

            self._qualification = QualificationRepository(self.connection)
        return self._qualification

    def commit(self) -> None:
        assert self._transaction is not None
        try:
            self._transaction.commit()
        except OperationalError as exc:
            if is_locked(exc):
                raise busy_error() from exc
            raise
        self._transaction = None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._transaction is not None:
            self._transaction.rollback()
            self._transaction = None
        self.connection.close()
        if exc is not None and is_locked(exc):
            # SQLite's writers queue for WRITE_WAIT seconds; past that, say why in one sentence.
            raise busy_error() from exc
