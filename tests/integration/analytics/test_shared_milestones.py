"""Commands run together in one analytics session (the weekly review) read one milestone table:
the figures are those each command gives on its own, and the table is built once.

The history (days after T0): A won by Ann Lee (SMB), B lost by Bo Ek (enterprise), C open at SQO,
a lead E disqualified. The figures themselves are checked in test_funnel.py; here, that sharing
changes none of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from sqo.analytics.milestone_table import shared
from sqo.analytics.milestones import milestone_ladder
from sqo.services import analytics
from sqo.services.analytics_source import analytics_connection, analytics_session
from tests.conftest import T0
from tests.factories import org
from tests.integration.analytics.helpers import day, lead, lead_move, move, opp

AS_OF = T0 + timedelta(days=60)
KEYS = ("segment", "team", "owner")


@pytest.fixture
def history(any_workspace, actor):
    ws = any_workspace
    org(ws, actor)
    a = opp(ws, actor, "A", T0, "Qualification")
    move(ws, actor, a, "SQO", day(T0, 2))
    move(ws, actor, a, "Won", day(T0, 12))
    b = opp(ws, actor, "B", day(T0, 1), "SQO", account="Globex", owner="Bo Ek")
    move(ws, actor, b, "Lost", day(T0, 9))
    opp(ws, actor, "C", day(T0, 3), "SQO")
    e = lead(ws, actor, "E", T0, segment="SMB")
    lead_move(ws, actor, e, "Disqualified", day(T0, 3))
    return ws


@pytest.fixture
def milestone_builds() -> Iterator[list[str]]:
    """The milestone tables created, on any engine (the workspace's or the copy's)."""
    found: list[str] = []

    def seen(_c: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("CREATE TEMPORARY TABLE sqo_milestones"):
            found.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    yield found
    event.remove(Engine, "before_cursor_execute", seen)


def _reports(ws, actor) -> list[dict[str, Any]]:
    window = {"start": T0.date(), "end": day(T0, 30).date(), "as_of": AS_OF}
    return [
        analytics.funnel(ws, actor, by=("team", "owner"), **window).to_dict(),
        analytics.funnel(ws, actor, by="segment", **window).to_dict(),
        analytics.benchmark_report(ws, actor, **window).to_dict(),
    ]


def test_one_table_serves_every_command_with_the_same_figures(history, actor, milestone_builds):
    alone = _reports(history, actor)
    assert len(milestone_builds) == 3  # each command builds its own
    milestone_builds.clear()
    ladder = milestone_ladder(history.stage_model)
    with (
        analytics_session(history) as connection,
        shared(connection, ladder, AS_OF, KEYS, kept=True),
    ):
        together = _reports(history, actor)
    assert len(milestone_builds) == 1
    assert together == alone
    won = [r for r in alone[0]["win_rates"] if r["won"]]
    assert [(r["owner"], r["won"]) for r in won] == [("Ann Lee", 1)]  # not an empty history


def test_a_command_needing_other_columns_or_moment_builds_its_own(history, actor, milestone_builds):
    ladder = milestone_ladder(history.stage_model)
    window = {"start": T0.date(), "end": day(T0, 30).date()}
    alone = [
        analytics.funnel(history, actor, by="source", as_of=AS_OF, **window).to_dict(),
        analytics.funnel(history, actor, by="owner", as_of=day(T0, 10), **window).to_dict(),
    ]
    milestone_builds.clear()
    with (
        analytics_session(history) as connection,
        shared(connection, ladder, AS_OF, ("segment",), kept=True),
    ):
        by_source = analytics.funnel(history, actor, by="source", as_of=AS_OF, **window)
        earlier = analytics.funnel(history, actor, by="owner", as_of=day(T0, 10), **window)
    assert len(milestone_builds) == 3  # the shared one, then one per command
    assert [by_source.to_dict(), earlier.to_dict()] == alone


def test_commands_in_a_session_read_its_connection(history):
    with (
        analytics_session(history) as connection,
        analytics_connection(history) as inner,
        analytics_session(history) as nested,
    ):
        assert inner is connection and nested is connection
    with analytics_connection(history) as alone:
        assert alone is not connection
