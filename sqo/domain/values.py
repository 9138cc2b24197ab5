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


# The largest amount in any currency's major units (ten trillion): far above any deal, and small
# enough that sums over millions of deals, in minor units, stay inside a 64-bit integer on
# every engine (SQLite's SUM refuses to overflow; PostgreSQL's BIGINT columns hold 9.2e18).
MAX_AMOUNT = Decimal(10) ** 13
MAX_AMOUNT_TEXT = "10,000,000,000,000"

# The longest text each field holds, in characters, the same on SQLite (which would keep more)
# and PostgreSQL (which would refuse more). The store's columns have these lengths.
TEXT_LIMITS: dict[str, int] = {
    "name": 255,
    "company": 255,
    "title": 255,
    "next_step": 255,
    "loss_reason": 255,
    "source": 80,
    "channel": 80,
    "owner": 120,
    "rep": 120,
    "team": 120,
    "industry": 120,
    "country": 120,
    "external_id": 120,
    "email": 254,
}
DEFAULT_TEXT_LIMIT = 255


def parse_amount(value: str | int | float | Decimal, *, field: str = "amount") -> int:
    """An amount in major units (``12500.50``) as whole minor units (cents); never negative,
    never above :data:`MAX_AMOUNT`."""
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
    if amount > MAX_AMOUNT:
        raise InvalidValue(
            _(
                "The {field} {value} is too large: sqo keeps amounts up to {limit} in any "
                "currency.",
                field=field,
                value=value,
                limit=MAX_AMOUNT_TEXT,
            ),
            field=field,
        )
    cents = (amount * 100).quantize(Decimal(1))
    if cents != amount * 100:
        raise InvalidValue(
            _("The {field} {value} has more than two decimals.", field=field, value=value),
            field=field,
        )
    return int(cents)


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


def require_text(value: str | None, *, field: str, max_length: int | None = None) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidValue(_("The {field} cannot be empty.", field=field), field=field)
    return check_text(text, field=field, max_length=max_length)


def text_problem(text: str, *, field: str, max_length: int | None = None) -> str | None:
    """Why this text cannot be stored in ``field`` (too long, or a NUL character), or None."""
    limit = max_length or TEXT_LIMITS.get(field, DEFAULT_TEXT_LIMIT)
    if len(text) > limit:
        return _(
            "The {field} is {length} characters long; it holds at most {limit}.",
            field=field,
            length=len(text),
            limit=limit,
        )
    if "\x00" in text:
        return _(
            "The {field} contains a NUL character (\\0), which no text field can hold.",
            field=field,
        )
    return None


def check_text(text: str, *, field: str, max_length: int | None = None) -> str:
    """The text, or a refusal naming the field and its limit (see :data:`TEXT_LIMITS`)."""
    problem = text_problem(text, field=field, max_length=max_length)
    if problem is not None:
        raise InvalidValue(problem, field=field)
    return text


def fraction(number: float) -> float:
    """A probability as stored: four decimals, and zero without a sign (``-0`` would be kept as
    "-0.0" in history but as 0.0 on the record, which then no longer equals its replay)."""
    return round(number, 4) + 0.0
