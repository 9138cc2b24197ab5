"""A listing cut at a limit says so: the rows shown and how many there are in all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int  # how many match, whatever the limit
    limit: int | None

    @property
    def cut(self) -> bool:
        return len(self.items) < self.total


def page_of(found: list[T], limit: int | None) -> Page[T]:
    """The first ``limit`` of everything ``found``."""
    return Page(found if limit is None else found[:limit], len(found), limit)
