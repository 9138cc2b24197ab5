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

import yaml

from sqo.analytics.benchmarks import Benchmarks, load_benchmarks, parse_benchmarks
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
    if stored:
        return parse_benchmarks(stored, source=_("workspace setting 'benchmarks'"))
    return load_benchmarks()


def save_benchmarks(ws: Workspace, actor: Actor, path: Path) -> BenchmarksInUse:
    """Make a benchmarks YAML file the workspace's benchmarks; a file that is not valid
    benchmarks is refused and nothing is stored."""
    data = _read(path)
    try:
        config = parse_benchmarks(data, source=str(path))
    except ConfigurationError as exc:
        problem = " ".join(exc.message.split()).rstrip(". ")
        raise ConfigurationError(_("{problem}; nothing was saved.", problem=problem)) from exc
    file = str(path.expanduser().resolve())
    with ws.unit_of_work() as uow:
        uow.settings.put(SETTING, data)
        uow.settings.put(SETTING_FILE, file)
        uow.audit.add(
            audit_entry(
                AuditAction.BENCHMARKS_SET, actor, utc_now(), benchmarks=config.name, file=file
            )
        )
        uow.commit()
    return BenchmarksInUse(config.name, file)


def _read(path: Path) -> object:
    """The file's YAML, or one sentence saying why it cannot be read."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        problem = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigurationError(
            _(
                "Cannot read the benchmarks {file}: {problem}; nothing was saved.",
                file=str(path),
                problem=problem,
            )
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigurationError(
            _(
                "The benchmarks {file} are not valid YAML ({problem}, line {line}); nothing "
                "was saved.",
                file=str(path),
                problem=getattr(exc, "problem", None) or _("unreadable"),
                line=mark.line + 1 if mark is not None else 1,
            )
        ) from exc


def use_shipped_benchmarks(ws: Workspace, actor: Actor) -> BenchmarksInUse:
    """Go back to the shipped benchmarks (the workspace's own are forgotten)."""
    config = load_benchmarks()
    with ws.unit_of_work() as uow:
        uow.settings.put(SETTING, None)
        uow.settings.put(SETTING_FILE, None)
        uow.audit.add(
            audit_entry(
                AuditAction.BENCHMARKS_SET, actor, utc_now(), benchmarks=config.name, file=None
            )
        )
        uow.commit()
    return BenchmarksInUse(config.name, None)


def benchmarks_in_use(ws: Workspace, actor: Actor) -> BenchmarksInUse:
    """The benchmarks the workspace's reports compare with now."""
    config = benchmarks_config(ws)
    with ws.unit_of_work() as uow:
        file = uow.settings.get(SETTING_FILE) if uow.settings.get(SETTING) else None
    return BenchmarksInUse(config.name, file)
