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


def test_every_message_has_a_swedish_translation():
    swedish = i18n.catalogue("sv")
    missing = sorted(m for m in _messages_in_code() if m not in swedish)
    assert missing == [], f"{len(missing)} messages lack Swedish; first: {missing[:5]}"


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
