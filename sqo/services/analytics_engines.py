"""Which engine answers an analytics command: ``--engine auto|database|copy|spark``.

- ``auto``: today's rule (``sqo.services.analytics_source``): the analytics copy (DuckDB) where
  it pays, else the workspace database.
- ``database``: the workspace database (SQLite or PostgreSQL), as ``SQO_ANALYTICS_COPY=off``.
- ``copy``: the analytics copy, never falling back, as ``SQO_ANALYTICS_COPY=required``.
- ``spark``: Apache Spark (``--master``, default ``local[*]``) over a warehouse folder in the
  layout of ``sqo export --format parquet``. ``--parquet DIR`` reads an existing one; without
  it the workspace is exported to a cache folder beside its analytics copy first, and that export
  is reused while the workspace is unchanged (see ``fingerprint``).

With ``--parquet`` the workspace still supplies the stage model and the corporate currency; an
export whose manifest names another stage model or currency is refused (its milestones or
amounts would be read against the wrong model), in one sentence saying what to do.

The choice is made for a block of code (``using``) and read where connections are opened, so
every analytics service runs unchanged on every engine.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from sqo.domain.actor import Actor
from sqo.domain.errors import ConfigurationError, InvalidValue
from sqo.i18n import _
from sqo.services.workspace import Workspace
from sqo.store import migrate
from sqo.store import tables as t
from sqo.store.analytics_copy_file import copy_path
from sqo.store.transactions import begin_consistent_read

ENGINES = ("auto", "database", "copy", "spark")
DEFAULT_MASTER = "local[*]"
FINGERPRINT = "sqo-spark-fingerprint.json"
# Small tables that change in place without a history row: their whole content is fingerprinted.
# Every other table is append-only or appends history when it changes: its count and highest id.
HASHED_TABLES = ("settings", "teams", "reps", "accounts", "campaigns", "quotas", "exchange_rates")


@dataclass(frozen=True)
class EngineChoice:
    engine: str = "auto"
    master: str = DEFAULT_MASTER
    parquet: Path | None = None


_chosen: ContextVar[EngineChoice | None] = ContextVar("sqo_analytics_engine", default=None)


def engine_choice(
    engine: str | None = None, master: str | None = None, parquet: str | Path | None = None
) -> EngineChoice:
    """The options of one command, checked: a known engine; --master and --parquet with spark."""
    name = (engine or "auto").strip().casefold()
    if name not in ENGINES:
        raise InvalidValue(
            _(
                "Unknown engine {engine!r}; use auto, database, copy or spark.",
                engine=engine,
            ),
            field="engine",
            allowed=ENGINES,
        )
    for option, value in (("--master", master), ("--parquet", parquet)):
        if value is not None and name != "spark":
            raise InvalidValue(
                _(
                    "{option} is for the Spark engine only; add --engine spark or leave "
                    "{option} out.",
                    option=option,
                ),
                field="engine",
            )
    return EngineChoice(
        name,
        (master or DEFAULT_MASTER).strip(),
        None if parquet is None else Path(parquet).expanduser().absolute(),
    )


@contextmanager
def using(choice: EngineChoice) -> Iterator[EngineChoice]:
    """Analytics services called inside this block read from the engine of ``choice``."""
    token = _chosen.set(choice)
    try:
        yield choice
    finally:
        _chosen.reset(token)


def chosen() -> EngineChoice:
    return _chosen.get() or EngineChoice()


def copy_mode_override() -> str | None:
    """The analytics copy's mode the chosen engine implies (None: the environment decides)."""
    engine = chosen().engine
    return {"database": "off", "copy": "required", "spark": "off"}.get(engine)


def spark_chosen() -> bool:
    return chosen().engine == "spark"


# --- Spark ------------------------------------------------------------------------------------


def spark_cache_folder(ws: Workspace) -> Path:
    """Where the workspace's export for Spark is kept: beside its analytics copy."""
    path = copy_path(ws.url)
    return path.with_name(path.stem + ".spark")


def spark_log(ws: Workspace) -> Path:
    """Where the Spark driver's own output goes (the terminal shows sqo's sentences only)."""
    folder = spark_cache_folder(ws)
    return folder.with_name(folder.name + "-driver.log")


def fingerprint(ws: Workspace) -> str:
    """What the workspace holds, in a few aggregate queries: the count and highest id of each
    table, the content of the small tables that change in place, and the schema revision."""
    digest = hashlib.sha256()
    with ws.engine.connect() as connection, begin_consistent_read(connection):
        for table in t.metadata.sorted_tables:
            if table.name in HASHED_TABLES:
                order = list(table.primary_key.columns)
                for row in connection.execute(select(table).order_by(*order)):
                    digest.update(repr(tuple(row)).encode())
                continue
            key = table.c.id if "id" in table.c else next(iter(table.primary_key.columns))
            count, highest = connection.execute(select(func.count(), func.max(key))).one()
            digest.update(f"{table.name}:{count}:{highest};".encode())
    digest.update(str(migrate.current_revision(ws.engine)).encode())
    return digest.hexdigest()


