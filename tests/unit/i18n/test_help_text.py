"""The command line's help is translated like every other user-facing text."""

import subprocess
import sys

import typer.main

from sqo import i18n
from sqo.cli.app import app
from sqo.cli.help_text import help_texts, language_from_arguments


def test_every_help_text_has_a_swedish_translation():
    swedish = i18n.catalogue("sv")
    missing = sorted({t for t in help_texts(typer.main.get_command(app)) if t not in swedish})
    assert missing == [], f"{len(missing)} help texts lack Swedish; first: {missing[:5]}"


def test_the_language_is_read_before_the_command_runs():
    assert language_from_arguments(["--db", "x.db", "--lang", "sv", "opp", "list"]) == "sv"
    assert language_from_arguments(["--lang=en", "funnel"]) == "en"
    assert language_from_arguments(["opp", "list"]) is None


def test_help_in_swedish_from_the_real_entry_point():
    result = subprocess.run(
        [sys.executable, "-m", "sqo", "--lang", "sv", "opp", "list", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={"COLUMNS": "200", "PATH": ""},
    )
    english = "List opportunities, now or as they stood at a past moment."
    assert english not in result.stdout
    assert i18n.catalogue("sv")[english] in result.stdout


def test_an_unknown_language_is_refused_in_one_sentence(tmp_path, capsys):
    from sqo.cli.app import run

    code = run(["--db", str(tmp_path / "none.db"), "--lang", "de", "pipeline"])
    said = capsys.readouterr().err
    assert code == 2
    assert "'de' is not a language sqo speaks; choose one of en, sv." in said
    assert "Traceback" not in said
    assert not (tmp_path / "none.db").exists()  # refused before anything was opened
