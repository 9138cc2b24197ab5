"""Training, keeping and reading the win-probability model (`sqo model train|show|threshold`).

The model is trained on rows "as of" past moments (``sqo.analytics.forecast.training_rows``) and
kept in the workspace (``forecast_models``: the fitted estimator as joblib bytes in base64, the
same model as NumPy arrays for scoring without scikit-learn, its training window, features and
scores). It is used only when the workspace has enough closed
deals: at least ``forecast_model_min_won`` won and ``forecast_model_min_lost`` lost (settings;
default 200 each, what Salesforce Einstein asks). Below that, training is refused in one sentence
naming the threshold, and forecasts use learned stage rates.
"""

from __future__ import annotations

import base64
import io
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from sqo.analytics.forecast.features import FEATURES
from sqo.analytics.forecast.fitted import FittedModel
from sqo.analytics.forecast.portable import portable
from sqo.analytics.forecast.stage_rates import closed_reach, learn_rates
from sqo.analytics.forecast.training_rows import DealRow, history_span, training_rows
from sqo.domain.actor import Actor
from sqo.domain.audit import AuditAction, audit_entry
from sqo.domain.errors import InvalidValue, NotFound, list_values
from sqo.domain.values import utc_now
from sqo.i18n import _
from sqo.services.periods import moment_so_far
from sqo.services.public import public_dict
from sqo.services.workspace import Workspace
from sqo.store import tables as t

if TYPE_CHECKING:  # scikit-learn costs seconds to import: only where a model is fitted
    from sqo.analytics.forecast.scores import Scores

MIN_WON_KEY = "forecast_model_min_won"
MIN_LOST_KEY = "forecast_model_min_lost"
DEFAULT_MIN = 200


@dataclass(frozen=True)
class Threshold:
    won: int
    lost: int


@dataclass(frozen=True)
class ModelSummary:
    id: int
    kind: str
    trained_at: datetime
    window_start: datetime
    window_end: datetime
    rows: int
    won: int
    lost: int
    features: list[str]
    scores: dict[str, Any]
    threshold: Threshold
    beats_stage_percentages: bool | None  # None: no later weeks to compare on
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return public_dict(self)


def threshold(connection: Connection) -> Threshold:
    keys = [MIN_WON_KEY, MIN_LOST_KEY]
    found = connection.execute(
        select(t.settings.c.key, t.settings.c.value).where(t.settings.c.key.in_(keys))
    )
    rows = {key: value for key, value in found}
    return Threshold(
        int(rows.get(MIN_WON_KEY, DEFAULT_MIN)), int(rows.get(MIN_LOST_KEY, DEFAULT_MIN))
    )


def _scores(fitted: FittedModel) -> dict[str, Any]:
    def one(s: Scores) -> dict[str, Any]:
        return {"rows": s.rows, "brier": s.brier, "log_loss": s.log_loss, "auc": s.auc}

    return {
        "chosen": fitted.kind,
        "train_rows": fitted.train_rows,
        "validation_rows": fitted.validation_rows,
        "validation": {k: one(v) for k, v in fitted.validation.items()},
    }


def beats(scores: dict[str, Any]) -> bool | None:
    """Whether the chosen model's Brier on the later weeks beat the configured stage values."""
    validation = scores.get("validation", {})
    mine = validation.get(scores.get("chosen"), {}).get("brier")
    fixed = validation.get("configured_stage", {}).get("brier")
    return None if mine is None or fixed is None else bool(mine < fixed)


def _summary(row: Any, limit: Threshold) -> ModelSummary:
    scores = dict(row.scores)
    verdict = beats(scores)
    notes = []
    if verdict is False:
        notes.append(
            _(
                "The model does not beat the configured stage percentages on the later weeks "
                "(Brier score): forecasts use learned stage rates instead."
            )
        )
    return ModelSummary(
        row.id,
        row.kind,
        row.trained_at,
        row.window_start,
        row.window_end,
        row.rows,
        row.won,
        row.lost,
        list(row.features),
        scores,
        limit,
        verdict,
        notes,
    )


def model_threshold(ws: Workspace, actor: Actor) -> Threshold:
    with ws.unit_of_work() as uow:
        return threshold(uow.connection)


def set_model_threshold(
    ws: Workspace, actor: Actor, *, won: int | None = None, lost: int | None = None
) -> Threshold:
    """Change how many won and lost SQOs a model needs (each at least 1)."""
    for name, value in (("won", won), ("lost", lost)):
        if value is not None and value < 1:
            raise InvalidValue(
                _(
                    "The minimum of {name} SQOs must be at least 1 (got {value}).",
                    name=name,
                    value=value,
                ),
                field=name,
            )
    with ws.unit_of_work() as uow:
        current = threshold(uow.connection)
        chosen = Threshold(won or current.won, lost or current.lost)
        uow.settings.put(MIN_WON_KEY, chosen.won)
        uow.settings.put(MIN_LOST_KEY, chosen.lost)
        uow.audit.add(
            audit_entry(
                AuditAction.MODEL_THRESHOLD_SET, actor, utc_now(), won=chosen.won, lost=chosen.lost
            )
        )
        uow.commit()
    return chosen


