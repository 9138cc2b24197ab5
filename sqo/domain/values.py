"""Parsing and validating the values users type: amounts, currencies, dates, enumerations.

Every failure names the field and what is allowed, and nothing is written.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from typing import TypeVar

from babel.numbers import list_currencies

from sqo.domain.errors import InvalidValue, list_values
from sqo.i18n import _


class Segment(StrEnum):
    SMB = "SMB"
    MID_MARKET = "mid-market"
    ENTERPRISE = "enterprise"


class Complexity(StrEnum):
    STANDARD = "standard"
    COMPLEX = "complex"


class BuyingRole(StrEnum):
    ECONOMIC_BUYER = "economic_buyer"
    CHAMPION = "champion"
    DECISION_MAKER = "decision_maker"
    TECHNICAL_BUYER = "technical_buyer"
    INFLUENCER = "influencer"
    STAKEHOLDER = "stakeholder"
    OTHER = "other"


class ActivityKind(StrEnum):
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    DEMO = "demo"
    NOTE = "note"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


E = TypeVar("E", bound=StrEnum)


def parse_enum(enum: type[E], value: str, *, field: str) -> E:
    """Case-insensitive lookup by value or name (``mid-market``, ``MID_MARKET``, ``Mid Market``)."""
    wanted = value.strip().casefold().replace(" ", "_").replace("-", "_")
    for member in enum:
        if wanted in (
            member.value.casefold().replace("-", "_").replace(" ", "_"),
            member.name.casefold(),
        ):
            return member
    allowed = [m.value for m in enum]
    raise InvalidValue(
        _(
            "Invalid {field} {value!r}. Allowed: {allowed}.",
            field=field,
            value=value,
            allowed=list_values(allowed),
        ),
        field=field,
        allowed=allowed,
    )


@cache
def currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def parse_currency(value: str, *, field: str = "currency") -> str:
    code = value.strip().upper()
    if code not in currencies():
        raise InvalidValue(
            _(
                "Unknown {field} {value!r}: use a three-letter ISO 4217 code "
                "such as USD, EUR or SEK.",
                field=field,
                value=value,
            ),
            field=field,
            allowed=sorted(currencies()),
        )
    return code


def parse_amount(value: str | int | float | Decimal, *, field: str = "amount") -> int:
    """An amount in major units (``12500.50``) as whole minor units (cents); never negative."""
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidValue(
            _(
                "Invalid {field} {value!r}: write a number such as 12500 or 12500.50.",
                field=field,
                value=value,
            ),
            field=field,
        ) from None
    if not amount.is_finite():
        raise InvalidValue(
            _(
                "Invalid {field} {value!r}: write a number such as 12500 or 12500.50.",
                field=field,
                value=value,
            ),
            field=field,
        )
    if amount < 0:
        raise InvalidValue(
            _("The {field} cannot be negative (got {value}).", field=field, value=value),
            field=field,
        )
    cents = (amount * 100).quantize(Decimal(1))
    if cents != amount * 100:
        raise InvalidValue(
            _("The {field} {value} has more than two decimals.", field=field, value=value),
            field=field,
        )
    if cents > MAX_CENTS:  # the databases keep cents in a signed 64-bit integer
        raise InvalidValue(
            _(
                "The {field} {value} is too large: at most {largest}.",
                field=field,
                value=value,
                largest=MAX_CENTS // 100,
            ),
            field=field,
        )
    return int(cents)


MAX_CENTS = 2**63 - 1


def cents_to_amount(cents: int | None) -> Decimal | None:
    return None if cents is None else (Decimal(cents) / 100).quantize(Decimal("0.01"))


def parse_date(value: str | date, *, field: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidValue(
            _(
                "Invalid {field} {value!r}: write a date as YYYY-MM-DD, e.g. 2026-03-31.",
                field=field,
                value=value,
            ),
            field=field,
        ) from None


def parse_timestamp(value: str | datetime, *, field: str) -> datetime:
    """A timestamp in UTC without tzinfo (how the store keeps time). A bare date means 00:00 UTC."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidValue(
                _(
                    "Invalid {field} {value!r}: write a date (2026-03-31) or a time "
                    "(2026-03-31T14:00).",
                    field=field,
                    value=value,
                ),
                field=field,
            ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def utc_now() -> datetime:
    """Now, in UTC, without tzinfo and at whole-microsecond precision as the store keeps it."""
    return datetime.now(UTC).replace(tzinfo=None)


def require_text(value: str | None, *, field: str, max_length: int = 255) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidValue(_("The {field} cannot be empty.", field=field), field=field)
    if len(text) > max_length:
        raise InvalidValue(
            _("The {field} is longer than {limit} characters.", field=field, limit=max_length),
            field=field,
        )
    return text
