"""The training rows as they were first computed: one SQL query per moment, every value read
from ``history_intervals`` (and the activity and qualification tables) up to that moment.

Kept here as the independent computation that ``sqo.analytics.forecast.training_rows.rows_at``
(one reading of each deal's history, asked at every moment) is held against.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Connection, Integer, and_, case, func, or_, select

from sqo.analytics.breakdowns import attributes
from sqo.analytics.forecast.timing import pushes_at
from sqo.analytics.forecast.training_rows import RECENT_DAYS, DealRow
from sqo.analytics.states import open_sqo_stages, states_at
from sqo.domain.stages import StageModel
from sqo.store import intervals as hi
from sqo.store import tables as t


def _days(later: datetime | date, earlier: datetime | date | None) -> float | None:
    if earlier is None:
        return None
    if isinstance(later, datetime) and not isinstance(earlier, datetime):
        earlier = datetime.combine(earlier, datetime.min.time())
    if isinstance(earlier, datetime) and not isinstance(later, datetime):
        later = datetime.combine(later, datetime.min.time())
    return (later - earlier).total_seconds() / 86_400  # type: ignore[operator]


def reference_rows(
    connection: Connection,
    model: StageModel,
    moment: datetime,
    *,
    outcome_at: datetime | None = None,
    only: list[int] | None = None,
) -> list[DealRow]:
    """The open SQO-pipeline deals at ``moment`` with their features; with ``outcome_at``, only
    those closed by then, labelled won or lost."""
    h = hi.history_intervals
    s = states_at(moment, ("stage", "amount_cents", "close_date"), name="at_moment")
    since = (
        select(h.c.record_id, func.max(h.c.valid_from).label("since"))
        .where(
            h.c.record_type == "opportunity",
            h.c.field == "stage",
            h.c.valid_from <= moment,
            or_(h.c.valid_until.is_(None), h.c.valid_until > moment),
        )
        .group_by(h.c.record_id)
        .subquery("stage_since")
    )
    amounts = (
        select(h.c.record_id, (func.count() - 1).label("changes"))
        .where(
            h.c.record_type == "opportunity",
            h.c.field == "amount_cents",
            h.c.valid_from <= moment,
        )
        .group_by(h.c.record_id)
        .subquery("amount_changes")
    )
    pushes = pushes_at(moment, "row_pushes")
    a = t.activities
    recent = a.c.occurred_at > moment - timedelta(days=RECENT_DAYS)
    acts = (
        select(
            a.c.opportunity_id,
            func.count().label("total"),
            func.sum(case((recent, 1), else_=0)).cast(Integer).label("recent"),
            func.sum(case((a.c.direction == "inbound", 1), else_=0)).cast(Integer).label("inbound"),
            func.max(a.c.occurred_at).label("last"),
        )
        .where(a.c.opportunity_id.is_not(None), a.c.occurred_at <= moment)
        .group_by(a.c.opportunity_id)
        .subquery("acts")
    )
    q = t.qualification_snapshots
    ranked = (
        select(
            q.c.opportunity_id,
            q.c.score,
            q.c.overridden,
            q.c.detail["groups"].label("groups"),
            func.row_number()
            .over(
                partition_by=q.c.opportunity_id, order_by=(q.c.evaluated_at.desc(), q.c.id.desc())
            )
            .label("recency"),
        )
        .where(q.c.evaluated_at <= moment)
        .subquery("ranked_gates")
    )
    gates = select(ranked).where(ranked.c.recency == 1).subquery("gates")
    o = t.opportunities
    attrs = attributes(s, ("segment",), key_column="record_id")
    # Different buying roles (the deal's own for the contact, else the contact's) dated by the
    # moment; any undated role makes the count unknown.
    link, person = t.opportunity_contacts, t.contacts
    kind = func.coalesce(link.c.role, person.c.buying_role)
    roles = (
        select(
            link.c.opportunity_id,
            func.count(func.distinct(case((link.c.added_at <= moment, kind)))).label("known"),
            func.sum(case((link.c.added_at.is_(None), 1), else_=0)).label("undated"),
        )
        .select_from(link.join(person, person.c.id == link.c.contact_id))
        .where(kind.is_not(None))
        .group_by(link.c.opportunity_id)
        .subquery("roles")
    )
    source = (
        attrs.source.join(o, o.c.id == s.c.record_id)
        .outerjoin(since, since.c.record_id == s.c.record_id)
        .outerjoin(amounts, amounts.c.record_id == s.c.record_id)
        .outerjoin(pushes, pushes.c.record_id == s.c.record_id)
        .outerjoin(acts, acts.c.opportunity_id == s.c.record_id)
        .outerjoin(gates, gates.c.opportunity_id == s.c.record_id)
        .outerjoin(roles, roles.c.opportunity_id == s.c.record_id)
    )
    columns = [
        s.c.record_id,
        s.c.stage,
        attrs.columns["segment"],
        o.c.source,
        o.c.created_at,
        since.c.since,
        s.c.amount_cents,
        s.c.close_date,
        func.coalesce(pushes.c.pushes, 0),
        func.coalesce(amounts.c.changes, 0),
        gates.c.score,
        gates.c.overridden,
        func.coalesce(acts.c.total, 0),
        func.coalesce(acts.c.recent, 0),
        func.coalesce(acts.c.inbound, 0),
        acts.c.last,
        gates.c.groups,
    ]
    conditions = [s.c.stage.in_(open_sqo_stages(model))]
    if outcome_at is not None:
        final = states_at(outcome_at, ("stage", "closed_at"), name="outcome")
        source = source.join(final, final.c.record_id == s.c.record_id)
        closed = (model.won_stage().name, model.lost_stage().name)
        conditions.append(final.c.stage.in_(closed))
        columns.append(case((final.c.stage == model.won_stage().name, 1), else_=0))
        columns.append(final.c.closed_at)
    if only is not None:
        conditions.append(s.c.record_id.in_(only))
    columns += [func.coalesce(roles.c.known, 0), func.coalesce(roles.c.undated, 0)]
    query = select(*columns).select_from(source).where(and_(*conditions))
    rows = []
    for r in connection.execute(query):
        total = int(r[12])
        groups = tuple(
            (str(g["key"]), float(g["score"]))
            for g in (r[16] or [])
            if isinstance(g, dict) and g.get("score") is not None
        )
        close = None if r[7] is None else date.fromisoformat(str(r[7])[:10])
        rows.append(
            DealRow(
                deal_id=int(r[0]),
                moment=moment,
                stage=str(r[1]),
                segment=r[2],
                source=r[3],
                age_days=max(_days(moment, r[4]) or 0.0, 0.0),
                days_in_stage=max(_days(moment, r[5]) or 0.0, 0.0),
                amount_cents=None if r[6] is None else int(r[6]),
                days_to_close=None if close is None else _days(close, moment.date()),
                pushes=int(r[8]),
                amount_changes=max(int(r[9]), 0),
                qualification_score=None if r[10] is None else float(r[10]),
                overridden=bool(r[11]),
                activities=total,
                recent_activities=int(r[13]),
                days_since_activity=_days(moment, r[15]),
                inbound_share=int(r[14]) / total if total else None,
                won=bool(r[17]) if outcome_at is not None else None,
                closed_on=(
                    date.fromisoformat(str(r[18])[:10])
                    if outcome_at is not None and r[18] is not None
                    else None
                ),
                group_scores=groups,
                buying_roles=None if int(r[-1]) else int(r[-2]),
            )
        )
    return rows
