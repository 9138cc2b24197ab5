"""Reps, teams, accounts and quotas through the services, on the in-memory tier."""

from __future__ import annotations

from datetime import date

import pytest

from sqo.domain.actor import Actor
from sqo.domain.errors import InvalidValue
from sqo.services import directory
from sqo.services.workspace import Workspace


def test_reps_are_listed_as_added(ws: Workspace, actor: Actor) -> None:
    directory.add_rep(ws, actor, "Ann Lee", email="ann@example.com")
    directory.add_rep(ws, actor, "Bo Berg")
    reps = directory.list_reps(ws, actor)
    assert sorted((r.name, r.email, r.role, r.active) for r in reps) == [
        ("Ann Lee", "ann@example.com", "rep", True),
        ("Bo Berg", None, "rep", True),
    ]


def test_a_second_rep_of_the_same_name_is_refused(ws: Workspace, actor: Actor) -> None:
    directory.add_rep(ws, actor, "Ann Lee")
    with pytest.raises(InvalidValue) as refused:
        directory.add_rep(ws, actor, "Ann Lee")
    assert refused.value.message == "A rep named 'Ann Lee' already exists."
    assert len(directory.list_reps(ws, actor)) == 1


def test_an_unknown_role_is_refused(ws: Workspace, actor: Actor) -> None:
    with pytest.raises(InvalidValue) as refused:
        directory.add_rep(ws, actor, "Ann Lee", role="boss")
    assert refused.value.message == "Invalid role 'boss'. Allowed: rep, manager, marketing, admin."
    assert directory.list_reps(ws, actor) == []


def test_a_team_with_its_manager(ws: Workspace, actor: Actor) -> None:
    manager = directory.add_rep(ws, actor, "Cay Dahl", role="manager")
    team = directory.add_team(ws, actor, "Nordics", manager="Cay Dahl")
    assert [(t.name, t.manager_id) for t in directory.list_teams(ws, actor)] == [
        ("Nordics", manager.id)
    ]
    assert team.manager_id == manager.id


def test_accounts_are_unique_by_name(ws: Workspace, actor: Actor) -> None:
    directory.add_account(ws, actor, "Holm AB")
    with pytest.raises(InvalidValue) as refused:
        directory.add_account(ws, actor, "Holm AB")
    assert refused.value.message == "A account named 'Holm AB' already exists."
    assert [a.name for a in directory.list_accounts(ws, actor)] == ["Holm AB"]


def test_a_quota_period_that_ends_before_it_starts_is_refused(ws: Workspace, actor: Actor) -> None:
    directory.add_rep(ws, actor, "Ann Lee")
    with pytest.raises(InvalidValue) as refused:
        directory.set_quota(
            ws,
            actor,
            amount="50000",
            period_start=date(2024, 7, 1),
            period_end=date(2024, 6, 30),
            rep="Ann Lee",
        )
    assert refused.value.message == (
        "The quota period ends (2024-06-30) before it starts (2024-07-01)."
    )
