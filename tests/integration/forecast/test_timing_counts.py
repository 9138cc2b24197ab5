"""The forecast's timing counts on the demo against plain Python over the workspace's own
tables: for each earlier quarter, the deals won by now that were open in the SQO pipeline at the
same point of that quarter, by segment, where their close date then lay and whether it had been
pushed, and how many of them were won inside that quarter (docs/forecast.md, "Timing")."""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

import pytest

from sqo.analytics.forecast.period import parse_period
from sqo.analytics.forecast.timing import timing_counts
from sqo.analytics.states import open_sqo_stages
from sqo.services.workspace import open_workspace
from tests.conftest import DemoFile

AS_OF = datetime.combine(date(2026, 6, 15), time.max)


def _quarter_back(start: date, back: int) -> tuple[date, date]:
    month = start.year * 12 + start.month - 1 - 3 * back
    first = date(month // 12, month % 12 + 1, 1)
    following = month + 3
    return first, date(following // 12, following % 12 + 1, 1) - timedelta(days=1)


def _histories(path: str) -> dict[int, dict[str, list[tuple[datetime, int, str | None]]]]:
    found: dict[int, dict[str, list[tuple[datetime, int, str | None]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    with sqlite3.connect(path) as connection:
        for rid, field, value, changed, hid in connection.execute(
            "SELECT record_id, field, new_value, changed_at, id FROM history "
            "WHERE record_type = 'opportunity' AND field IN "
            "('stage', 'close_date', 'closed_at')"
        ):
            found[rid][field].append((datetime.fromisoformat(changed), hid, value))
    for fields in found.values():
        for changes in fields.values():
            changes.sort(key=lambda c: (c[0], c[1]))
    return found


def _at(changes: list[tuple[datetime, int, str | None]], moment: datetime) -> str | None:
    before = [c for c in changes if c[0] <= moment]
    return before[-1][2] if before else None


def _pushes(changes: list[tuple[datetime, int, str | None]], moment: datetime) -> int:
    values = [c[2] for c in changes if c[0] <= moment]
    return sum(1 for a, b in pairwise(values) if a is not None and b is not None and b > a)


def _segments(path: str) -> dict[int, str | None]:
    with sqlite3.connect(path) as connection:
        return {
            rid: segment
            for rid, segment in connection.execute(
                "SELECT o.id, coalesce(a.segment, l.segment) FROM opportunities o "
                "LEFT JOIN leads l ON l.id = o.lead_id "
                "LEFT JOIN accounts a ON a.id = coalesce(o.account_id, l.account_id)"
            )
        }


@pytest.mark.parametrize("label", ["2026-Q2", "2026-Q3"])
def test_timing_counts_equal_plain_python(demo_file: DemoFile, label: str) -> None:
    path = str(demo_file.path)
    ws = open_workspace(path)
    try:
        model = ws.stage_model
        period = parse_period(label)
        with ws.unit_of_work() as uow:
            got = timing_counts(uow.connection, model, period, AS_OF)
    finally:
        ws.close()
    open_stages = set(open_sqo_stages(model))
    won_stage = model.won_stage().name
    histories, segments = _histories(path), _segments(path)
    offset = AS_OF - datetime.combine(period.start, time())
    expected: list[tuple[Any, ...]] = []
    for back in range(1, 9):
        start, end = _quarter_back(period.start, back)
        if end >= AS_OF.date():
            continue
        moment = min(
            datetime.combine(start, time()) + offset,
            datetime.combine(end, time.max) - timedelta(seconds=1),
        )
        first = max(start, moment.date())
        groups: Counter[tuple[Any, ...]] = Counter()
        inside: Counter[tuple[Any, ...]] = Counter()
        for rid, fields in histories.items():
            if _at(fields["stage"], AS_OF) != won_stage:
                continue
            stage, close = _at(fields["stage"], moment), _at(fields["close_date"], moment)
            if stage not in open_stages or close is None:
                continue
            day = date.fromisoformat(close[:10])
            bucket = "before" if day < first else "inside" if day <= end else "after"
            key = (segments[rid], bucket, _pushes(fields["close_date"], moment) > 0)
            groups[key] += 1
            closed = _at(fields["closed_at"], AS_OF)
            inside[key] += closed is not None and start <= date.fromisoformat(closed[:10]) <= end
        expected += [(*key, n, inside[key]) for key, n in groups.items()]
    assert len(expected) > 10  # several quarters, segments and buckets
    assert sum(row[3] for row in expected) >= 30 and any(row[2] for row in expected)
    rows = [(c.segment, c.bucket, c.pushed, c.deals, c.in_period) for c in got]
    assert sorted(rows, key=repr) == sorted(expected, key=repr)
