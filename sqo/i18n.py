"""The translation layer: every user-facing string goes through ``_``.

Catalogues are gettext ``.po`` files under ``sqo/locale/<lang>/LC_MESSAGES/``; every ``.po`` file
of a language is read, so each part of the product can keep its own catalogue. English is the
source language. The language comes from ``SQO_LANG``, then ``LANGUAGE``/``LC_ALL``/``LANG``, and
can be switched at run time with :func:`set_language` (the CLI's ``--lang``).
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALE_DIR = Path(__file__).parent / "locale"
SUPPORTED = ("en", "sv")

_language: ContextVar[str | None] = ContextVar("sqo_language", default=None)


def environment_language() -> str:
    """The language the environment asks for (``SQO_LANG``, then the locale variables)."""
    for var in ("SQO_LANG", "LANGUAGE", "LC_ALL", "LANG"):
        value = os.environ.get(var, "")
        code = value.split(":")[0].split(".")[0].split("_")[0].lower()
        if code in SUPPORTED:
            return code
    return "en"


def current_language() -> str:
    return _language.get() or environment_language()


def set_language(code: str | None) -> None:
    """Switch the language for this context; ``None`` returns to the environment's choice."""
    if code is not None and code not in SUPPORTED:
        raise ValueError(f"unsupported language {code!r}; choose one of {', '.join(SUPPORTED)}")
    _language.set(code)


@cache
def catalogue(code: str) -> dict[str, str]:
    """All translated messages of one language, merged from its ``.po`` files."""
    messages: dict[str, str] = {}
    folder = LOCALE_DIR / code / "LC_MESSAGES"
    if not folder.is_dir():
        return messages
    for po_file in sorted(folder.glob("*.po")):
        with po_file.open("rb") as handle:
            for message in read_po(handle, locale=code):
                if message.id and message.string and not message.fuzzy:
                    if isinstance(message.id, tuple):  # msgid_plural: one key per form
                        for form, text in enumerate(message.string):
                            messages[_plural_key(message.id[0], form)] = str(text)
                    else:
                        messages[str(message.id)] = str(message.string)
    return messages


def _plural_key(singular: str, form: int) -> str:
    return f"{singular}\x00{form}"


def _(message: str, /, **values: object) -> str:
    """Translate ``message`` and fill its ``{named}`` placeholders."""
    translated = catalogue(current_language()).get(message, message)
    return translated.format(**values) if values else translated


def ngettext(singular: str, plural: str, count: int, /, **values: object) -> str:
    """Translate a message whose words follow a number ("1 day", "3 days"); ``count`` is also
    its ``{count}`` placeholder, written in the language's digits."""
    # English and Swedish both have two forms, "one" for 1 and "other" for every other count:
    # the .po files' msgstr[0] and msgstr[1].
    form = 0 if locale().plural_form(abs(count)) == "one" else 1
    source = singular if form == 0 else plural
    translated = catalogue(current_language()).get(_plural_key(singular, form), source)
    # Below a thousand there is no grouping, and both languages write Latin digits: str() is
    # the same text, without babel's pattern parsing on each of a report's many counts.
    shown = str(count) if abs(count) < 1000 else format_decimal(count, "#,##0", locale=locale())
    return translated.format(**{"count": shown, **values})


def days_ago(count: int) -> str:
    """ "1 day ago", "3 days ago": how long ago something was due or passed, as a phrase."""
    return ngettext("{count} day ago", "{count} days ago", count)


def locale() -> Locale:
    return _parsed(current_language())


@cache
def _parsed(code: str) -> Locale:
    # Parsed once per language: a hygiene run at a million deals formats tens of thousands of
    # counts, and parsing the locale each time was most of the cost.
    return Locale.parse(code)
