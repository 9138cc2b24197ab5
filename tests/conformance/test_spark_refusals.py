"""Bad input to the Spark engine, through the real command line in a subprocess: one sentence
saying what is wrong and what to do, the usage exit code (2), never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conformance.conftest import Fixture

ROOT = Path(__file__).resolve().parents[2]
USAGE = 2


def sqo(
    db: Path, *args: str, env: dict[str, str] | None = None, path: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **(env or {})}
    environment["PYTHONPATH"] = os.pathsep.join([*(path or []), str(ROOT)])
    environment.pop("COLUMNS", None)
    return subprocess.run(
        [sys.executable, "-m", "sqo", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )


def refused(result: subprocess.CompletedProcess[str], *said: str) -> str:
    """The one-sentence refusal (stderr), checked: exit code 2, no traceback, the words said."""
    assert result.returncode == USAGE, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    message = " ".join(result.stderr.split())
    assert message.startswith("Error: "), result.stderr
    for words in said:
        assert words in message, message
    return message


def test_master_without_the_spark_engine(edge_file: Path) -> None:
    result = sqo(edge_file, "funnel", "--master", "local[2]")
    refused(result, "--master is for the Spark engine only; add --engine spark")


def test_parquet_without_the_spark_engine(edge_file: Path, tmp_path: Path) -> None:
    result = sqo(edge_file, "stages", "--engine", "copy", "--parquet", str(tmp_path))
    refused(result, "--parquet is for the Spark engine only")


def test_unknown_engine(edge_file: Path) -> None:
    refused(sqo(edge_file, "coverage", "--engine", "hadoop"), "Unknown engine 'hadoop'")


def test_no_java(edge_file: Path, fixtures: dict[str, Fixture], tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    result = sqo(
        edge_file,
        "funnel",
        "--engine",
        "spark",
        "--parquet",
        str(fixtures["edge"].parquet),
        env={"PATH": str(empty), "JAVA_HOME": ""},
    )
    refused(result, "needs Java 17 or later", "choose another --engine")


def test_pyspark_not_installed(
    edge_file: Path, fixtures: dict[str, Fixture], tmp_path: Path
) -> None:
    # A pyspark that cannot be imported, ahead of the real one: what a machine without it meets.
    (tmp_path / "pyspark").mkdir()
    (tmp_path / "pyspark" / "__init__.py").write_text(
        "raise ImportError('No module named pyspark')\n"
    )
    result = sqo(
        edge_file,
        "funnel",
        "--engine",
        "spark",
        "--parquet",
        str(fixtures["edge"].parquet),
        path=[str(tmp_path)],
    )
    refused(result, "needs PySpark", "pip install 'sqo[spark]'")


def test_a_master_that_cannot_be_reached(edge_file: Path, fixtures: dict[str, Fixture]) -> None:
    # Port 9 (discard) on this machine: nothing listens, the connection is refused at once.
    result = sqo(
        edge_file,
        "stages",
        "--engine",
        "spark",
        "--master",
        "spark://127.0.0.1:9",
        "--parquet",
        str(fixtures["edge"].parquet),
    )
    refused(result, "The Spark master spark://127.0.0.1:9 cannot be reached")


def test_a_folder_that_is_not_an_export(edge_file: Path, tmp_path: Path) -> None:
    result = sqo(edge_file, "funnel", "--engine", "spark", "--parquet", str(tmp_path))
    refused(result, f"{tmp_path} is not an sqo export (it has no manifest.json)")


def test_an_export_of_another_schema_revision(
    edge_file: Path, fixtures: dict[str, Fixture], tmp_path: Path
) -> None:
    folder = tmp_path / "old"
    shutil.copytree(fixtures["edge"].parquet, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["schema_revision"] = "0001"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    result = sqo(edge_file, "pipeline-change", "--engine", "spark", "--parquet", str(folder))
    refused(result, "has schema revision 0001 and this sqo has", "export the workspace again")


def test_a_csv_export(edge_file: Path, tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    exported = sqo(edge_file, "export", str(folder))
    assert exported.returncode == 0, exported.stderr
    result = sqo(edge_file, "benchmarks", "--engine", "spark", "--parquet", str(folder))
    refused(result, "is csv, and Spark reads Parquet")


def test_an_export_of_a_workspace_with_another_currency(
    edge_file: Path, fixtures: dict[str, Fixture], tmp_path: Path
) -> None:
    folder = tmp_path / "sek"
    shutil.copytree(fixtures["edge"].parquet, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["settings"]["default_currency"] = "SEK"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    result = sqo(edge_file, "coverage", "--engine", "spark", "--parquet", str(folder))
    refused(result, "counts money in SEK and this workspace in USD")


@pytest.mark.spark
def test_spark_that_cannot_start_names_the_master(
    edge_file: Path, fixtures: dict[str, Fixture]
) -> None:
    result = sqo(
        edge_file,
        "funnel",
        "--engine",
        "spark",
        "--master",
        "nowhere://cluster",
        "--parquet",
        str(fixtures["edge"].parquet),
    )
    refused(result, "Spark could not start on the master nowhere://cluster")
