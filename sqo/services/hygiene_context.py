"""What the hygiene rules need besides the deals' facts: the buying roles each deal's playbook
expects, and the won-cycle p90 per segment (the funnel's cycle definition)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import partial

from sqo.analytics.funnel import cycles
from sqo.analytics.milestones import milestone_ladder
from sqo.domain.hygiene.roles import expected_roles
from sqo.services.analytics_source import analytics_connection
from sqo.services.qualification import gate_settings
from sqo.services.workspace import Workspace
from sqo.store.unit_of_work import UnitOfWork

RoleExpectation = partial[tuple[tuple[str, ...], ...]]


def role_expectation(uow: UnitOfWork) -> RoleExpectation:
    """The workspace's playbook and overrides, as a function of a deal's values."""
    settings = gate_settings(uow)
    return partial(expected_roles, settings.playbook, settings.overrides)


def p90_cycles(ws: Workspace, as_of: datetime) -> Mapping[str | None, tuple[float, int]]:
    """Per segment (and None: the whole company) the 90th percentile of the won cycle in days and
    how many won deals it comes from, over every deal won by ``as_of``."""
    ladder = milestone_ladder(ws.stage_model)
    found: dict[str | None, tuple[float, int]] = {}
    with analytics_connection(ws) as connection:
        by_segment = cycles(connection, ladder, as_of, keys=("segment",))
        overall = cycles(connection, ladder, as_of)
    for row in by_segment:
        segment = row.group.get("segment")
        if segment is not None and row.p90_days is not None:
            found[str(segment)] = (float(row.p90_days), int(row.won))
    for row in overall:  # deals without a segment are held against the whole company
        if row.p90_days is not None:
            found[None] = (float(row.p90_days), int(row.won))
    return found
