"""Campaign memberships and contact roles in the analytics copy, against the workspace database,
on SQLite and on PostgreSQL: after a first build, and after rows were added, changed in place
(by a microsecond, by a value moved from one row to another) and deleted, each without history
or a version; an unchanged table is not read again, and a change reads only its own block.

Expectations are independent of ``sqo.store.analytics_copy_digests``: the source is read with
plain SQLAlchemy ``select``, the copy with plain DuckDB SQL.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pytest
from sqlalchemy import delete, insert, select, update

from sqo.services import directory, leads, opportunities
from sqo.services.campaign_touches import record_touch
from sqo.services.workspace import Workspace
from sqo.store import tables as t
from sqo.store.analytics_copy import AnalyticsCopy, RefreshReport, copy_path
from sqo.store.analytics_copy_digests import wanted
from tests import factories

T0 = datetime(2026, 1, 5, 9, 0)
MEMBER_COLUMNS = ("id", "campaign_id", "lead_id", "contact_id", "touched_at")
ROLE_COLUMNS = ("id", "opportunity_id", "contact_id")
MANY = 9_000  # memberships: a few blocks of 4,096 ids


def _norm(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _source(ws: Workspace, table: Any, names: tuple[str, ...]) -> list[tuple[Any, ...]]:
    with ws.engine.connect() as connection:
        rows = connection.execute(select(*[table.c[n] for n in names]).order_by(table.c.id)).all()
    return [tuple(_norm(v) for v in row) for row in rows]


def _copy(ws: Workspace, table: str, names: tuple[str, ...]) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(copy_path(ws.url)), read_only=True) as duck:
        rows = duck.execute(f"SELECT {', '.join(names)} FROM {table} ORDER BY id").fetchall()
    return [tuple(_norm(v) for v in row) for row in rows]


def refresh(ws: Workspace, *, memberships: bool = True) -> RefreshReport:
    """A refresh for attribution (``memberships``), or for another analytics command."""
    copy = AnalyticsCopy(ws.url, copy_path(ws.url))
    try:
        if not memberships:
            return copy.refresh()
        with wanted():
            return copy.refresh()
    finally:
        copy.close()


def assert_equal(ws: Workspace) -> None:
    assert _copy(ws, "campaign_members", MEMBER_COLUMNS) == _source(
        ws, t.campaign_members, MEMBER_COLUMNS
    )
    assert _copy(ws, "opportunity_contacts", ROLE_COLUMNS) == _source(
        ws, t.opportunity_contacts, ROLE_COLUMNS
    )


@pytest.fixture
def ws(any_workspace: Workspace, actor: Any) -> Workspace:
    """Two campaigns, three leads with many memberships, an opportunity with two contacts."""
    workspace = any_workspace
    factories.org(workspace, actor)
    directory.add_campaign(workspace, actor, "A", channel="Webinar")
    directory.add_campaign(workspace, actor, "B", channel="Event")
    ids = [
        leads.create_lead(workspace, actor, name=f"Lead {n}", company="Acme", at=T0).id
        for n in range(3)
    ]
    record_touch(workspace, actor, campaign="A", lead_id=ids[0], at=T0 + timedelta(days=1))
    with workspace.engine.connect() as connection:
        found = connection.execute(select(t.campaigns.c.name, t.campaigns.c.id)).all()
    campaigns = {name: cid for name, cid in found}
    rows = [
        {
            "campaign_id": campaigns["AB"[n % 2]],
            "lead_id": ids[n % 3],
            "touched_at": T0 + timedelta(minutes=n, microseconds=n % 7),
            "status": "Responded",
        }
        for n in range(MANY)
    ]
    opp = opportunities.create_opportunity(
        workspace, actor, name="Acme deal", at=T0, owner="Ann Lee", account="Acme", amount="1000"
    )
    with workspace.engine.begin() as connection:
        connection.execute(insert(t.campaign_members), rows)
        for name in ("Cy", "Di"):
            contact = connection.execute(
                insert(t.contacts).values(name=name).returning(t.contacts.c.id)
            ).scalar_one()
            connection.execute(
                insert(t.opportunity_contacts).values(
                    opportunity_id=opp.id, contact_id=contact, role="Champion", is_primary=False
                )
            )
            connection.execute(
                insert(t.campaign_members).values(
                    campaign_id=campaigns["B"], contact_id=contact, touched_at=T0
                )
            )
    return workspace


def _members(ws: Workspace) -> list[tuple[Any, ...]]:
    return _source(ws, t.campaign_members, MEMBER_COLUMNS)


def test_a_built_copy_holds_the_memberships_and_roles(ws):
    assert refresh(ws).rebuilt
    assert_equal(ws)
    assert len(_copy(ws, "campaign_members", ("id",))) == MANY + 3
    assert len(_copy(ws, "opportunity_contacts", ("id",))) == 2


def test_an_unchanged_workspace_reads_no_membership_again(ws):
    refresh(ws)
    report = refresh(ws)
    assert not report.rebuilt
    assert report.memberships == 0
    assert_equal(ws)


def test_added_memberships_reach_the_copy(ws, actor):
    refresh(ws)
    lead = _members(ws)[0][2]
    record_touch(ws, actor, campaign="B", lead_id=lead, at=T0 + timedelta(days=9))
    report = refresh(ws)
    assert not report.rebuilt
    assert_equal(ws)
    assert 0 < report.memberships <= 4_096  # the last block only, not the table


def test_a_membership_changed_by_a_microsecond_reaches_the_copy(ws):
    refresh(ws)
    row = _members(ws)[5_000]
    with ws.engine.begin() as connection:
        connection.execute(
            update(t.campaign_members)
            .where(t.campaign_members.c.id == row[0])
            .values(touched_at=row[4] + timedelta(microseconds=1))
        )
    report = refresh(ws)
    assert_equal(ws)
    assert 0 < report.memberships <= 4_096
    assert _copy(ws, "campaign_members", MEMBER_COLUMNS)[5_000][4] == row[4] + timedelta(
        microseconds=1
    )


def test_values_swapped_between_two_memberships_reach_the_copy(ws):
    """Two rows of one block exchange their campaign and lead: every column's sum over the
    block stays the same."""
    refresh(ws)
    members = _members(ws)
    first, second = next(
        (a, b) for a, b in itertools.pairwise(members) if a[1] != b[1] and a[2] != b[2]
    )
    with ws.engine.begin() as connection:
        for row, other in ((first, second), (second, first)):
            connection.execute(
                update(t.campaign_members)
                .where(t.campaign_members.c.id == row[0])
                .values(campaign_id=other[1], lead_id=other[2])
            )
    refresh(ws)
    assert_equal(ws)


def test_deleted_memberships_and_roles_leave_the_copy(ws):
    refresh(ws)
    members = _members(ws)
    gone = [members[10][0], members[-1][0]]  # a middle block's row and the highest id
    with ws.engine.begin() as connection:
        connection.execute(delete(t.campaign_members).where(t.campaign_members.c.id.in_(gone)))
        connection.execute(
            delete(t.opportunity_contacts).where(
                t.opportunity_contacts.c.id
                == select(t.opportunity_contacts.c.id).limit(1).scalar_subquery()
            )
        )
    report = refresh(ws)
    assert_equal(ws)
    assert {r[0] for r in _copy(ws, "campaign_members", ("id",))}.isdisjoint(gone)
    assert len(_copy(ws, "opportunity_contacts", ("id",))) == 1
    assert report.memberships < MANY  # only the blocks that changed


def test_refreshes_for_other_commands_leave_the_memberships_for_later(ws):
    """Only attribution reads the memberships: another command's refresh does not pay for
    their digest, and attribution's next refresh catches up however many went by."""
    assert refresh(ws, memberships=False).rebuilt
    assert _copy(ws, "campaign_members", ("id",)) == []
    assert refresh(ws).memberships == MANY + 3 + 2  # nothing to compare with: read whole
    assert_equal(ws)
    row = _members(ws)[100]
    with ws.engine.begin() as connection:
        connection.execute(
            update(t.campaign_members)
            .where(t.campaign_members.c.id == row[0])
            .values(campaign_id=row[1] % 2 + 1)
        )
    assert refresh(ws, memberships=False).memberships == 0
    assert refresh(ws, memberships=False).memberships == 0
    report = refresh(ws)
    assert 0 < report.memberships <= 4_096
    assert_equal(ws)


def test_refresh_analytics_brings_the_memberships_for_the_next_campaigns(ws, actor):
    """`sqo refresh-analytics`, run after an import to prepare the week's commands, leaves
    `sqo campaigns` nothing to read again: it reads the memberships and roles itself."""
    import json

    from typer.testing import CliRunner

    from sqo.cli.app import app

    runner = CliRunner()
    built = runner.invoke(app, ["--db", ws.url, "refresh-analytics", "--json"])
    assert built.exit_code == 0, built.output
    assert json.loads(built.stdout)["memberships"] == MANY + 3 + 2
    assert_equal(ws)
    lead = _members(ws)[0][2]
    record_touch(ws, actor, campaign="A", lead_id=lead, at=T0 + timedelta(days=12))
    shown = runner.invoke(app, ["--db", ws.url, "refresh-analytics"])
    assert shown.exit_code == 0, shown.output
    assert "campaign memberships and contact roles read for attribution" in shown.output
    assert_equal(ws)
    assert refresh(ws).memberships == 0  # what campaigns would read: nothing left
