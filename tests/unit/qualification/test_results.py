"""The qualification results' JSON forms, and the CLI module that prints them without shaping."""

import ast
from pathlib import Path

from sqo.domain.playbooks import CriterionOverride, shipped_playbook
from sqo.services.qualification_results import (
    EvidenceAdded,
    OverridesSaved,
    PlaybookChosen,
    PlaybookDetail,
    PlaybookSummary,
    ValidPlaybook,
)

CLI = Path(__file__).parents[3] / "sqo" / "cli" / "qualification.py"


def test_the_json_forms():
    bant = shipped_playbook("bant")
    assert PlaybookSummary(bant, current=True).to_dict() == {
        "name": "bant",
        "version": bant.version,
        "label": bant.text()[0],
        "criteria": 4,
        "required": 4,
        "current": True,
    }
    detail = PlaybookDetail(bant).to_dict()
    assert [c["key"] for g in detail["groups"] for c in g["criteria"]] == bant.keys()
    assert ValidPlaybook(bant).to_dict() == {"valid": True, **detail}
    assert PlaybookChosen(bant).to_dict() == {"name": "bant", "version": bant.version}
    saved = OverridesSaved({"*": {"budget": CriterionOverride(weight=2.0)}})
    assert saved.to_dict() == {"*": {"budget": {"weight": 2.0, "required": None}}}
    added = EvidenceAdded(5, "budget", "lead", 9)
    assert added.to_dict() == {"id": 5, "criterion": "budget", "record_id": 9}


def test_the_qualification_commands_import_only_services_domain_and_the_cli():
    allowed = ("sqo.services", "sqo.domain", "sqo.i18n", "sqo.cli")
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse(CLI.read_text(encoding="utf-8")))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    ours = [name for name in imported if name and name.startswith("sqo")]
    assert ours and all(name.startswith(allowed) for name in ours), ours
