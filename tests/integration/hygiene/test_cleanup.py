"""`sqo cleanup`: a dry run shows every change and writes nothing; applying writes each change
through the normal services (history, audit, versions) in one transaction; a deal changed since
the preview is left alone and reported while the rest is applied."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.domain.actor import Actor
from sqo.domain.errors import ErrorCode, InvalidValue, SqoError
from sqo.domain.hygiene.cleanup import CleanupOptions
from sqo.services import hygiene_cleanup, opportunities
from sqo.services.hygiene_cleanup import clean_up
from sqo.services.workspace import Workspace, init_workspace
from sqo.store import tables as t
from tests import factories

runner = CliRunner()
T0 = datetime(2026, 4, 1, 9, 0)
AT = datetime(2026, 6, 30, 12, 0)
DAY = timedelta(days=1)


@pytest.fixture
def ws(sqlite_url: str, actor: Actor) -> Iterator[Workspace]:
    workspace = init_workspace(sqlite_url, actor)
    factories.org(workspace, actor)
    # promoted through the gate with an override (no evidence): a premature SQO, and late
    factories.opportunity(
        workspace, actor, "Late A", at=T0, moves=[("SQO", DAY)], close_date="2026-06-01"
    )
    factories.opportunity(
        workspace,
        actor,
        "Late B",
        at=T0,
        close_date="2026-06-10",
        next_step="Call the CFO",
        next_step_due="2026-06-20",
    )
    factories.opportunity(
        workspace,
        actor,
        "Fine",
        at=T0,
        close_date="2030-09-30",  # fine at AT and when a CLI test runs now
        next_step="Workshop",
        next_step_due="2030-07-05",
    )
    yield workspace
    workspace.close()


def _ids(ws: Workspace) -> dict[str, int]:
    with ws.unit_of_work() as uow:
        rows = uow.connection.execute(select(t.opportunities.c.name, t.opportunities.c.id))
        return {str(n): int(i) for n, i in rows}


def _counts(ws: Workspace) -> tuple[int, int, list[int]]:
    with ws.unit_of_work() as uow:
        c = uow.connection
        history = c.execute(select(func.count()).select_from(t.history)).scalar_one()
        audit = c.execute(select(func.count()).select_from(t.audit_log)).scalar_one()
        versions = list(
            c.execute(select(t.opportunities.c.version).order_by(t.opportunities.c.id)).scalars()
        )
    return int(history), int(audit), versions


CLOSE = CleanupOptions("close-stale", reason="No budget this year")


def test_a_dry_run_shows_every_change_and_writes_nothing(ws: Workspace, actor: Actor) -> None:
    before = _counts(ws)
    result = clean_up(ws, actor, CLOSE, dry_run=True, at=AT)
    ids = _ids(ws)
    assert [p.opportunity_id for p in result.planned] == [ids["Late A"], ids["Late B"]]
    late_a = result.planned[0]
    assert late_a.changes == {
        "stage": ("SQO", "Lost"),
        "loss_reason": (None, "No budget this year"),
    }
    assert "2026-06-01" in late_a.because and late_a.version >= 1
    assert result.applied == [] and result.dry_run
    assert _counts(ws) == before


def test_applying_writes_history_and_audit(ws: Workspace, actor: Actor) -> None:
    result = clean_up(ws, actor, CLOSE, at=AT)
    ids = _ids(ws)
    assert [p.opportunity_id for p in result.applied] == [ids["Late A"], ids["Late B"]]
    for name in ("Late A", "Late B"):
        opp = opportunities.get_opportunity(ws, actor, ids[name])
        assert opp.stage == "Lost" and opp.loss_reason == "No budget this year"
    assert opportunities.get_opportunity(ws, actor, ids["Fine"]).stage == "Qualification"
    with ws.unit_of_work() as uow:
        h = t.history
        rows = uow.connection.execute(
            select(h.c.record_id, h.c.actor, h.c.justification).where(
                h.c.field == "stage", h.c.new_value == "Lost"
            )
        ).all()
        audit = uow.connection.execute(
            select(t.audit_log.c.detail).where(t.audit_log.c.action == "hygiene.cleanup")
        ).scalar_one()
    assert sorted(r[0] for r in rows) == [ids["Late A"], ids["Late B"]]
    assert {(r[1], r[2]) for r in rows} == {(actor.name, "sqo cleanup close-stale")}
    assert audit["applied"] == [ids["Late A"], ids["Late B"]] and audit["refused"] == []


def test_a_deal_changed_since_the_preview_is_left_alone(
    ws: Workspace, actor: Actor, tmp_path: Path
) -> None:
    ids = _ids(ws)
    preview = tmp_path / "preview.json"
    args = ["--db", ws.url, "cleanup"]
    dry = runner.invoke(
        app,
        [
            *args,
            "close-stale",
            "--reason",
            "No budget",
            "--dry-run",
            "--save-preview",
            str(preview),
        ],
    )
    assert dry.exit_code == 0, dry.output
    assert "2 deals would change" in dry.stdout
    opportunities.update_opportunity(ws, actor, ids["Late B"], amount="12000")  # someone edits
    applied = runner.invoke(app, [*args, "--preview", str(preview)])
    assert applied.exit_code == 4
    assert f"#{ids['Late B']} Late B changed since the preview" in applied.stderr
    assert "1 deals changed" in applied.stdout
    assert opportunities.get_opportunity(ws, actor, ids["Late A"]).stage == "Lost"
    assert opportunities.get_opportunity(ws, actor, ids["Late B"]).stage == "Qualification"


def test_a_preview_applied_twice_is_refused_the_second_time(
    ws: Workspace, actor: Actor, tmp_path: Path
) -> None:
    ids = _ids(ws)
    preview = tmp_path / "preview.json"
    args = ["--db", ws.url, "cleanup"]
    saved = [*args, "close-stale", "--reason", "No budget", "--dry-run", "--save-preview"]
    assert runner.invoke(app, [*saved, str(preview)]).exit_code == 0
    assert runner.invoke(app, [*args, "--preview", str(preview)]).exit_code == 0
    again = runner.invoke(app, [*args, "--preview", str(preview)])
    assert again.exit_code == 4, again.output
    for name in ("Late A", "Late B"):  # both closed by the first run: version 1, now 2
        assert f"#{ids[name]} {name} changed since the preview (version" in again.stderr


def test_all_or_nothing_when_one_change_fails(
    ws: Workspace, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _counts(ws)
    real = hygiene_cleanup._apply
    late_b = _ids(ws)["Late B"]

    def failing(uow, ws_, actor_, opp, options, at):  # type: ignore[no-untyped-def]
        if opp.id == late_b:
            raise InvalidValue("the database said no")
        real(uow, ws_, actor_, opp, options, at)

    monkeypatch.setattr(hygiene_cleanup, "_apply", failing)
    with pytest.raises(SqoError, match=r"Nothing was changed: .* Late B could not be changed") as e:
        clean_up(ws, actor, CLOSE, at=AT)
    assert e.value.code is ErrorCode.INVALID_VALUE  # the cause's code: the same exit code
    assert _counts(ws) == before  # Late A's close, applied first, was rolled back too


def test_demoting_premature_sqos_needs_a_justification(ws: Workspace, actor: Actor) -> None:
    with pytest.raises(InvalidValue, match="needs a justification"):
        clean_up(ws, actor, CleanupOptions("demote-premature"), at=AT)
    why = "Promoted without a budget conversation; requalify first."
    result = clean_up(ws, actor, CleanupOptions("demote-premature", justification=why), at=AT)
    ids = _ids(ws)
    assert [p.opportunity_id for p in result.applied] == [ids["Late A"]]
    assert opportunities.get_opportunity(ws, actor, ids["Late A"]).stage == "Qualification"
    with ws.unit_of_work() as uow:
        demoted = uow.connection.execute(
            select(t.audit_log.c.detail).where(t.audit_log.c.action == "opportunity.demoted")
        ).scalar_one()
    assert demoted == {"to": "Qualification", "justification": why}


def test_setting_next_steps(ws: Workspace, actor: Actor) -> None:
    with pytest.raises(InvalidValue, match="is in the past"):
        clean_up(ws, actor, CleanupOptions("set-next-steps", due=date(2026, 6, 1)), at=AT)
    ids = _ids(ws)
    only_overdue = clean_up(
        ws, actor, CleanupOptions("set-next-steps", due=date(2026, 7, 7)), dry_run=True, at=AT
    )
    # Late A has no next step and no text was given: only Late B's due date moves
    assert [(p.opportunity_id, p.changes) for p in only_overdue.planned] == [
        (ids["Late B"], {"next_step_due": ("2026-06-20", "2026-07-07")})
    ]
    both = CleanupOptions("set-next-steps", next_step="Agree the plan", due=date(2026, 7, 7))
    result = clean_up(ws, actor, both, at=AT)
    assert [p.opportunity_id for p in result.applied] == [ids["Late A"], ids["Late B"]]
    for name in ("Late A", "Late B"):
        opp = opportunities.get_opportunity(ws, actor, ids[name])
        assert (opp.next_step, opp.next_step_due) == ("Agree the plan", date(2026, 7, 7))


def test_only_and_json(ws: Workspace, actor: Actor) -> None:
    ids = _ids(ws)
    result = runner.invoke(
        app,
        [
            "--db",
            ws.url,
            "cleanup",
            "close-stale",
            "--reason",
            "x",
            "--dry-run",
            "--json",
            "--only",
            f"{ids['Late B']},{ids['Fine']}",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [p["opportunity_id"] for p in data["planned"]] == [ids["Late B"]]
    assert any(f"#{ids['Fine']} has no finding" in n for n in data["notes"])
    bad = runner.invoke(app, ["--db", ws.url, "cleanup", "tidy"])
    assert (
        bad.exit_code == 2
        and "Actions: close-stale, demote-premature, set-next-steps" in bad.stderr
    )
