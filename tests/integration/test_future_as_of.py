"""A moment after now is refused alike by every command that takes --as-of: nothing is known of
it yet (a model "trained as of" next year was kept before, and a forecast ran as of today)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sqo.cli.app import run

FUTURE = (date.today() + timedelta(days=40)).isoformat()


@pytest.mark.parametrize(
    "command",
    [["forecast"], ["forecast", "accuracy"], ["model", "train"], ["hygiene"]],
    ids=" ".join,
)
def test_a_future_as_of_is_refused(tmp_path, capsys, command):
    db = str(tmp_path / "ws.db")
    assert run(["--db", db, "init"]) == 0
    capsys.readouterr()
    code = run(["--db", db, *command, "--as-of", FUTURE])
    said = capsys.readouterr()
    assert code == 2, said
    assert f"The as-of moment {FUTURE} is in the future" in said.err
    assert "Traceback" not in said.err + said.out
