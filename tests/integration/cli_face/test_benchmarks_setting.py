"""`sqo benchmarks --save FILE` keeps a workspace's own benchmarks; `--reset` goes back to the
shipped ones. The figures are the same; the verdicts follow the stored ranges.

The workspace: 12 SMB SQOs made without a lead, 3 won and 9 lost (a win rate of 25%, on 12
closed SQOs: enough for a verdict at the shipped minimum of 10). The shipped SMB range is
30%-50% ("below"); the stored file's 20%-30% makes 25% "within".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sqo.cli.app import app, run
from sqo.domain.actor import Actor
from sqo.services import benchmarks as chosen
from sqo.services.workspace import init_workspace, open_workspace
from tests import factories

runner = CliRunner()
T0 = datetime(2026, 4, 6, 9, 0)
AS_OF = "2026-06-30"
DAY = timedelta(days=1)

OURS = """\
name: Nordic targets
metrics:
  sqo_win_rate:
    label: SQO win rate (won ÷ closed)
    unit: rate
    ranges:
      default: {low: 0.20, high: 0.30}
"""


@pytest.fixture
def db(sqlite_url: str, actor: Actor) -> Iterator[str]:
    ws = init_workspace(sqlite_url, actor)
    factories.org(ws, actor)
    for n in range(12):
        end = "Won" if n < 3 else "Lost"
        factories.opportunity(ws, actor, f"Deal {n}", at=T0, moves=[("SQO", DAY), (end, 10 * DAY)])
    ws.close()
    yield sqlite_url


def sqo(db: str, *args: str) -> str:
    result = runner.invoke(app, ["--db", db, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def win_rate(report: dict) -> tuple[str, str | None]:
    """The company-wide SQO win rate's benchmark name and status."""
    (verdict,) = [
        m for m in report["metrics"] if m["metric"] == "sqo_win_rate" and m["segment"] is None
    ]
    return report["benchmarks"], verdict["status"]


def benchmarks(db: str, *args: str) -> dict:
    return json.loads(sqo(db, "benchmarks", "--as-of", AS_OF, "--json", *args))


def audit(db: str) -> list[dict]:
    ws = open_workspace(db)
    try:
        with ws.unit_of_work() as uow:
            return uow.audit.entries("benchmarks.set")
    finally:
        ws.close()


def test_a_saved_file_changes_the_verdicts_of_every_later_report(db: str, tmp_path: Path) -> None:
    assert win_rate(benchmarks(db)) == ("seed benchmarks", "within")  # default range 15-40%
    mine = tmp_path / "ours.yaml"
    mine.write_text(OURS.replace("0.20, high: 0.30", "0.30, high: 0.50"), encoding="utf-8")
    saved = benchmarks(db, "--save", str(mine))
    assert win_rate(saved) == ("Nordic targets", "below")
    assert win_rate(benchmarks(db)) == ("Nordic targets", "below")  # kept: no option needed
    figures = {m["metric"]: m["value"] for m in saved["metrics"] if m["segment"] is None}
    assert figures == {"sqo_win_rate": pytest.approx(0.25)}  # only the metrics the file sets
    (entry,) = audit(db)
    assert entry["actor"] and entry["detail"] == {
        "benchmarks": "Nordic targets",
        "file": str(mine.resolve()),
    }


def test_the_table_says_what_was_saved_and_uses_it(db: str, tmp_path: Path) -> None:
    mine = tmp_path / "ours.yaml"
    mine.write_text(OURS, encoding="utf-8")
    result = runner.invoke(
        app,
        ["--db", db, "benchmarks", "--save", str(mine), "--as-of", AS_OF],
        env={"COLUMNS": "250"},
    )
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"Saved {mine.resolve()} as this workspace's benchmarks")
    assert "Benchmarks (Nordic targets)" in result.stdout
    assert "within" in result.stdout


def test_reset_goes_back_to_the_shipped_benchmarks(db: str, tmp_path: Path) -> None:
    mine = tmp_path / "ours.yaml"
    mine.write_text(OURS.replace("0.20, high: 0.30", "0.50, high: 0.60"), encoding="utf-8")
    assert win_rate(benchmarks(db, "--save", str(mine))) == ("Nordic targets", "below")
    result = runner.invoke(app, ["--db", db, "benchmarks", "--reset", "--as-of", AS_OF, "--json"])
    assert result.exit_code == 0, result.output
    assert "shipped benchmarks (seed benchmarks)" in result.stderr  # stdout stays JSON
    assert win_rate(json.loads(result.stdout)) == ("seed benchmarks", "within")
    assert win_rate(benchmarks(db)) == ("seed benchmarks", "within")
    assert [e["detail"]["file"] for e in audit(db)] == [str(mine.resolve()), None]


