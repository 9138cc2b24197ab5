"""The building blocks of a report document: titled sections of sentences and tables, and the
labels and cells the review's sections share."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqo.i18n import _
from sqo.services.review_sections import WeeklyReview

REASONS = {
    "new": "New (created or newly qualified)",
    "pulled_in": "Pulled into the period",
    "amount_changes": "Amount changes",
    "pushed_out": "Pushed out of the period (slipped)",
    "won": "Won",
    "lost": "Lost",
    "moved_below_sqo": "Moved back below SQO",
    "amount_up": "Amount up",
    "amount_down": "Amount down",
    "stage_forward": "Stage forward",
    "stage_back": "Stage back",
    "category_in": "Forecast category up",
    "category_out": "Forecast category down",
    "close_date_later": "Close date later",
    "owner_changed": "Owner changed",
}


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    right: tuple[int, ...] = ()  # right-aligned columns (numbers)
    caption: str = ""


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    chart: str | None = None  # a chart of sqo.reports.charts, for formats that draw


@dataclass
class Document:
    title: str
    subtitle: str
    sections: list[Section]


def reason_label(name: str) -> str:
    return _(REASONS[name])


def deal_label(review: WeeklyReview, deal_id: int, name: str) -> str:
    return f"#{deal_id} {name}"


def owner_name(review: WeeklyReview, owner_id: int | None) -> str:
    return review.owners.get(owner_id, "—") if owner_id is not None else "—"
