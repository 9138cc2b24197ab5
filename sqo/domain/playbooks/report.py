"""An evaluation as readable text: the checklist a rep and a sales manager look at together."""

from __future__ import annotations

from sqo.domain.playbooks.evaluation import CriterionResult, Evaluation, Status
from sqo.i18n import _

SYMBOLS = {
    Status.MET: "✓",
    Status.NOT_MET: "✗",
    Status.UNKNOWN: "?",
    Status.NOT_APPLICABLE: "–",
}


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100):d}%"


def _line(result: CriterionResult, width: int) -> str:
    label = result.label + (" *" if result.required else "")
    reason = result.reason
    if result.met_by == "evidence" and result.evidence_at is not None:
        reason = _(
            "{note} ({who}, {day})",
            note=reason,
            who=result.evidence_by,
            day=result.evidence_at.date().isoformat(),
        )
    return f"  {SYMBOLS[result.status]} {label:<{width}}  {reason}"


def gate_line(evaluation: Evaluation) -> str:
    missing = len(evaluation.missing)
    if not missing:
        return _("Gate: PASSED, every required criterion is met.")
    return _(
        "Gate: NOT PASSED, {count} required criteria missing.",
        count=missing,
    )


def render_text(evaluation: Evaluation) -> str:
    """The whole checklist: header, groups with their criteria, and what is missing."""
    record = _("Opportunity") if evaluation.record_type == "opportunity" else _("Lead")
    lines = [
        _(
            "{record} {id} · {name}",
            record=record,
            id=evaluation.record_id,
            name=evaluation.record_name,
        )
        + (f" ({evaluation.segment})" if evaluation.segment else ""),
        _(
            "Playbook {name} v{version} · as of {day} · score {score}",
            name=evaluation.playbook,
            version=evaluation.playbook_version,
            day=evaluation.as_of.date().isoformat(),
            score=_pct(evaluation.score),
        ),
        gate_line(evaluation),
    ]
    width = max(len(r.label) + (2 if r.required else 0) for r in evaluation.results)
    for group in evaluation.groups:
        lines.append("")
        lines.append(
            _(
                "{label}  {score}  ({met} of {applicable} met)",
                label=group.label,
                score=_pct(group.score),
                met=group.met,
                applicable=group.applicable,
            )
        )
        lines.extend(_line(r, width) for r in evaluation.results if r.group == group.key)
    missing = evaluation.missing
    if missing:
        lines.append("")
        lines.append(_("Missing to pass the gate:"))
        for result in missing:
            lines.append(f"  • {result.key}: {result.label} ({result.reason})")
            if result.description:
                lines.append(f"      → {result.description}")
    lines.append("")
    lines.append(_("* required   ✓ met   ✗ not met   ? unknown   – does not apply"))
    return "\n".join(lines)
