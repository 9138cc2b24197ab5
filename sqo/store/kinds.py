"""What kind of value a workspace column holds, independent of the database: the one
classification that exports and the analytics copy both translate into their own types."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import JSON, BigInteger, Boolean, Column, Date, DateTime, Float, Integer

Kind = Literal["json", "bool", "int", "float", "datetime", "date", "text"]


def column_kind(column: Column[Any]) -> Kind:
    kind = column.type
    if isinstance(kind, JSON):
        return "json"
    if isinstance(kind, Boolean):
        return "bool"
    if isinstance(kind, Integer | BigInteger):
        return "int"
    if isinstance(kind, Float):
        return "float"
    if isinstance(kind, DateTime):
        return "datetime"
    if isinstance(kind, Date):
        return "date"
    return "text"
