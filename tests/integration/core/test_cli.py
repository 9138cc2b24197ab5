"""The command line: exit codes, exact messages, JSON output, and the effect via the services."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.services import opportunities
from sqo.services.workspace import open_workspace

runner = CliRunner()


@pytest.fixture
def db(tmp_path):
    path = str(tmp_path / "cli.db")
    assert runner.invoke(app, ["--db", path, "init"]).exit_code == 0
    for args in (
        ["team", "add", "Nordics"],
        ["rep", "add", "Ann Lee", "--team", "Nordics"],
        ["account", "add", "Acme", "--segment", "smb"],
    ):
        result = runner.invoke(app, ["--db", path, *args])
        assert result.exit_code == 0, result.output
    return path


def sqo(db, *args):
    return runner.invoke(app, ["--db", db, "--as", "ann", *args])


def test_init_refuses_an_existing_workspace(db):
    result = runner.invoke(app, ["--db", db, "init"])
    assert result.exit_code == 6
    assert result.output.strip().endswith("is already an sqo workspace; nothing was changed.")


def test_commands_on_a_missing_workspace_say_what_to_do(tmp_path):
    result = runner.invoke(app, ["--db", str(tmp_path / "none.db"), "opp", "list"])
    assert result.exit_code == 6
    assert "No sqo workspace at" in result.output and "sqo init" in result.output


def test_opportunity_lifecycle_from_the_command_line(db):
    result = sqo(
        db,
        "opp",
        "add",
        "Acme – 20 seats",
        "--account",
        "Acme",
        "--owner",
        "ann",
        "--amount",
        "24000",
        "--close-date",
        "2026-12-20",
    )
    assert result.exit_code == 0
    assert result.output.strip() == "Created opportunity 1 at Qualification."
    assert sqo(
        db, "move", "1", "SQO", "--justify", "Budget confirmed with the CFO on Monday"
    ).output.strip() == ("Opportunity 1 is now at SQO.")
    listed = json.loads(sqo(db, "opp", "list", "--json").output)["opportunities"]
    assert [(o["id"], o["stage"], o["amount"], o["currency"]) for o in listed] == [
        (1, "SQO", 24000.0, "USD")
    ]
    history = json.loads(sqo(db, "history", "1", "--json").output)
    assert {(h["field"], h["new"]) for h in history} >= {
        ("stage", "SQO"),
        ("amount_cents", "2400000"),
    }
    assert all(h["actor"] == "ann" for h in history)
    ws = open_workspace(db)
    assert opportunities.get_opportunity(ws, None, 1).stage == "SQO"  # type: ignore[arg-type]
    ws.close()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["opp", "add", "X", "--amount", "-5"],
            2,
            "Error: The amount cannot be negative (got -5).",
        ),
        (
            ["opp", "add", "X", "--owner", "Bob"],
            2,
            "Error: Unknown owner 'Bob'. Known reps: Ann Lee. Add one with 'sqo rep add'.",
        ),
        (
            ["opp", "add", "X", "--currency", "ABC"],
            2,
            "Error: Unknown currency 'ABC': use a three-letter ISO 4217 code "
            "such as USD, EUR or SEK.",
        ),
        (
            ["opp", "add", "X", "--close-date", "2026-13-01"],
            2,
            "Error: Invalid close_date '2026-13-01': write a date as YYYY-MM-DD, e.g. 2026-03-31.",
        ),
        (
            ["move", "99", "SQO"],
            3,
            "Error: There is no opportunity 99. List them with 'sqo opp list'.",
        ),
    ],
)
def test_bad_input_is_one_plain_sentence_and_a_non_zero_exit(db, args, code, message):
    result = sqo(db, *args)
    assert result.exit_code == code
    assert result.output.strip() == message
    assert json.loads(sqo(db, "opp", "list", "--json").output)["opportunities"] == []


def test_moving_to_an_unknown_stage_lists_the_stages(db):
    sqo(db, "opp", "add", "Deal")
    result = sqo(db, "move", "1", "Closing")
    assert result.exit_code == 2
    assert result.output.startswith("Error: Unknown stage 'Closing'. Valid stages: Lead, MQL, SAL")


def test_a_stale_version_from_the_command_line(db):
    sqo(db, "opp", "add", "Deal")
    assert sqo(db, "opp", "update", "1", "--amount", "10", "--if-version", "1").exit_code == 0
    result = sqo(db, "opp", "update", "1", "--amount", "20", "--if-version", "1")
    assert result.exit_code == 4
    assert "was changed by someone else" in result.output


def test_lead_to_opportunity_and_activity_logging(db):
    assert (
        sqo(
            db,
            "lead",
            "add",
            "Pia Berg",
            "--company",
            "Acme",
            "--stage",
            "SQL",
            "--owner",
            "Ann Lee",
        ).exit_code
        == 0
    )
    result = sqo(db, "convert", "1", "--amount", "9000")
    assert result.output.strip() == "Lead 1 converted: opportunity 1 created at Qualification."
    assert (
        sqo(
            db, "log", "meeting", "--opp", "1", "--direction", "inbound", "--subject", "Discovery"
        ).output.strip()
        == "Logged meeting 1."
    )
    shown = json.loads(sqo(db, "opp", "show", "1", "--json").output)
    assert shown["opportunity"]["lead_id"] == 1
    assert [(a["kind"], a["direction"]) for a in shown["activities"]] == [("meeting", "inbound")]
    assert sqo(db, "log", "call").output.strip() == (
        "Error: Log an activity on exactly one record: give an opportunity or a lead."
    )


def test_swedish_output(db):
    result = runner.invoke(app, ["--db", db, "--lang", "sv", "move", "42", "SQO"])
    assert result.output.strip() == (
        "Fel: Det finns ingen affärsmöjlighet 42. Lista dem med 'sqo opp list'."
    )


def _commands(group, prefix=()):
    import typer.main

    command = typer.main.get_command(group)
    yield from _walk(command, prefix)


def _walk(command, prefix):
    for name, sub in getattr(command, "commands", {}).items():
        yield (*prefix, name), sub
        yield from _walk(sub, (*prefix, name))


def test_every_command_has_help():
    missing = [
        " ".join(path) for path, command in _commands(app) if not (command.help or "").strip()
    ]
    assert missing == []


def test_promote_never_moves_a_deal_backwards(db):
    sqo(db, "opp", "add", "Deal", "--owner", "Ann Lee")
    justification = "Budget confirmed with the CFO on Monday"
    assert sqo(db, "move", "1", "Proposal", "--justify", justification).exit_code == 0
    result = sqo(db, "promote", "1", "--justify", justification)
    assert result.exit_code == 2
    assert result.output.strip() == (
        "Error: Opportunity 1 is already an SQO (stage Proposal); nothing was changed."
    )
    assert json.loads(sqo(db, "opp", "show", "1", "--json").output)["opportunity"]["stage"] == (
        "Proposal"
    )


def test_a_missing_import_file_is_named_as_given(db, tmp_path):
    mapping = Path(__file__).resolve().parents[3] / "docs/examples/maven-crm/mapping.yaml"
    missing = tmp_path / "nowhere" / "pipeline.csv"
    result = sqo(db, "import", "csv", str(missing), "--mapping", str(mapping))
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: The file {missing} does not exist."


def test_usage_mistakes_are_one_plain_sentence_from_the_real_command(tmp_path):
    import subprocess
    import sys

    db = str(tmp_path / "u.db")
    assert runner.invoke(app, ["--db", db, "init"]).exit_code == 0
    result = subprocess.run(
        [sys.executable, "-m", "sqo", "--db", db, "opp", "list", "--bogus"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "Error: No such option: --bogus. See 'sqo opp list --help'."
    assert result.stdout == ""
