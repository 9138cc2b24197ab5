"""The demo never writes the future: built at the current time, nothing in it is later than the
build, so `stages` and `pipeline` agree and every deal now equals the deal "as of now" (issue 11).

Figures are read with plain SQL and through the CLI's JSON, independently of the generator."""

import json
from dataclasses import asdict
from datetime import datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.domain.actor import Actor
from sqo.domain.errors import InvalidValue
from sqo.domain.values import utc_now
from sqo.services.demo import build_demo
from sqo.services.opportunities import list_opportunities

runner = CliRunner()

STAMPS = {
    "history": "changed_at",
    "activities": "occurred_at",
    "leads": "created_at",
    "opportunities": "created_at",
    "qualification_evidence": "recorded_at",
    "qualification_snapshots": "evaluated_at",
    "campaign_members": "touched_at",
    "opportunity_contacts": "added_at",
}


@pytest.fixture(scope="module")
def built_now(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("demo-now") / "demo.db")
    before = utc_now()
    built = build_demo(path, Actor("demo"))  # today: the current date, at the current time
    yield path, built, before
    built.workspace.close()


def test_nothing_in_the_demo_is_later_than_its_build(built_now):
    _path, built, before = built_now
    with built.workspace.engine.connect() as c:
        latest = {
            table: c.execute(text(f"SELECT MAX({column}) FROM {table}")).scalar_one()
            for table, column in STAMPS.items()
        }
    for table, value in latest.items():
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        assert moment <= before, f"{table} has a row stamped {moment}, after the build {before}"


def test_every_buying_role_is_dated_within_its_deals_life(built_now):
    _path, built, _before = built_now
    with built.workspace.engine.connect() as c:
        undated, early = c.execute(
            text(
                "SELECT SUM(r.added_at IS NULL), SUM(r.added_at < o.created_at) "
                "FROM opportunity_contacts r JOIN opportunities o ON o.id = r.opportunity_id"
            )
        ).one()
    assert (undated, early) == (0, 0)


def _json(path, *args):
    result = runner.invoke(app, ["--db", path, *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_stages_there_now_equals_the_pipeline_per_stage(built_now):
    path, _built, _before = built_now
    pipeline = _json(path, "pipeline")
    per_stage = {line["stage"]: line["deals"] for line in pipeline["stages"]}
    per_stage |= {stage: n for stage, n in pipeline["leads"].items() if stage != "converted"}
    there_now = {x["stage"]: x["current"] for x in _json(path, "stages")["time_in_stage"]}
    assert there_now == {stage: per_stage[stage] for stage in there_now}
    assert sum(there_now.values()) > 1000  # the whole open funnel, not an empty demo


def test_every_deal_now_equals_the_deal_as_of_now(built_now):
    _path, built, _before = built_now
    ws, actor = built.workspace, Actor("demo")
    now = list_opportunities(ws, actor, limit=None)
    then = list_opportunities(ws, actor, as_of=utc_now(), limit=None)
    assert len(now) == len(then) > 1000
    assert [asdict(o) for o in sorted(now, key=lambda o: o.id)] == [
        asdict(o) for o in sorted(then, key=lambda o: o.id)
    ]


def test_a_demo_day_after_today_is_refused(tmp_path):
    later = utc_now().date() + timedelta(days=400)
    with pytest.raises(InvalidValue, match="choose today or an earlier day"):
        build_demo(str(tmp_path / "later.db"), Actor("demo"), today=later)
    assert not (tmp_path / "later.db").exists()


def test_pipeline_as_of_a_past_day_is_the_replayed_history(built_now):
    """Per stage, the deals and amounts `pipeline --as-of DAY` shows are those pandas finds by
    replaying the history rows up to the end of that day."""
    path, built, before = built_now
    day = (before - timedelta(days=150)).date()
    with built.workspace.engine.connect() as c:
        rows = pd.read_sql(
            text(
                "SELECT record_id, field, new_value, changed_at, id FROM history "
                "WHERE record_type = 'opportunity' AND field IN ('stage', 'amount_cents')"
            ),
            c,
        )
    rows["changed_at"] = pd.to_datetime(rows["changed_at"])
    then = rows[rows["changed_at"] < pd.Timestamp(day) + pd.Timedelta(days=1)]
    last = then.sort_values(["changed_at", "id"]).groupby(["record_id", "field"]).tail(1)
    state = last.pivot(index="record_id", columns="field", values="new_value")
    state["amount"] = pd.to_numeric(state["amount_cents"]).fillna(0).astype(int)
    want = state.groupby("stage").agg(deals=("amount", "size"), cents=("amount", "sum"))
    got = _json(path, "pipeline", "--as-of", day.isoformat())
    shown = {
        x["stage"]: (x["deals"], round(x["amount"] * 100)) for x in got["stages"] if x["deals"]
    }
    assert shown == {s: (int(r.deals), int(r.cents)) for s, r in want.iterrows()}


def test_the_demo_leaves_the_query_planner_its_statistics(built_now):
    # Without sqlite_stat1, SQLite planned the demo's time-in-stage query as a nested loop over
    # history (4.4 s of CPU, not 1.2 s): the bulk writer analyses what it wrote.
    _path, built, _before = built_now
    with built.workspace.engine.connect() as c:
        analysed = {row[0] for row in c.execute(text("SELECT DISTINCT tbl FROM sqlite_stat1"))}
    assert {"history", "opportunities", "leads"} <= analysed
