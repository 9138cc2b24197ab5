"""Use cases for qualification: choose a playbook, record evidence, evaluate leads and deals.

The gate's decision is :mod:`sqo.domain.gate`; promoting a deal is :mod:`sqo.services.promotion`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqo.analytics.forecast.stage_rates import stage_rate_chances
from sqo.analytics.near_misses import DEFAULT_MIN_SCORE, NearMiss, rank
from sqo.domain.actor import Actor
from sqo.domain.audit import AuditAction, audit_entry
from sqo.domain.errors import InvalidValue, UnknownReference, list_values
from sqo.domain.gate import GateRules
from sqo.domain.playbooks import choice
from sqo.domain.playbooks.evaluation import Evaluation, evaluate
from sqo.domain.playbooks.loader import load_playbook, shipped_playbook, shipped_playbooks
from sqo.domain.playbooks.model import CriterionOverride, Playbook
from sqo.domain.records import Lead, Opportunity
from sqo.domain.values import Segment, parse_enum, parse_timestamp, require_text, utc_now
from sqo.i18n import _
from sqo.services import lookups
from sqo.services.qualification_results import (
    EvidenceAdded,
    OverridesSaved,
    PlaybookChosen,
    PlaybookDetail,
    PlaybookSummary,
    ValidPlaybook,
)
from sqo.services.workspace import Workspace
from sqo.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class GateSettings:
    playbook: Playbook
    overrides: choice.Overrides
    min_justification: int
    custom_file: str | None = None


# -- reading the workspace's choice ------------------------------------------------------------


GATE_KEYS = (choice.SETTING_PLAYBOOK, choice.SETTING_OVERRIDES, choice.SETTING_MIN_JUSTIFICATION)


def gate_settings(uow: UnitOfWork) -> GateSettings:
    """The playbook, its overrides and the justification length, read in one query."""
    stored = uow.settings.get_many(GATE_KEYS)
    playbook = stored.get(choice.SETTING_PLAYBOOK)
    return GateSettings(
        playbook=choice.playbook_from_setting(playbook),
        overrides=choice.overrides_from_setting(stored.get(choice.SETTING_OVERRIDES)),
        min_justification=choice.min_justification(stored.get(choice.SETTING_MIN_JUSTIFICATION)),
        custom_file=playbook.get("file") if isinstance(playbook, dict) else None,
    )


def gate_rules(settings: GateSettings) -> GateRules:
    return GateRules(min_justification_length=settings.min_justification)


def current_settings(ws: Workspace, actor: Actor) -> GateSettings:
    with ws.unit_of_work() as uow:
        return gate_settings(uow)


def list_playbooks(current: str | None = None) -> list[PlaybookSummary]:
    """The shipped playbooks; ``current``: the name of the workspace's, to mark it."""
    return [PlaybookSummary(p, p.name == current) for p in shipped_playbooks().values()]


def current_playbook(ws: Workspace, actor: Actor) -> PlaybookDetail:
    return PlaybookDetail(current_settings(ws, actor).playbook)


def playbook_detail(reference: str) -> PlaybookDetail:
    """A shipped playbook by name, or a playbook file, in full."""
    return PlaybookDetail(find_playbook(reference)[0])


def validate_playbook(path: Path) -> ValidPlaybook:
    """Check a playbook file; refuses it with every problem and its line."""
    return ValidPlaybook(load_playbook(path))


def find_playbook(reference: str) -> tuple[Playbook, bool]:
    """A shipped playbook by name, or a playbook file; the flag says whether it is shipped."""
    path = Path(reference).expanduser()
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        return load_playbook(path), False
    return shipped_playbook(reference), True


# -- changing it -------------------------------------------------------------------------------


def use_playbook(ws: Workspace, actor: Actor, reference: str) -> PlaybookChosen:
    """Make a shipped playbook (by name) or a playbook file the workspace's playbook."""
    playbook, shipped = find_playbook(reference)
    file = None if shipped else str(Path(reference).expanduser().resolve())
    with ws.unit_of_work() as uow:
        uow.settings.put(
            choice.SETTING_PLAYBOOK, choice.playbook_setting(playbook, shipped=shipped, file=file)
        )
        uow.audit.add(
            audit_entry(
                AuditAction.PLAYBOOK_USED,
                actor,
                utc_now(),
                playbook=playbook.name,
                version=playbook.version,
                file=file,
            )
        )
        uow.commit()
    return PlaybookChosen(playbook)


