"""The commands' JSON is the value given, indented, whatever the encoder: read back with the
standard library it equals what the standard library writes, odd values included."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from sqo.cli.output import json_text

ODD = {
    "tiny": 1e-05,
    "huge": 1.5e300,
    "cents": 12_345_678_901,
    "beyond 64 bits": 2**70,
    "text": "Åsa – naïve \u202e \x00",
    "empty": [[], {}],
    "nested": [{"a": None, "b": True}, [1.25, -0.0]],
    7: "a key that is a number",
}


def test_the_text_reads_back_as_the_standard_librarys() -> None:
    text = json_text(ODD, public=True)
    assert text.endswith("}\n")
    assert json.loads(text) == json.loads(json.dumps(ODD, ensure_ascii=False))
    assert "\n  " in text  # indented for people reading it


def test_records_are_written_in_their_public_form() -> None:
    given = {"when": datetime(2026, 6, 30, 12, 5), "day": date(2026, 6, 30), "x": Decimal("2.5")}
    back = json.loads(json_text(given))
    assert back["day"] == "2026-06-30"
    assert back["when"].startswith("2026-06-30")
    assert float(back["x"]) == 2.5
