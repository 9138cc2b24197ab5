"""How reps work a deal in the demo: the touches along the way, and the contacts, evidence and
meetings they gather before promoting it to SQO."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqo.demo import chance
from sqo.demo import profiles as p
from sqo.demo.organisation import RepProfile
from sqo.demo.results import Promotion
from sqo.demo.run_state import RunState
from sqo.domain.records import Activity, Contact, Opportunity
from sqo.domain.values import ActivityKind, BuyingRole, Complexity, Direction


def touches(
    sim: RunState,
    opp: Opportunity,
    rep: RepProfile,
    seg: p.SegmentProfile,
    begin: datetime,
    end: datetime,
    neglect_from: datetime | None,
    *,
    winning: bool,
) -> None:
    rng = sim.rng
    stop = min(end, sim.now, neglect_from or sim.now)
    t = begin
    weights = [
        (ActivityKind.EMAIL, 0.4),
        (ActivityKind.CALL, 0.3),
        (ActivityKind.MEETING, 0.18),
        (ActivityKind.DEMO, 0.07),
        (ActivityKind.NOTE, 0.05),
    ]
    while True:
        t += timedelta(days=rng.expovariate(1 / seg.activity_gap_days))
        if t > stop:
            break
        kind = rng.choices([k for k, _ in weights], [w for _, w in weights])[0]
        inbound = rng.random() < (0.4 if winning else 0.22)
        at = t.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59), second=0, microsecond=0)
        if at > sim.now:  # later today: not happened yet
            continue
        sim.out.activities.append(
            Activity(
                id=sim.next_id("activity"),
                kind=kind,
                occurred_at=at,
                direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
                subject=f"{kind.value.capitalize()} – {opp.name.split(' – ')[0]}",
                opportunity_id=opp.id,
                rep_id=rep.rep.id,
            )
        )


def qualification_facts(
    sim: RunState, opp: Opportunity, rep: RepProfile, at: datetime, premature: bool, reason: str
) -> None:
    """Contacts with buying roles, evidence and the meetings behind them, as a rep gathers
    them before promoting. A properly qualified deal meets every required criterion of the
    default playbook; a premature one usually does not."""
    rng = sim.rng
    keep = 0.3 if premature else 0.85
    complex_deal = opp.complexity is Complexity.COMPLEX
    roles = [BuyingRole.STAKEHOLDER] * rng.randint(1, 2)
    if not premature or rng.random() < 0.3:
        roles.append(BuyingRole.ECONOMIC_BUYER)
    if (not premature and complex_deal) or rng.random() < (0.25 if premature else 0.6):
        roles.append(BuyingRole.CHAMPION)
    # The rep names the roles while qualifying, the day before promoting (never in the future,
    # never before the deal existed): no draw, so the rest of the demo stays as it was.
    named = max(min(at - timedelta(days=1), sim.now), opp.created_at)
    for role in roles:
        contact = Contact(
            id=sim.next_id("contact"),
            name=f"{rng.choice(p.FIRST_NAMES)} {rng.choice(p.LAST_NAMES)}",
            account_id=opp.account_id,
            title=p.TITLES[role.value],
            buying_role=role,
        )
        sim.out.contacts.append(contact)
        sim.out.roles.append((opp.id, contact.id, role.value, named))
    always = () if premature else ("problem_identified", "solution_fit", "budget_range")
    for key, note in p.EVIDENCE_NOTES.items():
        recorded_at = (
            at - chance.days(rng, 0.1, 5) if (key in always or rng.random() < keep) else None
        )
        if recorded_at is not None and recorded_at <= sim.now:  # evidence is never from the future
            sim.out.evidence.append(
                {
                    "record_type": "opportunity",
                    "record_id": opp.id,
                    "criterion": key,
                    "note": note,
                    "recorded_by": rep.rep.name,
                    "recorded_at": recorded_at,
                }
            )
    if not premature and at <= sim.now:
        earliest = opp.created_at + timedelta(minutes=30)
        for kind, direction, low, high in (
            (ActivityKind.MEETING, Direction.OUTBOUND, 1, 12),
            (ActivityKind.EMAIL, Direction.INBOUND, 0.2, 6),
        ):
            sim.out.activities.append(
                Activity(
                    id=sim.next_id("activity"),
                    kind=kind,
                    occurred_at=max(earliest, at - chance.days(rng, low, high)),
                    direction=direction,
                    subject="Qualification meeting"
                    if kind is ActivityKind.MEETING
                    else "Re: evaluation plan",
                    opportunity_id=opp.id,
                    rep_id=rep.rep.id,
                )
            )
    sim.out.promotions.append(Promotion(opp.id, at, rep.rep.name, premature, reason))
