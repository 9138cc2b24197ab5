"""What the qualification use cases return, each with its JSON form (``to_dict``), so that the
command line, an API route or a web page render one shape and build none of their own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqo.domain.playbooks import choice
from sqo.domain.playbooks.model import Playbook


@dataclass(frozen=True)
class PlaybookSummary:
    """One line of the playbook list; ``current``: the workspace qualifies with it."""

    playbook: Playbook
    current: bool

    def to_dict(self) -> dict[str, Any]:
        p = self.playbook
        return {
            "name": p.name,
            "version": p.version,
            "label": p.text()[0],
            "criteria": len(p.keys()),
            "required": len(p.required_keys()),
            "current": self.current,
        }


@dataclass(frozen=True)
class PlaybookDetail:
    """A playbook in full: its groups and criteria."""

    playbook: Playbook

    def to_dict(self) -> dict[str, Any]:
        playbook = self.playbook
        return {
            "name": playbook.name,
            "version": playbook.version,
            "label": playbook.text()[0],
            "description": playbook.text()[1],
            "groups": [
                {
                    "key": group.key,
                    "label": group.text()[0],
                    "criteria": [
                        {
                            "key": c.key,
                            "label": c.text()[0],
                            "description": c.text()[1],
                            "weight": c.weight,
                            "required": c.required,
                            "condition": c.condition,
                            "evidence": c.evidence,
                            "rule": c.rule.model_dump(mode="json") if c.rule else None,
                        }
                        for c in group.criteria
                    ],
                }
                for group in playbook.groups
            ],
        }


@dataclass(frozen=True)
class ValidPlaybook(PlaybookDetail):
    """A playbook file that passed every check."""

    def to_dict(self) -> dict[str, Any]:
        return {"valid": True, **super().to_dict()}


@dataclass(frozen=True)
class PlaybookChosen:
    """The playbook a workspace now qualifies with."""

    playbook: Playbook

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.playbook.name, "version": self.playbook.version}


@dataclass(frozen=True)
class OverridesSaved:
    """Every segment's overrides after a change (``*``: every segment)."""

    overrides: choice.Overrides

    def to_dict(self) -> dict[str, Any]:
        return {
            segment: {key: change.model_dump() for key, change in by_key.items()}
            for segment, by_key in self.overrides.items()
        }


@dataclass(frozen=True)
class EvidenceAdded:
    id: int
    criterion: str
    record_type: str  # "opportunity" or "lead"
    record_id: int

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "criterion": self.criterion, "record_id": self.record_id}
