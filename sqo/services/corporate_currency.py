"""The workspace's corporate currency: the one every report sums in (setting
``default_currency``, chosen with ``sqo init --currency``), and the one exchange rates are
against. A Salesforce CurrencyType import sets it from its IsCorporate row."""

from __future__ import annotations

from sqlalchemy import Connection, exists, select

from sqo.domain.errors import InvalidValue
from sqo.i18n import _
from sqo.store import tables as t
from sqo.store.repositories import SettingsRepository

SETTING = "default_currency"
# What is valued in the corporate currency: its amounts and rates would change meaning.
HOLDERS = (t.opportunities, t.quotas, t.exchange_rates)


def set_corporate_currency(connection: Connection, currency: str) -> None:
    """Make ``currency`` the corporate currency; refused when the workspace already holds deals,
    quotas or rates under another one (an empty workspace simply takes it)."""
    settings = SettingsRepository(connection)
    current = str(settings.get(SETTING, "USD"))
    if current == currency:
        return
    if any(connection.execute(select(exists().select_from(h))).scalar() for h in HOLDERS):
        raise InvalidValue(
            _(
                "The export's corporate currency is {new}, but this workspace already holds "
                "deals, quotas or rates in its corporate currency {old}; import it into a new "
                "workspace (sqo init --currency {new}).",
                new=currency,
                old=current,
            ),
            field="currency",
        )
    settings.put(SETTING, currency)


def rated_currencies(connection: Connection) -> frozenset[str]:
    """The currencies the workspace holds a rate for."""
    found = connection.execute(select(t.exchange_rates.c.currency).distinct()).scalars()
    return frozenset(str(c) for c in found)
