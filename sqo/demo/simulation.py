"""How leads and deals move in the demo company: conversion, cycle, wins, losses, bad habits.

Probabilities come from ``profiles`` and each rep's skill and discipline, so the demo's
conversion, win rates and cycles sit inside the seed benchmarks with realistic spread.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta

from sqo.demo import chance, engagement
from sqo.demo import profiles as p
from sqo.demo.organisation import Organisation, RepProfile
from sqo.demo.run_state import RunState
from sqo.demo.timeline import Timeline
from sqo.domain.history import RecordType
from sqo.domain.records import Account, Activity, Lead, Opportunity
from sqo.domain.stages import StageModel
from sqo.domain.values import ActivityKind, Complexity, Direction, Segment


class Simulation(RunState):
    def __init__(
        self,
        rng: random.Random,
        org: Organisation,
        model: StageModel,
        start: datetime,
        now: datetime,
    ) -> None:
        super().__init__(rng, start, now)
        self.org, self.model = org, model

    def _moment(self) -> datetime:
        """A working-hours moment in the window, with more activity recently (growth)."""
        span = (self.now - self.start).total_seconds()
        fraction = math.sqrt(self.rng.random()) * 0.85 + self.rng.random() * 0.15
        moment = self.start + timedelta(seconds=span * min(fraction, 0.999))
        moment = moment.replace(
            hour=self.rng.randint(8, 17), minute=self.rng.randint(0, 59), second=0, microsecond=0
        )
        return min(moment, self.now)  # the last day's working hours may not have come yet

    # Leads ------------------------------------------------------------------------------------

    def lead(self) -> None:
        rng = self.rng
        created = self._moment()
        segment = rng.choices(list(p.SEGMENTS), [x.account_share for x in p.SEGMENTS.values()])[0]
        account = rng.choice(self.org.accounts[segment])
        rep = rng.choice(self.org.reps_in(segment))
        quality, campaign_id, source = 1.0, None, chance.pick(rng, p.ORGANIC_SOURCES)
        live = [
            (c, q)
            for c, q in self.org.campaigns
            if c.start_date and c.end_date and c.start_date <= created.date() <= c.end_date
        ]
        if live and rng.random() < 0.6:
            campaign, quality = rng.choice(live)
            campaign_id, source = campaign.id, campaign.channel or "Campaign"
        person = f"{rng.choice(p.FIRST_NAMES)} {rng.choice(p.LAST_NAMES)}"
        start_stage = "Lead"
        if source == "Referral" and rng.random() < 0.3:
            start_stage = "SQL"  # warm referrals skip straight to sales-qualified
        elif source == "Outbound" and rng.random() < 0.5:
            start_stage = "SAL"  # sales-sourced leads are accepted on creation
        lead = Lead(
            id=self.next_id("lead"),
            name=person,
            stage=start_stage,
            created_at=created,
            company=account.name,
            email=f"{person.split()[0].lower()}@example.com",
            owner_id=rep.rep.id,
            segment=segment,
            source=source,
            campaign_id=campaign_id,
        )
        timeline = Timeline(lead, RecordType.LEAD, created_by="marketing-automation")
        self.out.leads.append(timeline)
        if campaign_id is not None:
            self.out.members.append((campaign_id, lead.id, created))
        self._lead_activity(lead, rep, created, Direction.INBOUND)

        t = created
        pace = p.SEGMENTS[segment].lead_pace
        path = [
            ("MQL", 0.62 * quality, (1, 12), "marketing-automation"),
            ("SAL", 0.72, (1, 6), rep.rep.name),
            ("SQL", 0.6 * math.sqrt(rep.skill), (2, 14), rep.rep.name),
        ]
        order = ["Lead", "MQL", "SAL", "SQL"]
        for stage, odds, (low, high), actor in path:
            if order.index(stage) <= order.index(start_stage):
                continue
            t = t + chance.days(rng, low * pace, high * pace)
            if rng.random() >= min(odds, 0.95):
                if rng.random() < 0.6:
                    timeline.at(
                        t, rep.rep.name, justification="No fit or no response", stage="Disqualified"
                    )
                return
            timeline.at(t, actor, stage=stage)
            if t <= self.now:
                self._lead_activity(lead, rep, t, Direction.OUTBOUND)
        if rng.random() < 0.85:
            converted = t + chance.days(rng, 1 * pace, 7 * pace)
            opp = self.opportunity(converted, account, rep, segment, lead=lead)
            if opp is not None:
                timeline.at(
                    converted,
                    rep.rep.name,
                    converted_opportunity_id=opp.id,
                    converted_at=converted,
                    account_id=account.id,
                )

    def _lead_activity(
        self, lead: Lead, rep: RepProfile, at: datetime, direction: Direction
    ) -> None:
        if at > self.now:
            return
        kind = (
            ActivityKind.EMAIL
            if direction is Direction.INBOUND
            else self.rng.choice([ActivityKind.CALL, ActivityKind.EMAIL])
        )
        self.out.activities.append(
            Activity(
                id=self.next_id("activity"),
                kind=kind,
                occurred_at=at,
                direction=direction,
                subject="Follow-up" if direction is Direction.OUTBOUND else "Requested information",
                lead_id=lead.id,
                rep_id=rep.rep.id,
            )
        )

    # Opportunities ----------------------------------------------------------------------------

    def direct_opportunity(self) -> None:
        segment = self.rng.choices(
            list(p.SEGMENTS), [x.account_share for x in p.SEGMENTS.values()]
        )[0]
        account = self.rng.choice(self.org.accounts[segment])
        rep = self.rng.choice(self.org.reps_in(segment))
        self.opportunity(self._moment(), account, rep, segment, lead=None)

    def opportunity(
        self,
        created: datetime,
        account: Account,
        rep: RepProfile,
        segment: Segment,
        lead: Lead | None,
    ) -> Opportunity | None:
        if created > self.now:
            return None
        created = created.replace(second=0, microsecond=0)
        rng, seg = self.rng, p.SEGMENTS[segment]
        amount = int(rng.lognormvariate(math.log(seg.amount_median), seg.amount_spread) / 100) * 100
        cycle = max(8.0, rng.lognormvariate(math.log(seg.cycle_median_days), seg.cycle_spread))
        complex_share = {Segment.SMB: 0.05, Segment.MID_MARKET: 0.35, Segment.ENTERPRISE: 0.7}
        opp = Opportunity(
            id=self.next_id("opp"),
            name=f"{account.name.rsplit(' ', 1)[0]} – {rng.choice(p.PRODUCTS)}",
            stage=self.model.opportunity_start_stage,
            created_at=created,
            currency="USD",
            account_id=account.id,
            owner_id=rep.rep.id,
            amount_cents=amount * 100 if rng.random() < 0.7 else None,
            close_date=(created + timedelta(days=cycle * rng.uniform(0.55, 0.9))).date(),
            next_step=p.NEXT_STEPS["Qualification"],
            next_step_due=(created + chance.days(rng, 2, 7)).date(),
            forecast_category="Pipeline",
            probability=0.05,
            competitors=rng.sample(p.COMPETITORS, rng.choice([0, 0, 1, 1, 2])),
            complexity=Complexity.COMPLEX
            if rng.random() < complex_share[segment]
            else Complexity.STANDARD,
            lead_id=lead.id if lead else None,
            campaign_id=lead.campaign_id if lead else None,
            source=lead.source if lead else rng.choice(["Outbound", "Expansion"]),
        )
        timeline = Timeline(opp, RecordType.OPPORTUNITY, created_by=rep.rep.name)
        self.out.opportunities.append(timeline)
        self._play(timeline, rep, seg, cycle, amount)
        return opp

    def _stage(
        self,
        timeline: Timeline,
        at: datetime,
        name: str,
        rep: RepProfile,
        justification: str | None = None,
        **extra: object,
    ) -> None:
        at = at.replace(second=0, microsecond=0)
        stage = self.model.stage(name)
        changes: dict[str, object] = {
            "stage": stage.name,
            "probability": stage.probability,
            "forecast_category": stage.forecast_category.value,
        }
        if stage.is_closed:
            changes.update(closed_at=at, close_date=at.date(), next_step=None, next_step_due=None)
        elif name in p.NEXT_STEPS:
            changes.update(
                next_step=p.NEXT_STEPS[name],
                next_step_due=(at + chance.days(self.rng, 3, 10)).date(),
            )
        changes.update(extra)
        timeline.at(at, rep.rep.name, justification=justification, **changes)

    def _play(
        self, timeline: Timeline, rep: RepProfile, seg: p.SegmentProfile, cycle: float, amount: int
    ) -> None:
        rng, opp = self.rng, timeline.record
        assert isinstance(opp, Opportunity)
        created = opp.created_at
        qualify_days = cycle * rng.uniform(0.08, 0.2)
        promoted_at = (created + timedelta(days=qualify_days)).replace(second=0, microsecond=0)
        sloppy = rep.discipline < 0.3
        premature = sloppy and rng.random() < 0.35
        promote = premature or rng.random() < min(0.9, 0.53 * math.sqrt(rep.skill))
        neglect_from: datetime | None = None
        if not promote:
            if rng.random() < 0.95:
                end = created + chance.days(rng, 5, 40)
                self._stage(
                    timeline, end, "Lost", rep, loss_reason=chance.pick(rng, p.EARLY_LOSS_REASONS)
                )
                engagement.touches(self, opp, rep, seg, created, end, neglect_from, winning=False)
            else:
                engagement.touches(
                    self, opp, rep, seg, created, self.now, neglect_from, winning=False
                )
            return
        if opp.amount_cents is None:
            timeline.at(promoted_at - timedelta(hours=2), rep.rep.name, amount_cents=amount * 100)
        reason = rng.choice(p.OVERRIDE_REASONS if premature else p.LEGIT_REASONS)
        self._stage(timeline, promoted_at, self.model.sqo_stage, rep, justification=reason)
        engagement.qualification_facts(self, opp, rep, promoted_at, premature, reason)

        win_rate = seg.win_rate * rep.skill * (0.3 if premature else 1.0)
        won = rng.random() < min(0.85, max(0.03, win_rate))
        end = created + timedelta(days=cycle)
        path = ["Solution", "Proposal", "Negotiation", "Commit"]
        if premature and not won and rng.random() < 0.7:
            end = promoted_at + chance.days(rng, 3, 20)  # premature SQOs die young
            path = []
        elif not won:
            path = path[: rng.randint(0, 3)]
            end = promoted_at + (end - promoted_at) * rng.uniform(0.4, 1.0)
        step = (end - promoted_at) / (len(path) + 1)
        moment = promoted_at
        for index, name in enumerate(path):
            moment = promoted_at + step * (index + 1)
            self._stage(timeline, moment, name, rep)
            if name == "Proposal" and rng.random() < 0.07:
                self._stage(
                    timeline,
                    moment + step * 0.3,
                    "Solution",
                    rep,
                    justification="Buyer asked for a second technical review",
                )
                self._stage(timeline, moment + step * 0.6, "Proposal", rep)
        if end <= self.now:
            if won:
                self._stage(timeline, end, "Won", rep)
            else:
                self._stage(
                    timeline, end, "Lost", rep, loss_reason=chance.pick(rng, p.LOSS_REASONS)
                )
        elif (sloppy and rng.random() < 0.5) or rng.random() < 0.08:
            neglect_from = self.now - chance.days(rng, 20, 70)
        if rng.random() < 0.2:
            when = promoted_at + (min(end, self.now) - promoted_at) * rng.uniform(0.2, 0.8)
            factor = rng.uniform(0.65, 0.95) if rng.random() < 0.75 else rng.uniform(1.1, 1.4)
            timeline.at(when, rep.rep.name, amount_cents=int(amount * factor / 100) * 100 * 100)
        self._slips(timeline, rep, end, neglect_from)
        engagement.touches(
            self, opp, rep, seg, created, min(end, self.now), neglect_from, winning=won
        )

    def _slips(
        self, timeline: Timeline, rep: RepProfile, end: datetime, neglect_from: datetime | None
    ) -> None:
        """Push the expected close date each time it passes with the deal still open."""
        opp = timeline.record
        assert isinstance(opp, Opportunity) and opp.close_date is not None
        expected = datetime.combine(opp.close_date, datetime.min.time())
        stop = min(end, self.now, neglect_from or self.now)
        while expected < stop:
            moved = expected + chance.days(self.rng, 1, 4)
            if moved > stop:
                break
            expected = moved + chance.days(self.rng, 14, 35)
            timeline.at(moved, rep.rep.name, close_date=expected.date())


def window(
    today: date, months: int = 18, *, clock: datetime | None = None
) -> tuple[datetime, datetime]:
    """The demo's history runs to the end of ``today``'s working day (17:00), or to ``clock``
    (the moment of the build) if that comes first: the demo never writes the future."""
    now = datetime.combine(today, datetime.min.time()).replace(hour=17)
    if clock is not None:
        now = min(now, clock.replace(second=0, microsecond=0))
    return now - timedelta(days=round(months * 30.44)), now
