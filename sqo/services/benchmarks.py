"""Which benchmarks a workspace compares its funnel with: its own, saved from a file, or the
shipped defaults (``sqo/defaults/benchmarks.yaml``).

The workspace's own are stored in the setting ``benchmarks`` (the file's content, validated when
saved and again when read) and read at each report, so every face and every long-running process
sees a change at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqo.analytics.benchmarks import (
    Benchmarks,
    load_benchmarks,
    parse_benchmarks,
    read_benchmarks_file,
)
from sqo.domain.actor import Actor
from sqo.domain.audit import AuditAction, audit_entry
from sqo.domain.errors import ConfigurationError
from sqo.domain.values import utc_now
from sqo.i18n import _
from sqo.services.workspace import Workspace

SETTING = "benchmarks"
SETTING_FILE = "benchmarks_file"  # where the stored benchmarks were saved from


@dataclass(frozen=True)
class BenchmarksInUse:
    """The benchmarks a workspace's reports use: their name, and the file they were saved
    from (None: the shipped defaults)."""

    name: str
    file: str | None

    @property
    def shipped(self) -> bool:
        return self.file is None

    def to_dict(self) -> dict[str, Any]:
        return {"benchmarks": self.name, "file": self.file, "shipped": self.shipped}


def benchmarks_config(ws: Workspace, path: Path | None = None) -> Benchmarks:
    """A file given for this report, else the workspace's own (setting 'benchmarks'), else the
    shipped defaults."""
    if path is not None:
        return load_benchmarks(path)
    with ws.unit_of_work() as uow:
        stored = uow.settings.get(SETTING)
    return _stored(stored) if stored else load_benchmarks()


def _stored(data: object) -> Benchmarks:
    return parse_benchmarks(data, source=_("workspace setting 'benchmarks'"))


def save_benchmarks(ws: Workspace, actor: Actor, path: Path) -> BenchmarksInUse:
    """Make a benchmarks YAML file the workspace's benchmarks; a file that is not valid
    benchmarks is refused and nothing is stored."""
    try:
        data = read_benchmarks_file(path)
        config = parse_benchmarks(data, source=str(path))
    except ConfigurationError as exc:
        problem = " ".join(exc.message.split()).rstrip(". ")
        raise ConfigurationError(_("{problem}; nothing was saved.", problem=problem)) from exc
    return _keep(ws, actor, data, BenchmarksInUse(config.name, str(path.expanduser().resolve())))


def use_shipped_benchmarks(ws: Workspace, actor: Actor) -> BenchmarksInUse:
    """Go back to the shipped benchmarks (the workspace's own are forgotten)."""
    return _keep(ws, actor, None, BenchmarksInUse(load_benchmarks().name, None))


def _keep(ws: Workspace, actor: Actor, data: object, chosen: BenchmarksInUse) -> BenchmarksInUse:
    with ws.unit_of_work() as uow:
        uow.settings.put(SETTING, data)
        uow.settings.put(SETTING_FILE, chosen.file)
        uow.audit.add(
            audit_entry(
                AuditAction.BENCHMARKS_SET,
                actor,
                utc_now(),
                benchmarks=chosen.name,
                file=chosen.file,
            )
        )
        uow.commit()
    return chosen


def benchmarks_in_use(ws: Workspace, actor: Actor) -> BenchmarksInUse:
    """The benchmarks the workspace's reports compare with now."""
    with ws.unit_of_work() as uow:
        stored, file = uow.settings.get(SETTING), uow.settings.get(SETTING_FILE)
    if stored:
        return BenchmarksInUse(_stored(stored).name, file)
    return BenchmarksInUse(load_benchmarks().name, None)
