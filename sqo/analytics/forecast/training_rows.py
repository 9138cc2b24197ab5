"""Deals as they were at past moments, with what was known then: the model's rows.

For a moment T, one row per deal open in the SQO pipeline at T, each value read from history up
to T only (nothing from the future leaks in): stage and how long it had been in it, age, amount,
close date and how often it had been pushed, how often the amount had changed, the qualification
score, the playbook's group scores and the override at its latest promotion by T, activity
counts and recency and the inbound share by T, and how many different buying roles were known on
it by T (``sqo.analytics.forecast.buying_roles``). Segment and source are the deal's (they do not
change in history). All moments come from one reading of each deal's history, activities and
qualification snapshots (``sqo.analytics.forecast.as_of``); training takes a row per deal per
moment (``snapshot_moments``), labelled with how the deal ended by the training cut-off.

"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, func, select

from sqo.analytics.breakdowns import attributes
from sqo.analytics.forecast.as_of import (
    IN_SQL_UP_TO,
    Activities,
    DealHistory,
    Gates,
    read_activities,
    read_gates,
    read_histories,
)
from sqo.analytics.forecast.buying_roles import KnownRoles, read_roles
from sqo.analytics.states import open_sqo_stages
from sqo.domain.stages import StageModel
from sqo.store import tables as t

RECENT_DAYS = 30
# Snapshots a week apart, fewer when the history is long: at most this many moments.
MAX_MOMENTS = 60


@dataclass(frozen=True)
class DealRow:
    deal_id: int
    moment: datetime
    stage: str
    segment: str | None
    source: str | None
    age_days: float
    days_in_stage: float
    amount_cents: int | None
    days_to_close: float | None  # negative: overdue
    pushes: int
    amount_changes: int
    qualification_score: float | None
    overridden: bool
    activities: int
    recent_activities: int
    days_since_activity: float | None
    inbound_share: float | None
    won: bool | None  # how it ended by the cut-off; None while open
    closed_on: date | None = None  # when it closed, by the cut-off
    # the playbook's group scores at that promotion, e.g. (("access", 0.33), ("economics", 1.0))
    group_scores: tuple[tuple[str, float], ...] = ()
    # different buying roles known on the deal by then; None when a role's date is unknown
    buying_roles: int | None = None


def _days(later: datetime | date, earlier: datetime | date | None) -> float | None:
    if earlier is None:
        return None
    if isinstance(later, datetime) and not isinstance(earlier, datetime):
        earlier = datetime.combine(earlier, datetime.min.time())
    if isinstance(earlier, datetime) and not isinstance(later, datetime):
        later = datetime.combine(later, datetime.min.time())
    return (later - earlier).total_seconds() / 86_400  # type: ignore[operator]


def deal_rows(
    connection: Connection,
    model: StageModel,
    moment: datetime,
    *,
    outcome_at: datetime | None = None,
    only: list[int] | None = None,
) -> list[DealRow]:
    """The open SQO-pipeline deals at ``moment`` with their features; with ``outcome_at``, only
    those closed by then, labelled won or lost."""
    return rows_at(connection, model, [moment], outcome_at=outcome_at, only=only)


def rows_at(
    connection: Connection,
    model: StageModel,
    moments: Sequence[datetime],
    *,
    outcome_at: datetime | None = None,
    only: Sequence[int] | None = None,
) -> list[DealRow]:
    """``deal_rows`` at each of ``moments`` from one reading of each source
    (``sqo.analytics.forecast.as_of``): by moment, then by deal."""
    if not moments:
        return []
    ordered = sorted(moments)
    activities = read_activities(connection, only)
    gates = read_gates(connection, only)
    roles = read_roles(connection, only)
    deals = _deal_facts(connection, only)
    wanted = None if only is None else set(only)
    open_stages = set(open_sqo_stages(model))
    won, lost = model.won_stage().name, model.lost_stage().name
    found: list[tuple[datetime, int, DealRow]] = []
    for deal_id, history in read_histories(connection, only):
        facts = deals.get(deal_id)
        if facts is None or (wanted is not None and deal_id not in wanted):
            continue
        outcome = closed_on = None
        if outcome_at is not None:
            outcome = history.stage.value_at(outcome_at)
            if outcome not in (won, lost):
                continue
            closed_text = history.closed_at.value_at(outcome_at)
            closed_on = None if closed_text is None else date.fromisoformat(closed_text[:10])
        for stage, since, until in history.stage.spans():
            if stage not in open_stages:
                continue
            first = bisect_left(ordered, since)
            last = len(ordered) if until is None else bisect_left(ordered, until)
            for moment in ordered[first:last]:
                row = _row(
                    deal_id,
                    moment,
                    stage,
                    since,
                    facts,
                    history,
                    activities.get(deal_id),
                    gates.get(deal_id),
                    roles.get(deal_id),
                    None if outcome is None else outcome == won,
                    closed_on,
                )
                found.append((moment, deal_id, row))
    found.sort(key=lambda f: (f[0], f[1]))
    return [f[2] for f in found]


@dataclass(frozen=True)
class _Facts:
    segment: str | None
    source: str | None
    created_at: datetime | None


def _deal_facts(connection: Connection, only: Sequence[int] | None) -> dict[int, _Facts]:
    """Segment, source and creation time per opportunity (they do not change in history)."""
    o = t.opportunities
    ids = select(o.c.id.label("record_id"))
    if only is not None and len(only) <= IN_SQL_UP_TO:
        ids = ids.where(o.c.id.in_(only))
    keys = ids.subquery("deal_ids")
    attrs = attributes(keys, ("segment",), key_column="record_id")
    query = select(
        keys.c.record_id, attrs.columns["segment"], o.c.source, o.c.created_at
    ).select_from(attrs.source.join(o, o.c.id == keys.c.record_id))
    return {
        deal_id: _Facts(segment, source, created_at)
        for deal_id, segment, source, created_at in connection.execute(query)
    }


def _row(
    deal_id: int,
    moment: datetime,
    stage: str | None,
    since: datetime,
    facts: _Facts,
    history: DealHistory,
    activities: Activities | None,
    gates: Gates | None,
    roles: KnownRoles | None,
    won: bool | None,
    closed_on: date | None,
) -> DealRow:
    amounts = history.amount_cents.set_by(moment)
    amount = history.amount_cents.value_after(amounts)
    closes = history.close_date.set_by(moment)
    close_text = history.close_date.value_after(closes)
    close = None if close_text is None else date.fromisoformat(close_text[:10])
    total = recent = inbound = 0
    last_activity = None
    if activities is not None:
        total = activities.by(moment)
        recent = total - activities.by(moment - timedelta(days=RECENT_DAYS))
        inbound = activities.inbound[total]
        last_activity = activities.times[total - 1] if total else None
    gate = None if gates is None else gates.at(moment)
    return DealRow(
        deal_id=deal_id,
        moment=moment,
        stage=str(stage),
        segment=facts.segment,
        source=facts.source,
        age_days=max(_days(moment, facts.created_at) or 0.0, 0.0),
        days_in_stage=max(_days(moment, since) or 0.0, 0.0),
        amount_cents=None if amount is None else int(amount),
        days_to_close=None if close is None else _days(close, moment.date()),
        pushes=history.close_date.pushed[closes],
        amount_changes=max(amounts - 1, 0),
        qualification_score=None if gate is None else gate.score,
        overridden=False if gate is None else gate.overridden,
        activities=total,
        recent_activities=recent,
        days_since_activity=_days(moment, last_activity),
        inbound_share=inbound / total if total else None,
        won=won,
        closed_on=closed_on,
        group_scores=() if gate is None else gate.group_scores,
        buying_roles=0 if roles is None else roles.by(moment),
    )


def snapshot_moments(first: datetime, last: datetime) -> list[datetime]:
    """Weekly moments from ``first`` to ``last`` (further apart when that makes more than
    ``MAX_MOMENTS``)."""
    if last <= first:
        return []
    step = max(timedelta(days=7), (last - first) / MAX_MOMENTS)
    moments, moment = [], first + step
    while moment <= last:
        moments.append(moment)
        moment += step
    return moments


def history_span(connection: Connection) -> tuple[datetime | None, datetime | None]:
    """The first and last stage change of any opportunity, read from the workspace database's
    history: its index answers each at once, where the intervals view is first computed whole."""
    h = t.history
    stage = (h.c.record_type == "opportunity", h.c.field == "stage")
    first = connection.execute(select(func.min(h.c.changed_at)).where(*stage)).scalar()
    last = connection.execute(select(func.max(h.c.changed_at)).where(*stage)).scalar()
    return first, last


def training_rows(connection: Connection, model: StageModel, cutoff: datetime) -> list[DealRow]:
    """Rows at every snapshot moment up to ``cutoff``, of the deals closed by ``cutoff``."""
    first, _last = history_span(connection)
    if first is None:
        return []
    return rows_at(connection, model, snapshot_moments(first, cutoff), outcome_at=cutoff)
