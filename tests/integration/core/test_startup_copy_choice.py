"""The analytics copy is used where it pays: a small workspace is read directly (loading DuckDB
and refreshing the copy would cost more than the queries), a large one through the copy."""

from __future__ import annotations

import pytest

from sqo.domain.actor import Actor
from sqo.services import analytics, analytics_source, directory, opportunities
from sqo.services.workspace import Workspace
from sqo.store.analytics_copy import copy_path


def _small(ws: Workspace, actor: Actor) -> None:
    directory.add_rep(ws, actor, "Ann Lee")
    for number in range(3):
        opportunities.create_opportunity(
            ws, actor, name=f"Deal {number}", owner="Ann Lee", amount="100"
        )


def test_a_small_workspace_is_read_directly(
    workspace: Workspace, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small(workspace, actor)
    monkeypatch.delenv("SQO_ANALYTICS_COPY", raising=False)  # the default: "on"
    assert analytics.funnel(workspace, actor).conversions is not None
    assert not copy_path(workspace.url).exists()
    assert not analytics_source.copy_to_build(workspace)  # nor announced


def test_a_large_workspace_uses_the_copy(
    workspace: Workspace, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small(workspace, actor)
    monkeypatch.delenv("SQO_ANALYTICS_COPY", raising=False)
    monkeypatch.setattr(analytics_source, "COPY_PAYS_FROM", 2)  # "large", for this test
    assert analytics_source.copy_to_build(workspace)
    analytics.funnel(workspace, actor)
    assert copy_path(workspace.url).exists()


def test_required_always_uses_the_copy(
    workspace: Workspace, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small(workspace, actor)
    monkeypatch.setenv("SQO_ANALYTICS_COPY", "required")
    analytics.funnel(workspace, actor)
    assert copy_path(workspace.url).exists()
