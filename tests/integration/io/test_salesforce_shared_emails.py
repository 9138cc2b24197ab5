"""Salesforce users sharing one e-mail address (integration users, automated processes, a team
inbox): each user is its own rep, matched by its Salesforce Id, and a lookup by the shared
address asks for a name or id instead of picking one. Expected owners come from the CSVs."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.store import tables as t
from tests.csv_files import write_export as write

SHARED = "noreply@acme.example"
USERS = [
    ["0051", "Ann Lee", "ann@acme.example", "true"],
    ["0052", "Integration User", SHARED, "true"],
    ["0053", "Automated Process", SHARED, "true"],
    ["0054", "Data Loader Bot", SHARED.upper(), "false"],  # addresses compare case-insensitively
]
OPPS = [
    ["0061", "Acme", "Prospecting", "0051"],
    ["0062", "Globex", "Prospecting", "0052"],
    ["0063", "Initech", "Prospecting", "0053"],
    ["0064", "Umbrella", "Prospecting", "0054"],
]


def sqo(db: str, *args: str):
    return CliRunner().invoke(app, ["--db", db, *args])


def folder_with_shared_addresses(tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    folder.mkdir()
    write(folder / "User.csv", ["Id", "Name", "Email", "IsActive"], USERS)
    write(folder / "Opportunity.csv", ["Id", "Name", "StageName", "OwnerId"], OPPS)
    return folder


def test_users_sharing_an_address_import_as_separate_reps(any_workspace, tmp_path):
    db = any_workspace.url
    folder = folder_with_shared_addresses(tmp_path)
    result = sqo(db, "import", "salesforce", str(folder))
    assert result.exit_code == 0, result.output
    with any_workspace.engine.connect() as connection:
        reps = {
            key: (name, email, active)
            for key, name, email, active in connection.execute(
                select(t.reps.c.external_id, t.reps.c.name, t.reps.c.email, t.reps.c.active)
            )
        }
        owners = dict(
            connection.execute(
                select(t.opportunities.c.external_id, t.reps.c.name).join(
                    t.reps, t.reps.c.id == t.opportunities.c.owner_id
                )
            ).all()
        )
    assert reps == {f"sf:{i}": (name, email, active == "true") for i, name, email, active in USERS}
    names = {i: name for i, name, _e, _a in USERS}
    assert owners == {f"sf:{o[0]}": names[o[3]] for o in OPPS}

    again = sqo(db, "import", "salesforce", str(folder))
    assert again.exit_code == 0, again.output
    with any_workspace.engine.connect() as connection:
        assert len(connection.execute(select(t.reps.c.id)).all()) == len(USERS)


def test_a_shared_address_is_ambiguous_a_name_or_id_is_not(workspace, tmp_path):
    db = workspace.url
    folder = folder_with_shared_addresses(tmp_path)
    assert sqo(db, "import", "salesforce", str(folder)).exit_code == 0

    ambiguous = sqo(db, "opp", "add", "Hooli", "--owner", SHARED)
    assert ambiguous.exit_code == 2, ambiguous.output
    message = " ".join(ambiguous.output.split())
    assert (
        f"3 reps share the e-mail address '{SHARED}' (Automated Process, Data Loader Bot, "
        "Integration User): give the owner by name or id instead." in message
    )
    assert "Traceback" not in ambiguous.output

    by_name = sqo(db, "opp", "add", "Hooli", "--owner", "Integration User")
    by_unique_address = sqo(db, "opp", "add", "Wayne", "--owner", "ANN@acme.example")
    assert by_name.exit_code == 0, by_name.output
    assert by_unique_address.exit_code == 0, by_unique_address.output
    with workspace.engine.connect() as connection:
        owners = dict(
            connection.execute(
                select(t.opportunities.c.name, t.reps.c.name)
                .join(t.reps, t.reps.c.id == t.opportunities.c.owner_id)
                .where(t.opportunities.c.external_id.is_(None))
            ).all()
        )
    assert owners == {"Hooli": "Integration User", "Wayne": "Ann Lee"}


def test_rep_add_allows_a_shared_address_and_refuses_a_taken_name(workspace, tmp_path):
    db = workspace.url
    folder = folder_with_shared_addresses(tmp_path)
    assert sqo(db, "import", "salesforce", str(folder)).exit_code == 0

    added = sqo(db, "rep", "add", "Platform Bot", "--email", SHARED)
    assert added.exit_code == 0, added.output
    taken = sqo(db, "rep", "add", "integration user", "--email", "other@acme.example")
    assert taken.exit_code == 2
    assert "A rep named 'integration user' already exists." in taken.output
    with workspace.engine.connect() as connection:
        shared = connection.execute(
            select(t.reps.c.name).where(t.reps.c.email.ilike(SHARED)).order_by(t.reps.c.name)
        ).scalars()
        assert list(shared) == [
            "Automated Process",
            "Data Loader Bot",
            "Integration User",
            "Platform Bot",
        ]


def test_users_of_one_name_stay_apart_and_reimport_unchanged(any_workspace, tmp_path):
    """Two Salesforce users called "Integration User" are two people (rep names are unique, so
    the second carries its id); a rep added by hand under a user's name is that user."""
    db = any_workspace.url
    assert sqo(db, "rep", "add", "Ann Lee", "--email", "ann@acme.example").exit_code == 0
    folder = tmp_path / "export"
    folder.mkdir()
    users = [
        ["0051", "Ann Lee", "ann@acme.example"],
        ["0052", "Integration User", SHARED],
        ["0055", "Integration User", SHARED],
    ]
    deals = [["0061", "Acme", "Prospecting", "0052"], ["0062", "Globex", "Prospecting", "0055"]]
    write(folder / "Opportunity.csv", ["Id", "Name", "StageName", "OwnerId"], deals)
    first = sqo(db, "import", "salesforce", str(folder))  # owners created by id, for now
    assert first.exit_code == 0, first.output
    write(folder / "User.csv", ["Id", "Name", "Email"], users)
    for _run in range(2):
        result = sqo(db, "import", "salesforce", str(folder))
        assert result.exit_code == 0, result.output
    with any_workspace.engine.connect() as connection:
        reps = sorted(connection.execute(select(t.reps.c.name, t.reps.c.external_id)).all())
        owners = dict(
            connection.execute(
                select(t.opportunities.c.external_id, t.reps.c.external_id).join(
                    t.reps, t.reps.c.id == t.opportunities.c.owner_id
                )
            ).all()
        )
    assert reps == [
        ("Ann Lee", "sf:0051"),  # the rep added by hand, matched by name, its id recorded
        ("Integration User", "sf:0052"),
        ("Integration User (0055)", "sf:0055"),
    ]
    assert owners == {f"sf:{d[0]}": f"sf:{d[3]}" for d in deals}
    users_line = next(line for line in result.output.splitlines() if line.startswith("│ User"))
    assert users_line.split("│")[2:6] == ["    3 ", "       0 ", "       0 ", "        3 "]
