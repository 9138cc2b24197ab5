"""The pipeline hygiene report: every rule's findings over the open deals as at a moment.

Rules come from ``--rules FILE`` (``rules_file``), else the workspace's setting
``hygiene.rules_file`` (a YAML file's path), else the shipped ``sqo/defaults/hygiene.yaml``.
Facts are read from the workspace database (activities, contact roles and gate evaluations are
not in the analytics copy); the won-cycle p90 per segment comes from the funnel's own cycle
definition (``sqo.analytics.funnel.cycles``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqo.analytics.hygiene.deals import deal_state
from sqo.analytics.hygiene.facts import open_deal_facts
from sqo.analytics.hygiene.fallen import fallen_sqos
from sqo.domain.actor import Actor
from sqo.domain.audit import AuditAction, audit_entry
from sqo.domain.errors import InvalidValue, list_values
from sqo.domain.hygiene.config import RULE_KEYS, SEVERITY_ORDER, HygieneRules, Severity, load_rules
from sqo.domain.hygiene.findings import Finding
from sqo.domain.hygiene.pipeline_rules import pipeline_findings
from sqo.domain.hygiene.rules import Context, deal_findings
from sqo.domain.values import utc_now
from sqo.i18n import _
from sqo.services import hygiene_context, lookups
from sqo.services.periods import moment_so_far
from sqo.services.public import public_dict
from sqo.services.workspace import Workspace

SETTING_RULES_FILE = "hygiene.rules_file"


@dataclass(frozen=True)
class OwnerCounts:
    owner_id: int | None
    owner_name: str | None
    team_name: str | None
    high: int = 0
    medium: int = 0
    low: int = 0

    @property
    def total(self) -> int:
        return self.high + self.medium + self.low

    def to_dict(self) -> dict[str, Any]:
        return {
            "owner_id": self.owner_id,
            "owner_name": self.owner_name,
            "team_name": self.team_name,
            "high": self.high,
            "medium": self.medium,
            "low": self.low,
            "total": self.total,
        }


@dataclass(frozen=True)
class HygieneReport:
    """What ``sqo hygiene`` shows; ``to_dict()`` is its ``--json``. ``findings`` are sorted by
    owner, severity (high first), rule and deal; ``rule_counts`` has every rule that ran (zero
    included); ``open_deals`` is how many open deals the rules looked at."""

    as_of: datetime
    rules_name: str
    rules: tuple[str, ...]
    team: str | None
    rep: str | None
    open_deals: int
    findings: list[Finding]
    rule_counts: dict[str, int]
    owner_counts: list[OwnerCounts]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = public_dict(
            {
                "as_of": self.as_of,
                "rules_name": self.rules_name,
                "rules": list(self.rules),
                "team": self.team,
                "rep": self.rep,
                "open_deals": self.open_deals,
                "findings": [],
                "rule_counts": dict(self.rule_counts),
                "owner_counts": [c.to_dict() for c in self.owner_counts],
                "notes": list(self.notes),
            }
        )
        # A finding's dict is JSON-ready already (its evidence holds plain values): not walked
        # again, which at a million deals (55,000 findings) took two seconds.
        data["findings"] = [f.to_dict() for f in self.findings]
        return data


def chosen_rules(rules: Sequence[str] | None) -> tuple[str, ...]:
    """The rules asked for (all when none), each checked against the stable keys."""
    if not rules:
        return RULE_KEYS
    chosen = []
    for value in rules:
        for part in value.split(","):
            key = part.strip().casefold().replace("-", "_")
            if not key:
                continue
            if key not in RULE_KEYS:
                raise InvalidValue(
                    _(
                        "Unknown hygiene rule {value!r}. Rules: {allowed}.",
                        value=part.strip(),
                        allowed=list_values(RULE_KEYS, limit=20),
                    ),
                    field="rule",
                    allowed=RULE_KEYS,
                )
            if key not in chosen:
                chosen.append(key)
    return tuple(k for k in RULE_KEYS if k in chosen)


def rules_config(ws: Workspace, rules_file: Path | None = None) -> HygieneRules:
    """A file given for this report, else the workspace's setting, else the shipped rules."""
    if rules_file is not None:
        return load_rules(rules_file)
    with ws.unit_of_work() as uow:
        stored = uow.settings.get(SETTING_RULES_FILE)
    return load_rules(Path(str(stored)).expanduser()) if stored else load_rules()


