"""The forecast reads history on the analytics copy where the copy answers analytics, and what
only the workspace database holds (forecast categories, the trained model, activities) from
the database: the same report either way, model and categories included."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest

from sqo.domain.actor import Actor
from sqo.services.forecast import forecast_report
from sqo.services.forecast_models import set_model_threshold, train_model
from sqo.services.workspace import Workspace, open_workspace
from sqo.store.analytics_copy import copy_path
from tests.integration.forecast.test_team_rates import build

TRAINED = datetime.combine(date(2026, 6, 15), time.max)


def test_the_demo_forecast_with_its_model_is_the_same_on_the_copy(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = open_workspace(str(demo_copy))
    actor = Actor("test")
    try:
        set_model_threshold(ws, actor, won=200)
        train_model(ws, actor, as_of=TRAINED)
        monkeypatch.setenv("SQO_ANALYTICS_COPY", "off")
        database = forecast_report(ws, actor, period="2026-Q2", as_of=datetime(2026, 6, 20))
        assert not copy_path(ws.url).exists()
        monkeypatch.setenv("SQO_ANALYTICS_COPY", "required")
        copied = forecast_report(ws, actor, period="2026-Q2", as_of=datetime(2026, 6, 20))
        assert copy_path(ws.url).exists()  # it read the copy, which it built first
    finally:
        ws.close()
    assert copied.method == database.method == "model"
    categories = {d.forecast_category for d in database.deals}
    assert {"Commit", "Best Case", "Pipeline"} <= categories  # read from history, per deal
    assert copied.to_dict() == database.to_dict()


def test_a_team_forecast_is_the_same_on_the_copy(
    any_workspace: Workspace, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(any_workspace, actor)
    reports = {}
    for mode in ("off", "required"):
        monkeypatch.setenv("SQO_ANALYTICS_COPY", mode)
        reports[mode] = forecast_report(
            any_workspace, actor, period="2026-Q2", team="Iberia", as_of=datetime(2026, 5, 1)
        ).to_dict()
    assert reports["required"]["deals"]
    assert reports["required"] == reports["off"]
