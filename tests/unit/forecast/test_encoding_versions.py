"""A model trained before a feature existed still scores: its encoding keeps the columns it was
fitted on (its medians name them), not the columns a new training would have."""

from __future__ import annotations

from datetime import datetime

from sqo.analytics.forecast.features import NUMERIC, Encoding, fit_encoding
from sqo.analytics.forecast.training_rows import DealRow


def row(buying_roles: int | None) -> DealRow:
    return DealRow(
        deal_id=1,
        moment=datetime(2026, 1, 5),
        stage="SQO",
        segment="SMB",
        source="Web",
        age_days=10.0,
        days_in_stage=3.0,
        amount_cents=1_000_000,
        days_to_close=30.0,
        pushes=0,
        amount_changes=0,
        qualification_score=0.8,
        overridden=False,
        activities=4,
        recent_activities=2,
        days_since_activity=1.0,
        inbound_share=0.5,
        won=None,
        buying_roles=buying_roles,
    )


def test_an_encoding_without_a_features_median_leaves_its_columns_out() -> None:
    rows = [row(2), row(3)]
    new = fit_encoding(rows, min_count=1)
    assert "buying_roles" in new.columns and "buying_roles_missing" in new.columns
    older = Encoding(
        {k: v for k, v in new.medians.items() if k != "buying_roles"},
        new.categories,
        new.without,
        new.qualification_groups,
    )
    assert "buying_roles" not in older.columns and "buying_roles_missing" not in older.columns
    assert older.matrix(rows).shape == (2, len(new.columns) - 2)
    assert [n for n in NUMERIC if n in older.numeric] == [n for n in NUMERIC if n != "buying_roles"]