def set_override(
    ws: Workspace,
    actor: Actor,
    segment: str,
    criterion: str,
    *,
    weight: float | None = None,
    required: bool | None = None,
) -> OverridesSaved:
    """Change a criterion's weight and/or requirement for one segment (``*``: every segment)."""
    scope = "*" if segment.strip() == "*" else parse_enum(Segment, segment, field="segment").value
    if weight is None and required is None:
        raise InvalidValue(
            _("Say what to change: a weight, or whether the criterion is required."),
            field="weight",
        )
    if weight is not None and not weight > 0:
        raise InvalidValue(
            _("The weight must be a positive number (got {value}).", value=weight),
            field="weight",
        )
    with ws.unit_of_work() as uow:
        settings = gate_settings(uow)
        _criterion_key(settings.playbook, criterion)
        overrides = settings.overrides
        current = overrides.setdefault(scope, {}).get(criterion, CriterionOverride())
        overrides[scope][criterion] = CriterionOverride(
            weight=weight if weight is not None else current.weight,
            required=required if required is not None else current.required,
        )
        uow.settings.put(choice.SETTING_OVERRIDES, choice.overrides_setting(overrides))
        uow.audit.add(
            audit_entry(
                AuditAction.PLAYBOOK_OVERRIDDEN,
                actor,
                utc_now(),
                segment=scope,
                criterion=criterion,
                weight=weight,
                required=required,
            )
        )
        uow.commit()
        return OverridesSaved(overrides)


def set_min_justification(ws: Workspace, actor: Actor, length: int) -> None:
    if length < 0:
        raise InvalidValue(
            _("The minimum justification length cannot be negative."), field="min_justification"
        )
    with ws.unit_of_work() as uow:
        uow.settings.put(choice.SETTING_MIN_JUSTIFICATION, length)
        uow.audit.add(
            audit_entry(AuditAction.JUSTIFICATION_LENGTH_SET, actor, utc_now(), length=length)
        )
        uow.commit()


def _criterion_key(playbook: Playbook, key: str) -> str:
    wanted = key.strip()
    if playbook.criterion(wanted) is None:
        raise UnknownReference(
            _(
                "Unknown criterion {key!r} in the playbook {playbook}. Valid criteria: {allowed}.",
                key=key,
                playbook=playbook.name,
                allowed=list_values(playbook.keys(), limit=40),
            ),
            field="criterion",
            allowed=playbook.keys(),
        )
    return wanted


# -- evidence ----------------------------------------------------------------------------------


def add_evidence(
    ws: Workspace,
    actor: Actor,
    criterion: str,
    note: str,
    *,
    opportunity_id: int | None = None,
    lead_id: int | None = None,
    at: str | datetime | None = None,
) -> EvidenceAdded:
    """Record that a criterion is met (who, when, a note) on an opportunity or a lead."""
    if (opportunity_id is None) == (lead_id is None):
        raise InvalidValue(
            _("Record evidence on exactly one record: give an opportunity or a lead."),
            field="record",
        )
    when = parse_timestamp(at, field="at") if at else utc_now()
    text = require_text(note, field="note", max_length=4000)
    with ws.unit_of_work() as uow:
        if opportunity_id is not None:
            lookups.opportunity(uow, opportunity_id)
        else:
            assert lead_id is not None
            lookups.lead(uow, lead_id)
        key = _criterion_key(gate_settings(uow).playbook, criterion)
        record_type = "opportunity" if opportunity_id is not None else "lead"
        record_id = opportunity_id if opportunity_id is not None else lead_id
        assert record_id is not None
        evidence_id = uow.qualification.add_evidence(
            record_type=record_type,
            record_id=record_id,
            criterion=key,
            note=text,
            recorded_by=actor.name,
            recorded_at=when,
        )
        uow.commit()
        return EvidenceAdded(evidence_id, key, record_type, record_id)


# -- evaluation --------------------------------------------------------------------------------


