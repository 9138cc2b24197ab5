"""The demo organisation: seeded, the promised size, realistic rates, and bad habits to find.

Figures are checked with plain SQL written here, independently of the generator."""

import hashlib
from datetime import date

import pytest
from sqlalchemy import text

from sqo.domain.actor import Actor
from sqo.domain.errors import WorkspaceError
from sqo.domain.history import RecordType, decode_state, replay
from sqo.services.demo import DemoBuilt, build_demo
from sqo.services.workspace import init_workspace, open_workspace

TODAY = date(2026, 6, 30)


@pytest.fixture(scope="module")
def demo(demo_file):
    """The session's demo (seed 7, TODAY), opened once for this module's readers."""
    assert (demo_file.seed, demo_file.today) == (7, TODAY)
    ws = open_workspace(str(demo_file.path))
    yield DemoBuilt(ws, demo_file.seed, demo_file.today, demo_file.counts)
    ws.close()


def scalar(ws, sql, **params):
    with ws.engine.connect() as c:
        return c.execute(text(sql), params).scalar_one()


def rows(ws, sql):
    with ws.engine.connect() as c:
        return c.execute(text(sql)).all()


def digest(ws) -> str:
    h = hashlib.sha256()
    for table in (
        "reps",
        "accounts",
        "leads",
        "opportunities",
        "activities",
        "history",
        "qualification_evidence",
        "quotas",
    ):
        for row in rows(ws, f"SELECT * FROM {table} ORDER BY id"):
            h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def test_same_seed_same_data_and_another_seed_differs(demo, tmp_path):
    again = build_demo(str(tmp_path / "again.db"), Actor("demo"), seed=7, today=TODAY)
    other = build_demo(str(tmp_path / "other.db"), Actor("demo"), seed=8, today=TODAY)
    assert digest(again.workspace) == digest(demo.workspace)
    assert digest(other.workspace) != digest(demo.workspace)
    again.workspace.close()
    other.workspace.close()


def test_the_organisation_has_the_promised_size(demo):
    ws = demo.workspace
    assert scalar(ws, "SELECT COUNT(*) FROM teams") == 3
    assert scalar(ws, "SELECT COUNT(*) FROM reps WHERE role = 'rep'") == 25
    assert scalar(ws, "SELECT COUNT(*) FROM leads") == 5000
    opportunities = scalar(ws, "SELECT COUNT(*) FROM opportunities")
    assert opportunities >= 1300 and opportunities <= 1700
    assert scalar(ws, "SELECT COUNT(*) FROM activities") > 10_000
    assert scalar(ws, "SELECT COUNT(*) FROM campaigns") >= 10
    months = scalar(
        ws, "SELECT (julianday(MAX(created_at)) - julianday(MIN(created_at))) / 30.44 FROM leads"
    )
    assert months >= 17 and months <= 18.1
    assert scalar(ws, "SELECT MAX(created_at) FROM opportunities") <= "2026-06-30 17:00"


def test_sql_to_sqo_conversion_is_within_the_seed_benchmark(demo):
    ws = demo.workspace
    reached_sql = scalar(
        ws,
        """SELECT COUNT(DISTINCT record_id) FROM history
        WHERE record_type = 'lead' AND field = 'stage' AND new_value = 'SQL'""",
    )
    reached_sqo = scalar(
        ws,
        """SELECT COUNT(*) FROM leads WHERE converted_opportunity_id IN (
        SELECT record_id FROM history WHERE record_type = 'opportunity' AND field = 'stage'
        AND new_value = 'SQO')""",
    )
    assert 0.3 <= reached_sqo / reached_sql <= 0.6


def test_sqo_win_rates_differ_by_segment_and_sit_in_the_bands(demo):
    ws = demo.workspace
    result = dict(
        rows(
            ws,
            """
        SELECT a.segment, 1.0 * SUM(o.stage = 'Won') / COUNT(*)
        FROM opportunities o JOIN accounts a ON a.id = o.account_id
        WHERE o.stage IN ('Won', 'Lost') AND o.id IN (
            SELECT record_id FROM history WHERE record_type = 'opportunity' AND field = 'stage'
            AND new_value = 'SQO')
        GROUP BY a.segment""",
        )
    )
    assert 0.25 <= result["SMB"] <= 0.5
    assert 0.1 <= result["enterprise"] <= 0.3
    assert result["SMB"] > result["mid-market"] > result["enterprise"]


def test_sales_cycles_follow_the_segments(demo):
    ws = demo.workspace
    cycle = dict(
        rows(
            ws,
            """
        SELECT a.segment, AVG(julianday(o.closed_at) - julianday(o.created_at))
        FROM opportunities o JOIN accounts a ON a.id = o.account_id
        WHERE o.stage = 'Won' GROUP BY a.segment""",
        )
    )
    assert cycle["SMB"] >= 14 and cycle["SMB"] <= 35
    assert 30 <= cycle["mid-market"] <= 65
    assert 60 <= cycle["enterprise"] <= 180


def test_bad_habits_are_there_to_be_found(demo):
    ws = demo.workspace
    open_sqos = "o.stage IN ('SQO', 'Solution', 'Proposal', 'Negotiation', 'Commit')"
    neglected = scalar(
        ws,
        f"""SELECT COUNT(*) FROM opportunities o WHERE {open_sqos}
        AND NOT EXISTS (SELECT 1 FROM activities a WHERE a.opportunity_id = o.id
                        AND a.occurred_at > '2026-06-09')""",
    )
    overdue = scalar(
        ws, f"SELECT COUNT(*) FROM opportunities o WHERE {open_sqos} AND close_date < '2026-06-30'"
    )
    pushed = scalar(
        ws,
        """SELECT COUNT(*) FROM (SELECT record_id FROM history
        WHERE record_type = 'opportunity' AND field = 'close_date' AND old_value IS NOT NULL
        GROUP BY record_id HAVING COUNT(*) >= 3) pushed""",
    )
    overrides = scalar(
        ws,
        """SELECT COUNT(*) FROM history WHERE field = 'stage'
        AND new_value = 'SQO' AND justification LIKE 'Override:%'""",
    )
    premature_lost = scalar(
        ws,
        """SELECT COUNT(*) FROM history p JOIN history l
        ON l.record_id = p.record_id AND l.record_type = 'opportunity' AND l.field = 'stage'
        AND l.new_value = 'Lost' AND julianday(l.changed_at) - julianday(p.changed_at) < 21
        WHERE p.record_type = 'opportunity' AND p.field = 'stage' AND p.new_value = 'SQO'""",
    )
    assert neglected >= 5
    assert overdue >= 3
    assert pushed >= 10
    assert overrides >= 10
    assert premature_lost >= 10


def test_every_demo_record_replays_from_its_history(demo):
    ws = demo.workspace
    with ws.unit_of_work() as uow:
        for opp in uow.opportunities.list(limit=300):
            state = decode_state(
                replay(uow.history.for_record(RecordType.OPPORTUNITY, opp.id)),
                RecordType.OPPORTUNITY,
            )
            assert (state["stage"], state["amount_cents"], state["close_date"]) == (
                opp.stage,
                opp.amount_cents,
                opp.close_date,
            )


def test_the_demo_never_overwrites_a_real_workspace(tmp_path):
    real = str(tmp_path / "real.db")
    init_workspace(real, Actor("me")).close()
    with pytest.raises(WorkspaceError) as err:
        build_demo(real, Actor("demo"), today=TODAY)
    assert "is a real workspace, not a demo" in err.value.message
