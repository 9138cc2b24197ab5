"""`sqo scorecard` on a hand-built team: figures counted by hand, small samples flagged and left
out of the team median, capacity from the rep's own coverage line, bad input in one sentence."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from typer.testing import CliRunner

from sqo.analytics.coverage import coverage
from sqo.cli.app import app
from sqo.services import directory
from sqo.services.scorecard import scorecard
from sqo.services.workspace import init_workspace
from tests import factories

runner = CliRunner()
T0 = datetime(2025, 11, 3, 9, 0)
DAY = timedelta(days=1)
AS_OF = datetime(2026, 2, 15, 12, 0)


def build(db_url, actor):
    """Ann: 12 SQOs (6 won at 10,000, 4 lost, 2 open at 20,000 closing in March). Bo: 2 SQOs
    (1 won at 30,000, 1 lost). Quotas for Q1 2026: Ann 100,000, Bo 50,000."""
    workspace = init_workspace(db_url, actor)
    factories.org(workspace, actor)
    outcomes = ["Won"] * 6 + ["Lost"] * 4 + [None] * 2
    for n, end in enumerate(outcomes):
        moves = [("SQO", DAY)] + ([(end, 20 * DAY)] if end else [])
        factories.opportunity(
            workspace,
            actor,
            f"Ann {n}",
            at=T0 + n * DAY,
            moves=moves,
            amount="10000" if end else "20000",
            close_date="2026-03-20",
        )
    for n, end in enumerate(("Won", "Lost")):
        factories.opportunity(
            workspace,
            actor,
            f"Bo {n}",
            at=T0,
            moves=[("SQO", DAY), (end, 30 * DAY)],
            owner="Bo Ek",
            amount="30000",
            close_date="2026-03-20",
        )
    for rep, amount in (("Ann Lee", "100000"), ("Bo Ek", "50000")):
        directory.set_quota(
            workspace,
            actor,
            rep=rep,
            amount=amount,
            period_start="2026-01-01",
            period_end="2026-03-31",
        )
    return workspace


@pytest.fixture
def ws(db_url, actor):
    workspace = build(db_url, actor)
    yield workspace
    workspace.close()


@pytest.fixture
def sqlite_ws(sqlite_url, actor):
    """The same on SQLite only: for the refusals, which run no new SQL."""
    workspace = build(sqlite_url, actor)
    yield workspace
    workspace.close()


def test_figures_flags_and_team_median(ws, actor):
    report = scorecard(ws, actor, as_of=AS_OF)
    cards = {c.rep: c for c in report.cards}
    ann, bo = cards["Ann Lee"].figures, cards["Bo Ek"].figures
    assert (ann["sqos_created"].value, bo["sqos_created"].value) == (12, 2)
    assert (ann["sqo_win_rate"].value, ann["sqo_win_rate"].sample) == (0.6, 10)
    # 60% is above the 15-40% range, which sets no top: "top performer", on 10 closed deals.
    assert not ann["sqo_win_rate"].too_few and ann["sqo_win_rate"].benchmark == "top performer"
    assert (bo["sqo_win_rate"].value, bo["sqo_win_rate"].sample) == (0.5, 2)
    assert bo["sqo_win_rate"].too_few and bo["sqo_win_rate"].benchmark is None
    # Bo's 2 closed deals are too few: the team median of the win rate is Ann's alone.
    assert ann["sqo_win_rate"].team_median == 0.6 == bo["sqo_win_rate"].team_median
    # SQOs created are counts, never "too few": median of 12 and 2.
    assert ann["sqos_created"].team_median == 7
    assert ann["average_deal"].value == 10_000 and ann["average_deal"].sample == 6
    assert ann["average_deal"].too_few  # 6 won deals < 10
    # Every promotion went through with a justification over the gate: overrides.
    assert ann["override_rate"].value == 1.0 and ann["override_rate"].sample == 12


def test_hygiene_findings_are_the_hygiene_reports_per_owner(ws, actor):
    from collections import Counter

    from sqo.services.hygiene import hygiene_report

    report = scorecard(ws, actor, as_of=AS_OF)
    expected = Counter(f.owner_name for f in hygiene_report(ws, actor, as_of=AS_OF).findings)
    assert expected["Ann Lee"] > 0  # her two open SQOs have no activity: neglected
    for card in report.cards:
        assert card.figures["hygiene_findings"].value == expected.get(card.rep, 0)


def test_capacity_uses_the_reps_coverage_line(ws, actor):
    report = scorecard(ws, actor, as_of=AS_OF)
    ann = next(c for c in report.cards if c.rep == "Ann Lee")
    with ws.unit_of_work() as uow:
        lines = coverage(
            uow.connection,
            ws.stage_model,
            datetime(2026, 1, 1).date(),
            datetime(2026, 3, 31).date(),
            AS_OF,
            currency="USD",
        )
    line = next(x for x in lines if x.level == "rep" and x.name == "Ann Lee")
    cap = ann.capacity
    assert cap is not None and cap.remaining_cents == line.remaining_cents
    # Open SQO pipeline 40,000 at Ann's own 60% win rate: 24,000 expected.
    assert line.open_sqo_cents == 4_000_000
    assert cap.expected_from_open_cents == 2_400_000
    assert cap.gap_cents == max(line.remaining_cents - 2_400_000, 0)


def test_team_and_rep_filters_and_json(ws, actor):
    only = scorecard(ws, actor, rep="Bo Ek", as_of=AS_OF)
    assert [c.rep for c in only.cards] == ["Bo Ek"]
    result = runner.invoke(
        app,
        [
            "--db",
            ws.url,
            "scorecard",
            "--team",
            "Nordics",
            "--as-of",
            "2026-02-15T12:00:00",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    expected = scorecard(ws, actor, team="Nordics", as_of=AS_OF).to_dict()
    assert json.loads(result.stdout) == json.loads(json.dumps(expected))
    table = runner.invoke(
        app, ["--db", ws.url, "scorecard", "--as-of", "2026-02-15"], env={"COLUMNS": "250"}
    )
    assert table.exit_code == 0, table.output
    assert "Capacity for 2026-01-01 to 2026-03-31" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--team", "Nowhere"], "Unknown team 'Nowhere'. Known teams: Nordics"),
        (["--rep", "Zed"], "Unknown rep 'Zed'."),
        (["--period", "2030"], "The period 2030 starts after 2026-02-15"),
    ],
)
def test_bad_input_gets_one_sentence(sqlite_ws, args, message):
    result = runner.invoke(
        app, ["--db", sqlite_ws.url, "scorecard", "--as-of", "2026-02-15", *args]
    )
    assert result.exit_code != 0
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_the_last_12_months_are_whole_days_as_the_funnel_counts_them(ws, actor):
    """The default window is the 365 days ending with the as-of day, from midnight: Ann's first
    SQO (2025-11-04 09:00) is a day too early for an as-of of 2026-11-04 08:00, though it is
    less than 365 x 24 hours before it; the funnel from 2025-11-05 leaves it out too."""
    as_of = datetime(2026, 11, 4, 8, 0)
    report = scorecard(ws, actor, as_of=as_of)
    assert report.start == datetime(2025, 11, 5)
    ann = next(c for c in report.cards if c.rep == "Ann Lee").figures["sqo_win_rate"]
    # Ann 1-9 closed: Ann 1-5 won, Ann 6-9 lost (Ann 0, won, entered SQO on 2025-11-04).
    assert (ann.sample, ann.value) == (9, 5 / 9)
    window = ["--from", "2025-11-05", "--to", "2026-11-04", "--as-of", "2026-11-04T08:00"]
    funnel = runner.invoke(app, ["--db", ws.url, "funnel", "--by", "owner", "--json", *window])
    assert funnel.exit_code == 0, funnel.output
    row = next(
        c
        for c in json.loads(funnel.stdout)["conversions"]
        if (c["from"], c["to"], c["owner"]) == ("SQO", "Won", "Ann Lee")
    )
    assert (row["converted"], row["dropped"]) == (5, 4)


def test_a_narrow_terminal_gets_one_card_per_rep_not_cut_columns(sqlite_ws):
    args = ["--db", sqlite_ws.url, "scorecard", "--as-of", "2026-02-15"]
    narrow = runner.invoke(app, args, env={"COLUMNS": "80"})
    assert narrow.exit_code == 0, narrow.output
    lines = narrow.stdout.splitlines()
    cards = lines[: next(i for i, line in enumerate(lines) if line.startswith("Capacity"))]
    assert max(len(line) for line in cards) <= 80
    assert "…" not in narrow.stdout  # nothing cut
    # Each rep's figures under the rep's name, one per line with its label.
    ann = lines.index("Ann Lee")
    assert lines[ann + 1].split() == ["Team", "Nordics"]
    assert any(line.startswith("Win rate (closed)") and "60% (10)" in line for line in lines)
    wide = runner.invoke(app, args, env={"COLUMNS": "250"})
    assert "Ann Lee" not in wide.stdout.splitlines()  # in a table row, not a heading of its own
    assert any("Ann Lee" in line and "60% (10)" in line for line in wide.stdout.splitlines())
