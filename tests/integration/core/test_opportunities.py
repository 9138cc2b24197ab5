"""Opportunities through the services, on a SQLite file and on PostgreSQL."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from sqo.domain.errors import (
    ForbiddenMove,
    InvalidValue,
    NotFound,
    UnknownReference,
    VersionConflict,
)
from sqo.domain.history import RecordType
from sqo.services import leads, opportunities
from sqo.services.history import record_history
from sqo.store import tables as t
from tests.conftest import T0
from tests.factories import opportunity, org


def _history_rows(ws):
    with ws.unit_of_work() as uow:
        return uow.connection.execute(select(func.count()).select_from(t.history)).scalar_one()


def test_create_move_update_keeps_every_change(any_workspace, actor):
    ws = any_workspace
    org(ws, actor)
    opp = opportunity(ws, actor, at=T0, close_date="2026-03-31", competitors="Contoso, Initech")
    assert (opp.stage, opp.amount_cents, opp.probability, opp.forecast_category) == (
        "Qualification",
        1_000_000,
        0.05,
        "Pipeline",
    )
    opportunities.move_opportunity(
        ws,
        actor,
        opp.id,
        "SQO",
        justification="Budget confirmed by the CFO in writing",
        at=T0 + timedelta(days=3),
    )
    updated = opportunities.update_opportunity(
        ws, actor, opp.id, amount="12000.50", owner="bo@example.com", at=T0 + timedelta(days=5)
    )
    assert updated.version == 3 and updated.amount_cents == 1_200_050

    changes = record_history(ws, actor, RecordType.OPPORTUNITY, opp.id)
    stage_changes = [(c.old, c.new, c.justification) for c in changes if c.field == "stage"]
    assert stage_changes == [
        (None, "Qualification", None),
        ("Qualification", "SQO", "Budget confirmed by the CFO in writing"),
    ]
    amount = [(c.old, c.new) for c in changes if c.field == "amount_cents"]
    assert amount == [(None, "1000000"), ("1000000", "1200050")]
    owner = [c for c in changes if c.field == "owner_id"][-1]
    assert owner.actor == "tester" and owner.changed_at == T0 + timedelta(days=5)
    competitors = [c.new for c in changes if c.field == "competitors"]
    assert competitors == ['["Contoso", "Initech"]']


def test_closing_sets_close_date_and_reopening_clears_closed_at(any_workspace, actor):
    ws = any_workspace
    org(ws, actor)
    opp = opportunity(ws, actor, at=T0)
    with pytest.raises(InvalidValue) as err:
        opportunities.move_opportunity(ws, actor, opp.id, "Lost", at=T0 + timedelta(days=1))
    assert err.value.field == "loss_reason"
    lost = opportunities.move_opportunity(
        ws, actor, opp.id, "Lost", loss_reason="No budget", at=T0 + timedelta(days=2)
    )
    assert (lost.closed_at, lost.close_date, lost.forecast_category, lost.probability) == (
        T0 + timedelta(days=2),
        (T0 + timedelta(days=2)).date(),
        "Omitted",
        0.0,
    )
    reopened = opportunities.move_opportunity(
        ws,
        actor,
        opp.id,
        "Proposal",
        at=T0 + timedelta(days=9),
        justification="Reopened: the buyer came back with a new budget.",
    )
    assert reopened.closed_at is None and reopened.stage == "Proposal"


@pytest.mark.parametrize(
    ("edits", "field", "words"),
    [
        ({"amount": "-5"}, "amount", "cannot be negative"),
        ({"currency": "XXY"}, "currency", "ISO 4217"),
        ({"close_date": "next friday"}, "close_date", "YYYY-MM-DD"),
        ({"owner": "Zed Nobody"}, "owner", "Known reps: Ann Lee, Bo Ek"),
        ({"complexity": "huge"}, "complexity", "standard, complex"),
        ({"stage": "SQO"}, "stage", "sqo move"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(any_workspace, actor, edits, field, words):
    ws = any_workspace
    org(ws, actor)
    opp = opportunity(ws, actor, at=T0)
    before = _history_rows(ws)
    with pytest.raises((InvalidValue, UnknownReference)) as err:
        opportunities.update_opportunity(ws, actor, opp.id, **edits)
    assert err.value.field == field
    assert words in err.value.message
    assert _history_rows(ws) == before
    assert opportunities.get_opportunity(ws, actor, opp.id).version == 1


def test_unknown_stage_and_forbidden_moves_write_nothing(any_workspace, actor):
    ws = any_workspace
    org(ws, actor)
    opp = opportunity(ws, actor, at=T0)
    before = _history_rows(ws)
    with pytest.raises(InvalidValue) as err:
        opportunities.move_opportunity(ws, actor, opp.id, "Pitching")
    assert "Valid stages: Lead, MQL" in err.value.message
    with pytest.raises(ForbiddenMove):
        opportunities.move_opportunity(ws, actor, opp.id, "MQL")
    assert _history_rows(ws) == before


def test_a_stale_version_is_refused(any_workspace, actor):
    ws = any_workspace
    org(ws, actor)
    opp = opportunity(ws, actor, at=T0)
    opportunities.update_opportunity(ws, actor, opp.id, amount="2000", expected_version=1)
    with pytest.raises(VersionConflict) as err:
        opportunities.update_opportunity(ws, actor, opp.id, amount="3000", expected_version=1)
    assert "now at version 2, you edited version 1" in err.value.message
    assert opportunities.get_opportunity(ws, actor, opp.id).amount_cents == 200_000


def test_two_writers_racing_on_the_same_version_cannot_both_win(any_workspace, actor):
    """Both read version 1; the repository's compare-and-set lets only the first write land."""
    ws = any_workspace
    org(ws, actor)
    opp = opportunity(ws, actor, at=T0)
    first = opportunities.get_opportunity(ws, actor, opp.id)
    second = opportunities.get_opportunity(ws, actor, opp.id)
    first.amount_cents = 111
    second.amount_cents = 222
    with ws.unit_of_work() as uow:
        uow.opportunities.update(first, expected_version=1)
        uow.commit()
    with ws.unit_of_work() as uow, pytest.raises(VersionConflict):
        uow.opportunities.update(second, expected_version=1)
    assert opportunities.get_opportunity(ws, actor, opp.id).amount_cents == 111


