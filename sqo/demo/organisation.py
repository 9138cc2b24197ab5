"""The demo company's people, customers, campaigns and quotas."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqo.demo import profiles as p
from sqo.domain.records import Account, Campaign, Quota, Rep, Team
from sqo.domain.values import Segment


@dataclass
class RepProfile:
    rep: Rep
    segment: Segment
    skill: float  # multiplies conversion and win rates
    discipline: float  # low: neglects deals, promotes early, lets close dates slip


@dataclass
class Organisation:
    teams: list[Team]
    managers: list[Rep]
    reps: list[RepProfile]
    accounts: dict[Segment, list[Account]]
    campaigns: list[tuple[Campaign, float]]  # with lead quality
    quotas: list[Quota]

    def reps_in(self, segment: Segment) -> list[RepProfile]:
        return [r for r in self.reps if r.segment is segment]


def _month_start(day: date, months_back: int) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def build_organisation(rng: random.Random, start: datetime, today: date) -> Organisation:
    teams, managers, reps = [], [], []
    names = iter(p.REP_NAMES)
    rep_id = 1
    for team_id, (segment, profile) in enumerate(p.SEGMENTS.items(), start=1):
        manager = Rep(
            id=rep_id,
            name=p.MANAGERS[profile.team],
            team_id=team_id,
            role="manager",
            email=_email(p.MANAGERS[profile.team]),
        )
        rep_id += 1
        managers.append(manager)
        teams.append(
            Team(id=team_id, name=f"{profile.team} ({profile.office})", manager_id=manager.id)
        )
        for _ in range(profile.reps):
            name = next(names)
            rep = Rep(
                id=rep_id, name=name, email=_email(name), team_id=team_id, manager_id=manager.id
            )
            rep_id += 1
            skill = min(1.45, max(0.6, rng.gauss(1.0, 0.2)))
            reps.append(RepProfile(rep, segment, skill, rng.uniform(0.4, 1.0)))
    # Two reps with bad habits in every team, so hygiene findings have owners.
    for segment in p.SEGMENTS:
        for sloppy in rng.sample([r for r in reps if r.segment is segment], 2):
            sloppy.discipline = rng.uniform(0.05, 0.25)

    accounts: dict[Segment, list[Account]] = {s: [] for s in p.SEGMENTS}
    combos = [(h, t) for h in p.COMPANY_HEADS for t in p.COMPANY_TAILS]
    rng.shuffle(combos)
    employees_range = {
        Segment.SMB: (12, 190),
        Segment.MID_MARKET: (200, 1900),
        Segment.ENTERPRISE: (2000, 40000),
    }
    for account_id, (head, tail) in enumerate(combos[:900], start=1):
        segment = rng.choices(list(p.SEGMENTS), [x.account_share for x in p.SEGMENTS.values()])[0]
        low, high = employees_range[segment]
        accounts[segment].append(
            Account(
                id=account_id,
                name=f"{head}{tail} {rng.choice(p.COMPANY_FORMS)}",
                segment=segment,
                industry=rng.choice(p.INDUSTRIES),
                employees=rng.randint(low, high),
                country=rng.choice(
                    [
                        "Sweden",
                        "United Kingdom",
                        "United States",
                        "Germany",
                        "Norway",
                        "Finland",
                        "Netherlands",
                    ]
                ),
                created_at=start - timedelta(days=rng.randint(30, 900)),
            )
        )

    campaigns = []
    first_month = _month_start(start.date(), 0)
    for campaign_id, (name, channel, cost, offset, length, quality) in enumerate(p.CAMPAIGNS, 1):
        begin = _add_months(first_month, offset)
        end = _add_months(begin, length) - timedelta(days=1)
        campaigns.append(
            (
                Campaign(
                    id=campaign_id,
                    name=name,
                    channel=channel,
                    cost_cents=cost * 100,
                    currency="USD",
                    start_date=begin,
                    end_date=min(end, today),
                ),
                quality,
            )
        )

    quotas = []
    quarter = _quarter_start(start.date())
    last = _add_months(_quarter_start(today), 3)
    quota_id = 1
    while quarter <= last:
        end = _add_months(quarter, 3) - timedelta(days=1)
        team_totals: dict[int, int] = {}
        for seller in reps:
            seg = p.SEGMENTS[seller.segment]
            amount = int(seg.quota_per_quarter * rng.uniform(0.9, 1.1) / 1000) * 1000 * 100
            quotas.append(
                Quota(
                    id=quota_id,
                    period_start=quarter,
                    period_end=end,
                    amount_cents=amount,
                    currency="USD",
                    rep_id=seller.rep.id,
                )
            )
            quota_id += 1
            team_id = seller.rep.team_id or 0
            team_totals[team_id] = team_totals.get(team_id, 0) + amount
        for team_id, amount in team_totals.items():
            quotas.append(
                Quota(
                    id=quota_id,
                    period_start=quarter,
                    period_end=end,
                    amount_cents=amount,
                    currency="USD",
                    team_id=team_id,
                )
            )
            quota_id += 1
        quarter = _add_months(quarter, 3)
    return Organisation(teams, managers, reps, accounts, campaigns, quotas)


def _email(name: str) -> str:
    local = name.lower().replace(" ", ".").replace("'", "")
    for a, b in (("å", "a"), ("ä", "a"), ("ö", "o"), ("é", "e")):
        local = local.replace(a, b)
    return f"{local}@demo-sqo.example"
