"""Salesforce history rows as staged events: OpportunityHistory (a deal's stage, amount, close
date, forecast category and probability at a moment), OpportunityFieldHistory (one field's
change) and LeadHistory (a lead's status changes), each value parsed into sqo's history text.
"""

from __future__ import annotations

from datetime import datetime

from sqo.domain.errors import InvalidValue
from sqo.i18n import _
from sqo.io.incoming import Kind
from sqo.io.salesforce_fields import (
    FIELD_HISTORY,
    FORECAST_CATEGORIES,
    OPPORTUNITY_HISTORY,
    field_text,
    key,
    moment,
)
from sqo.io.stages import StageMapper
from sqo.io.staging import EventStage
from sqo.io.values import parse_day, parse_money, parse_percent

# The fields of an OpportunityHistory file, and per column its field and the values read so far.
HistoryLayout = tuple[tuple[str, ...], list[tuple[str, tuple[str, dict[str, str | None]]]]]


class HistoryRows:
    """Stages the events of history rows into ``events`` (stage names through the mappers).
    Dates are read in the order of the file at hand (``order``: each file has its own)."""

    def __init__(
        self,
        events: EventStage,
        opp_stages: StageMapper,
        lead_stages: StageMapper,
    ) -> None:
        self.events = events
        self.opp_stages = opp_stages
        self.lead_stages = lead_stages
        self._stage_names: dict[tuple[bool, str | None], str] = {}
        self._layout: tuple[tuple[str, ...], HistoryLayout] | None = None

    def stage_event(self, row: dict[str, str], field: str, order: str) -> bool:
        """Stage a history row's events; False for the history of a field not kept.

        An OpportunityHistory row is the deal's stage, amount, close date, forecast category
        and probability as of its CreatedDate; an OpportunityFieldHistory row one field's
        change (OldValue until CreatedDate, NewValue from then on); a LeadHistory row's status
        change is a stage move."""
        is_lead = "LeadId" in row and field != "StageName"
        record = field_text(row, "LeadId" if is_lead else "OpportunityId")
        if not record:
            raise InvalidValue(_("the record id is empty."), field="id")
        record_key = key(Kind.LEAD if is_lead else Kind.OPPORTUNITY, record)
        if "Field" in row:  # field history: one field's change
            changed = (row.get("Field") or "").strip()
            if not is_lead and changed in FIELD_HISTORY:
                return self._field_change(row, record_key, FIELD_HISTORY[changed], order)
            if changed not in (field, "created"):
                return False
            if changed == "created" and not field_text(row, "NewValue"):
                return False  # "the record was created", with no value: the record's row tells
            at = self._history_time(row, order)
            self.events.add_one(
                record_key, at, self._stage_name(is_lead, field_text(row, "NewValue"))
            )
            return True
        at = self._history_time(row, order)
        stage = self._stage_name(is_lead, field_text(row, "StageName"))
        fields, columns = self._history_layout(row)
        if is_lead or not columns:  # stages alone: the compact form
            self.events.add_one(record_key, at, stage)
            return True
        values: list[str | None] = [stage]
        for column, (name, seen) in columns:
            raw = row.get(column) or ""
            if raw not in seen:  # parsed once per distinct text (a deal's rows repeat them)
                if len(seen) >= 50_000:
                    seen.clear()
                seen[raw] = self._history_value(name, raw, order)
            values.append(seen[raw])
        self.events.add_values(record_key, at, fields, values)
        return True

    def _history_time(self, row: dict[str, str], order: str) -> datetime:
        at = moment(row, "CreatedDate", order)
        if at is None:
            raise InvalidValue(_("the CreatedDate is empty."), field="CreatedDate")
        return at

    def _stage_name(self, is_lead: bool, name: str | None) -> str:
        stage = self._stage_names.get((is_lead, name))
        if stage is None:  # mapped once per distinct name (refusals are counted every time)
            mapper = self.lead_stages if is_lead else self.opp_stages
            stage = self._stage_names[is_lead, name] = mapper.stage(name).name
        return stage

    def _history_layout(self, row: dict[str, str]) -> HistoryLayout:
        """The fields an OpportunityHistory file holds (the stage first) and, for each column
        besides StageName, its field and the values already read from it; one header per
        file, so worked out once."""
        # A reader reads one OpportunityHistory source: its header is checked by its size.
        if self._layout is None or len(self._layout[0]) != len(row):
            header = tuple(row)
            columns: list[tuple[str, tuple[str, dict[str, str | None]]]] = [
                (c, (f, {})) for c, f in OPPORTUNITY_HISTORY.items() if c in row
            ]
            fields = ("stage", *(f for _c, (f, _seen) in columns))
            self._layout = (header, (fields, columns))
        return self._layout[1]

    def _field_change(self, row: dict[str, str], record: str, field: str, order: str) -> bool:
        at = self._history_time(row, order)
        if "OldValue" in row:
            old = self._history_value(field, row.get("OldValue"), order)
            self.events.add_values(record, at, (field,), [old], before=True)
        new = self._history_value(field, row.get("NewValue"), order)
        self.events.add_values(record, at, (field,), [new])
        return True

    def _history_value(self, field: str, raw: str | None, order: str) -> str | None:
        """A history cell as the history text of ``field`` (None: empty)."""
        text = (raw or "").strip()
        if not text:
            return None
        if field == "amount_cents":
            return str(parse_money(text, field="Amount")[0])
        if field == "close_date":
            return parse_day(text, field="CloseDate", order=order).isoformat()
        if field == "probability":
            return str(parse_percent(text, scale_100=True))
        if field == "forecast_category":
            return FORECAST_CATEGORIES.get(text, text)
        return text[:255]