def export_for_spark(ws: Workspace) -> Path:
    """The workspace exported to its Spark cache folder, again only if it changed since."""
    from sqo.services.exports import export_workspace

    folder = spark_cache_folder(ws)
    now = fingerprint(ws)
    marker = folder / FINGERPRINT
    if marker.is_file() and marker.read_text(encoding="utf-8").strip() == now:
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    export_workspace(ws, Actor("sqo-spark"), folder, fmt="parquet", force=True)
    marker.write_text(now + "\n", encoding="utf-8")
    return folder


def _spark_problem(problem: Any) -> ConfigurationError:
    if problem.kind == "no-pyspark":
        message = _(
            "The Spark engine needs PySpark, which is not installed; install it with "
            "pip install 'sqo[spark]' or choose another --engine."
        )
    elif problem.kind == "no-java":
        message = _(
            "The Spark engine needs Java 17 or later, and there is none here (JAVA_HOME is not "
            "set and java is not on PATH); install a Java runtime or choose another --engine."
        )
    elif problem.kind == "unreachable":
        message = _(
            "The Spark master {master} cannot be reached; check the address and that the "
            "master is running, or use --master local[*].",
            master=problem.master,
        )
    else:
        message = _(
            "Spark could not start on the master {master} ({problem}); check --master or use "
            "--master local[*].",
            master=problem.master,
            problem=problem.detail,
        )
    return ConfigurationError(message, field="master")


def _warehouse_problem(problem: Any) -> InvalidValue:
    folder, detail = str(problem.folder), problem.detail
    messages = {
        "missing": lambda: _("The folder {folder} does not exist.", folder=folder),
        "no-manifest": lambda: _(
            "{folder} is not an sqo export (it has no manifest.json); point --parquet at a "
            "folder written by sqo export --format parquet.",
            folder=folder,
        ),
        "bad-manifest": lambda: _(
            "{folder} is not an sqo export: its manifest.json cannot be read ({problem}); "
            "export the workspace again with sqo export --format parquet.",
            folder=folder,
            problem=detail.get("problem", ""),
        ),
        "revision": lambda: _(
            "The export in {folder} has schema revision {found} and this sqo has {expected}; "
            "export the workspace again with this sqo, or read it with the sqo that wrote it.",
            folder=folder,
            found=detail.get("found"),
            expected=detail.get("expected"),
        ),
        "not-parquet": lambda: _(
            "The export in {folder} is {fmt}, and Spark reads Parquet; export the workspace "
            "with sqo export --format parquet.",
            folder=folder,
            fmt=detail.get("fmt"),
        ),
        "no-table": lambda: _(
            "The export in {folder} has no Parquet rows for the table {table}; export the "
            "workspace again with sqo export --format parquet.",
            folder=folder,
            table=detail.get("table"),
        ),
    }
    return InvalidValue(messages[problem.kind](), field="parquet")


def _check_agrees(ws: Workspace, settings: dict[str, Any], folder: Path) -> None:
    theirs = settings.get("stage_model") or {}
    ours = ws.settings.get("stage_model") or {}
    if json.dumps(theirs, sort_keys=True) != json.dumps(ours, sort_keys=True):
        raise InvalidValue(
            _(
                "The export in {folder} was written with another stage model ({theirs}) than "
                "this workspace's ({ours}); give --parquet an export of this workspace, or open "
                "the workspace it came from with --db.",
                folder=str(folder),
                theirs=theirs.get("name") if isinstance(theirs, dict) else theirs,
                ours=ws.stage_model.name,
            ),
            field="parquet",
        )
    currency = settings.get("default_currency")
    if currency is not None and currency != ws.default_currency:
        raise InvalidValue(
            _(
                "The export in {folder} counts money in {theirs} and this workspace in {ours}; "
                "give --parquet an export of this workspace, or open the workspace it came "
                "from with --db.",
                folder=str(folder),
                theirs=currency,
                ours=ws.default_currency,
            ),
            field="parquet",
        )


@contextmanager
def spark_connection(ws: Workspace) -> Iterator[Connection]:
    """A connection on the process's Spark session, the warehouse's tables as its views."""
    from sqo.store.spark.session import SparkProblem, spark_session
    from sqo.store.spark.warehouse import NotAWarehouse, open_warehouse, spark_engine

    choice = chosen()
    try:
        warehouse = open_warehouse(choice.parquet or export_for_spark(ws), migrate.HEAD)
    except NotAWarehouse as problem:
        raise _warehouse_problem(problem) from problem
    _check_agrees(ws, warehouse.settings, warehouse.folder)
    try:
        session = spark_session(choice.master, spark_log(ws))
    except SparkProblem as problem:
        raise _spark_problem(problem) from problem
    import sqo.analytics.spark_sql  # noqa: F401  (the Spark rules of the SQL building blocks)
    from sqo.store.spark.warehouse import register_views

    engine = spark_engine(session)
    register_views(session, warehouse, engine)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def spark_started_seconds() -> float | None:
    """How long this process's Spark session took to start (None if it has not)."""
    from sqo.store.spark.session import started_seconds

    return started_seconds()
