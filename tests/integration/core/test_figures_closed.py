"""Closed deals are closed: changing a won or lost deal's amount, close date or stage needs a
written justification (refused with exit code 5, as the SQO gate is, and nothing is written),
and the history shows such changes as made after the close (issue 11)."""

import json
from datetime import datetime, timedelta

from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.services.workspace import init_workspace
from tests import factories

runner = CliRunner()
T0 = datetime(2026, 3, 2, 9, 0)
REASON = "The signed order form says 26,000; the amount was a typo"


def sqo(db, *args):
    return runner.invoke(app, ["--db", db, "--as", "ann", *args])


def _won_and_open(db_url, actor):
    ws = init_workspace(db_url, actor)
    factories.org(ws, actor)
    moves = [("SQO", timedelta(days=1)), ("Won", timedelta(days=9))]
    factories.opportunity(ws, actor, "won", at=T0, moves=moves, amount="24000")
    factories.opportunity(ws, actor, "open", at=T0, amount="5000")
    ws.close()
    return db_url


def _history(db, opp_id):
    result = sqo(db, "history", str(opp_id), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_changing_a_won_deal_needs_a_justification(db_url, actor):
    db = _won_and_open(db_url, actor)
    before = _history(db, 1)
    for args in (
        ["opp", "update", "1", "--amount", "26000"],
        ["opp", "update", "1", "--close-date", "2026-04-30"],
        ["opp", "update", "1", "--amount", "26000", "--justify", "typo"],
        ["move", "1", "Lost", "--loss-reason", "price"],
    ):
        refused = sqo(db, *args)
        assert refused.exit_code == 5, (args, refused.output)
        assert "Opportunity 1 is closed (Won): changing its " in refused.output
        assert "needs a written justification of at least 30 characters (--justify)" in (
            " ".join(refused.output.split())
        )
    assert _history(db, 1) == before  # nothing was written
    shown = json.loads(sqo(db, "opp", "show", "1", "--json").stdout)["opportunity"]
    assert (shown["amount"], shown["stage"], shown["version"]) == (24000.0, "Won", 3)

    assert sqo(db, "opp", "update", "1", "--amount", "26000", "--justify", REASON).exit_code == 0
    change = _history(db, 1)[-1]
    assert (change["field"], change["new"], change["justification"]) == (
        "amount_cents",
        "2600000",
        REASON,
    )
    assert change["after_close"] is True
    table = runner.invoke(app, ["--db", db, "history", "1"], env={"COLUMNS": "200"}).stdout
    assert f"After close: {REASON}" in table


def test_closing_itself_and_open_deals_are_not_after_close(db_url, actor):
    db = _won_and_open(db_url, actor)
    assert not any(c["after_close"] for c in _history(db, 1))  # the closing changes included
    assert sqo(db, "opp", "update", "2", "--amount", "6000").exit_code == 0
    assert not any(c["after_close"] for c in _history(db, 2))
    # A next step on a won deal needs no reason, but is still shown as after the close.
    assert sqo(db, "opp", "update", "1", "--next-step", "Kick-off call").exit_code == 0
    assert _history(db, 1)[-1]["after_close"] is True
