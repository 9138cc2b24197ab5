"""Parsing the values exports contain: amounts with currency symbols and thousands separators,
dates in ISO, day-first or month-first order (with or without a time), booleans, numbers.

Every failure is an :class:`InvalidValue` naming the field and what was expected; the caller adds
the row number. Amounts end in the domain parser (:func:`sqo.domain.values.parse_amount`).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal

from sqo.domain.errors import InvalidValue
from sqo.domain.values import currencies, fraction, parse_amount
from sqo.i18n import _
from sqo.io.notes import FileNotes

DateOrder = Literal["iso", "day-first", "month-first"]

SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "kr": "SEK", "CHF": "CHF"}
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_THOUSANDS_COMMA = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_THOUSANDS_DOT = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def parse_money(
    text: str, *, field: str = "amount", notes: FileNotes | None = None
) -> tuple[int, str | None]:
    """``$12,500.50``, ``12 500,50 kr``, ``EUR 1.234,5`` -> (cents, currency code if shown).
    More than two decimals (``12345.675``, as Salesforce stores some amounts) are rounded to
    cents half-even and counted in ``notes``."""
    raw = text.strip()
    if _PLAIN_NUMBER.fullmatch(raw):  # the usual export shape: what the rules below end in
        return _cents(raw, field, notes), None
    value = raw
    currency: str | None = None
    for symbol, code in SYMBOLS.items():
        if symbol in value:
            currency = code
            value = value.replace(symbol, "")
    match = re.search(r"\b([A-Za-z]{3})\b", value)
    if match and match.group(1).upper() in currencies():
        currency = match.group(1).upper()
        value = value.replace(match.group(1), "")
    value = _SPACES.sub("", value)
    if "," in value and "." in value:
        if value.rfind(",") > value.rfind("."):
            value = value.replace(".", "").replace(",", ".")
        else:
            value = value.replace(",", "")
    elif "," in value:
        value = value.replace(",", "") if _THOUSANDS_COMMA.match(value) else value.replace(",", ".")
    elif value.count(".") > 1 and _THOUSANDS_DOT.match(value):
        value = value.replace(".", "")
    if not value or not re.fullmatch(r"-?\d+(\.\d+)?", value):
        raise InvalidValue(
            _(
                "Invalid {field} {value!r}: write a number such as 12500 or 12,500.50.",
                field=field,
                value=raw,
            ),
            field=field,
        )
    return _cents(value, field, notes), currency


_CENT = Decimal("0.01")


def _cents(number: str, field: str, notes: FileNotes | None) -> int:
    """A plain number (``-?digits[.digits]``) as cents, rounded half-even (banker's rounding:
    no upward drift over many rounded amounts)."""
    amount = Decimal(number)
    if amount < 0:
        return parse_amount(number, field=field)  # refused, with the number as written
    rounded = amount.quantize(_CENT, rounding=ROUND_HALF_EVEN)
    if rounded != amount and notes is not None:
        notes.amounts_rounded += 1
    return parse_amount(rounded, field=field)


_DATE = re.compile(
    r"^(?P<a>\d{1,4})[-/.](?P<b>\d{1,2})[-/.](?P<c>\d{1,4})"
    r"(?:(?:T|\s+)(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?$"
)

# The shapes exports write most (2017-03-01, 2024-03-05 14:22:31, 2022-01-01T10:00:00.000Z,
# ...+01:00, ...+0100), in ASCII digits: group 1 is the date and time, group 2 the zone.
_ISO_FAST = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?)"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?\Z"
)
_from_iso = datetime.fromisoformat
# The commonest of those shapes, without a fraction or a zone: its text is the C parser's input
# as it is, and the shorter pattern takes half the time (millions of dates in a big import).
_ISO_PLAIN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?: [0-9]{2}:[0-9]{2}:[0-9]{2})?\Z")

_EXPECTED = {
    "iso": "YYYY-MM-DD",
    "day-first": "DD/MM/YYYY or DD/MM/YY",
    "month-first": "MM/DD/YYYY or MM/DD/YY",
}

# Two-digit years as POSIX and Python's %y read them: 00-68 are 2000-2068, 69-99 are 1969-1999.
# A fixed pivot, not a window around today: the same export reads the same in any year.
PIVOT_YEAR = 69


def full_year(two_digits: int) -> int:
    return two_digits + (1900 if two_digits >= PIVOT_YEAR else 2000)


def check_date_format(value: str, *, option: str = "--date-format", auto: bool = False) -> str:
    """A date format a user gave, refused up front rather than on every row it cannot read."""
    known = (
        ("auto", "iso", "day-first", "month-first") if auto else ("iso", "day-first", "month-first")
    )
    if value in known or "%" in value:
        return value
    raise InvalidValue(
        _(
            "Unknown {option} {value!r}: use {known} or a strptime pattern such as %d.%m.%Y.",
            option=option,
            value=value,
            known=", ".join(known),
        ),
        field="date_format",
    )


def _bad_date(text: str, field: str, order: str) -> InvalidValue:
    return InvalidValue(
        _(
            "Invalid {field} {value!r}: expected a date as {expected} (date_format: {order}).",
            field=field,
            value=text,
            expected=_EXPECTED.get(order, order),
            order=order,
        ),
        field=field,
    )


def _offset_minutes(tz: str) -> int:
    """``+01:00``, ``-0130`` -> minutes east of UTC."""
    digits = tz[1:].replace(":", "")
    return (1 if tz[0] == "+" else -1) * (int(digits[:2]) * 60 + int(digits[2:]))


def parse_moment(text: str, *, field: str, order: str = "iso") -> datetime:
    """A date or date and time in the given order, as naive UTC: with or without a time, with or
    without seconds, 24-hour or AM/PM, four- or two-digit years (see :data:`PIVOT_YEAR`).
    ``order`` may also be a ``strptime`` pattern such as ``%d %b %Y`` (:func:`_by_pattern`)."""
    value = text.strip()
    if order == "iso" and _ISO_PLAIN.match(value) is not None:
        try:
            return _from_iso(value)
        except ValueError:
            pass  # out-of-range parts: the general reading below decides, as for any shape
    fast = _ISO_FAST.match(value) if order == "iso" else None
    if fast is not None:
        # Read without the general pattern: the same result, several times faster on
        # million-row files. The fraction of a second is dropped and an offset converted to
        # UTC, as below; anything the C parser refuses (out-of-range parts) gets the general
        # reading below, which decides as before.
        try:
            moment = _from_iso(fast.group(1)[:19])
        except ValueError:
            pass
        else:
            tz = fast.group(2)
            if tz is None or tz == "Z":
                return moment
            return moment - timedelta(minutes=_offset_minutes(tz))
    if "%" in order:
        return _by_pattern(value, text, field, order)
    match = _DATE.match(value)
    if match is None:
        raise _bad_date(text, field, order)
    a, b, c = (int(match.group(k)) for k in "abc")
    if order == "iso":
        if len(match.group("a")) != 4:
            raise _bad_date(text, field, order)
        year, month, day = a, b, c
    elif order == "day-first":
        day, month, year = a, b, c
    elif order == "month-first":
        month, day, year = a, b, c
    else:
        raise _bad_date(text, field, order)
    if order != "iso":
        digits = len(match.group("c"))
        if digits == 2:
            year = full_year(year)
        elif digits != 4:
            raise _bad_date(text, field, order)
    hour = int(match.group("h") or 0)
    minute = int(match.group("m") or 0)
    second = int(match.group("s") or 0)
    ampm = (match.group("ampm") or "").replace(".", "").lower()
    if ampm and hour > 12:
        raise _bad_date(text, field, order)  # 13:05 PM: neither clock
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    try:
        moment = datetime(year, month, day, hour, minute, second)
    except ValueError:
        raise _bad_date(text, field, order) from None
    tz = match.group("tz")
    if tz and tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        digits_tz = tz[1:].replace(":", "")
        offset = sign * (int(digits_tz[:2]) * 60 + int(digits_tz[2:]))
        moment -= timedelta(minutes=offset)
    return moment


_TIME_DIRECTIVES = re.compile(r"%[HIMSpfzZ]")


def _pattern_variants(pattern: str) -> list[str]:
    """The shapes one pattern stands for in an export that mixes date-only and date-time
    columns: the pattern itself, with and without seconds, its date part alone; each with a
    two-digit year (%y) tried before a four-digit one (%Y), since %Y also reads ``26`` as the
    year 26."""
    shapes = [pattern]
    if ":%S" in pattern:
        shapes.append(pattern.replace(":%S", ""))
    elif "%M" in pattern:
        shapes.append(pattern.replace("%M", "%M:%S", 1))
    time = _TIME_DIRECTIVES.search(pattern)
    if time is not None:
        date_part = pattern[: time.start()].rstrip(" T,")
        if date_part and "%" in date_part:
            shapes.append(date_part)
    variants = []
    for shape in shapes:
        if "%Y" in shape:
            variants.append(shape.replace("%Y", "%y"))
        variants.append(shape)
    return variants


def _by_pattern(value: str, text: str, field: str, pattern: str) -> datetime:
    for variant in _pattern_variants(pattern):
        try:
            moment = datetime.strptime(value, variant)
        except ValueError:
            continue
        if moment.year < 100:
            break  # a two-digit year read by %Y as the year 26: refused, not guessed
        return _to_utc(moment)
    raise _bad_date(text, field, pattern)


def _to_utc(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        return moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def parse_day(text: str, *, field: str, order: str = "iso") -> date:
    """The day of a date or date and time (a CloseDate written ``2/23/2026`` or, in another
    export, ``2/23/2026 8:55 PM``): the same formats as :func:`parse_moment`."""
    return parse_moment(text, field=field, order=order).date()


def parse_bool(text: str, *, field: str) -> bool:
    value = text.strip().casefold()
    if value in ("true", "1", "yes", "y", "ja", "x"):
        return True
    if value in ("false", "0", "no", "n", "nej", ""):
        return False
    raise InvalidValue(
        _("Invalid {field} {value!r}: write true or false.", field=field, value=text), field=field
    )


def parse_int(text: str, *, field: str) -> int:
    value = _SPACES.sub("", text).replace(",", "")
    try:
        return int(float(value))
    except ValueError:
        raise InvalidValue(
            _("Invalid {field} {value!r}: write a whole number.", field=field, value=text),
            field=field,
        ) from None


def parse_percent(text: str, *, field: str = "probability", scale_100: bool = False) -> float:
    """``35``, ``35%`` or ``0.35`` -> 0.35. With ``scale_100`` the number is always out of 100,
    as Salesforce writes Probability (``1`` is 1%, not 100%)."""
    value = text.strip()
    percent = value.endswith("%") or scale_100
    try:
        number = float(value.rstrip("%").replace(",", "."))
    except ValueError:
        raise InvalidValue(
            _("Invalid {field} {value!r}: write a percentage such as 35.", field=field, value=text),
            field=field,
        ) from None
    if percent or number > 1:
        number /= 100
    if not 0 <= number <= 1:
        raise InvalidValue(
            _("The {field} must be between 0 and 100 (got {value}).", field=field, value=text),
            field=field,
        )
    return fraction(number)
