"""The unit of work: one transaction per use case, rolled back unless ``commit()`` ran.

Services own the commit; repositories and interfaces never commit. Most use cases run one
transaction; an import runs one per file on the same connection (:meth:`UnitOfWork.begin` after
each commit), holds the import's write lock (:meth:`UnitOfWork.lock_for_import`) and writes in
bulk (:attr:`UnitOfWork.bulk`).
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Self

from sqlalchemy import Connection, Engine, Transaction
from sqlalchemy.exc import OperationalError

from sqo.store.bulk import BulkWriter
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
from sqo.store.transactions import IMPORT_WAIT, busy_error, is_locked, lock_for_import

# What a workspace calls to open a unit of work on its engine (tests give their own).
UnitOfWorkFactory = Callable[[Engine], "UnitOfWork"]

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
        self._bulk: BulkWriter | None = None
        # Set by lock_for_import: an import reports its own database errors, file by file.
        self._importing = False

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

    @property
    def in_transaction(self) -> bool:
        return self._transaction is not None

    @property
    def bulk(self) -> BulkWriter:
        """A bulk writer on this unit's connection, for many records at once. One per batch of
        writes: after its ``finish()`` (or a commit or rollback) the next use gets a new one,
        which sees the ids and indexes as they are then."""
        if self._bulk is None or self._bulk.finished:
            self._bulk = BulkWriter(self.connection)
        return self._bulk

    def begin(self) -> None:
        """Open the next transaction on this unit's connection, after a commit or rollback:
        an import commits file by file and continues with the next file."""
        assert self._transaction is None, "a transaction is already open"
        self._transaction = self.connection.begin()

    def lock_for_import(self, *, wait: int = IMPORT_WAIT) -> None:
        """Take the import's write lock in the open transaction, before its first read, waiting
        up to ``wait`` seconds for another import (see :mod:`sqo.store.transactions`). Once an
        import holds it, a database error is the import's to report (it says which files were
        written): :meth:`commit` and the end of the unit leave it as it is."""
        assert self._transaction is not None
        self._importing = True
        lock_for_import(self.connection, wait=wait)

    def commit(self) -> None:
        assert self._transaction is not None
        self._bulk = None
        try:
            self._transaction.commit()
        except OperationalError as exc:
            if is_locked(exc) and not self._importing:
                raise busy_error() from exc
            raise
        self._transaction = None

    def rollback(self) -> None:
        """Undo the open transaction (a dry run, a refused file); :meth:`begin` opens another."""
        self._bulk = None
        if self._transaction is not None:
            transaction, self._transaction = self._transaction, None
            transaction.rollback()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()
        self.connection.close()
        if exc is not None and is_locked(exc) and not self._importing:
            # SQLite's writers queue for WRITE_WAIT seconds; past that, say why in one sentence.
            raise busy_error() from exc
