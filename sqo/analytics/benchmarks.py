"""Benchmarks: configurable target ranges per metric and segment, and how a value compares.

The shipped defaults (``sqo/defaults/benchmarks.yaml``) are the seed documents' figures; an
organisation can replace them with its own file. Comparisons are pure functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Literal, Self

import yaml
from babel.numbers import format_decimal, format_percent
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sqo import i18n
from sqo.domain.errors import ConfigurationError
from sqo.i18n import _

DEFAULT_BENCHMARK_FILE = Path(__file__).resolve().parent.parent / "defaults" / "benchmarks.yaml"
METRICS = ("sql_to_sqo", "sqo_win_rate", "sales_cycle", "pipeline_coverage")


class Status(StrEnum):
    BELOW = "below"  # worse than the range (slower, for the sales cycle)
    WITHIN = "within"
    ABOVE = "above average"  # better than the range, short of the configured top
    TOP = "top performer"  # at or beyond ``top``; better than the range when none is set
    HIGH = "above the healthy range"  # a band metric (coverage) too high: a warning

    def text(self) -> str:
        return {
            Status.BELOW: _("below"),
            Status.WITHIN: _("within"),
            Status.ABOVE: _("above average"),
            Status.TOP: _("top performer"),
            Status.HIGH: _("above the healthy range"),
        }[self]


class Range(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    low: float = Field(ge=0)
    high: float = Field(ge=0)
    top: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.low > self.high:
            raise ValueError("low must not be above high")
        return self


class Metric(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str = ""
    unit: Literal["rate", "days", "ratio"]
    higher_is_better: bool = True
    # A healthy band: above ``high`` is a warning, not praise (coverage far above 2x is pipeline
    # bloat). Unset: true for pipeline_coverage only.
    band: bool | None = None
    ranges: dict[str, Range]

    @model_validator(mode="after")
    def _has_default(self) -> Self:
        if "default" not in self.ranges:
            raise ValueError("every metric needs a 'default' range")
        return self

    def range_for(self, segment: str | None) -> tuple[str, Range]:
        if segment is not None:
            for name, found in self.ranges.items():
                if name.casefold() == segment.casefold():
                    return name, found
        return "default", self.ranges["default"]


class Benchmarks(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "benchmarks"
    # A verdict needs at least this many deals (records) behind the figure: one won deal out of
    # one closed is a 100% win rate, not a top performer.
    min_sample: int = Field(default=10, ge=1)
    metrics: dict[str, Metric]

    @model_validator(mode="after")
    def _known(self) -> Self:
        unknown = sorted(set(self.metrics) - set(METRICS))
        if unknown:
            raise ValueError(f"unknown metrics {', '.join(unknown)}; known: {', '.join(METRICS)}")
        return self


def load_benchmarks(path: Path | None = None) -> Benchmarks:
    source = path or DEFAULT_BENCHMARK_FILE
    return parse_benchmarks(read_benchmarks_file(source), source=str(source))


def read_benchmarks_file(path: Path) -> object:
    """The file's YAML, or one sentence saying why it cannot be read (a file that is not
    text, a YAML mistake and where it is)."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        if isinstance(exc, UnicodeDecodeError):
            problem = _("it is not UTF-8 text; save it as a UTF-8 YAML file")
        else:
            problem = exc.strerror or str(exc)
        raise ConfigurationError(
            _("Cannot read the benchmarks {file}: {problem}", file=str(path), problem=problem)
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigurationError(
            _(
                "The benchmarks {file} are not valid YAML ({problem}, line {line})",
                file=str(path),
                problem=getattr(exc, "problem", None) or _("unreadable"),
                line=mark.line + 1 if mark is not None else 1,
            )
        ) from exc


def parse_benchmarks(data: object, *, source: str = "<benchmarks>") -> Benchmarks:
    try:
        return Benchmarks.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'benchmarks'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigurationError(
            _("The benchmarks {file} are not valid: {problems}", file=source, problems=problems)
        ) from exc


@dataclass(frozen=True)
class Verdict:
    metric: str
    label: str
    segment: str | None
    benchmark_segment: str  # the range used: the segment's own, or 'default'
    value: float | None
    low: float
    high: float
    status: Status | None  # None when there is no value to compare
    gap: float | None  # distance outside the range (0 within), in the metric's unit
    sentence: str
    top: float | None = None  # where top performers are, when configured
    sample: int | None = None  # how many records the value is computed from
    sample_of: str | None = None  # what they are: SQLs, closed SQOs, won deals, open SQOs


def status_of(
    value: float,
    low: float,
    high: float,
    higher_is_better: bool,
    *,
    top: float | None = None,
    band: bool = False,
) -> Status:
    """Below, within, above average (better than the range, short of ``top``), top performer
    (at or beyond ``top``; anywhere better than the range when no top is set), or, for a band
    such as coverage, above the healthy range."""
    if low <= value <= high:
        return Status.WITHIN
    if band:
        return Status.HIGH if value > high else Status.BELOW
    if (value > high) != higher_is_better:
        return Status.BELOW
    if top is None:
        return Status.TOP
    reached = value >= top if higher_is_better else value <= top
    return Status.TOP if reached else Status.ABOVE


def _show(value: float, unit: str) -> str:
    loc = i18n.locale()
    if unit == "rate":
        return format_percent(value, format="#,##0%", locale=loc)
    if unit == "days":
        return format_decimal(value, format="#,##0", locale=loc)
    return format_decimal(value, format="#,##0.0#", locale=loc) + "x"


def _gap_amount(gap: float, unit: str) -> str:
    loc = i18n.locale()
    if unit == "rate":
        return format_decimal(gap * 100, format="#,##0.#", locale=loc)
    if unit == "days":
        return format_decimal(gap, format="#,##0.#", locale=loc)
    return format_decimal(gap, format="#,##0.0#", locale=loc) + "x"


def sentence(
    status: Status | None,
    gap: float,
    unit: str,
    low: float,
    high: float,
    *,
    higher_is_better: bool,
    top: float | None = None,
) -> str:
    """The gap in plain words, translatable."""
    span = f"{_show(low, unit)}–{_show(high, unit)}"
    if status is None:
        return _("No data to compare with the benchmark ({range}).", range=span)
    if status is Status.WITHIN:
        return _("Within the benchmark range ({range}).", range=span)
    amount = _gap_amount(gap, unit)
    if status is Status.HIGH:
        return _(
            "{gap} above the healthy range ({range}): far more pipeline than needed is often "
            "stale or inflated deals.",
            gap=amount,
            range=span,
        )
    if top is not None and status in (Status.ABOVE, Status.TOP):
        return _better_than_average(status, amount, unit, span, _show(top, unit))
    above = (status is Status.TOP) == higher_is_better
    if unit == "rate":
        if above:
            return _(
                "{gap} percentage points above the benchmark range ({range}).",
                gap=amount,
                range=span,
            )
        return _(
            "{gap} percentage points below the benchmark range ({range}).", gap=amount, range=span
        )
    if unit == "days":
        if status is Status.TOP:
            return _(
                "{gap} days faster than the benchmark range ({range} days).", gap=amount, range=span
            )
        return _(
            "{gap} days slower than the benchmark range ({range} days).", gap=amount, range=span
        )
    if above:
        return _("{gap} above the healthy range ({range}).", gap=amount, range=span)
    return _("{gap} below the healthy range ({range}).", gap=amount, range=span)


def _better_than_average(status: Status, amount: str, unit: str, span: str, top: str) -> str:
    """Better than the average range: short of the top performers, or among them."""
    if status is Status.ABOVE:
        if unit == "rate":
            return _(
                "{gap} percentage points above the average range ({range}); top performers "
                "reach {top}.",
                gap=amount,
                range=span,
                top=top,
            )
        if unit == "days":
            return _(
                "{gap} days faster than the average range ({range} days); top performers "
                "close in {top} days.",
                gap=amount,
                range=span,
                top=top,
            )
        return _(
            "{gap} above the average range ({range}); top performers reach {top}.",
            gap=amount,
            range=span,
            top=top,
        )
    if unit == "rate":
        return _(
            "Top performer level ({top} or more): {gap} percentage points above the average "
            "range ({range}).",
            gap=amount,
            range=span,
            top=top,
        )
    if unit == "days":
        return _(
            "Top performer level ({top} days or less): {gap} days faster than the average "
            "range ({range} days).",
            gap=amount,
            range=span,
            top=top,
        )
    return _(
        "Top performer level ({top} or more): {gap} above the average range ({range}).",
        gap=amount,
        range=span,
        top=top,
    )


SAMPLE_OF = {
    "sql_to_sqo": "SQLs",
    "sqo_win_rate": "closed SQOs",
    "sales_cycle": "won deals",
    "pipeline_coverage": "open SQOs",
}


def sample_text(metric: str) -> str:
    """What a metric's sample counts, in words."""
    return {
        "sql_to_sqo": _("SQLs"),
        "sqo_win_rate": _("closed SQOs"),
        "sales_cycle": _("won deals"),
        "pipeline_coverage": _("open SQOs"),
    }.get(metric, metric)


def as_shown(value: float, unit: str) -> float:
    """The value at the precision reports print it (whole percent, a tenth of a day, a hundredth
    of coverage), so that a rate shown as 50% is never called above a 30-50% range."""
    return round(value, {"rate": 2, "days": 1}.get(unit, 2))


def assess(
    benchmarks: Benchmarks,
    metric: str,
    segment: str | None,
    value: float | None,
    sample: int | None = None,
) -> Verdict | None:
    """Compare ``value`` (computed from ``sample`` records) with the metric's range for
    ``segment``; None if the metric is not set. Coverage is a ratio of amounts, judged whatever
    its deal count; the other metrics get no verdict below ``min_sample``."""
    config = benchmarks.metrics.get(metric)
    if config is None:
        return None
    used, rng = config.range_for(segment)
    band = config.band if config.band is not None else metric == "pipeline_coverage"
    top = None if band else rng.top
    too_few = (
        value is not None
        and sample is not None
        and metric != "pipeline_coverage"
        and sample < benchmarks.min_sample
    )
    if value is None or too_few:
        status, gap = None, None
    else:
        shown = as_shown(value, config.unit)
        status = status_of(shown, rng.low, rng.high, config.higher_is_better, top=top, band=band)
        gap = max(rng.low - shown, shown - rng.high, 0.0)
    text = sentence(
        status,
        gap or 0.0,
        config.unit,
        rng.low,
        rng.high,
        higher_is_better=config.higher_is_better,
        top=top,
    )
    if too_few:
        text = _(
            "Too few {what} for a verdict: {count} (at least {minimum} needed).",
            what=sample_text(metric),
            count=sample,
            minimum=benchmarks.min_sample,
        )
    return Verdict(
        metric,
        config.label or metric,
        segment,
        used,
        value,
        rng.low,
        rng.high,
        status,
        gap,
        text,
        top,
        sample,
        SAMPLE_OF.get(metric),
    )
