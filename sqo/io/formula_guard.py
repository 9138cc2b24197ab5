"""CSV cells that a spreadsheet would run as a formula, neutralised as OWASP recommends.

A spreadsheet opening a CSV treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and,
in some, a tab or carriage return before one) as a formula: ``=HYPERLINK(...)`` links out,
``+cmd|' /C calc'!A0`` runs a program. Every CSV sqo writes puts a single quote in front of such
a text cell, so the spreadsheet shows the text instead of running it.

Numbers are data, not formulas: sqo writes a number column's ``-5`` as it is, and a rejected-rows
file (the user's own cells, to correct and import again) leaves a cell that is a plain decimal
number such as ``-5`` or ``+3.25`` unquoted too. A text column of an sqo export is quoted
whatever it holds, so that reading the export back can undo it exactly (see
:func:`guard_text` / :func:`unguard_text`).
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def is_formula_like(cell: str) -> bool:
    return cell.startswith(FORMULA_STARTS)


def guard_cell(cell: str) -> str:
    """A cell of a file for people (rejected rows): quoted when a spreadsheet would run it."""
    if is_formula_like(cell) and not _PLAIN_NUMBER.fullmatch(cell):
        return QUOTE + cell
    return cell


def guard_text(text: str) -> str:
    """A text cell of an sqo export: quoted when formula-like, and a text that starts with the
    quote itself gets one more, so that :func:`unguard_text` gives back every text exactly."""
    if is_formula_like(text) or text.startswith(QUOTE):
        return QUOTE + text
    return text


def unguard_text(cell: str) -> str:
    return cell[1:] if cell.startswith(QUOTE) else cell
