"""A decision recorded in one week shows as held or broken in the next week's review, through
the services and through `sqo decide` / `sqo review --format json`."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.domain.actor import Actor
from sqo.services import opportunities
from sqo.services.decisions import record_decision
from sqo.services.review import weekly_review
from sqo.services.workspace import Workspace
from tests import factories

DAY = timedelta(days=1)
T0 = datetime(2026, 4, 27, 9, 0)  # a Monday: week 2026-W18
MEETING = datetime(2026, 5, 4, 10, 0)  # Monday of 2026-W19, reviewing W18
AS_OF = datetime(2026, 5, 20, 12, 0)
runner = CliRunner()


def _deals(ws: Workspace, actor: Actor) -> dict[str, int]:
    factories.org(ws, actor)
    made = {}
    for name in ("Advances", "Slips", "Parked", "Waits"):
        opp = factories.opportunity(
            ws,
            actor,
            name,
            at=T0,
            moves=[("SQO", DAY), ("Solution", 2 * DAY)],
            close_date="2026-06-15",
        )
        made[name] = opp.id
    return made


def _after_the_meeting(ws: Workspace, actor: Actor, made: dict[str, int]) -> None:
    opportunities.move_opportunity(ws, actor, made["Advances"], "Proposal", at=MEETING + 2 * DAY)
    opportunities.update_opportunity(
        ws, actor, made["Slips"], close_date="2026-07-31", at=MEETING + 3 * DAY
    )
    # After the due date of its decision: too late to count for it.
    opportunities.move_opportunity(ws, actor, made["Waits"], "Proposal", at=MEETING + 9 * DAY)


def test_held_and_broken_in_the_next_review(any_workspace: Workspace, actor: Actor) -> None:
    made = _deals(any_workspace, actor)
    due = date(2026, 5, 8)
    for name, kind in (("Advances", "advance"), ("Slips", "advance"), ("Waits", "advance")):
        record_decision(
            any_workspace, actor, made[name], decision=kind, owner="Ann Lee", due=due, at=MEETING
        )
    record_decision(
        any_workspace,
        actor,
        made["Parked"],
        decision="park",
        owner="Bo Ek",
        due=due,
        until=date(2026, 6, 1),
        note="Budget frozen until June",
        at=MEETING,
    )
    _after_the_meeting(any_workspace, actor, made)
    review = weekly_review(any_workspace, actor, week="2026-W19", as_of=AS_OF)
    got = {f.decision.opportunity_name: f.outcome.value for f in review.decisions}
    assert got == {"Advances": "held", "Slips": "broken", "Parked": "held", "Waits": "broken"}
    slipped = next(f for f in review.decisions if f.decision.opportunity_name == "Slips")
    assert slipped.close_date_then == date(2026, 7, 31)
    # The week before the decisions were taken shows none of them.
    assert weekly_review(any_workspace, actor, week="2026-W18", as_of=AS_OF).decisions == []
    # Mid-week, before the due date and before the slip, the slipping deal is still pending.
    early = weekly_review(any_workspace, actor, week="2026-W19", as_of=MEETING + DAY)
    assert {f.decision.opportunity_name: f.outcome.value for f in early.decisions}["Slips"] == (
        "pending"
    )
    # A review cut mid-week sees the pipeline of that moment, not of the week's end.
    forward = [d.name for d in review.changes.reason("stage_forward").opportunities]
    assert forward == ["Advances"]
    assert early.changes.reason("stage_forward").deals == 0


def _cli(db: str, *args: str) -> Any:
    result = runner.invoke(app, ["--db", db, *args])
    return result


def test_through_the_command_line(sqlite_url: str, workspace: Workspace, actor: Actor) -> None:
    made = _deals(workspace, actor)
    # `sqo decide` takes the decision now; here the deal then moves back.
    result = _cli(
        sqlite_url,
        "decide",
        str(made["Advances"]),
        "--decision",
        "advance",
        "--owner",
        "Bo Ek",
        "--due",
        "2999-01-01",
        "--json",
    )
    assert result.exit_code == 0, result.output
    decided = json.loads(result.output)
    assert (decided["decision"], decided["owner"], decided["stage"]) == (
        "advance",
        "Bo Ek",
        "Solution",
    )
    now = datetime.fromisoformat(decided["decided_at"])
    opportunities.move_opportunity(
        workspace, actor, made["Advances"], "SQO", at=now + timedelta(milliseconds=1)
    )
    week = f"{now.isocalendar().year}-W{now.isocalendar().week:02d}"
    result = _cli(sqlite_url, "review", "--week", week, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    [follow] = data["decisions"]
    assert (follow["outcome"], follow["stage_then"]) == ("broken", "SQO")
    refused = _cli(
        sqlite_url,
        "decide",
        str(made["Slips"]),
        "--decision",
        "park",
        "--owner",
        "Bo Ek",
        "--due",
        "2999-01-01",
    )
    assert refused.exit_code != 0
    assert "--until" in refused.output


def test_a_decision_entered_later_keeps_the_deal_as_it_was_when_decided(
    workspace: Workspace, actor: Actor
) -> None:
    made = _deals(workspace, actor)
    opportunities.move_opportunity(workspace, actor, made["Advances"], "Won", at=MEETING + DAY)
    decided = record_decision(
        workspace,
        actor,
        made["Advances"],
        decision="advance",
        owner="Ann Lee",
        due=date(2026, 5, 8),
        at=MEETING,
    )
    assert (decided.stage, decided.close_date, decided.amount_cents) == (
        "Solution",
        date(2026, 6, 15),
        1_000_000,
    )
    [follow] = weekly_review(workspace, actor, week="2026-W19", as_of=AS_OF).decisions
    assert (follow.outcome.value, follow.stage_then) == ("held", "Won")
