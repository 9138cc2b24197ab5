"""Attribution models as configuration: a named weight table over a deal's milestone touches.

A model gives shares to four *anchor* touches and one share to the touches in between:

- ``first``: the first touch;
- ``lead_created``, ``sqo_created``, ``closed_won``: the last touch at or before that milestone
  (or at or before the milestone being credited, when that comes earlier: crediting an MQL, the
  SQO and won anchors are the last touch before the MQL). With no touch by then, the first touch;
- ``middle``: every touch no weighted anchor took, split ``equal``, by ``position`` (the k-th of
  n middle touches weighs k: later touches count more) or by ``time_decay`` (a touch
  ``half_life_days`` older than the milestone weighs half as much).

Weights are exact decimals that must add up to exactly 1. When the middle is empty its share
goes to the anchors in proportion to their weights; when no anchor has weight, every touch is
in the middle (linear, time decay). The credit computation is :mod:`sqo.analytics.attribution`.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sqo.domain.errors import UnknownReference, list_values
from sqo.domain.yaml_files import Refusal, parse_yaml, read_config, validated
from sqo.i18n import _

SHIPPED_FILE = Path(__file__).resolve().parent.parent / "defaults" / "attribution.yaml"

Anchor = Literal["first", "lead_created", "sqo_created", "closed_won"]
ANCHORS: tuple[Anchor, ...] = ("first", "lead_created", "sqo_created", "closed_won")
Part = Literal["first", "lead_created", "sqo_created", "closed_won", "middle"]


class AttributionModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str = ""
    weights: dict[Part, Decimal]
    middle: Literal["equal", "position", "time_decay"] = "equal"
    half_life_days: float | None = Field(default=None, gt=0)

    @field_validator("weights")
    @classmethod
    def _adds_up(cls, weights: dict[Part, Decimal]) -> dict[Part, Decimal]:
        for part, weight in weights.items():
            if not 0 <= weight <= 1:
                raise ValueError(f"the weight of {part} must be between 0 and 1, not {weight}")
        total = sum(weights.values(), Decimal(0))
        if total != 1:
            raise ValueError(f"the weights add up to {total.normalize()}, not 1")
        return weights

    @model_validator(mode="after")
    def _decay_has_half_life(self) -> Self:
        if self.middle == "time_decay" and self.half_life_days is None:
            raise ValueError("middle: time_decay needs half_life_days")
        return self

    def weight(self, part: Part) -> Decimal:
        return self.weights.get(part, Decimal(0))


class AttributionModels(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    models: dict[str, AttributionModel] = Field(min_length=1)


def _sentence(source: str) -> Refusal:
    return lambda problems: _(
        "The attribution models {file} are not valid:\n{problems}", file=source, problems=problems
    )


def parse_models_text(text: str, *, source: str = "<attribution>") -> AttributionModels:
    """Parse and validate attribution YAML; :class:`ConfigurationError` names file, line, field."""
    data, lines, _twice = parse_yaml(text, source=source, sentence=_sentence(source))
    return validated(
        AttributionModels, data, lines, source=source, top=_("models"), sentence=_sentence(source)
    )


def load_models(path: Path | None = None) -> AttributionModels:
    source = path or SHIPPED_FILE
    text = read_config(
        source,
        lambda problem: _(
            "Cannot read the attribution models {file}: {problem}",
            file=str(source),
            problem=problem,
        ),
    )
    return parse_models_text(text, source=str(source))


@cache
def shipped_models() -> AttributionModels:
    return load_models()


def choose(models: AttributionModels, name: str | None) -> dict[str, AttributionModel]:
    """The models a report shows: one by name, or every one (``None`` or ``all``)."""
    if name is None or name.strip().casefold() == "all":
        return dict(models.models)
    key = name.strip().casefold()
    for found, model in models.models.items():
        if found.casefold() == key:
            return {found: model}
    raise UnknownReference(
        _(
            "Unknown attribution model {name!r}. Models: {allowed}, or all.",
            name=name,
            allowed=list_values(models.models),
        ),
        field="model",
        allowed=[*models.models, "all"],
    )