def too_little(won: int, lost: int, limit: Threshold) -> str | None:
    if won >= limit.won and lost >= limit.lost:
        return None
    return _(
        "Too little history for a model: {won} won and {lost} lost SQOs, and the workspace asks "
        "for at least {min_won} won and {min_lost} lost (settings {won_key} and {lost_key}). "
        "Until then forecasts use learned stage rates, or the configured stage values where too "
        "few deals have closed.",
        won=won,
        lost=lost,
        min_won=limit.won,
        min_lost=limit.lost,
        won_key=MIN_WON_KEY,
        lost_key=MIN_LOST_KEY,
    )


def check_features(names: Sequence[str]) -> tuple[str, ...]:
    """Features to leave out, each one the model knows."""
    for name in names:
        if name not in FEATURES:
            raise InvalidValue(
                _(
                    "Unknown feature {value!r}. Features: {allowed}.",
                    value=name,
                    allowed=list_values(FEATURES, limit=20),
                ),
                field="without",
                allowed=FEATURES,
            )
    return tuple(names)


def train_model(
    ws: Workspace,
    actor: Actor,
    *,
    as_of: datetime | None = None,
    without: Sequence[str] = (),
) -> ModelSummary:
    """Train on every closed deal's weeks up to ``as_of``, keep the better model, say how good;
    ``without`` leaves features out (one a CRM export fills in only at close leaks the outcome)."""
    left_out = check_features(without)
    cutoff = moment_so_far(as_of)
    model = ws.stage_model
    with ws.unit_of_work() as uow:
        limit = threshold(uow.connection)
        # The closed SQOs, counted cheaply first: too few, and the rows are not worth building.
        sqo = next(
            r
            for r in learn_rates(model, closed_reach(uow.connection, model, cutoff))
            if r.company_wide and r.stage == model.sqo_stage
        )
        refusal = too_little(sqo.won, sqo.reached - sqo.won, limit)
        if refusal is not None:
            raise InvalidValue(refusal, field="history")
        rows = training_rows(uow.connection, model, cutoff)
        first, _last = history_span(uow.connection)
    won = len({r.deal_id for r in rows if r.won})
    lost = len({r.deal_id for r in rows if not r.won})
    refusal = too_little(won, lost, limit)
    if refusal is not None:
        raise InvalidValue(refusal, field="history")
    import joblib

    from sqo.analytics.forecast.model import fit

    fitted = fit(rows, {s.name: s.probability for s in model.stages}, left_out)
    buffer = io.BytesIO()
    joblib.dump(fitted, buffer)
    scoring = _scoring(fitted, rows)
    now = utc_now()
    with ws.unit_of_work() as uow:
        new_id = uow.connection.execute(
            t.forecast_models.insert()
            .values(
                trained_at=now,
                actor=actor.name,
                kind=fitted.kind,
                window_start=first or cutoff,
                window_end=cutoff,
                rows=len(rows),
                won=won,
                lost=lost,
                features=fitted.encoding.columns,
                scores=_scores(fitted),
                model=base64.b64encode(buffer.getvalue()).decode("ascii"),
                scoring=scoring,
            )
            .returning(t.forecast_models.c.id)
        ).scalar_one()
        uow.audit.add(
            audit_entry(
                AuditAction.MODEL_TRAINED,
                actor,
                now,
                model_id=new_id,
                kind=fitted.kind,
                rows=len(rows),
                won=won,
                lost=lost,
            )
        )
        uow.commit()
    return model_summary(ws, actor)


# The training rows the arrays are checked against (every row of a small workspace).
CHECKED_ROWS = 5_000


def _scoring(fitted: FittedModel, rows: Sequence[DealRow]) -> str | None:
    """The model as NumPy arrays, pickled in base64, or None when they would not give the
    estimator's own probabilities (``sqo.analytics.forecast.portable``)."""
    checked = rows[:: max(1, len(rows) // CHECKED_ROWS)]
    arrays = portable(fitted.estimator, fitted.encoding.matrix(checked))
    if arrays is None:
        return None
    light = FittedModel(fitted.kind, arrays, fitted.encoding, fitted.baseline)
    return base64.b64encode(pickle.dumps(light, protocol=pickle.HIGHEST_PROTOCOL)).decode("ascii")


def _latest(connection: Connection) -> Any:
    m = t.forecast_models
    columns = [c for c in m.c if c.name not in ("model", "scoring")]
    return connection.execute(select(*columns).order_by(m.c.id.desc()).limit(1)).first()


def model_summary(ws: Workspace, actor: Actor) -> ModelSummary:
    """The latest trained model: when, on what, and how well it did."""
    with ws.unit_of_work() as uow:
        row = _latest(uow.connection)
        limit = threshold(uow.connection)
    if row is None:
        raise NotFound(_("No win-probability model is trained yet: run 'sqo model train'."))
    return _summary(row, limit)


@dataclass(frozen=True)
class StoredModel:
    summary: ModelSummary
    fitted: FittedModel


def stored_model(connection: Connection) -> StoredModel | None:
    """The latest model, loaded, or None when none is trained."""
    row = _latest(connection)
    if row is None:
        return None
    m = t.forecast_models
    # The bytes were written by this workspace's own `sqo model train`. The arrays are a few
    # kilobytes; the estimator (a megabyte for gradient boosting) is read only without them.
    scoring = connection.execute(select(m.c.scoring).where(m.c.id == row.id)).scalar_one()
    if scoring is not None:
        fitted = pickle.loads(base64.b64decode(scoring))
    else:
        import joblib

        data = connection.execute(select(m.c.model).where(m.c.id == row.id)).scalar_one()
        fitted = joblib.load(io.BytesIO(base64.b64decode(data)))
    return StoredModel(_summary(row, threshold(connection)), fitted)