def test_as_of_shows_the_pipeline_as_it_was(any_workspace, actor):
    ws = any_workspace
    org(ws, actor)
    a = opportunity(
        ws, actor, "A", at=T0, moves=[("SQO", timedelta(days=10)), ("Won", timedelta(days=40))]
    )
    opportunity(ws, actor, "B", at=T0 + timedelta(days=20))
    opportunities.update_opportunity(ws, actor, a.id, amount="5000", at=T0 + timedelta(days=30))

    def view(days):
        found = opportunities.list_opportunities(ws, actor, as_of=T0 + timedelta(days=days))
        return {o.name: (o.stage, o.amount_cents) for o in found}

    assert view(-1) == {}
    assert view(5) == {"A": ("Qualification", 1_000_000)}
    assert view(25) == {"A": ("SQO", 1_000_000), "B": ("Qualification", 1_000_000)}
    assert view(35) == {"A": ("SQO", 500_000), "B": ("Qualification", 1_000_000)}
    assert view(45)["A"] == ("Won", 500_000)
    open_then = opportunities.list_opportunities(
        ws, actor, open_only=True, as_of=T0 + timedelta(days=45)
    )
    assert [o.name for o in open_then] == ["B"]
    one = opportunities.get_opportunity(ws, actor, a.id, as_of=T0 + timedelta(days=12))
    assert (one.stage, one.amount_cents, one.probability) == ("SQO", 1_000_000, 0.15)
    with pytest.raises(NotFound) as err:
        opportunities.get_opportunity(ws, actor, a.id, as_of=T0 - timedelta(days=1))
    assert "did not exist yet on 2026-01-04 09:00:00" in err.value.message


def test_converting_an_sql_creates_the_opportunity_and_links_both_ways(any_workspace, actor):
    ws = any_workspace
    org(ws, actor)
    lead = leads.create_lead(
        ws, actor, name="Pia Berg", company="Acme", owner="Ann Lee", source="Webinar", at=T0
    )
    with pytest.raises(ForbiddenMove) as err:
        leads.convert_lead(ws, actor, lead.id)
    assert "only leads at SQL can be converted" in err.value.message
    for i, stage in enumerate(["MQL", "SAL", "SQL"], start=1):
        leads.move_lead(ws, actor, lead.id, stage, at=T0 + timedelta(days=i))
    converted, opp = leads.convert_lead(
        ws,
        actor,
        lead.id,
        amount="8000",
        account="Acme",
        close_date="2026-04-30",
        at=T0 + timedelta(days=5),
    )
    assert converted.converted_opportunity_id == opp.id
    assert (opp.lead_id, opp.stage, opp.source, opp.close_date) == (
        lead.id,
        "Qualification",
        "Webinar",
        date(2026, 4, 30),
    )
    assert opp.owner_id == converted.owner_id
    with pytest.raises(ForbiddenMove):
        leads.convert_lead(ws, actor, lead.id)
    with pytest.raises(ForbiddenMove):
        leads.move_lead(ws, actor, lead.id, "MQL")


def test_promotion_and_demotion_leave_audit_entries(any_workspace, actor):
    ws = any_workspace
    org(ws, actor)
    opp = opportunity(ws, actor, at=T0, moves=[("SQO", timedelta(days=1))])
    opportunities.move_opportunity(
        ws, actor, opp.id, "Qualification", justification="Budget gone", at=T0 + timedelta(days=2)
    )
    with ws.unit_of_work() as uow:
        actions = [
            (e["action"], e["record_id"])
            for e in uow.audit.entries()
            if e["action"] in ("opportunity.promoted", "opportunity.demoted")
        ]
    assert actions == [("opportunity.promoted", opp.id), ("opportunity.demoted", opp.id)]


def test_converting_links_the_account_the_company_names(any_workspace, actor):
    ws = any_workspace
    org(ws, actor)
    lead = leads.create_lead(ws, actor, name="Pia Berg", company="acme", stage="SQL", at=T0)
    _lead, opp = leads.convert_lead(ws, actor, lead.id, at=T0 + timedelta(days=1))
    with ws.unit_of_work() as uow:
        acme = uow.accounts.named("Acme")[0]
    assert opp.account_id == acme.id
    other = leads.create_lead(ws, actor, name="Lo Ek", company="Initech", stage="SQL", at=T0)
    _lead, unmatched = leads.convert_lead(ws, actor, other.id, at=T0 + timedelta(days=1))
    assert unmatched.account_id is None