def evaluate_opportunities(
    uow: UnitOfWork,
    opportunities: list[Opportunity],
    as_of: datetime,
    *,
    settings: GateSettings | None = None,
    accounts: dict[int, dict[str, Any]] | None = None,
) -> list[Evaluation]:
    """Evaluate many opportunities with a few set-based queries. ``settings`` and ``accounts``
    (the accounts' facts): when the caller has read them already in this unit of work."""
    settings = settings or gate_settings(uow)
    facts = uow.qualification.opportunity_facts(
        opportunities,
        as_of=as_of,
        activity_days=choice.activity_window(settings.playbook),
        accounts=accounts,
    )
    result = []
    for opp in opportunities:
        record = facts[opp.id]
        segment = record.values.get("segment")
        playbook = choice.for_segment(settings.playbook, settings.overrides, segment)
        result.append(evaluate(playbook, record, as_of))
    return result


def evaluate_leads(uow: UnitOfWork, leads: list[Lead], as_of: datetime) -> list[Evaluation]:
    settings = gate_settings(uow)
    facts = uow.qualification.lead_facts(
        leads, as_of=as_of, activity_days=choice.activity_window(settings.playbook)
    )
    result = []
    for lead in leads:
        record = facts[lead.id]
        playbook = choice.for_segment(
            settings.playbook, settings.overrides, record.values.get("segment")
        )
        result.append(evaluate(playbook, record, as_of))
    return result


def qualify_opportunity(
    ws: Workspace, actor: Actor, opportunity_id: int, *, as_of: datetime | None = None
) -> Evaluation:
    """The opportunity's checklist: every criterion's status and reason, scores, what is missing."""
    as_of = as_of or utc_now()
    with ws.unit_of_work() as uow:
        opp = lookups.opportunity(uow, opportunity_id)
        return evaluate_opportunities(uow, [opp], as_of)[0]


def qualify_lead(
    ws: Workspace, actor: Actor, lead_id: int, *, as_of: datetime | None = None
) -> Evaluation:
    as_of = as_of or utc_now()
    with ws.unit_of_work() as uow:
        lead = lookups.lead(uow, lead_id)
        return evaluate_leads(uow, [lead], as_of)[0]


def promotion_records(ws: Workspace, actor: Actor, opportunity_id: int) -> list[dict[str, Any]]:
    """The evaluations stored at each promotion of the opportunity (oldest first)."""
    with ws.unit_of_work() as uow:
        lookups.opportunity(uow, opportunity_id)
        return uow.qualification.promotion_records(opportunity_id)


# -- near misses -------------------------------------------------------------------------------


def near_misses(
    ws: Workspace,
    actor: Actor,
    *,
    as_of: datetime | None = None,
    min_score: float = DEFAULT_MIN_SCORE,
    limit: int | None = 20,
) -> list[NearMiss]:
    """SQL leads (not yet converted) and open opportunities before the SQO stage that fail the
    gate but score at least ``min_score``, best first."""
    if not 0 <= min_score <= 1:
        raise InvalidValue(
            _("The minimum score must be between 0 and 100 (got {value}).", value=min_score * 100),
            field="min_score",
        )
    as_of = as_of or utc_now()
    model = ws.stage_model
    before_sqo = [
        s.name for s in model.open_opportunity_stages() if not model.at_or_after_sqo(s.name)
    ]
    with ws.unit_of_work() as uow:
        leads = [
            lead
            for lead in uow.leads.list(stages=list(model.convertible_from))
            if lead.converted_opportunity_id is None
        ]
        opps = uow.opportunities.list(stages=before_sqo)
        pairs = [
            (lead.stage, e)
            for lead, e in zip(leads, evaluate_leads(uow, leads, as_of), strict=True)
        ]
        pairs += [
            (opp.stage, e)
            for opp, e in zip(opps, evaluate_opportunities(uow, opps, as_of), strict=True)
        ]
        found = rank(pairs, min_score=min_score, limit=limit)
        ids = [m.record_id for m in found if m.record_type == "opportunity"]
        chances = stage_rate_chances(model, uow.connection, as_of, ids)
    return [
        replace(m, win_probability=chances.get(m.record_id))
        if m.record_type == "opportunity"
        else m
        for m in found
    ]
