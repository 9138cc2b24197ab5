"""The one SparkSession of a process: started on first use, with the settings analytics need.

Timestamps are UTC without a zone everywhere in sqo, so the session reads and writes them as
``TIMESTAMP_NTZ`` (no conversion through the driver's or the executors' local time zone).
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_MASTER = "local[*]"
LOCAL_SHUFFLE_PARTITIONS = 2  # sqo's result sets are small: 200 partitions is pure overhead
LOG_CONFIG = Path(__file__).with_name("log4j2.properties").as_uri()
CONNECT_TIMEOUT = 3.0  # seconds to reach a standalone master before saying it cannot be reached


class SparkProblem(Exception):
    """Spark cannot start here; ``kind`` says why (the services phrase the sentence)."""

    def __init__(self, kind: str, master: str, detail: str = "") -> None:
        super().__init__(kind, master, detail)
        self.kind = kind
        self.master = master
        self.detail = detail


@dataclass
class _Started:
    session: SparkSession
    master: str
    seconds: float


_lock = threading.Lock()
_current: _Started | None = None


def java_found() -> bool:
    """A Java runtime PySpark can launch: JAVA_HOME's ``bin/java``, else ``java`` on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home:
        return os.access(os.path.join(home, "bin", "java"), os.X_OK)
    return shutil.which("java") is not None


def pyspark_found() -> bool:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return True


def check_master(master: str) -> None:
    """A standalone master (spark://host:port) must accept a TCP connection within a few
    seconds; otherwise Spark would retry for minutes before failing."""
    if not master.startswith("spark://"):
        return
    for part in master[len("spark://") :].split(","):  # a list of masters (standby HA)
        where = urlsplit("spark://" + part)
        try:
            with socket.create_connection(
                (where.hostname or "", where.port or 7077), CONNECT_TIMEOUT
            ):
                return
        except (OSError, ValueError):
            continue
    raise SparkProblem("unreachable", master)


def started_seconds() -> float | None:
    """How long this process's session took to start (None before it has)."""
    return None if _current is None else _current.seconds


def spark_session(master: str = DEFAULT_MASTER, log: Path | None = None) -> SparkSession:
    """The process's session on ``master``, started once (a different master stops it first).
    The driver JVM's own output (its warnings, a failed start's stack trace) goes to ``log``, so
    the terminal shows sqo's sentences only."""
    global _current
    with _lock:
        if _current is not None and _current.master == master:
            return _current.session
        if not pyspark_found():
            raise SparkProblem("no-pyspark", master)
        if not java_found():
            raise SparkProblem("no-java", master)
        check_master(master)
        if _current is not None:
            _current.session.stop()
            _current = None
        began = time.perf_counter()
        session = _start(master, log)
        _current = _Started(session, master, time.perf_counter() - began)
        return session


def extra_settings() -> dict[str, str]:
    """``SQO_SPARK_CONF``: more Spark settings for a cluster (``key=value;key=value``, e.g.
    ``spark.executor.memory=8g``), applied after sqo's own."""
    pairs = (item.split("=", 1) for item in os.environ.get("SQO_SPARK_CONF", "").split(";"))
    return {p[0].strip(): p[1].strip() for p in pairs if len(p) == 2 and p[0].strip()}


def _start(master: str, log: Path | None) -> SparkSession:
    if log is None:
        return _build(master)
    log.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    with log.open("ab") as handle:
        start = handle.tell()
        os.dup2(handle.fileno(), 2)  # the JVM inherits this stderr for its whole life
        try:
            return _build(master)
        except SparkProblem as problem:
            problem.detail = _java_problem(log, start) or problem.detail
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _java_problem(log: Path, start: int) -> str | None:
    """The first line of the JVM's exception in what it wrote since ``start``."""
    with log.open("rb") as handle:
        handle.seek(start)
        text = handle.read().decode("utf-8", "replace")
    for line in text.splitlines():
        if "Exception" in line and ":" in line:
            return line.split(": ", 1)[-1].strip() if ": " in line else line.strip()
    return None


def _build(master: str) -> SparkSession:
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(master)
        .appName("sqo")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.timestampType", "TIMESTAMP_NTZ")
        .config("spark.sql.parquet.inferTimestampNTZ.enabled", "true")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={LOG_CONFIG}")
    )
    if master.startswith("local"):
        builder = builder.config("spark.sql.shuffle.partitions", str(LOCAL_SHUFFLE_PARTITIONS))
    for key, value in extra_settings().items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # the JVM's many ways to fail: say which master, not a traceback
        raise SparkProblem("start-failed", master, _first_line(exc)) from exc
    session.sparkContext.setLogLevel("ERROR")
    return session


def stop() -> None:
    global _current
    with _lock:
        if _current is not None:
            _current.session.stop()
            _current = None


def _first_line(problem: object) -> str:
    lines = str(problem).strip().splitlines()
    return lines[0] if lines else type(problem).__name__
