"""The worked example of docs/import.md: the Maven CRM data set imports whole, and what sqo
reports matches a plain pandas computation on the CSV."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from sqo.analytics.pipeline_summary import pipeline_summary
from sqo.cli.app import app
from sqo.domain.history import RecordType
from sqo.domain.stages import StageKind
from sqo.services import opportunities
from sqo.services.history import record_history
from sqo.services.workspace import open_workspace
from sqo.store import tables as t
from tests.conftest import MAVEN_DIR

MAPPING = Path(__file__).resolve().parents[3] / "docs" / "examples" / "maven-crm" / "mapping.yaml"
PIPELINE = MAVEN_DIR / "sales_pipeline.csv"

pytestmark = pytest.mark.skipif(not PIPELINE.exists(), reason="Maven CRM data not available")


def test_maven_import_matches_pandas_and_is_idempotent(workspace, actor):
    runner = CliRunner()
    args = ["--db", workspace.url.removeprefix("sqlite:///"), "import", "csv", str(PIPELINE)]
    result = runner.invoke(app, [*args, "--mapping", str(MAPPING)])
    assert result.exit_code == 0, result.output

    frame = pd.read_csv(PIPELINE)
    counts = frame["deal_stage"].value_counts()
    won, lost = int(counts["Won"]), int(counts["Lost"])
    revenue_won_cents = int(frame.loc[frame.deal_stage == "Won", "close_value"].sum() * 100)

    ws = open_workspace(workspace.url)
    with ws.engine.connect() as connection:
        summary = pipeline_summary(connection, ws.stage_model, ws.default_currency)
        assert (
            connection.execute(select(func.count()).select_from(t.opportunities)).scalar() == 8800
        )
        assert connection.execute(select(func.count()).select_from(t.accounts)).scalar() == 85
        reps = connection.execute(select(t.reps.c.name, t.reps.c.role)).all()
        teams = connection.execute(select(t.teams.c.name)).scalars().all()
    by_stage = {line.stage: line.deals for line in summary.lines}
    assert by_stage["Qualification"] == int(counts["Prospecting"])
    assert by_stage["SQO"] == int(counts["Engaging"])
    assert by_stage["Won"] == won and by_stage["Lost"] == lost
    assert summary.win_rate == pytest.approx(won / (won + lost))
    assert summary.total(StageKind.WON).amount_cents == revenue_won_cents
    teams_frame = pd.read_csv(MAVEN_DIR / "sales_teams.csv")
    assert sorted(teams) == sorted(teams_frame.regional_office.unique())
    managers = {name for name, role in reps if role == "manager"}
    assert managers == set(teams_frame.manager)
    assert len(reps) == len(teams_frame) + len(managers)

    # One deal, checked by hand against its row:
    # 1C1I7A6R,Moses Frase,GTX Plus Basic,Cancity,Won,2016-10-20,2017-03-01,1054
    opp = next(
        o for o in opportunities.list_opportunities(ws, actor) if o.external_id == "maven:1C1I7A6R"
    )
    assert (opp.stage, opp.amount_cents, opp.close_date) == ("Won", 105400, date(2017, 3, 1))
    assert opp.attributes == {"product": "GTX Plus Basic"}
    stage_moves = [
        (c.old, c.new, c.changed_at)
        for c in record_history(ws, actor, RecordType.OPPORTUNITY, opp.id)
        if c.field == "stage"
    ]
    assert stage_moves == [
        (None, "SQO", datetime(2016, 10, 20)),
        ("SQO", "Won", datetime(2017, 3, 1)),
    ]
    as_of = opportunities.list_opportunities(ws, actor, as_of=datetime(2017, 1, 1))
    assert next(o for o in as_of if o.id == opp.id).stage == "SQO"

    again = runner.invoke(app, [*args, "--mapping", str(MAPPING)])
    assert again.exit_code == 0, again.output
    with ws.engine.connect() as connection:
        changes = connection.execute(select(func.count()).select_from(t.history)).scalar()
    first_changes = changes
    third = runner.invoke(app, [*args, "--mapping", str(MAPPING)])
    assert third.exit_code == 0
    with ws.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(t.history)).scalar() == (
            first_changes
        )
        assert (
            connection.execute(select(func.count()).select_from(t.opportunities)).scalar() == 8800
        )
    ws.close()
