"""The name a sales manager reads for each hygiene rule, wherever findings are shown (`sqo
hygiene`, the weekly review): one list, so a rule is called the same everywhere."""

from __future__ import annotations

from sqo.i18n import _


def rule_label(key: str) -> str:
    """The rule's name in the reader's language; an unknown key is shown as it is."""
    labels = {
        "premature_sqo": _("Premature SQO"),
        "pipeline_bloat": _("Pipeline bloat"),
        "neglected": _("Neglected"),
        "stale": _("Stale"),
        "no_next_step": _("No next step"),
        "next_step_overdue": _("Next step overdue"),
        "close_date_pushed": _("Close date pushed"),
        "amount_cut": _("Amount cut"),
        "stage_backwards": _("Stage moved back"),
        "no_amount": _("No amount"),
        "missing_buying_role": _("Missing buying role"),
    }
    return labels.get(key, key)
