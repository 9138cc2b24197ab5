"""A small hand-built workspace with the histories engines are most likely to disagree on.

Days after T0 (Monday 2026-01-05 09:00):
  A  converted lead (SMB): Lead 0, MQL 1, SAL 2, SQL 4, converted 5, SQO 7, Won 17
  B  opportunity at SQO on day 1 (Globex, enterprise, Bo Ek), Lost on day 11
  C  backwards move: Qualification 2, SQO 3, back to Qualification 4, SQO 6; amount up on
     day 8, close date pushed out of the quarter on day 9 (open)
  D  reopened won deal: SQO 0, Won 10, reopened to Negotiation 12 (open)
  E  lead (SMB) at Lead 0, Disqualified 3
  G  two changes in the same second: created at SQO and moved to Solution at the same instant
     on day 3, to Proposal half a second later, Won on day 20
  H  a deal in a second currency (EUR, 0.92 per USD) at SQO on day 4, open, closing in Q1
  I  week boundary: created Sunday 2026-01-11 23:59:59 at Qualification, SQO on Monday
     2026-01-12 00:00:00, Won on Sunday 2026-01-18 23:59:59.999999
  J  lead created Sunday 2026-01-11 23:59:59.999999, MQL Monday 2026-01-12 00:00:00
A quota for Ann Lee for Q1 2026.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from sqo.domain.actor import Actor
from sqo.services import directory, leads
from sqo.services.workspace import init_workspace
from sqo.store import tables as t
from tests.conftest import T0
from tests.factories import org
from tests.integration.analytics.helpers import day, edit, lead, lead_move, move, opp

SUNDAY_LAST_SECOND = datetime(2026, 1, 11, 23, 59, 59)
MONDAY = datetime(2026, 1, 12)
AS_OF = datetime(2026, 3, 31, 23, 59, 59)


def build_edge_workspace(path: Path) -> None:
    actor = Actor("tester")
    ws = init_workspace(str(path), actor)
    try:
        org(ws, actor)
        with ws.unit_of_work() as uow:
            uow.connection.execute(
                insert(t.exchange_rates).values(currency="EUR", rate="0.92", source="manual")
            )
            uow.commit()
        directory.set_quota(
            ws,
            actor,
            amount="2000",
            period_start="2026-01-01",
            period_end="2026-03-31",
            rep="Ann Lee",
        )
        q1 = {"close_date": "2026-03-15"}
        a = lead(ws, actor, "A", T0, segment="SMB")
        lead_move(ws, actor, a, "MQL", day(T0, 1))
        lead_move(ws, actor, a, "SAL", day(T0, 2))
        lead_move(ws, actor, a, "SQL", day(T0, 4))
        _, a_opp = leads.convert_lead(ws, actor, a, at=day(T0, 5), owner="Ann Lee", amount="100")
        edit(ws, actor, a_opp.id, day(T0, 5.5), **q1)
        move(ws, actor, a_opp.id, "SQO", day(T0, 7))
        move(ws, actor, a_opp.id, "Won", day(T0, 17))
        b = opp(ws, actor, "B", day(T0, 1), "SQO", account="Globex", owner="Bo Ek", **q1)
        move(ws, actor, b, "Lost", day(T0, 11))
        c = opp(ws, actor, "C", day(T0, 2), "Qualification", amount="300", **q1)
        move(ws, actor, c, "SQO", day(T0, 3))
        move(ws, actor, c, "Qualification", day(T0, 4))
        move(ws, actor, c, "SQO", day(T0, 6))
        edit(ws, actor, c, day(T0, 8), amount="450")
        edit(ws, actor, c, day(T0, 9), close_date="2026-04-20")
        d = opp(ws, actor, "D", T0, "SQO", **q1)
        move(ws, actor, d, "Won", day(T0, 10))
        move(ws, actor, d, "Negotiation", day(T0, 12))
        e = lead(ws, actor, "E", T0, segment="SMB")
        lead_move(ws, actor, e, "Disqualified", day(T0, 3))
        same = day(T0, 3)
        g = opp(ws, actor, "G", same, "SQO", amount="250", **q1)
        move(ws, actor, g, "Solution", same)
        move(ws, actor, g, "Proposal", same + timedelta(milliseconds=500))
        move(ws, actor, g, "Won", day(T0, 20))
        opp(ws, actor, "H", day(T0, 4), "SQO", amount="920", currency="EUR", **q1)
        i = opp(ws, actor, "I", SUNDAY_LAST_SECOND, "Qualification", amount="150", **q1)
        move(ws, actor, i, "SQO", MONDAY)
        move(ws, actor, i, "Won", MONDAY + timedelta(days=7) - timedelta(microseconds=1))
        j = lead(ws, actor, "J", MONDAY - timedelta(microseconds=1), segment="mid-market")
        lead_move(ws, actor, j, "MQL", MONDAY)
    finally:
        ws.close()
