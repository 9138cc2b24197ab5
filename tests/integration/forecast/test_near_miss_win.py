"""Near misses show each opportunity's win probability: its learned stage rate for its stage and
its account's segment (read here from the tables), the same rate the forecast lists."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, time

from sqo.domain.actor import Actor
from sqo.services.forecast import forecast_report
from sqo.services.qualification import near_misses
from sqo.services.workspace import open_workspace
from tests.conftest import DemoFile

AS_OF = datetime.combine(date(2026, 6, 30), time.max)


def test_near_misses_carry_the_learned_rate(demo_file: DemoFile) -> None:
    ws = open_workspace(str(demo_file.path))
    try:
        found = near_misses(ws, Actor("test"), as_of=AS_OF, min_score=0.3, limit=50)
        rates = forecast_report(ws, Actor("test"), as_of=AS_OF).stage_rates
    finally:
        ws.close()
    by = {(r.stage, r.segment): r.rate for r in rates}
    opps = [m for m in found if m.record_type == "opportunity"]
    assert opps
    with sqlite3.connect(demo_file.path) as db:
        for m in opps:
            (segment,) = db.execute(
                "SELECT a.segment FROM opportunities o JOIN accounts a ON a.id = o.account_id "
                "WHERE o.id = ?",
                (m.record_id,),
            ).fetchone()
            assert m.win_probability == by[m.stage, segment]
            assert m.to_dict()["win_probability"] == round(by[m.stage, segment], 4)
    assert all(m.win_probability is None for m in found if m.record_type == "lead")
