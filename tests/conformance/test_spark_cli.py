"""`--engine spark` through the real command line, and the export it keeps for Spark."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sqo.domain.actor import Actor
from sqo.services import analytics_engines, opportunities
from sqo.services.workspace import open_workspace
from tests.conformance.figures import differences
from tests.conformance.test_spark_refusals import sqo
from tests.integration.analytics.helpers import WHY


@pytest.mark.spark
def test_the_funnel_on_spark_from_the_command_line_is_the_databases(
    edge_file: Path, tmp_path: Path
) -> None:
    """Without --parquet the workspace is exported for Spark first; the JSON is the same."""
    db = tmp_path / "edge.db"
    shutil.copyfile(edge_file, db)
    args = ("funnel", "--by", "segment,week", "--as-of", "2026-03-31", "--json")
    database = sqo(db, *args, "--engine", "database")
    spark = sqo(db, *args, "--engine", "spark", "--master", "local[1]")
    assert database.returncode == 0, database.stderr
    assert spark.returncode == 0, spark.stderr
    assert "Traceback" not in spark.stderr and "WARNING" not in spark.stderr, spark.stderr
    assert differences(json.loads(database.stdout), json.loads(spark.stdout)) == []
    ws = open_workspace(str(db))
    try:
        assert (analytics_engines.spark_cache_folder(ws) / "manifest.json").is_file()
    finally:
        ws.close()


def test_the_export_for_spark_is_reused_while_the_workspace_is_unchanged(
    edge_file: Path, tmp_path: Path
) -> None:
    db = tmp_path / "edge.db"
    shutil.copyfile(edge_file, db)
    ws = open_workspace(str(db))
    try:
        folder = analytics_engines.export_for_spark(ws)
        written = (folder / "manifest.json").stat().st_mtime_ns
        assert analytics_engines.export_for_spark(ws) == folder
        assert (folder / "manifest.json").stat().st_mtime_ns == written
        opportunities.update_opportunity(ws, Actor("tester"), 3, amount="999", justification=WHY)
        analytics_engines.export_for_spark(ws)
        assert (folder / "manifest.json").stat().st_mtime_ns != written
    finally:
        ws.close()
