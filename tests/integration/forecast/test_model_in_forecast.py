"""The trained model in the forecast on a copy of the demo: used with its reasons when it may be,
refused in one sentence when it may not (too little history, or trained after the moment)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from sqo.domain.actor import Actor
from sqo.domain.errors import InvalidValue
from sqo.services.exports import export_workspace
from sqo.services.forecast import forecast_report
from sqo.services.forecast_models import model_summary, set_model_threshold, train_model
from sqo.services.restore import restore_into
from sqo.services.workspace import open_workspace

TRAINED = datetime.combine(date(2026, 6, 15), time.max)


def test_the_model_scores_and_explains_or_says_why_not(demo_copy: Path, tmp_path: Path) -> None:
    ws = open_workspace(str(demo_copy))
    actor = Actor("test")
    try:
        set_model_threshold(ws, actor, won=5000)
        with pytest.raises(InvalidValue, match="at least 5000 won and 200 lost"):
            train_model(ws, actor, as_of=TRAINED)
        set_model_threshold(ws, actor, won=200)
        summary = train_model(ws, actor, as_of=TRAINED)
        assert model_summary(ws, actor) == summary
        assert summary.won >= 200 and summary.lost >= 200
        assert summary.kind in ("logistic_regression", "gradient_boosting")
        chosen = summary.scores["validation"][summary.kind]["brier"]
        others = summary.scores["validation"]
        assert chosen == min(
            others[k]["brier"] for k in ("logistic_regression", "gradient_boosting")
        )

        after = forecast_report(ws, actor, period="2026-Q2", as_of=datetime(2026, 6, 20))
        if summary.beats_stage_percentages:
            assert after.method == "model"
            assert all(3 <= len(d.factors) <= 5 for d in after.deals)
            assert all(" points" in f for d in after.deals for f in d.factors)
        else:
            assert after.method == "stage_rates" and "does not beat" in after.method_reason
        asked = forecast_report(
            ws, actor, period="2026-Q2", as_of=datetime(2026, 6, 20), method="model"
        )
        assert asked.method == "model"
        assert all(0 <= d.probability <= 1 for d in asked.deals)

        before = forecast_report(ws, actor, period="2026-Q2", as_of=datetime(2026, 6, 1))
        assert before.method == "stage_rates"
        assert "would know the future" in before.method_reason
        # The kept model travels through an export and its restore like any other value.
        export_workspace(ws, actor, tmp_path / "export")
        copy = restore_into(str(tmp_path / "copy.db"), actor, tmp_path / "export")
        assert copy.rows["forecast_models"] == 1
        restored = open_workspace(str(tmp_path / "copy.db"))
        try:
            again = forecast_report(
                restored, actor, period="2026-Q2", as_of=datetime(2026, 6, 20), method="model"
            )
        finally:
            restored.close()
        assert [d.probability for d in again.deals] == [d.probability for d in asked.deals]

        set_model_threshold(ws, actor, lost=10_000)
        short = forecast_report(ws, actor, period="2026-Q2", as_of=datetime(2026, 6, 20))
        assert short.method == "stage_rates" and "Too little history" in short.method_reason
    finally:
        ws.close()


# Forecast with the latest model and report whether scikit-learn was imported to score it.
SCORE = """
import json, sys
from datetime import datetime
from sqo.domain.actor import Actor
from sqo.services.forecast import forecast_report
from sqo.services.workspace import open_workspace
ws = open_workspace(sys.argv[1])
report = forecast_report(
    ws, Actor("test"), period="2026-Q2", as_of=datetime(2026, 6, 20), method="model"
)
ws.close()
print(json.dumps({
    "sklearn": any(name.split(".")[0] == "sklearn" for name in sys.modules),
    "report": report.to_dict(),
}, default=str))
"""


def _score(path: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", SCORE, str(path)], capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout))


def test_a_trained_model_scores_without_scikit_learn(demo_copy: Path, tmp_path: Path) -> None:
    ws = open_workspace(str(demo_copy))
    actor = Actor("test")
    try:
        set_model_threshold(ws, actor, won=200)
        train_model(ws, actor, as_of=TRAINED)
    finally:
        ws.close()
    # The same model read the old way, from the estimator: a workspace trained before 0009.
    estimator_only = tmp_path / "estimator-only.db"
    shutil.copyfile(demo_copy, estimator_only)
    with sqlite3.connect(estimator_only) as connection:
        assert connection.execute("SELECT count(scoring) FROM forecast_models").fetchone() == (1,)
        connection.execute("UPDATE forecast_models SET scoring = NULL")
    fast, slow = _score(demo_copy), _score(estimator_only)
    assert (fast["sklearn"], slow["sklearn"]) == (False, True)
    assert fast["report"]["method"] == "model"
    # The arrays sum the same numbers in another order: the last bits of a probability may differ.
    assert _rounded(fast["report"]) == _rounded(slow["report"])
    assert fast["report"]["deals"] and all(
        abs(a["probability"] - b["probability"]) < 1e-12
        for a, b in zip(fast["report"]["deals"], slow["report"]["deals"], strict=True)
    )


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value