def test_a_face_can_ask_which_benchmarks_are_in_use(db: str, tmp_path: Path, actor: Actor) -> None:
    mine = tmp_path / "ours.yaml"
    mine.write_text(OURS, encoding="utf-8")
    ws = open_workspace(db)
    try:
        assert chosen.benchmarks_in_use(ws, actor).to_dict() == {
            "benchmarks": "seed benchmarks",
            "file": None,
            "shipped": True,
        }
        chosen.save_benchmarks(ws, actor, mine)
        in_use = chosen.benchmarks_in_use(ws, actor)
        assert (in_use.name, in_use.file, in_use.shipped) == (
            "Nordic targets",
            str(mine.resolve()),
            False,
        )
        chosen.use_shipped_benchmarks(ws, actor)
        assert chosen.benchmarks_in_use(ws, actor).shipped
    finally:
        ws.close()


def test_a_file_given_once_is_not_kept(db: str, tmp_path: Path) -> None:
    mine = tmp_path / "ours.yaml"
    mine.write_text(OURS.replace("0.20, high: 0.30", "0.50, high: 0.60"), encoding="utf-8")
    assert win_rate(benchmarks(db, "--benchmarks", str(mine))) == ("Nordic targets", "below")
    assert win_rate(benchmarks(db)) == ("seed benchmarks", "within")
    assert audit(db) == []


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (OURS.replace("default:", "SMB:"), "every metric needs a 'default' range"),
        (OURS.replace("sqo_win_rate:", "win_rate:", 1), "unknown metrics win_rate"),
        (
            "name: [unclosed\n",
            "are not valid YAML (expected ',' or ']', but got '<stream end>', line 2)",
        ),
    ],
    ids=["no-default-range", "unknown-metric", "not-yaml"],
)
def test_a_bad_file_is_refused_in_one_sentence_and_nothing_is_stored(
    db: str, tmp_path: Path, content: str, problem: str
) -> None:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(OURS.replace("0.20, high: 0.30", "0.50, high: 0.60"), encoding="utf-8")
    benchmarks(db, "--save", str(good))
    bad.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["--db", db, "benchmarks", "--save", str(bad)])
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert message.startswith("Error: ") and problem in message
    assert message.endswith("; nothing was saved.") and "\n" not in message
    assert result.stdout == ""
    assert win_rate(benchmarks(db)) == ("Nordic targets", "below")  # the good one stays
    assert len(audit(db)) == 1


def test_save_reset_and_a_one_off_file_are_one_choice(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "ours.yaml"
    mine.write_text(OURS, encoding="utf-8")
    assert run(["--db", db, "benchmarks", "--save", str(mine), "--reset"]) == 2
    assert capsys.readouterr().err.strip() == (
        "Error: Invalid value: Give one of --benchmarks (this once), --save (keep a file) and "
        "--reset. See 'sqo benchmarks --help'."
    )
    assert audit(db) == []


def test_a_missing_file_is_refused(db: str, tmp_path: Path) -> None:
    missing = tmp_path / "no.yaml"
    result = runner.invoke(app, ["--db", db, "benchmarks", "--save", str(missing)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"Error: Cannot read the benchmarks {missing}: No such file or directory; nothing was "
        "saved."
    )
    assert audit(db) == []


@pytest.mark.parametrize("option", ["--benchmarks", "--save"])
@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\x7fELF\x02\x01\x01\x00\xd0\xff", "it is not UTF-8 text; save it as a UTF-8 YAML file"),
        (b"name: [unclosed\n", "are not valid YAML (expected ',' or ']'"),
    ],
    ids=["binary", "not-yaml"],
)
def test_a_file_that_is_not_benchmarks_text_is_one_sentence_for_a_report_and_for_a_save(
    db: str, tmp_path: Path, option: str, content: bytes, problem: str
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(content)
    result = runner.invoke(app, ["--db", db, "benchmarks", option, str(bad)])
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert message.startswith("Error: ") and problem in message and "\n" not in message
    assert "did not expect" not in message
    assert audit(db) == []
