"""From a source's stage names to the workspace's stages: an explicit table, never a guess.

A source stage maps, in this order, through the table the user gave, to the workspace stage of
the same name (case-insensitive), or through the importer's default table. The user's table is
checked whole when the import starts; a default entry whose target the workspace does not have
(a workspace with its own stages) is left out, since the user never asked for it. Anything else
rejects the row, naming the stage and where to map it; :attr:`StageMapper.unmapped` counts them
for the report.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml

from sqo.domain.errors import ConfigurationError, InvalidValue, list_values
from sqo.domain.stages import Stage, StageKind, StageModel
from sqo.i18n import _


class StageMapper:
    def __init__(
        self,
        model: StageModel,
        table: dict[str, str] | None = None,
        *,
        defaults: dict[str, str] | None = None,
        kinds: frozenset[StageKind] = frozenset(
            {StageKind.OPPORTUNITY, StageKind.WON, StageKind.LOST}
        ),
        where: str = "values.stage",
    ) -> None:
        self.model = model
        self.table = {k.strip().casefold(): v for k, v in (table or {}).items()}
        self.kinds = kinds
        self.where = where
        self.unmapped: Counter[str] = Counter()
        self.by_name = {s.name.casefold(): s for s in model.stages if s.kind in kinds}
        self.defaults = {
            k.strip().casefold(): v
            for k, v in (defaults or {}).items()
            if v.strip().casefold() in self.by_name
        }
        for source, target in (table or {}).items():
            stage = model.stage(target, field=f"{where} {source!r}")
            if stage.kind not in kinds:
                raise ConfigurationError(
                    _(
                        "The stage map sends {source!r} to {target!r}, which is not a stage "
                        "for this kind of record.",
                        source=source,
                        target=target,
                    )
                )

    def stage(self, name: str | None) -> Stage:
        if not name:
            raise InvalidValue(_("the stage is empty."), field="stage")
        key = name.strip().casefold()
        for target in (self.table.get(key), key, self.defaults.get(key)):
            stage = self.by_name.get(target.strip().casefold()) if target is not None else None
            if stage is not None:
                return stage
        self.unmapped[name.strip()] += 1
        raise InvalidValue(
            _(
                "the stage {stage!r} is not mapped to a stage of this workspace; add it under "
                "{where} (workspace stages: {allowed}).",
                stage=name.strip(),
                where=self.where,
                allowed=list_values(s.name for s in self.by_name.values()),
            ),
            field="stage",
        )


def load_stage_table(path: Path) -> dict[str, str]:
    """A YAML file of ``source stage: workspace stage`` lines."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(
            _("Cannot read the stage map {file}: {problem}", file=str(path), problem=exc)
        ) from exc
    if isinstance(data, dict) and "stages" in data and isinstance(data["stages"], dict):
        data = data["stages"]
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ConfigurationError(
            _(
                "The stage map {file} must be lines of 'source stage: workspace stage'.",
                file=str(path),
            )
        )
    return dict(data)
