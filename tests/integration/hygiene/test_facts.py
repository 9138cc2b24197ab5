"""The facts the rules read, gathered by new SQL: on SQLite and PostgreSQL, from deals built
through the services with known dates, so each count is known by construction."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from sqo.analytics.hygiene import deals as deal_queries
from sqo.analytics.hygiene.facts import open_deal_facts
from sqo.domain.actor import Actor
from sqo.services import activities, directory, opportunities
from sqo.services.hygiene import hygiene_report
from sqo.services.workspace import Workspace, open_workspace
from tests import factories
from tests.conftest import DemoFile

T0 = datetime(2026, 4, 1, 9, 0)
AS_OF = datetime.combine(date(2026, 6, 30), time.max)
DAY = timedelta(days=1)


def _update(ws: Workspace, actor: Actor, opp: int, at: datetime, **edits: str) -> None:
    opportunities.update_opportunity(ws, actor, opp, at=at, **edits)


def _move(ws: Workspace, actor: Actor, opp: int, stage: str, at: datetime) -> None:
    opportunities.move_opportunity(
        ws,
        actor,
        opp,
        stage,
        at=at,
        justification="test: moved without recorded evidence on purpose",
        loss_reason="price" if stage == "Lost" else None,
    )


@pytest.fixture
def built(any_workspace: Workspace, actor: Actor) -> Workspace:
    ws = any_workspace
    factories.org(ws, actor)
    # "Pushed": two pushes to a later month; a move within the month and one earlier are not.
    a = factories.opportunity(
        ws, actor, "Pushed", at=T0, moves=[("SQO", DAY)], close_date="2026-05-10"
    ).id
    _update(ws, actor, a, T0 + 5 * DAY, close_date="2026-06-15")  # push 1
    _update(ws, actor, a, T0 + 10 * DAY, close_date="2026-06-28")  # same month
    _update(ws, actor, a, T0 + 20 * DAY, close_date="2026-07-20")  # push 2
    _update(ws, actor, a, T0 + 30 * DAY, close_date="2026-07-05")  # earlier
    _update(ws, actor, a, AS_OF - 5 * DAY, amount="8000")  # a 20% cut
    _move(ws, actor, a, "Proposal", AS_OF - 20 * DAY)
    _move(ws, actor, a, "Solution", AS_OF - 10 * DAY)  # moved back
    # "Once": one push, an amount raised, moved forward only.
    b = factories.opportunity(
        ws, actor, "Once", at=T0, moves=[("SQO", DAY)], close_date="2026-06-10"
    ).id
    _update(ws, actor, b, T0 + 5 * DAY, close_date="2026-07-10")
    _update(ws, actor, b, T0 + 6 * DAY, amount="12000")
    _move(ws, actor, b, "Solution", AS_OF - 10 * DAY)
    activities.log_activity(ws, actor, "call", opportunity_id=b, occurred_at=AS_OF - 3 * DAY)
    activities.log_activity(ws, actor, "call", opportunity_id=b, occurred_at=AS_OF + DAY)
    directory.add_contact(
        ws, actor, "Eva CFO", account="Acme", buying_role="economic_buyer", opportunity_id=b
    )
    # "Fell fast": promoted, lost 5 days later; "Fell slowly": lost 20 days after promotion.
    for name, days in (("Fell fast", 5), ("Fell slowly", 20)):
        opp = factories.opportunity(ws, actor, name, at=T0, close_date="2026-07-31").id
        _move(ws, actor, opp, "SQO", AS_OF - 25 * DAY)
        _move(ws, actor, opp, "Lost", AS_OF - (25 - days) * DAY)
    return ws


def test_push_cut_back_and_activity_facts(built: Workspace) -> None:
    with built.unit_of_work() as uow:
        facts = {f.name: f for f in open_deal_facts(uow.connection, built.stage_model, AS_OF)}
    assert set(facts) == {"Pushed", "Once"}
    pushed, once = facts["Pushed"], facts["Once"]
    assert pushed.push_count == 2 and once.push_count == 1
    assert pushed.last_push is not None
    assert (pushed.last_push.before, pushed.last_push.after) == ("2026-06-28", "2026-07-20")
    assert pushed.amount_cut is not None
    assert (pushed.amount_cut.before, pushed.amount_cut.after) == ("1000000", "800000")
    assert once.amount_cut is None  # raised, never cut
    assert pushed.stage_back is not None
    assert (pushed.stage_back.before, pushed.stage_back.after) == ("Proposal", "Solution")
    assert once.stage_back is None
    assert pushed.close_date == date(2026, 7, 5) and pushed.stage == "Solution"
    # the activity after the as-of moment is not seen
    assert once.last_activity_at == AS_OF - 3 * DAY and pushed.last_activity_at is None
    assert once.roles == frozenset({"economic_buyer"}) and pushed.roles == frozenset()
    assert pushed.is_sqo and pushed.promotion_overridden  # promoted without evidence


def test_the_report_names_each_rule_once(built: Workspace, actor: Actor) -> None:
    report = hygiene_report(built, actor, as_of=AS_OF)
    named = {(f.opportunity_name, f.rule) for f in report.findings}
    assert ("Pushed", "close_date_pushed") in named and ("Once", "close_date_pushed") not in named
    assert ("Pushed", "amount_cut") in named and ("Once", "amount_cut") not in named
    assert ("Pushed", "stage_backwards") in named and ("Once", "stage_backwards") not in named
    assert ("Pushed", "missing_buying_role") in named
    assert ("Once", "missing_buying_role") not in named
    assert ("Fell fast", "premature_sqo") in named and ("Fell slowly", "premature_sqo") not in named
    fast = next(f for f in report.findings if f.opportunity_name == "Fell fast")
    assert fast.evidence["days_as_sqo"] == 5 and fast.evidence["reason"] == "lost"
    assert fast.evidence["overridden"] is True


def test_a_week_earlier_the_same_deal_had_not_been_cut_yet(built: Workspace, actor: Actor) -> None:
    earlier = AS_OF - 7 * DAY
    report = hygiene_report(built, actor, as_of=earlier, rules=["amount_cut", "close_date_pushed"])
    named = {(f.opportunity_name, f.rule) for f in report.findings}
    assert named == {("Pushed", "close_date_pushed")}


def test_pipeline_bloat_per_rep_and_team(built: Workspace, actor: Actor, tmp_path: Path) -> None:
    # Ann's two open SQOs close in Q3; a small Q3 quota puts her coverage far above the band,
    # and both SQOs have findings (pushed, cut, no activity...).
    as_of = datetime(2026, 7, 1, 12)
    directory.set_quota(
        built,
        actor,
        amount="1000",
        period_start="2026-07-01",
        period_end="2026-09-30",
        rep="Ann Lee",
    )
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n  pipeline_bloat: {min_open_sqos: 2, unhealthy_share: 0.5}\n", encoding="utf-8"
    )
    report = hygiene_report(built, actor, as_of=as_of, rules=["pipeline_bloat"], rules_file=rules)
    bloat = {(f.owner_name, f.team_name, f.opportunity_id): f for f in report.findings}
    assert set(bloat) == {("Ann Lee", "Nordics", None), (None, "Nordics", None)}
    ann = bloat[("Ann Lee", "Nordics", None)]
    assert ann.evidence["open_sqos"] == 2
    assert ann.evidence["coverage"] == (8_000 + 12_000) / 1_000  # open SQO amount / quota
    assert ann.owner_id is not None
    # one SQO short of the minimum: no finding
    rules.write_text("rules:\n  pipeline_bloat: {min_open_sqos: 3}\n", encoding="utf-8")
    quiet = hygiene_report(built, actor, as_of=as_of, rules=["pipeline_bloat"], rules_file=rules)
    assert quiet.findings == []


def test_current_records_and_replayed_history_give_the_same_facts(
    demo_file: DemoFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = open_workspace(str(demo_file.path))
    later = datetime.combine(demo_file.today, time.max)
    try:
        with ws.unit_of_work() as uow:
            assert deal_queries.state_is_current(uow.connection, later)
            current = open_deal_facts(uow.connection, ws.stage_model, later)
            monkeypatch.setattr(deal_queries, "state_is_current", lambda *_: False)
            replayed = open_deal_facts(uow.connection, ws.stage_model, later)
    finally:
        ws.close()
    assert len(current) > 100
    assert replayed == current
