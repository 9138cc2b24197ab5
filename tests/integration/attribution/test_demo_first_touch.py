"""On the demo, SQOs per campaign under first touch equal an independent pandas computation
over the exported tables (`sqo export --format parquet`), and credit reconciles with the funnel."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.domain.actor import Actor
from sqo.domain.stages import StageKind
from sqo.services import analytics
from sqo.services.campaigns import campaign_report
from sqo.services.workspace import open_workspace

runner = CliRunner()
AS_OF = datetime(2026, 6, 30, 23, 59, 59)


@pytest.fixture(scope="module")
def exported(demo_file, tmp_path_factory) -> dict[str, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("demo-export") / "out"
    result = runner.invoke(
        app, ["--db", str(demo_file.path), "export", str(folder), "--format", "parquet"]
    )
    assert result.exit_code == 0, result.output
    names = ("history", "leads", "opportunities", "campaign_members", "opportunity_contacts")
    return {n: pd.read_parquet(Path(folder) / f"{n}.parquet") for n in names}


def first_touch_sqos(tables: dict[str, pd.DataFrame], sqo_stages: set[str]) -> pd.Series:
    """Per campaign id (or 'source:<name>', or 'none'), the SQOs whose first touch it was."""
    h = tables["history"]
    stage = h[(h.record_type == "opportunity") & (h.field == "stage") & (h.changed_at <= AS_OF)]
    sqo_at = stage[stage.new_value.isin(sqo_stages)].groupby("record_id").changed_at.min()
    leads, opps = tables["leads"], tables["opportunities"]
    members, roles = tables["campaign_members"], tables["opportunity_contacts"]
    converted = leads[leads.converted_opportunity_id.notna()]
    lead_opp = converted.set_index("id").converted_opportunity_id.astype(int)
    touches = []
    by_lead = members[members.lead_id.notna() & members.lead_id.isin(lead_opp.index)]
    touches.append(
        pd.DataFrame(
            {
                "opp": by_lead.lead_id.map(lead_opp).values,
                "at": by_lead.touched_at.values,
                "campaign": by_lead.campaign_id.values,
            }
        )
    )
    by_contact = members[members.contact_id.notna()].merge(roles, on="contact_id")
    touches.append(
        pd.DataFrame(
            {
                "opp": by_contact.opportunity_id,
                "at": by_contact.touched_at,
                "campaign": by_contact.campaign_id,
            }
        )
    )
    with_campaign = converted[converted.campaign_id.notna()]
    touches.append(
        pd.DataFrame(
            {
                "opp": with_campaign.converted_opportunity_id.astype(int),
                "at": with_campaign.created_at,
                "campaign": with_campaign.campaign_id,
            }
        )
    )
    sourced = converted[converted.campaign_id.isna() & converted.source.notna()]
    touches.append(
        pd.DataFrame(
            {
                "opp": sourced.converted_opportunity_id.astype(int),
                "at": sourced.created_at,
                "source": sourced.source,
            }
        )
    )
    direct = opps[opps.lead_id.isna()]
    touches.append(
        pd.DataFrame(
            {
                "opp": direct.id,
                "at": direct.created_at,
                "campaign": direct.campaign_id,
                "source": direct.source.where(direct.campaign_id.isna()),
            }
        )
    )
    every = pd.concat(touches, ignore_index=True)
    every = every[every.campaign.notna() | every.source.notna()]
    every["sqo_at"] = every.opp.map(sqo_at)
    every = every[every.sqo_at.notna() & (every["at"] <= every.sqo_at)]
    every["no_campaign"] = every.campaign.isna()
    first = every.sort_values(["opp", "at", "no_campaign", "campaign"]).groupby("opp").head(1)
    label = first.campaign.map(lambda c: f"{int(c)}", na_action="ignore").fillna(
        "source:" + first.source.fillna("")
    )
    counts = label.value_counts()
    untouched = len(set(sqo_at.index) - set(first.opp))
    if untouched:
        counts["none"] = untouched
    return counts.sort_index()


def test_first_touch_sqos_per_campaign_match_pandas_over_the_export(demo_file, exported):
    ws = open_workspace(str(demo_file.path))
    try:
        model = ws.stage_model
        sqo_stages = {
            s.name
            for s in model.stages
            if s.kind is StageKind.WON
            or (s.kind is StageKind.OPPORTUNITY and model.at_or_after_sqo(s.name))
        }
        report = campaign_report(ws, Actor("tester"), model="first-touch", as_of=AS_OF)
        funnel = analytics.funnel(ws, Actor("tester"), as_of=AS_OF)
    finally:
        ws.close()
    expected = first_touch_sqos(exported, sqo_stages)
    got: dict[str, float] = {}
    for line in report.campaigns:
        if not line.credited["SQO"]:
            continue
        if line.campaign_id is not None:
            key = str(line.campaign_id)
        elif line.channel is not None:
            key = f"source:{line.channel}"
        else:
            key = "none"
        got[key] = line.credited["SQO"]
    assert got == {k: float(v) for k, v in expected.items()}
    assert sum(got.values()) == report.funnel["SQO"] == int(expected.sum())
    assert report.reconciles
    sqo = next(c for c in funnel.conversions if c.from_milestone == "SQO")
    assert report.funnel["SQO"] == sqo.entered


ONE_TOUCH = "so every model gives the same credit"


def _columns_per_model(report) -> dict[str, list[tuple[object, ...]]]:
    columns: dict[str, list[tuple[object, ...]]] = {}
    for line in report.campaigns:
        cells = (line.campaign_id, line.channel, tuple(sorted(line.credited.items())))
        columns.setdefault(line.model, []).append(cells)
    return columns


def test_the_demo_says_why_every_model_gives_the_same_columns(demo_file):
    ws = open_workspace(str(demo_file.path))
    try:
        report = campaign_report(ws, Actor("tester"), as_of=AS_OF)
    finally:
        ws.close()
    columns = list(_columns_per_model(report).values())
    assert len(columns) == 7
    assert all(c == columns[0] for c in columns)  # the demo's one touch per lead
    assert any(ONE_TOUCH in note for note in report.notes)


def test_no_such_sentence_where_records_have_several_touches(sqlite_url, actor):
    from tests.integration.attribution.test_campaign_credit import build

    ws = build(sqlite_url, actor)
    try:
        report = campaign_report(ws, actor, as_of=AS_OF)
    finally:
        ws.close()
    columns = list(_columns_per_model(report).values())
    assert any(c != columns[0] for c in columns)  # Pia's two touches split differently
    assert not any(ONE_TOUCH in note for note in report.notes)


def test_model_columns_and_the_period_are_in_the_readers_language(demo_file):
    args = ["--db", str(demo_file.path), "--lang", "sv", "campaigns", "--model", "all"]
    result = runner.invoke(app, [*args, "--as-of", "2026-06-30"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "SQO:er krediterade per kampanj, per modell (hela tiden)" in text
    for label in ("Första kontakt", "Sista kontakt", "Linjär", "U-formad (40/40/20)"):
        assert label in text
    for key in ("first-touch", "last-touch", "(all)"):  # the model files' keys, the period key
        assert key not in text
