"""The public, JSON-ready form of what the use cases return: one schema for every face.

The command line's ``--json``, a REST route and a web page's data all show a record or a report
through :func:`public`: amounts in major units (``amount`` from ``amount_cents``), dates and times
in ISO 8601, enumerations by their value. Result types build their ``to_dict()`` from it.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqo.services.listing import Page

# Values already JSON-ready: most of a large report's leaves (a hygiene run at a million deals
# has 1.8 million), answered by one type look-up before the dataclass test.
_PLAIN = frozenset({str, int, float, bool, type(None)})


def public(value: Any) -> Any:
    """A JSON-ready form of records and values: amounts in major units, ISO dates."""
    if type(value) in _PLAIN:
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {f.name: public(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for key in [k for k in data if k.endswith("_cents")]:
            cents = data.pop(key)
            data[key.removesuffix("_cents")] = None if cents is None else cents / 100
        return data
    if isinstance(value, dict):
        return {str(k): public(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [public(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def public_dict(value: Any) -> dict[str, Any]:
    """The public form of a mapping or of one record (a dataclass): a JSON object."""
    data: dict[str, Any] = public(value)
    return data


def page_dict(page: Page[Any], name: str, **extra: Any) -> dict[str, Any]:
    """A listing: the rows under ``name``, how many match, how many are shown, the limit."""
    return public_dict(
        {name: page.items, "total": page.total, "shown": len(page.items), "limit": page.limit}
        | extra
    )