def use_rules_file(ws: Workspace, actor: Actor, path: Path | None) -> HygieneRules:
    """Make a rules file the workspace's own (None: back to the shipped rules). A file that is
    not valid is refused and nothing is stored."""
    rules = load_rules(path)
    resolved = None if path is None else str(path.expanduser().resolve())
    with ws.unit_of_work() as uow:
        uow.settings.put(SETTING_RULES_FILE, resolved)
        uow.audit.add(
            audit_entry(
                AuditAction.HYGIENE_RULES_SET, actor, utc_now(), file=resolved, rules=rules.name
            )
        )
        uow.commit()
    return rules


def _sorted(findings: list[Finding]) -> list[Finding]:
    order = {key: i for i, key in enumerate(RULE_KEYS)}
    return sorted(
        findings,
        key=lambda f: (
            (f.owner_name or "").casefold(),
            f.team_name or "",
            SEVERITY_ORDER[f.severity],
            order[f.rule],
            f.opportunity_id or 0,
        ),
    )


def _owner_counts(findings: list[Finding]) -> list[OwnerCounts]:
    counts: dict[tuple[int | None, str | None, str | None], dict[Severity, int]] = {}
    for f in findings:
        key = (f.owner_id, f.owner_name, f.team_name)
        by = counts.setdefault(key, dict.fromkeys(Severity, 0))
        by[f.severity] += 1
    return [
        OwnerCounts(o, n, tm, by[Severity.HIGH], by[Severity.MEDIUM], by[Severity.LOW])
        for (o, n, tm), by in sorted(
            counts.items(), key=lambda x: ((x[0][1] or "").casefold(), x[0][2] or "")
        )
    ]


def hygiene_report(
    ws: Workspace,
    actor: Actor,
    *,
    as_of: datetime | None = None,
    team: str | None = None,
    rep: str | None = None,
    rules: Sequence[str] | None = None,
    rules_file: Path | None = None,
) -> HygieneReport:
    """Every enabled hygiene rule (or the ``rules`` asked for) over the open deals as at
    ``as_of`` (default now), of one ``team`` or ``rep`` when given. Deal findings name the deal;
    pipeline bloat is per rep and team, so its findings have ``opportunity_id`` and
    ``opportunity_name`` None (a team's also ``owner_id`` and ``owner_name``)."""
    as_of = moment_so_far(as_of)
    keys = chosen_rules(rules)
    config = rules_config(ws, rules_file)
    ran = tuple(k for k in keys if getattr(config.rules, k).enabled)
    deal_keys = config.enabled() if "pipeline_bloat" in ran else ran  # bloat reads them all
    with ws.unit_of_work() as uow:
        team_found = lookups.team(uow, team) if team else None
        rep_found = lookups.rep(uow, rep, field="rep") if rep else None
        team_id = team_found.id if team_found else None
        rep_id = rep_found.id if rep_found else None
        # One state of the deals for both: replayed from history, it is the costly part.
        with deal_state(uow.connection, as_of) as state:
            deals = open_deal_facts(
                uow.connection,
                ws.stage_model,
                as_of,
                team_id=team_id,
                rep_id=rep_id,
                expected_roles=(
                    hygiene_context.role_expectation(uow)
                    if "missing_buying_role" in deal_keys
                    else None
                ),
                state=state,
            )
            fallen = (
                fallen_sqos(
                    uow.connection,
                    ws.stage_model,
                    as_of - timedelta(days=config.rules.premature_sqo.lookback_days),
                    as_of,
                    team_id=team_id,
                    rep_id=rep_id,
                    state=state,
                )
                if "premature_sqo" in ran
                else []
            )
    inputs = hygiene_context.analytics_inputs(
        ws,
        as_of,
        cycle="stale" in deal_keys and config.rules.stale.beyond_p90_cycle,
        bloat="pipeline_bloat" in ran,
    )
    ctx = Context(as_of, inputs.p90_cycle)
    on_deals = deal_findings(deals, config, ctx, deal_keys)
    loads = hygiene_context.owner_loads(
        inputs,
        deals,
        on_deals,
        team=team_found.name if team_found else None,
        rep=rep_found.name if rep_found else None,
    )
    findings = [f for f in on_deals if f.rule in ran]
    findings += pipeline_findings(fallen, loads, config, ctx, ran)
    findings = _sorted(findings)
    notes = []
    if not deals:
        notes.append(_("No open deals as at this moment: nothing to check."))
    elif not findings:
        notes.append(_("No findings: every open deal passes the hygiene rules."))
    disabled = [k for k in keys if k not in ran]
    if disabled:
        notes.append(_("Switched off in the rules: {rules}.", rules=", ".join(disabled)))
    counts = {k: 0 for k in ran}
    for f in findings:
        counts[f.rule] += 1
    return HygieneReport(
        as_of,
        config.name,
        ran,
        team_found.name if team_found else team,
        rep_found.name if rep_found else rep,
        len(deals),
        findings,
        counts,
        _owner_counts(findings),
        notes,
    )
