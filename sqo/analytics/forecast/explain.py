"""Why a deal's probability is what it is: the factors that moved it most, from the model itself.

One method for both kinds of model: a factor's effect is the deal's probability minus the
probability the same model gives the same deal with that one feature set to the typical deal's
value (the training median, or the most common category): "close date pushed 3 times: -12
points" means that, pushed as often as the typical deal, the model would give it 12 points more.
The three to five largest effects are shown (smaller than half a point: not shown).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from babel.numbers import format_decimal, format_percent

from sqo import i18n
from sqo.analytics.forecast.features import GROUP_PREFIX
from sqo.analytics.forecast.fitted import FittedModel, one_thread
from sqo.analytics.forecast.training_rows import DealRow
from sqo.i18n import _, days_ago, ngettext

SHOWN = 5
AT_LEAST = 3
SMALLEST_POINTS = 0.5


@dataclass(frozen=True)
class Factor:
    feature: str
    points: float  # percentage points the factor adds (negative: takes away)
    text: str  # "close date pushed 3 times: -12 points"


def _n(value: float) -> str:
    return format_decimal(round(value), format="#,##0", locale=i18n.locale())


def describe(feature: str, row: DealRow) -> str:
    """The factor in words, with the deal's own value."""
    if feature.startswith(GROUP_PREFIX):
        key = feature.removeprefix(GROUP_PREFIX)
        group = key.replace("_", " ")
        found = dict(row.group_scores).get(key)
        if found is None:
            return _("no {group} score at promotion", group=group)
        score = format_percent(found, locale=i18n.locale())
        return _("{group} {score} at promotion", group=group, score=score)
    if feature in ("stage", "segment", "source"):
        value = getattr(row, feature) or "—"
        return {
            "stage": _("stage {value}", value=value),
            "segment": _("segment {value}", value=value),
            "source": _("source {value}", value=value),
        }[feature]
    if feature == "age_days":
        return _("open {days} days", days=_n(row.age_days))
    if feature == "days_in_stage":
        return _("{days} days in its stage", days=_n(row.days_in_stage))
    if feature == "amount":
        if not row.amount_cents:
            return _("no amount")
        return _("amount {amount}", amount=_n(row.amount_cents / 100))
    if feature == "days_to_close":
        if row.days_to_close is None:
            return _("no close date")
        if row.days_to_close < 0:
            return _("close date passed {ago}", ago=days_ago(round(-row.days_to_close)))
        return _("close date in {days} days", days=_n(row.days_to_close))
    if feature == "pushes":
        return ngettext(
            "close date pushed {count} time", "close date pushed {count} times", row.pushes
        )
    if feature == "amount_changes":
        return ngettext(
            "amount changed {count} time", "amount changed {count} times", row.amount_changes
        )
    if feature == "qualification_score":
        if row.qualification_score is None:
            return _("no qualification score")
        score = format_percent(row.qualification_score, locale=i18n.locale())
        return _("qualification score {score}", score=score)
    if feature == "overridden":
        return _("promoted over the gate") if row.overridden else _("promoted through the gate")
    if feature == "activities":
        return ngettext("{count} activity so far", "{count} activities so far", row.activities)
    if feature == "recent_activities":
        return ngettext(
            "{count} activity in the last 30 days",
            "{count} activities in the last 30 days",
            row.recent_activities,
        )
    if feature == "days_since_activity":
        if row.days_since_activity is None:
            return _("no activity yet")
        return _("last activity {ago}", ago=days_ago(round(row.days_since_activity)))
    if feature == "buying_roles":
        if row.buying_roles is None:
            return _("buying roles of unknown date")
        return ngettext("{count} buying role known", "{count} buying roles known", row.buying_roles)
    if row.inbound_share is None:
        return _("no activity yet")
    share = format_percent(row.inbound_share, locale=i18n.locale())
    return _("{share} of activities inbound", share=share)


def effects(model: FittedModel, rows: Sequence[DealRow]) -> tuple[np.ndarray, list[str]]:
    """Each row's probability minus its probability with one feature typical, per feature."""
    x = model.encoding.matrix(rows)
    groups = model.encoding.groups()
    names = list(groups)
    with one_thread():
        p = model.estimator.predict_proba(x)[:, 1]
    changed = np.repeat(x[np.newaxis, :, :], len(names), axis=0)
    for g, name in enumerate(names):
        changed[g][:, groups[name]] = model.baseline[groups[name]]
    flat = changed.reshape(len(names) * len(rows), x.shape[1])
    with one_thread():
        typical = model.estimator.predict_proba(flat)[:, 1].reshape(len(names), len(rows))
    return (p[np.newaxis, :] - typical).T, names


def explain(model: FittedModel, rows: Sequence[DealRow]) -> list[list[Factor]]:
    """Three to five factors per row, largest effect first."""
    if not rows:
        return []
    table, names = effects(model, rows)
    result = []
    for row, moved in zip(rows, table, strict=True):
        order = np.argsort(-np.abs(moved))
        factors = []
        for rank, index in enumerate(order[:SHOWN]):
            points = float(moved[index]) * 100
            if rank >= AT_LEAST and abs(points) < SMALLEST_POINTS:
                break
            text = _(
                "{factor}: {points} points",
                factor=describe(names[index], row),
                points=("+" if points >= 0 else "−")
                + format_decimal(abs(round(points)), locale=i18n.locale()),
            )
            factors.append(Factor(names[index], points, text))
        result.append(factors)
    return result
