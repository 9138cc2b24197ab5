"""Building the demo workspace: a seeded, realistic organisation with 18 months of history."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from sqo.demo.organisation import build_organisation
from sqo.demo.results import Promotion
from sqo.demo.simulation import Simulation, window
from sqo.domain.actor import Actor
from sqo.domain.errors import InvalidValue, WorkspaceError
from sqo.domain.history import RecordType, decode_state
from sqo.domain.records import Lead, Opportunity
from sqo.domain.values import utc_now
from sqo.i18n import _
from sqo.services import sqo_gate
from sqo.services.workspace import Workspace, init_workspace, open_workspace
from sqo.store import tables as t
from sqo.store.database import resolve_url, sqlite_path
from sqo.store.repositories.base import record_values
from sqo.store.unit_of_work import UnitOfWork

DEFAULT_SEED = 7
LEADS = 5000
DIRECT_OPPORTUNITIES = 160


@dataclass(frozen=True)
class DemoBuilt:
    workspace: Workspace
    seed: int
    today: date
    counts: dict[str, int]


def _check_replaceable(db: str | None) -> Path | None:
    """The SQLite file the demo will replace, if any. An earlier demo or an empty file may be
    replaced; a workspace (even an empty one: its stages and currency are someone's choice) or
    some other file never. An interrupted build leaves no file behind (see ``build_demo``)."""
    path = sqlite_path(resolve_url(db))
    if path is None or not path.exists():
        return path
    if path.is_file() and path.stat().st_size == 0:
        return path
    try:
        ws = open_workspace(db)
    except WorkspaceError:
        raise WorkspaceError(
            _("{db} exists and is not an sqo demo; choose another file with --db.", db=str(path))
        ) from None
    with ws.unit_of_work() as uow:
        replaceable = uow.settings.get("demo") is not None
    ws.close()
    if not replaceable:
        raise WorkspaceError(
            _(
                "{db} is a real workspace, not a demo; the demo will not overwrite it. "
                "Choose another file with --db.",
                db=str(path),
            )
        )
    return path


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _record_promotions(uow: UnitOfWork, ws: Workspace, promotions: list[Promotion]) -> None:
    """Leave what the gate leaves at every promotion: the promotion record and the audit
    entries, computed on the deal as it stood at that moment (rebuilt from its history)."""
    for item in promotions:
        states = uow.history.states_as_of(RecordType.OPPORTUNITY, item.at, [item.opportunity_id])
        current = uow.opportunities.get(item.opportunity_id)
        assert current is not None
        then = replace(current, **decode_state(states[item.opportunity_id], RecordType.OPPORTUNITY))
        sqo_gate.record(
            uow, ws, then, Actor(item.actor), justification=item.justification, at=item.at
        )


def build_demo(
    db: str | None, actor: Actor, *, seed: int = DEFAULT_SEED, today: date | None = None
) -> DemoBuilt:
    """Create the demo workspace. The same seed and ``today`` give the same data, row for row."""
    clock = utc_now()
    today = today or clock.date()
    if today > clock.date():
        raise InvalidValue(
            _(
                "The demo's day {today} is after today ({now}); choose today or an earlier day "
                "with --today.",
                today=today.isoformat(),
                now=clock.date().isoformat(),
            ),
            field="today",
        )
    target = _check_replaceable(db)
    if target is None:  # a server database: one transaction, rolled back if interrupted
        return _build(db, actor, seed=seed, today=today, clock=clock)
    # A file is built beside its target and put in its place only when complete, so that an
    # interrupted build (Ctrl-C, a full disk) leaves the previous demo, or nothing, as it was.
    building = target.with_name(f".{target.name}.building")
    _remove(building)
    try:
        built = _build(str(building), actor, seed=seed, today=today, clock=clock)
        built.workspace.close()  # the last connection closed: the WAL is folded into the file
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)  # the previous demo's
        os.replace(building, target)
    finally:
        _remove(building)
    return replace(built, workspace=open_workspace(db))


def _build(db: str | None, actor: Actor, *, seed: int, today: date, clock: datetime) -> DemoBuilt:
    ws = init_workspace(db, actor)
    rng = random.Random(seed)
    start, now = window(today, clock=clock)
    org = build_organisation(rng, start, today)
    sim = Simulation(rng, org, ws.stage_model, start, now)
    for _index in range(LEADS):
        sim.lead()
    for _index in range(DIRECT_OPPORTUNITIES):
        sim.direct_opportunity()
    out = sim.out

    with ws.unit_of_work() as uow:
        writer = uow.bulk
        writer.add_many(
            t.teams, (record_values(x, exclude=()) | {"manager_id": None} for x in org.teams)
        )
        writer.flush()
        writer.add_many(t.reps, (record_values(x, exclude=()) for x in org.managers))
        writer.add_many(t.reps, (record_values(x.rep, exclude=()) for x in org.reps))
        writer.flush()
        for team in org.teams:
            uow.people.set_team_manager(team.id, team.manager_id or 0)
        writer.add_many(t.quotas, (record_values(x, exclude=()) for x in org.quotas))
        writer.add_many(
            t.accounts,
            (record_values(a, exclude=()) for accs in org.accounts.values() for a in accs),
        )
        writer.add_many(t.campaigns, (record_values(c, exclude=()) for c, _q in org.campaigns))
        writer.flush()
        history = []
        for timeline in out.leads:
            history.extend(timeline.replay(now))
        for timeline in out.opportunities:
            history.extend(timeline.replay(now))
        # Leads first without their link, since the opportunity they became is written later.
        leads = [tl.record for tl in out.leads if isinstance(tl.record, Lead)]
        writer.add_many(t.leads, (record_values(x, exclude=()) for x in leads))
        writer.flush()
        opps = [tl.record for tl in out.opportunities if isinstance(tl.record, Opportunity)]
        writer.add_many(t.opportunities, (record_values(x, exclude=()) for x in opps))
        writer.flush()
        writer.add_many(t.contacts, (record_values(x, exclude=()) for x in out.contacts))
        writer.flush()
        writer.add_many(
            t.opportunity_contacts,
            (
                {
                    "opportunity_id": o,
                    "contact_id": c,
                    "role": r,
                    "is_primary": False,
                    "added_at": named,
                }
                for o, c, r, named in out.roles
            ),
        )
        writer.add_many(
            t.campaign_members,
            (
                {"campaign_id": c, "lead_id": lead, "touched_at": at, "status": "Responded"}
                for c, lead, at in out.members
            ),
        )
        writer.add_many(t.activities, (record_values(x, exclude=()) for x in out.activities))
        writer.add_changes(history)
        writer.add_many(t.qualification_evidence, out.evidence)
        writer.finish()
        _record_promotions(uow, ws, [x for x in out.promotions if x.at <= now])
        uow.settings.put("demo", {"seed": seed, "today": today.isoformat()})
        uow.commit()
    counts = {
        "reps": len(org.reps) + len(org.managers),
        "accounts": sum(len(a) for a in org.accounts.values()),
        "leads": len(leads),
        "opportunities": len(opps),
        "activities": len(out.activities),
        "history": len(history),
    }
    return DemoBuilt(ws, seed, today, counts)
