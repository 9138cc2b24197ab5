"""Lists say when they are cut, leads converted into opportunities are not listed as leads
unless asked for, and amounts keep their cents in tables (issue 11)."""

import json
import re
from datetime import datetime, timedelta

from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.services import leads
from sqo.services.workspace import init_workspace
from tests import factories

runner = CliRunner()
T0 = datetime(2026, 3, 2, 9, 0)


def sqo(db, *args):
    result = runner.invoke(app, ["--db", db, "--as", "ann", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _deals(db_url, actor, n):
    ws = init_workspace(db_url, actor)
    factories.org(ws, actor)
    for i in range(n):
        factories.opportunity(ws, actor, f"Deal {i}", at=T0 + timedelta(hours=i), amount="1000.25")
    return ws


def test_a_cut_opportunity_list_says_how_many_there_are(db_url, actor):
    _deals(db_url, actor, 7).close()
    cut = sqo(db_url, "opp", "list", "--limit", "3")
    assert "3 of 7 shown (--limit 3)." in cut
    assert "shown (--limit" not in sqo(db_url, "opp", "list")
    as_json = json.loads(sqo(db_url, "opp", "list", "--limit", "3", "--json"))
    assert (as_json["total"], as_json["shown"], as_json["limit"]) == (7, 3, 3)
    assert [o["name"] for o in as_json["opportunities"]] == ["Deal 0", "Deal 1", "Deal 2"]
    past = json.loads(
        sqo(db_url, "opp", "list", "--as-of", "2026-03-02T11:30", "--limit", "2", "--json")
    )
    assert (past["total"], past["shown"]) == (3, 2)  # created at 09:00, 10:00 and 11:00


def test_amounts_keep_their_cents_in_tables(db_url, actor):
    _deals(db_url, actor, 1).close()
    assert "$1,000.25" in sqo(db_url, "opp", "list")
    assert "$1,000.25" in sqo(db_url, "opp", "show", "1")


def test_converted_leads_are_not_listed_as_leads_unless_asked(db_url, actor):
    ws = init_workspace(db_url, actor)
    factories.org(ws, actor)
    for name in ("Pia", "Ola", "Eva"):
        lead = leads.create_lead(ws, actor, name=name, company="Acme", owner="Ann Lee", at=T0)
        for stage in ("MQL", "SAL", "SQL"):
            leads.move_lead(ws, actor, lead.id, stage, at=T0 + timedelta(hours=1))
    leads.convert_lead(
        ws, actor, 1, amount="5000", close_date="2026-06-30", at=T0 + timedelta(days=1)
    )
    ws.close()
    pipeline = json.loads(sqo(db_url, "pipeline", "--json"))
    assert (pipeline["leads"]["SQL"], pipeline["leads"]["converted"]) == (2, 1)
    listed = json.loads(sqo(db_url, "lead", "list", "--stage", "SQL", "--json"))
    assert [x["name"] for x in listed["leads"]] == ["Ola", "Eva"]
    assert (listed["total"], listed["converted_left_out"]) == (2, 1)
    table = sqo(db_url, "lead", "list", "--stage", "SQL")
    assert re.search(r"1 lead\(s\) converted into opportunities are not listed", table)
    everything = json.loads(sqo(db_url, "lead", "list", "--stage", "SQL", "--converted", "--json"))
    assert [x["name"] for x in everything["leads"]] == ["Pia", "Ola", "Eva"]
    assert "now opportunity 1" in sqo(db_url, "lead", "list", "--converted")
