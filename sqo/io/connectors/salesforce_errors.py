"""Salesforce's answers that are not records: an object the org does not expose, and refusals
(an expired token, a missing permission, an unreachable instance) as messages that say what to
do."""

from __future__ import annotations

import importlib

from sqo.domain.errors import ConfigurationError
from sqo.i18n import _


def error_code(exc: Exception) -> str | None:
    content = getattr(exc, "content", None)
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return str(content[0].get("errorCode") or "") or None
    return None


def not_exposed(exc: Exception) -> bool:
    """The org does not expose this object (or this user cannot see it)."""
    return getattr(exc, "status", None) in (400, 404) and error_code(exc) in (
        "INVALID_TYPE",
        "NOT_FOUND",
    )


def refused(what: str, exc: Exception) -> ConfigurationError | None:
    """Salesforce's refusals (and an unreachable instance) as a message that says what to do."""
    requests = importlib.import_module("requests")
    if isinstance(exc, requests.RequestException):
        return ConfigurationError(
            _(
                "Salesforce cannot be reached ({problem}); check the instance URL and the "
                "network connection.",
                problem=type(exc).__name__,
            )
        )
    if not type(exc).__module__.startswith("simple_salesforce"):
        return None
    status = getattr(exc, "status", None)
    if status == 401:
        hint = _(
            "the session token is invalid or has expired; sign in again and pass a new one "
            "(`sf org display` shows it)."
        )
    elif status == 403:
        hint = _("the user needs the API Enabled permission and read access to this object.")
    else:
        content = getattr(exc, "content", None)
        first = content[0] if isinstance(content, list) and content else {}
        hint = (
            f"{first.get('errorCode', '')}: {first.get('message', '')}"
            if isinstance(first, dict) and first
            else str(content)
        )
    return ConfigurationError(
        _(
            "Salesforce refused to read {what} (HTTP {status}): {hint}",
            what=what,
            status=status or "-",
            hint=hint,
        )
    )
