"""A mapped row of a lead file (``record: lead``): the lead, and the lead stage history its
stage-entered dates reveal.

A lead file's status column goes through ``values.stage`` onto the workspace's lead stages only
(Lead, MQL, SAL, SQL, Disqualified by default): an opportunity stage there is a mistake in the
mapping, refused before any row is read.
"""

from __future__ import annotations

from datetime import datetime

from sqo.domain.errors import ConfigurationError, InvalidValue, list_values
from sqo.domain.records import Lead
from sqo.domain.stages import LEAD_KINDS, Stage, StageModel
from sqo.i18n import _
from sqo.io.csv_source import CsvRow
from sqo.io.incoming import IncomingStaged, Kind, StageEvent
from sqo.io.mapped_rows import MappedRows
from sqo.io.mapping import Mapping
from sqo.io.stages import StageMapper
from sqo.io.values import parse_moment


def _lead_stage(model: StageModel, name: str) -> Stage | None:
    try:
        stage = model.stage(name)
    except InvalidValue:
        return None
    return stage if stage.kind in LEAD_KINDS else None


def _check_lead_stages(mapping: Mapping, model: StageModel) -> None:
    allowed = list_values(s.name for s in model.lead_stages())
    for status, target in mapping.values.get("stage", {}).items():
        if _lead_stage(model, target) is None:
            raise ConfigurationError(
                _(
                    "values.stage sends the lead status {status!r} to {stage!r}, which is not a "
                    "lead stage; map it to one of {allowed}.",
                    status=status,
                    stage=target,
                    allowed=allowed,
                )
            )
    for name in mapping.stage_entered:
        if _lead_stage(model, name) is None:
            raise ConfigurationError(
                _(
                    "stage_entered names {stage!r}, which is not a lead stage; a lead mapping "
                    "takes the dates of {allowed}.",
                    stage=name,
                    allowed=allowed,
                )
            )


class LeadRows(MappedRows):
    """Turns one mapped row into a lead with the stage history its dates reveal."""

    def __init__(self, mapping: Mapping, model: StageModel, now: datetime) -> None:
        super().__init__(mapping, model, now)
        _check_lead_stages(mapping, model)
        self.stages = StageMapper(
            model, mapping.values.get("stage"), kinds=LEAD_KINDS, where="values.stage"
        )
        self.first_stage = model.first_lead_stage().name

    def build(self, row: CsvRow) -> IncomingStaged:
        values = row.values
        source_id = values.get(self.mapping.id, "").strip()
        if not source_id:
            raise InvalidValue(
                _("the id (column {column}) is empty.", column=self.mapping.id), field="id"
            )
        stage = self.stages.stage(self.text(values, "stage", translate=False))
        created = self.moment(values, "created_at")
        events = self._events(values, created)
        lead = Lead(
            id=0,
            name=(self.text(values, "name") or source_id)[:255],
            stage=stage.name,
            created_at=created or (events[0].at if events else None) or self.now,
            company=self.text(values, "company"),
            email=self.text(values, "email"),
            source=self.text(values, "source"),
            converted_at=self.moment(values, "converted_at"),
            external_id=f"{self.mapping.source}:{source_id}",
            attributes={c: values[c] for c in self.mapping.attributes if values.get(c, "").strip()},
        )
        refs = self.people_refs(values)
        return IncomingStaged(row.number, Kind.LEAD, lead, refs, events, raw=values)

    def _events(self, values: dict[str, str], created: datetime | None) -> list[StageEvent]:
        events = []
        for stage_name, column in self.mapping.stage_entered.items():
            text = values.get(column, "").strip()
            if text:
                at = parse_moment(text, field=column, order=self.mapping.date_format)
                events.append(StageEvent(at, self.model.stage(stage_name).name))
        events.sort(key=lambda e: e.at)
        # A lead is created in the first stage its history shows, at its creation time. When it
        # was created before its first dated stage (a Lead that became an MQL days later), it
        # was at the first lead stage until then: without this its MQL date would be lost.
        first = events[0] if events else None
        if created is not None and first and created < first.at and first.stage != self.first_stage:
            events.insert(0, StageEvent(created, self.first_stage))
        return events
