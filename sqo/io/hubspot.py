"""HubSpot deals (an export as HubSpot writes it, or the live connector's rows) as records.

A row is ``{column: text}`` with the export's column labels ("Record ID", "Deal Stage", ...).
Stage history comes from the "Date entered <stage> (<pipeline>)" / "Date exited ..." columns, or,
from the live connector, from the deal stage's full history. Stage names go through an explicit
table (the default covers HubSpot's default sales pipeline, by internal id and by label).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqo.domain.errors import ConfigurationError, InvalidValue
from sqo.domain.records import Opportunity
from sqo.domain.stages import Stage, StageKind, StageModel
from sqo.domain.values import parse_currency
from sqo.i18n import _
from sqo.io.csv_source import CsvRow, CsvSource
from sqo.io.incoming import IncomingStaged, Item, Kind, Ref, Rejected, SourceFile, StageEvent
from sqo.io.notes import FileNotes
from sqo.io.rates import require_rates
from sqo.io.stages import StageMapper
from sqo.io.values import parse_moment, parse_money, parse_percent

SOURCE = "hubspot"

# HubSpot's default sales pipeline: 20/40/60/80/90 % open stages, read by what they mean.
DEFAULT_STAGES = {
    "appointmentscheduled": "Qualification",
    "qualifiedtobuy": "SQO",
    "presentationscheduled": "Solution",
    "decisionmakerboughtin": "Negotiation",
    "contractsent": "Commit",
    "closedwon": "Won",
    "closedlost": "Lost",
    "Appointment Scheduled": "Qualification",
    "Qualified To Buy": "SQO",
    "Presentation Scheduled": "Solution",
    "Decision Maker Bought-In": "Negotiation",
    "Contract Sent": "Commit",
    "Closed Won": "Won",
    "Closed Lost": "Lost",
}
# HubSpot's forecast categories (internal values and labels) -> the workspace's.
FORECAST_CATEGORIES = {
    "omit": "Omitted",
    "not forecasted": "Omitted",
    "pipeline": "Pipeline",
    "best_case": "Best Case",
    "best case": "Best Case",
    "commit": "Commit",
    "closed": "Closed",
    "closed won": "Closed",
}
REQUIRED = ["Record ID", "Deal Stage"]
ATTRIBUTES = ("Pipeline", "Deal Type")

_STAGE_COLUMN = re.compile(
    r'^Date (?P<what>entered|exited) "?(?P<stage>.+) \((?P<pipeline>[^()]+)\)"?$'
)
_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")

History = list[tuple[datetime, str]]  # (when, the stage's label or id), from the live API
Row = tuple[int, dict[str, str], History | None]


@dataclass(frozen=True)
class StageColumn:
    column: str
    entered: bool
    stage: str
    pipeline: str


def stage_columns(header: list[str]) -> list[StageColumn]:
    """The "Date entered/exited <stage> (<pipeline>)" columns of an export's header."""
    found = []
    for column in header:
        match = _STAGE_COLUMN.match(column.strip())
        if match:
            found.append(
                StageColumn(
                    column,
                    match["what"] == "entered",
                    match["stage"].strip(),
                    match["pipeline"].strip(),
                )
            )
    return found


def deal_key(record_id: str) -> str:
    return f"hs:{record_id.strip()}"


def rep_key(name: str) -> str:
    return f"hs:rep:{name.strip()}"


def account_key(name: str) -> str:
    return f"hs:account:{name.strip()}"


def _text(row: dict[str, str], name: str) -> str | None:
    value = (row.get(name) or "").strip()
    return value or None


def _zone(name: str | None) -> ZoneInfo | None:
    if not name or name.upper() == "UTC":
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(
            _("Unknown time zone {zone!r}: use a name such as Europe/Stockholm.", zone=name)
        ) from None


