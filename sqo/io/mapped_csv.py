"""``sqo import csv``: any CSV of opportunities or leads, read through a mapping file (see
mapping.py; leads are built in mapped_leads.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqo.domain.errors import InvalidValue
from sqo.domain.records import Opportunity
from sqo.domain.stages import StageKind, StageModel
from sqo.domain.values import parse_currency
from sqo.i18n import _
from sqo.io.csv_source import CsvFormat, CsvRow, CsvSource, sniff
from sqo.io.incoming import (
    Incoming,
    IncomingStaged,
    Item,
    Kind,
    Ref,
    Rejected,
    SourceFile,
    StageEvent,
)
from sqo.io.mapped_leads import LeadRows
from sqo.io.mapped_rows import MappedRows, account_key, rep_key
from sqo.io.mapping import Companion, Mapping
from sqo.io.rates import rates_block, require_rates
from sqo.io.segments import segment_label
from sqo.io.stages import StageMapper
from sqo.io.start_stage import assumed_note, start_stage, with_start
from sqo.io.values import parse_int, parse_moment, parse_money, parse_percent


def _source(path: Path, mapping: Mapping) -> CsvSource:
    fmt = sniff(path) if mapping.encoding is None or mapping.delimiter is None else None
    return CsvSource(
        path,
        CsvFormat(
            encoding=mapping.encoding or (fmt.encoding if fmt else "utf-8"),
            delimiter=mapping.delimiter or (fmt.delimiter if fmt else ","),
        ),
    )


def _companion_items(source: CsvSource, companion: Companion, mapping: Mapping) -> Iterator[Item]:
    for row in source.rows():
        if not isinstance(row, CsvRow):
            yield Rejected(
                row.number,
                _("row {row}: {problem}", row=row.number, problem=row.message),
                row.values,
            )
            continue
        values = row.values
        key = values.get(companion.key, "").strip()
        if not key:
            yield Rejected(
                row.number,
                _(
                    "row {row}: the key column {column} is empty.",
                    row=row.number,
                    column=companion.key,
                ),
                values,
            )
            continue
        field = {f: values.get(c, "").strip() or None for f, c in companion.fields.items()}
        attributes = {c: values[c] for c in companion.attributes if values.get(c, "").strip()}
        try:
            if companion.entity == "account":
                yield _account(row, key, field, attributes, companion, mapping)
            else:
                yield _rep(row, key, field, mapping)
        except InvalidValue as exc:
            yield Rejected(
                row.number, _("row {row}: {problem}", row=row.number, problem=exc.message), values
            )


def _account(
    row: CsvRow,
    key: str,
    field: dict[str, str | None],
    attributes: dict[str, str],
    companion: Companion,
    mapping: Mapping,
) -> Incoming:
    employees_text = field.get("employees")
    employees = parse_int(employees_text, field="employees") if employees_text else None
    segment = None
    rule = companion.segment
    if rule is not None and (raw := row.values.get(rule.column, "").strip()):
        if rule.bands:
            segment = rule.segment(float(parse_int(raw, field=rule.column)))
        else:
            segment = segment_label(
                raw, rule.values, column=rule.column, where="segment.values"
            ).value
    return Incoming(
        row.number,
        Kind.ACCOUNT,
        account_key(mapping.source, key),
        {
            "name": field.get("name") or key,
            "industry": field.get("industry"),
            "employees": employees,
            "country": field.get("country"),
            "segment": segment,
            "attributes": attributes,
        },
        raw=row.values,
    )


def _rep(row: CsvRow, key: str, field: dict[str, str | None], mapping: Mapping) -> Incoming:
    refs: dict[str, Ref] = {}
    if field.get("team"):
        team = str(field["team"])
        refs["team_id"] = Ref(Kind.TEAM, f"{mapping.source}:team:{team}", placeholder=team)
    if field.get("manager"):
        manager = str(field["manager"])
        refs["manager_id"] = Ref(
            Kind.REP,
            rep_key(mapping.source, manager),
            placeholder=manager,
            extra=(("role", "manager"),),
        )
    values: dict[str, Any] = {"name": field.get("name") or key, "role": "rep", "active": True}
    if field.get("email"):
        values["email"] = field["email"]
    return Incoming(row.number, Kind.REP, rep_key(mapping.source, key), values, refs, row.values)


class OpportunityRows(MappedRows):
    """Turns one mapped row into an opportunity with the stage history its dates reveal."""

    def __init__(self, mapping: Mapping, model: StageModel, now: datetime) -> None:
        super().__init__(mapping, model, now)
        self.stages = StageMapper(model, mapping.values.get("stage"))
        self.currency = parse_currency(mapping.currency)
        # Only when the mapping asks: its stage_entered dates may already say where deals start.
        self.start = (
            start_stage(model, mapping.start_stage, option="start_stage")
            if mapping.start_stage
            else None
        )
        self.assumed = 0  # closed deals given the start stage
        # Stage-entered stages (name, closed or not), looked up once.
        self._entered: dict[str, tuple[str, bool]] = {}

    def build(self, row: CsvRow) -> IncomingStaged:
        values = row.values
        source_id = values.get(self.mapping.id, "").strip()
        if not source_id:
            raise InvalidValue(
                _("the id (column {column}) is empty.", column=self.mapping.id), field="id"
            )
        raw_stage = self.text(values, "stage", translate=False)
        stage = self.stages.stage(raw_stage)
        created = self.moment(values, "created_at")
        close = self.moment(values, "close_date")
        events = self._events(values, stage.name)
        cents, shown_currency = None, None
        amount = self.text(values, "amount")
        if amount:
            cents, shown_currency = parse_money(amount, field="amount", notes=self.notes)
        currency_text = self.text(values, "currency")
        currency = parse_currency(currency_text) if currency_text else shown_currency
        probability = self.text(values, "probability")
        opp = Opportunity(
            id=0,
            name=self.text(values, "name") or source_id,
            stage=stage.name,
            created_at=created or (events[0].at if events else None) or self.now,
            currency=currency or self.currency,
            amount_cents=cents,
            close_date=close.date() if close else None,
            next_step=self.text(values, "next_step"),
            next_step_due=(d.date() if (d := self.moment(values, "next_step_due")) else None),
            forecast_category=self.text(values, "forecast_category")
            or stage.forecast_category.value,
            probability=parse_percent(probability) if probability else stage.probability,
            loss_reason=self.text(values, "loss_reason") if stage.kind is StageKind.LOST else None,
            source=self.text(values, "source"),
            competitors=[
                c.strip() for c in (self.text(values, "competitors") or "").split(",") if c.strip()
            ],
            external_id=f"{self.mapping.source}:{source_id}",
            attributes={c: values[c] for c in self.mapping.attributes if values.get(c, "").strip()},
        )
        if stage.is_closed:
            # Every event of _events is a stage event: its value is the stage.
            entered = [e.at for e in events if e.value == stage.name]
            opp.closed_at = (
                self.moment(values, "closed_at")
                or (entered[-1] if entered else None)
                or close
                or opp.created_at
            )
            if self.start is not None:
                assumed = with_start(
                    events,
                    start=self.start,
                    final=stage.name,
                    created_at=opp.created_at,
                    closed_at=opp.closed_at,
                )
                if assumed is not None:
                    events = assumed
                    self.assumed += 1
        refs = self.people_refs(values)
        lead = self.text(values, "lead", translate=False)
        if lead:
            # The lead file's ids, under the same source: the writer converts that lead.
            refs["lead_id"] = Ref(Kind.LEAD, f"{self.mapping.source}:{lead}")
        return IncomingStaged(row.number, Kind.OPPORTUNITY, opp, refs, events, raw=values)

    def _events(self, values: dict[str, str], current: str) -> list[Any]:
        events = []
        known = self._entered
        order = self.mapping.date_format
        for stage_name, column in self.mapping.stage_entered.items():
            text = values.get(column)
            if not text or not (text := text.strip()):
                continue
            stage = known.get(stage_name)
            if stage is None:
                # Looked up (and refused when unknown) at the first date in its column.
                found = self.model.stage(stage_name, field="stage_entered")
                stage = known[stage_name] = (found.name, found.is_closed)
            name, closed = stage
            if closed and name != current:
                continue  # a closing date shows only the stage the deal closed in
            events.append(StageEvent(parse_moment(text, field=column, order=order), name))
        if len(events) > 1:
            events.sort(key=_entered_at)
        return events


def _entered_at(event: Any) -> datetime:
    return event.at  # type: ignore[no-any-return]


def _main_items(
    source: CsvSource, rows: OpportunityRows | LeadRows, notes: list[str]
) -> Iterator[Item]:
    yield from _rows(source, rows)
    if isinstance(rows, OpportunityRows) and rows.assumed and rows.start is not None:
        notes.append(assumed_note(rows.assumed, rows.start, "start_stage"))


def _rows(source: CsvSource, rows: OpportunityRows | LeadRows) -> Iterator[Item]:
    for row in source.rows():
        if not isinstance(row, CsvRow):
            yield Rejected(
                row.number,
                _("row {row}: {problem}", row=row.number, problem=row.message),
                row.values,
            )
            continue
        try:
            yield rows.build(row)
        except InvalidValue as exc:
            yield Rejected(
                row.number,
                _("row {row}: {problem}", row=row.number, problem=exc.message),
                row.values,
            )


def mapped_csv_files(
    path: Path,
    mapping: Mapping,
    model: StageModel,
    now: datetime,
    *,
    corporate: str | None = None,
    rated: frozenset[str] = frozenset(),
) -> list[SourceFile]:
    """The mapping's rates and the companion files (accounts, reps) first, then the main file.
    With the ``corporate`` currency, a main file in several currencies without a rate for each
    (in the mapping or ``rated`` already) is refused."""
    # Open the main file first, so a wrong path is reported as the file the user named.
    main = _source(path, mapping)
    main.require(mapping.columns())
    files = []
    if mapping.rates:
        block = rates_block(mapping.rates, mapping.date_format)
        files.append(block.file)
        rated |= block.currencies
    for companion in mapping.companions:
        companion_path = Path(companion.file)
        if not companion_path.is_absolute():
            companion_path = path.parent / companion_path
        source = _source(companion_path, mapping)
        segment_column = [companion.segment.column] if companion.segment else []
        source.require(
            [companion.key, *companion.fields.values(), *companion.attributes, *segment_column]
        )
        files.append(
            SourceFile(
                companion_path.name,
                Kind.ACCOUNT if companion.entity == "account" else Kind.REP,
                _companion_items(source, companion, mapping),
                path=str(companion_path),
                columns=source.header,
                notes=source.notes,
            )
        )
    rows: OpportunityRows | LeadRows
    if mapping.record == "lead":
        rows = LeadRows(mapping, model, now)
    else:
        rows = OpportunityRows(mapping, model, now)
    rows.notes = main.notes
    items = _main_items(main, rows, main.notes.said)
    if corporate is not None:
        items = require_rates(items, corporate, rated)
    files.append(
        SourceFile(
            path.name,
            Kind.LEAD if mapping.record == "lead" else Kind.OPPORTUNITY,
            items,
            path=str(path),
            columns=main.header,
            notes=main.notes,
        )
    )
    return files
