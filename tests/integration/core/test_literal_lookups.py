"""A typed reference is literal: ``%`` and ``_`` in a rep's name are characters, not LIKE
wildcards, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest

from sqo.domain.actor import Actor
from sqo.domain.errors import UnknownReference
from sqo.services import directory, lookups
from sqo.services.workspace import Workspace


@pytest.mark.parametrize("reference", ["%", "_", "%%", "A_n", "a%"])
def test_a_wildcard_is_not_a_match_for_any_name(
    any_workspace: Workspace, actor: Actor, reference: str
) -> None:
    directory.add_rep(any_workspace, actor, "Ann Lee")
    with any_workspace.unit_of_work() as uow, pytest.raises(UnknownReference) as refused:
        lookups.rep(uow, reference)
    assert refused.value.message.startswith(f"Unknown owner {reference!r}.")


def test_a_name_holding_percent_and_underscore_is_found_by_its_part(
    any_workspace: Workspace, actor: Actor
) -> None:
    directory.add_rep(any_workspace, actor, "Ann Lee")
    directory.add_rep(any_workspace, actor, "Bo 100%_sure")
    with any_workspace.unit_of_work() as uow:
        assert lookups.rep(uow, "%_s").name == "Bo 100%_sure"
        assert lookups.rep(uow, "ann").name == "Ann Lee"


def test_the_start_of_one_teams_name_finds_it_and_of_several_is_refused(
    any_workspace: Workspace, actor: Actor
) -> None:
    for name in ("Enterprise (New York)", "Mid-Market (London)", "Mid-Market (Berlin)"):
        directory.add_team(any_workspace, actor, name)
    with any_workspace.unit_of_work() as uow:
        assert lookups.team(uow, "enterprise").name == "Enterprise (New York)"
        with pytest.raises(UnknownReference) as refused:
            lookups.team(uow, "Mid")
        assert refused.value.message == (
            "'Mid' is the start of several teams' names: Mid-Market (Berlin), "
            "Mid-Market (London). Give the whole name."
        )
        with pytest.raises(UnknownReference) as unknown:
            lookups.team(uow, "%")
        assert unknown.value.message.startswith("Unknown team '%'.")