@dataclass
class HubSpotReader:
    """Builds an opportunity from one deal row. ``timezone`` is the HubSpot account's time zone,
    for the times an export writes without an offset (default: UTC)."""

    model: StageModel
    now: datetime
    currency: str
    stages: dict[str, str]
    date_format: str = "iso"
    timezone: str | None = None

    def __post_init__(self) -> None:
        self.mapper = StageMapper(self.model, self.stages, where="the stage map (--stages)")
        self.zone = _zone(self.timezone)
        self.columns: list[StageColumn] = []
        self.notes = FileNotes()  # of the file being read

    def stage(self, name: str | None, pipeline: str | None) -> Stage:
        """A stage by name, or by ``<name> (<pipeline>)`` when the map distinguishes pipelines."""
        if name and pipeline:
            qualified = f"{name.strip()} ({pipeline.strip()})"
            if qualified.casefold() in self.mapper.table:
                return self.mapper.stage(qualified)
        return self.mapper.stage(name)

    def moment(self, text: str | None, field: str) -> datetime | None:
        if not text:
            return None
        moment = parse_moment(text, field=field, order=self.date_format)
        if self.zone is not None and not _OFFSET.search(text.strip()):
            moment = moment.replace(tzinfo=self.zone).astimezone(UTC).replace(tzinfo=None)
        return moment

    def events_from_columns(self, row: dict[str, str]) -> list[StageEvent]:
        """Each stage's last entry, in time order. A stage exited at the minute another was
        entered goes first: exports give minutes, and quick moves share one."""
        exited = {
            (c.stage, c.pipeline): self.moment(_text(row, c.column), c.column)
            for c in self.columns
            if not c.entered
        }
        timed = []
        for column in self.columns:
            if not column.entered or not (text := _text(row, column.column)):
                continue
            at = self.moment(text, column.column)
            assert at is not None
            left = exited.get((column.stage, column.pipeline))
            stage = self.stage(column.stage, column.pipeline)
            timed.append((at, left or datetime.max, StageEvent(at, stage.name)))
        return [event for _at, _left, event in sorted(timed, key=lambda t: (t[0], t[1]))]

    def deal(self, n: int, row: dict[str, str], history: History | None = None) -> IncomingStaged:
        """One deal. ``history`` (the live connector's every stage change, as ``(time, stage
        label)``) replaces the date columns."""
        record_id = _text(row, "Record ID")
        if not record_id:
            raise InvalidValue(_("the Record ID is empty."), field="Record ID")
        pipeline = _text(row, "Pipeline")
        stage = self.stage(_text(row, "Deal Stage"), pipeline)
        events = (
            [StageEvent(at, self.stage(name, pipeline).name) for at, name in history]
            if history is not None
            else self.events_from_columns(row)
        )
        created = self.moment(_text(row, "Create Date"), "Create Date")
        close = self.moment(_text(row, "Close Date"), "Close Date")
        amount = _text(row, "Amount")
        cents, shown = (
            parse_money(amount, field="Amount", notes=self.notes) if amount else (None, None)
        )
        currency = _text(row, "Currency")
        probability = _text(row, "Deal probability")
        forecast = _text(row, "Forecast category")
        opp = Opportunity(
            id=0,
            name=_text(row, "Deal Name") or record_id,
            stage=stage.name,
            created_at=created or (events[0].at if events else None) or self.now,
            currency=parse_currency(currency) if currency else (shown or self.currency),
            amount_cents=cents,
            close_date=close.date() if close else None,
            next_step=_text(row, "Next step") or None,
            forecast_category=(
                FORECAST_CATEGORIES.get(forecast.casefold(), forecast)
                if forecast
                else stage.forecast_category.value
            ),
            probability=(
                parse_percent(probability, field="Deal probability")
                if probability
                else stage.probability
            ),
            loss_reason=_text(row, "Closed Lost Reason") if stage.kind is StageKind.LOST else None,
            external_id=deal_key(record_id),
            attributes={a: v for a in ATTRIBUTES if (v := _text(row, a))},
        )
        if stage.is_closed:
            entered = [e.at for e in events if e.stage == stage.name]
            opp.closed_at = entered[-1] if entered else (close or opp.created_at)
        refs: dict[str, Ref] = {}
        if owner := _text(row, "Deal owner"):
            refs["owner_id"] = Ref(Kind.REP, rep_key(owner), placeholder=owner)
        if company := _text(row, "Associated Company"):
            refs["account_id"] = Ref(Kind.ACCOUNT, account_key(company), placeholder=company)
        return IncomingStaged(
            n,
            Kind.OPPORTUNITY,
            opp,
            refs,
            sorted(events, key=lambda e: e.at),
            modified_at=self.moment(_text(row, "Last Modified Date"), "Last Modified Date"),
            raw=row,
        )

    def items(self, rows: Iterator[Row | Rejected]) -> Iterator[Item]:
        """Deals from export rows, or from the live connector (``history`` given): those are
        named by their Record ID rather than a row number."""
        for entry in rows:
            if isinstance(entry, Rejected):
                yield entry
                continue
            number, row, history = entry
            try:
                yield self.deal(number, row, history)
            except InvalidValue as exc:
                message = (
                    _("row {row}: {problem}", row=number, problem=exc.message)
                    if history is None
                    else _(
                        "deal {id}: {problem}", id=row.get("Record ID", "?"), problem=exc.message
                    )
                )
                yield Rejected(number, message, row)


def _rows(source: CsvSource) -> Iterator[Row | Rejected]:
    for row in source.rows():
        if isinstance(row, CsvRow):
            yield row.number, row.values, None
        else:
            yield Rejected(
                row.number,
                _("row {row}: {problem}", row=row.number, problem=row.message),
                row.values,
            )


def hubspot_files(
    path: Path, reader: HubSpotReader, *, rated: frozenset[str] | None = None
) -> list[SourceFile]:
    """A HubSpot deals export: one file, one transaction. With ``rated`` (the currencies with a
    rate), deals in several currencies some of which have none are refused."""
    source = CsvSource(path)
    source.require(REQUIRED)
    reader.columns = stage_columns(source.header)
    reader.notes = source.notes
    items = reader.items(_rows(source))
    if rated is not None:
        items = require_rates(items, reader.currency, rated)
    return [
        SourceFile(
            path.name,
            Kind.OPPORTUNITY,
            items,
            path=str(path),
            columns=source.header,
            notes=source.notes,
        )
    ]
