"""Where a closed deal with no stage history started.

An export without stage history shows a closed deal in one stage: its final one. Taken as it
is, a lost deal "reached nothing" (it is in no SQO cohort, so win rates leave it out) and a won
deal reached every step at once (a cycle of 0 days). But every deal has at least reached the
stage it was created in: such a deal is created at the import's start stage on its creation
date and moves to its final stage when it closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqo.domain.errors import InvalidValue
from sqo.domain.stages import StageModel
from sqo.i18n import _
from sqo.io.incoming import FieldEvent


def start_stage(model: StageModel, name: str | None, *, option: str) -> str:
    """The start stage ``name`` names (default: the first open opportunity stage); it must be
    an open opportunity stage. ``option`` is how the user gave it, for the message."""
    opening = model.open_opportunity_stages()
    chosen = model.stage(name or opening[0].name, field=option)
    if chosen not in opening:
        raise InvalidValue(
            _(
                "{option} {stage} is not an open opportunity stage; choose one of {allowed}.",
                option=option,
                stage=chosen.name,
                allowed=", ".join(s.name for s in opening),
            ),
            field="start_stage",
        )
    return chosen.name


def with_start(
    events: Sequence[FieldEvent],
    *,
    start: str,
    final: str,
    created_at: datetime,
    closed_at: datetime,
) -> list[FieldEvent] | None:
    """The events of a closed deal (in ``final``) with the start assumed, or None when its
    history shows a stage other than its final one (nothing to assume) or it closed in
    ``start`` itself."""
    if start == final or any(e.field == "stage" and e.value != final for e in events):
        return None
    found = [FieldEvent(created_at, start), *events]
    if not any(e.field == "stage" for e in events):
        found.append(FieldEvent(max(created_at, closed_at), final))
    return found


def assumed_note(count: int, stage: str, option: str) -> str:
    """The import report's line for the deals given the start stage."""
    return _(
        "{count} closed deal(s) had no stage history: assumed they started at {stage} on "
        "their creation date and moved to their final stage when they closed (choose the "
        "stage with {option}).",
        count=count,
        stage=stage,
        option=option,
    )
