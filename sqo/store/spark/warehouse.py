"""Where Spark reads: a warehouse folder in the layout of ``sqo export --format parquet``.

The layout: ``manifest.json`` (format ``sqo-export``, ``schema_revision``, ``settings`` and a
``tables`` entry per table) and, per sqo table, its rows as Parquet, either one file (the
manifest's ``file``, ``history.parquet``) or a folder of Parquet files named as the table
(``history/part-*.parquet``, as Spark or another engine writes them). Each table becomes a
temporary view under its sqo name; so do the views sqo derives from them (``DERIVED_VIEWS``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, Table, create_engine
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.selectable import Select

from sqo.store import intervals
from sqo.store import tables as t
from sqo.store.kinds import column_kind
from sqo.store.spark import dbapi
from sqo.store.spark.dialect import NAME

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

MANIFEST = "manifest.json"


class NotAWarehouse(Exception):
    """The folder cannot be read as a warehouse; ``kind`` and ``detail`` say why."""

    def __init__(self, kind: str, folder: Path, **detail: Any) -> None:
        super().__init__(kind, str(folder), detail)
        self.kind = kind
        self.folder = folder
        self.detail = detail


@dataclass(frozen=True)
class Warehouse:
    folder: Path
    manifest: dict[str, Any]
    files: dict[str, Path]  # sqo table name -> its Parquet file or folder

    @property
    def settings(self) -> dict[str, Any]:
        settings = self.manifest.get("settings")
        return settings if isinstance(settings, dict) else {}


def open_warehouse(folder: Path, schema_revision: str | None) -> Warehouse:
    """The warehouse in ``folder``, checked: an sqo export in Parquet, of ``schema_revision``,
    with every table's rows present."""
    if not folder.is_dir():
        raise NotAWarehouse("missing", folder)
    path = folder / MANIFEST
    if not path.is_file():
        raise NotAWarehouse("no-manifest", folder)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotAWarehouse("bad-manifest", folder, problem=str(exc).splitlines()[0]) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != "sqo-export":
        raise NotAWarehouse("bad-manifest", folder, problem="format is not sqo-export")
    if manifest.get("schema_revision") != schema_revision:
        raise NotAWarehouse(
            "revision",
            folder,
            found=str(manifest.get("schema_revision")),
            expected=str(schema_revision),
        )
    if manifest.get("file_format") != "parquet":
        raise NotAWarehouse("not-parquet", folder, fmt=str(manifest.get("file_format")))
    entries = manifest.get("tables")
    entries = entries if isinstance(entries, dict) else {}
    files: dict[str, Path] = {}
    for table in t.metadata.sorted_tables:
        entry = entries.get(table.name)
        named = folder / str(entry.get("file")) if isinstance(entry, dict) else None
        found = next(
            (p for p in (named, folder / table.name) if p is not None and p.exists()), None
        )
        if found is None:
            raise NotAWarehouse("no-table", folder, table=table.name)
        files[table.name] = found
    return Warehouse(folder, manifest, files)


def _history_intervals() -> tuple[str, Select[Any]] | None:
    return intervals.NAME, intervals.intervals_select(t.history)


# Views sqo derives from the tables, registered after them, each a function giving (name, its
# query) or None: adding one is one line here.
DERIVED_VIEWS: list[Callable[[], tuple[str, Select[Any]] | None]] = [_history_intervals]


_registered: tuple[str, str, int] | None = None


def spark_schema(table: Table) -> Any:
    """The table's Spark schema, as the export writes it (``sqo.io.export.arrow_schema``).
    Why given, not inferred: inferring reads every file's footer in a Spark job, per table."""
    from pyspark.sql import types as st

    spark_types = {
        "text": st.StringType(),
        "int": st.LongType(),
        "float": st.DoubleType(),
        "bool": st.BooleanType(),
        "date": st.DateType(),
        "datetime": st.TimestampNTZType(),
        "json": st.StringType(),
    }
    return st.StructType(
        [st.StructField(c.name, spark_types[column_kind(c)], True) for c in table.columns]
    )


def register_views(session: SparkSession, warehouse: Warehouse, engine: Engine) -> None:
    """Every table of the warehouse as a temporary view under its sqo name (replacing the views
    of an earlier warehouse), then the derived views. The views of the warehouse registered
    last are kept while its manifest is unchanged (each registration costs a second or two)."""
    global _registered
    key = (
        session.sparkContext.applicationId,
        str(warehouse.folder),
        (warehouse.folder / MANIFEST).stat().st_mtime_ns,
    )
    if key == _registered:
        return
    _registered = None
    for name, path in warehouse.files.items():
        reader = session.read.schema(spark_schema(t.metadata.tables[name]))
        reader.parquet(str(path)).createOrReplaceTempView(name)
    for derived in DERIVED_VIEWS:
        view = derived()
        if view is None:
            continue
        name, query = view
        sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
        session.sql(f"CREATE OR REPLACE TEMPORARY VIEW `{name}` AS {sql}")
        # Kept once computed (spilling to disk if large): every query of a command, and every
        # command of the session, would otherwise replay history into intervals again.
        session.sql(f"CACHE LAZY TABLE `{name}`")
    _registered = key


def spark_engine(session: SparkSession) -> Engine:
    """A SQLAlchemy engine whose connections run on ``session``."""
    return create_engine(f"{NAME}://", creator=lambda: dbapi.connect(session), poolclass=StaticPool)
