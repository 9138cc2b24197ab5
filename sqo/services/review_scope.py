"""Which week and whose deals a weekly review covers: ISO weeks (Monday to Sunday), a team or a
rep, refused in one sentence with the valid values when they do not exist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqo.domain.actor import Actor
from sqo.domain.errors import InvalidValue, UnknownReference, list_values
from sqo.domain.records import Rep
from sqo.i18n import _
from sqo.services.directory import list_reps, list_teams
from sqo.services.workspace import Workspace


@dataclass(frozen=True)
class ReviewWeek:
    """An ISO week: Monday 00:00 to the end of Sunday."""

    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.monday, time())

    @property
    def end(self) -> datetime:
        return datetime.combine(self.sunday, time.max)

    def previous(self) -> ReviewWeek:
        return week_of(self.monday - timedelta(days=7))


def week_of(day: date) -> ReviewWeek:
    year, number, _weekday = day.isocalendar()
    return ReviewWeek(year, number)


def parse_week(text: str | None, today: date) -> ReviewWeek:
    """``2026-W49`` (or ``2026W49``); none given: the last whole week before ``today``, the week
    a Monday meeting reviews. A week that has not started by ``today`` is refused."""
    if not text:
        return week_of(today - timedelta(days=7))
    value = text.strip().upper().replace("W", "-W").replace("--", "-")
    try:
        year_text, number_text = value.split("-W")
        week = ReviewWeek(int(year_text), int(number_text))
        week.monday  # noqa: B018 - raises for a week the year does not have
    except ValueError:
        raise InvalidValue(
            _(
                "{value!r} is not a week: write it as YYYY-Www, e.g. {example}.",
                value=text,
                example=week_of(today).label,
            ),
            field="week",
        ) from None
    if week.monday > today:
        raise InvalidValue(
            _(
                "Week {week} has not started yet (today is {today}): choose {latest} or earlier.",
                week=week.label,
                today=today.isoformat(),
                latest=week_of(today).label,
            ),
            field="week",
        )
    return week


@dataclass(frozen=True)
class ReviewScope:
    """Whose deals: a team's, a rep's, or everyone's (``owners`` None)."""

    team: str | None
    rep: str | None
    reps: tuple[Rep, ...]  # the reps in scope (every rep when unfiltered)
    owners: frozenset[int] | None


def review_scope(ws: Workspace, actor: Actor, team: str | None, rep: str | None) -> ReviewScope:
    reps = list_reps(ws, actor)
    teams = {x.id: x.name for x in list_teams(ws, actor)}
    chosen = reps
    team_name = rep_name = None
    if team is not None:
        found = next((x for x in teams.items() if x[1].casefold() == team.strip().casefold()), None)
        if found is None:
            raise UnknownReference(
                _(
                    "Unknown team {value!r}. Known teams: {allowed}.",
                    value=team,
                    allowed=list_values(sorted(teams.values())) or _("none yet"),
                ),
                field="team",
                allowed=sorted(teams.values()),
            )
        team_name = found[1]
        chosen = [r for r in chosen if r.team_id == found[0]]
    if rep is not None:
        match = [r for r in chosen if rep.strip().casefold() in (r.name.casefold(), str(r.id))]
        if not match:
            names = sorted(r.name for r in chosen)
            raise UnknownReference(
                _(
                    "Unknown rep {value!r}. Known reps: {allowed}.",
                    value=rep,
                    allowed=list_values(names) or _("none yet"),
                ),
                field="rep",
                allowed=names,
            )
        rep_name = match[0].name
        chosen = match[:1]
    owners = None if team is None and rep is None else frozenset(r.id for r in chosen)
    return ReviewScope(team_name, rep_name, tuple(chosen), owners)
