"""Repositories: typed reads and writes of one kind of record each. They never commit."""

from sqo.store.repositories.accounts import AccountRepository, CampaignRepository, ContactRepository
from sqo.store.repositories.activities import ActivityRepository
from sqo.store.repositories.audit import AuditRepository, SettingsRepository
from sqo.store.repositories.history import HistoryRepository
from sqo.store.repositories.people import PeopleRepository
from sqo.store.repositories.records import LeadRepository, OpportunityRepository

__all__ = [
    "AccountRepository",
    "ActivityRepository",
    "AuditRepository",
    "CampaignRepository",
    "ContactRepository",
    "HistoryRepository",
    "LeadRepository",
    "OpportunityRepository",
    "PeopleRepository",
    "SettingsRepository",
]
