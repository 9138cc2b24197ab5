"""A Salesforce import into a workspace whose reps were added by hand matches each user by
external id, then by e-mail, then by name, and records the Salesforce id on the rep it matched:
the rep keeps their deals, and re-importing the same export changes nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.domain.actor import Actor
from sqo.services import directory
from sqo.services.workspace import Workspace
from sqo.store import tables as t
from tests.reliability_data import salesforce_folder


def _reps_and_owners(ws: Workspace) -> tuple[dict[int, tuple[str, str | None]], dict[int, int]]:
    with ws.engine.connect() as connection:
        reps = {r.id: (r.name, r.external_id) for r in connection.execute(select(t.reps))}
        owners: dict[int, int] = {}
        for (owner,) in connection.execute(select(t.opportunities.c.owner_id)):
            owners[owner] = owners.get(owner, 0) + 1
    return reps, owners


def test_reps_added_by_hand_keep_their_deals(
    any_workspace: Workspace, tmp_path: Path, actor: Actor
) -> None:
    ws = any_workspace
    by_name = directory.add_rep(ws, actor, "User 0")  # the same name as Salesforce's user 0
    by_email = directory.add_rep(ws, actor, "Bea Berg", email="u1@example.com")  # user 1's
    folder = salesforce_folder(tmp_path / "export", 21, seed=1)
    runner = CliRunner()
    for _run in range(2):
        result = runner.invoke(app, ["--db", ws.url, "import", "salesforce", str(folder)])
        assert result.exit_code == 0, result.output
        reps, owners = _reps_and_owners(ws)
        assert len(reps) == 7  # no placeholder beside the reps added by hand
        assert reps[by_name.id] == ("User 0", "sf:005000000000000000")
        assert reps[by_email.id] == ("User 1", "sf:005000000000000001")
        assert owners[by_name.id] == 3 and owners[by_email.id] == 3  # deal n is user n % 7's
