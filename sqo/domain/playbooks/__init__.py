"""Qualification playbooks: criteria as configuration, evaluated purely against a record's facts.

- :mod:`.model`: the playbook, its groups and criteria (YAML validated with pydantic)
- :mod:`.conditions`: the safe expression language of criterion conditions
- :mod:`.rules`: how a criterion is met from data the system has
- :mod:`.facts`: what is known about one record
- :mod:`.loader`: reading YAML with file/line errors; the shipped playbooks
- :mod:`.evaluation`: statuses, scores and the gate
- :mod:`.report`: an evaluation as readable text
"""

from sqo.domain.playbooks.evaluation import (
    CriterionResult,
    Evaluation,
    GroupScore,
    Status,
    evaluate,
)
from sqo.domain.playbooks.facts import ActivityFact, ContactFact, EvidenceFact, Facts
from sqo.domain.playbooks.loader import (
    DEFAULT_PLAYBOOK,
    load_playbook,
    parse_playbook_data,
    parse_playbook_text,
    shipped_playbook,
    shipped_playbooks,
)
from sqo.domain.playbooks.model import (
    Criterion,
    CriterionOverride,
    Group,
    Playbook,
    apply_overrides,
)
from sqo.domain.playbooks.report import render_text

__all__ = [
    "DEFAULT_PLAYBOOK",
    "ActivityFact",
    "ContactFact",
    "Criterion",
    "CriterionOverride",
    "CriterionResult",
    "Evaluation",
    "EvidenceFact",
    "Facts",
    "Group",
    "GroupScore",
    "Playbook",
    "Status",
    "apply_overrides",
    "evaluate",
    "load_playbook",
    "parse_playbook_data",
    "parse_playbook_text",
    "render_text",
    "shipped_playbook",
    "shipped_playbooks",
]
