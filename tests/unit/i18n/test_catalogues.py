"""Every user-facing message in the code has a Swedish translation that keeps its placeholders."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

import sqo
from sqo import i18n

PACKAGE = Path(sqo.__file__).parent
PLACEHOLDER = re.compile(r"\{(\w+)")


def _messages_in_code() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords={"_": None}
    ):
        if isinstance(message, str) and message:
            found.add(message)
    return found


def _plurals_in_code() -> set[tuple[str, str]]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords={"ngettext": (1, 2)}
    ):
        if isinstance(message, tuple) and all(message):
            found.add((message[0], message[1]))
    return found


def test_every_message_has_a_swedish_translation():
    swedish = i18n.catalogue("sv")
    missing = sorted(m for m in _messages_in_code() if m not in swedish)
    assert missing == [], f"{len(missing)} messages lack Swedish; first: {missing[:5]}"


def test_every_plural_message_has_both_swedish_forms():
    swedish = i18n.catalogue("sv")
    plurals = _plurals_in_code()
    assert plurals, "no message uses ngettext: the extraction keyword is wrong"
    missing = sorted(
        singular
        for singular, _plural in plurals
        if any(i18n._plural_key(singular, form) not in swedish for form in (0, 1))
    )
    assert missing == [], f"{len(missing)} plural messages lack Swedish; first: {missing[:5]}"


def test_a_count_of_one_takes_the_singular_in_both_languages():
    try:
        for language, one, many in (
            ("en", "1 day ago", "3 days ago"),
            ("sv", "för 1 dag sedan", "för 3 dagar sedan"),
        ):
            i18n.set_language(language)
            assert i18n.ngettext("{count} day ago", "{count} days ago", 1) == one
            assert i18n.ngettext("{count} day ago", "{count} days ago", 3) == many
            assert i18n.ngettext("{count} day ago", "{count} days ago", 0) == many.replace("3", "0")
    finally:
        i18n.set_language(None)


def test_translations_keep_their_placeholders():
    swedish = i18n.catalogue("sv")
    broken = [
        m for m, t in swedish.items() if set(PLACEHOLDER.findall(m)) != set(PLACEHOLDER.findall(t))
    ]
    assert broken == []


def test_switching_language():
    i18n.set_language("sv")
    try:
        assert i18n._("Error: {message}", message="x") == "Fel: x"
    finally:
        i18n.set_language("en")
    assert i18n._("Error: {message}", message="x") == "Error: x"


def test_a_forecast_factor_counts_once_as_one():
    from dataclasses import replace

    from sqo.analytics.forecast.explain import describe
    from tests.unit.forecast.synthetic import rows

    row = rows(1, seed=1)[0][0]
    assert describe("pushes", replace(row, pushes=1)) == "close date pushed 1 time"
    assert describe("pushes", replace(row, pushes=2)) == "close date pushed 2 times"
    assert describe("days_since_activity", replace(row, days_since_activity=1.2)) == (
        "last activity 1 day ago"
    )
    assert describe("days_to_close", replace(row, days_to_close=-1.0)) == (
        "close date passed 1 day ago"
    )
