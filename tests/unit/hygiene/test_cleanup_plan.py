"""The clean-up's pure parts: which findings an action touches, and the preview document."""

from __future__ import annotations

from datetime import date

import pytest

from sqo.domain.errors import InvalidValue
from sqo.domain.hygiene.cleanup import (
    CleanupOptions,
    PlannedChange,
    action_of,
    plan,
    preview_document,
    read_preview,
)
from sqo.domain.hygiene.config import Severity
from sqo.domain.hygiene.findings import Finding


def _finding(opp: int, rule: str, **evidence: object) -> Finding:
    return Finding(
        opp,
        f"Deal {opp}",
        1,
        "Ann",
        "Nordics",
        rule,
        Severity.HIGH,
        dict(evidence),
        f"why {opp}",
        "act",
        version=opp + 10,
    )


def test_demote_touches_overridden_open_sqos_only() -> None:
    findings = [
        _finding(1, "premature_sqo", reason="overridden"),
        _finding(2, "premature_sqo", reason="lost"),  # already gone: nothing to demote
        _finding(3, "stale"),
    ]
    planned = plan(
        findings,
        CleanupOptions("demote-premature", justification="x"),
        lost_stage="Lost",
        start_stage="Qualification",
        current={1: {"stage": "SQO"}},
    )
    assert planned == [
        PlannedChange(1, "Deal 1", "Ann", 11, {"stage": ("SQO", "Qualification")}, "why 1")
    ]


def test_a_deal_with_two_findings_changes_once() -> None:
    findings = [_finding(4, "stale", close_date="2026-01-01"), _finding(4, "stale")]
    planned = plan(
        findings,
        CleanupOptions("close-stale", reason="r"),
        lost_stage="Lost",
        start_stage="Qualification",
        current={},
    )
    assert [p.opportunity_id for p in planned] == [4]


def test_the_preview_round_trips_and_a_bad_one_is_refused() -> None:
    options = CleanupOptions("set-next-steps", next_step="Call", due=date(2026, 7, 7))
    change = PlannedChange(5, "Deal 5", None, 3, {})
    assert read_preview(preview_document(options, [change]), "p.json") == (options, {5: 3})
    with pytest.raises(InvalidValue, match=r"p\.json is not a clean-up preview"):
        read_preview({"kind": "something else"}, "p.json")
    with pytest.raises(InvalidValue, match=r"not a clean-up preview"):
        read_preview({"kind": "sqo-hygiene-cleanup-preview", "deals": []}, "p.json")
    assert action_of("Close_Stale") == "close-stale"
    with pytest.raises(InvalidValue, match="Actions: close-stale"):
        action_of("archive")
