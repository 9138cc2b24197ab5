"""The pipeline at a glance: open deals per stage, what closed, the leads, in one read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqo.analytics.currency import left_out_notes
from sqo.analytics.pipeline_summary import PipelineSummary, StageLine
from sqo.analytics.pipeline_summary import pipeline_summary as summary_of
from sqo.domain.actor import Actor
from sqo.domain.stages import StageKind
from sqo.services.public import public_dict
from sqo.services.workspace import Workspace


@dataclass(frozen=True)
class PipelineReport:
    """The pipeline as it stands (``as_of`` None) or stood at ``as_of``."""

    as_of: datetime | None
    summary: PipelineSummary

    @property
    def currency(self) -> str:
        return self.summary.currency

    @property
    def open_lines(self) -> list[StageLine]:
        return self.summary.open_lines

    def total(self, kind: StageKind) -> StageLine:
        return self.summary.total(kind)

    @property
    def win_rate(self) -> float | None:
        """Won ÷ every closed deal, SQO or not, all time."""
        return self.summary.win_rate

    @property
    def leads_by_stage(self) -> dict[str, int]:
        return self.summary.leads_by_stage

    @property
    def notes(self) -> list[str]:
        """What the amounts leave out (deals in a currency without an exchange rate)."""
        return left_out_notes(self.summary.left_out)

    def to_dict(self) -> dict[str, Any]:
        summary = self.summary
        return public_dict(
            {
                "as_of": self.as_of,
                "stages": summary.lines,
                "leads": summary.leads_by_stage,
                "win_rate": summary.win_rate,
                "all_time_win_rate": summary.win_rate,  # won / every closed deal, SQO or not
                "currency": summary.currency,
                "left_out": summary.left_out,
            }
        )


def pipeline_summary(ws: Workspace, actor: Actor, as_of: datetime | None = None) -> PipelineReport:
    """Open deals per stage with their value and weighted value, won and lost, leads per stage."""
    with ws.unit_of_work() as uow:
        summary = summary_of(uow.connection, ws.stage_model, ws.default_currency, as_of=as_of)
    return PipelineReport(as_of, summary)
