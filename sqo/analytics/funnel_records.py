"""Milestone times of every funnel record, kept in the analytics copy between commands.

Why: deriving them means grouping every stage change of every record (three million rows for a
million opportunities), about a second per command. They change only for the records whose
history moved, so the copy keeps them (``sqo_funnel_records``, for one ladder) and each command
first recomputes the funnel records named by the history that arrived since (``sqo_pending``,
filled by the copy's refresh), then trims them to its "as of" moment:

- a milestone reached after ``as_of`` was not reached yet (the first time a step is reached is the
  same whether later history exists or not), and a record first seen after ``as_of`` did not
  exist;
- the current stage is the latest one unless the record changed stage after ``as_of``; for those
  few records it is read from history as it stood then.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.sql.selectable import Select, Subquery

from sqo.analytics.milestones import Ladder, milestone_times

NAME = "sqo_funnel_records"
LEADS = "sqo_funnel_leads"  # converted lead -> the funnel record (opportunity) holding it
PENDING = "sqo_pending"  # records whose history arrived since (see sqo.store.analytics_copy)
END_OF_TIME = datetime(9999, 12, 31)


def _signature(ladder: Ladder) -> str:
    text_form = repr((ladder.names, sorted(ladder.highest_step.items())))
    return hashlib.sha256(text_form.encode()).hexdigest()[:16]


def _table(ladder: Ladder) -> Table:
    return Table(
        NAME,
        MetaData(),
        Column("key", Integer),
        *[Column(f"m{i}", DateTime) for i in range(len(ladder.names))],
        Column("first_at", DateTime),
        Column("latest_at", DateTime),
        Column("latest_stage", String),
    )


def _aggregate(ladder: Ladder, only: Select[Any] | None = None) -> Select[Any]:
    """Per funnel record, over all its history: m0..mN, first_at, the latest stage and when it
    was set (the milestones as of the end of time)."""
    times = milestone_times(ladder, END_OF_TIME, copy=True, only=only, stage_set_at=True)
    return select(
        times.c.key,
        *[times.c[f"m{i}"] for i in range(len(ladder.names))],
        times.c.first_at,
        times.c.stage_set_at.label("latest_at"),
        times.c.current_stage.label("latest_stage"),
    )


def bring_up_to_date(connection: Connection, ladder: Ladder) -> Table:
    """Recompute the funnel records the pending history names (all of them for a new ladder),
    committed so that the next command starts from here."""
    table = _table(ladder)
    signature = _signature(ladder)
    stored = connection.execute(
        text("SELECT value FROM sqo_copy WHERE key = 'funnel_ladder'")
    ).scalar()
    if stored != signature:
        connection.execute(text(f"DROP TABLE IF EXISTS {NAME}"))
        compiled = _aggregate(ladder).compile(connection, compile_kwargs={"literal_binds": True})
        connection.execute(text(f"CREATE TABLE {NAME} AS {compiled}"))
        connection.execute(text(f"DROP TABLE IF EXISTS {LEADS}"))
        connection.execute(
            text(
                f"CREATE TABLE {LEADS} AS SELECT id AS lead_id, converted_opportunity_id AS key "
                "FROM leads WHERE converted_opportunity_id IS NOT NULL"
            )
        )
        connection.execute(
            text("INSERT OR REPLACE INTO sqo_copy VALUES ('funnel_ladder', :s)"), {"s": signature}
        )
    elif connection.execute(text(f"SELECT count(*) FROM {PENDING}")).scalar():
        _recompute_pending(connection, ladder, table)
    connection.execute(text(f"DELETE FROM {PENDING}"))
    connection.commit()
    return table


def _recompute_pending(connection: Connection, ladder: Ladder, table: Table) -> None:
    """The records the pending leads and opportunities belong to now, and, for a lead converted
    or re-linked since, the records it belonged to before (kept in ``sqo_funnel_leads``)."""
    leads = f"SELECT record_id FROM {PENDING} WHERE record_type = 'lead'"
    connection.execute(
        text(
            "CREATE TEMPORARY TABLE sqo_affected AS "
            f"SELECT record_id AS key FROM {PENDING} WHERE record_type = 'opportunity' "
            f"UNION SELECT -record_id FROM {PENDING} WHERE record_type = 'lead' "
            f"UNION SELECT converted_opportunity_id FROM leads WHERE id IN ({leads}) "
            "AND converted_opportunity_id IS NOT NULL "
            f"UNION SELECT key FROM {LEADS} WHERE lead_id IN ({leads})"
        )
    )
    affected: Select[Any] = select(literal_column("key")).select_from(text("sqo_affected"))
    connection.execute(table.delete().where(table.c.key.in_(affected)))
    connection.execute(
        table.insert().from_select(list(table.c.keys()), _aggregate(ladder, affected))
    )
    connection.execute(text(f"DELETE FROM {LEADS} WHERE lead_id IN ({leads})"))
    connection.execute(
        text(
            f"INSERT INTO {LEADS} SELECT id, converted_opportunity_id FROM leads "
            f"WHERE id IN ({leads}) AND converted_opportunity_id IS NOT NULL"
        )
    )
    connection.execute(text("DROP TABLE sqo_affected"))


def as_of(connection: Connection, ladder: Ladder, table: Table, moment: datetime) -> Subquery:
    """``milestone_times`` at ``moment``, from the kept funnel records."""
    count = len(ladder.names)
    later = and_(table.c.latest_at > moment, table.c.first_at <= moment)
    current: ColumnElement[Any] = table.c.latest_stage
    source: Any = table
    if connection.execute(select(func.count()).where(later)).scalar():
        then = milestone_times(ladder, moment, copy=True, only=select(table.c.key).where(later))
        source = table.outerjoin(then, then.c.key == table.c.key)
        current = case(
            (table.c.latest_at <= moment, table.c.latest_stage), else_=then.c.current_stage
        )
    query = (
        select(
            table.c.key,
            *[
                case((table.c[f"m{i}"] <= moment, table.c[f"m{i}"])).label(f"m{i}")
                for i in range(count)
            ],
            table.c.first_at,
            current.label("current_stage"),
        )
        .select_from(source)
        .where(table.c.first_at <= moment)
    )
    return query.subquery("milestones")
