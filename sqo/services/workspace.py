"""Creating and opening a workspace: one database holding records, history and configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, inspect
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from sqo.domain.actor import Actor
from sqo.domain.audit import AuditAction, audit_entry
from sqo.domain.errors import WorkspaceError
from sqo.domain.stages import StageModel, load_stage_model, parse_stage_model
from sqo.domain.values import parse_currency, utc_now
from sqo.i18n import _
from sqo.store import migrate
from sqo.store.database import make_engine, resolve_url, sqlite_path
from sqo.store.indexes import rebuild_missing_indexes
from sqo.store.unit_of_work import UnitOfWork, UnitOfWorkFactory


@dataclass
class Workspace:
    """An open workspace: its engine and its configuration, read once when opened.

    Services open their transactions with :meth:`unit_of_work`; ``uow_factory`` lets a caller
    (a test) choose the unit of work they get."""

    url: str
    engine: Engine
    stage_model: StageModel
    default_currency: str
    settings: dict[str, Any] = field(default_factory=dict)
    uow_factory: UnitOfWorkFactory = UnitOfWork

    def unit_of_work(self) -> UnitOfWork:
        return self.uow_factory(self.engine)

    def close(self) -> None:
        self.engine.dispose()


def _describe(url: str) -> str:
    path = sqlite_path(url)
    return str(path) if path else url.split("@")[-1]


def _has_schema(engine: Engine) -> bool:
    try:
        return inspect(engine).has_table("settings")
    except OperationalError as exc:
        raise WorkspaceError(
            _(
                "Cannot open the database {db}: {problem}",
                db=_describe(str(engine.url)),
                # psycopg adds a hint on a second line; the first says what failed
                problem=str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else exc,
            )
        ) from exc


def init_workspace(
    db: str | None,
    actor: Actor,
    *,
    stage_file: Path | None = None,
    currency: str = "USD",
) -> Workspace:
    """Create the schema and store the stage model and defaults. Refuses an existing workspace."""
    url = resolve_url(db)
    model = load_stage_model(stage_file)
    default_currency = parse_currency(currency, field="currency")
    path = sqlite_path(url)
    if path is not None and not path.parent.exists():
        raise WorkspaceError(_("The folder {folder} does not exist.", folder=str(path.parent)))
    engine = make_engine(url)
    if _has_schema(engine):
        engine.dispose()
        raise WorkspaceError(
            _("{db} is already an sqo workspace; nothing was changed.", db=_describe(url))
        )
    try:
        migrate.upgrade(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise WorkspaceError(
            _("Cannot create the workspace in {db}: {problem}", db=_describe(url), problem=exc)
        ) from exc
    with UnitOfWork(engine) as uow:
        uow.settings.put("stage_model", model.model_dump(mode="json"))
        uow.settings.put("default_currency", default_currency)
        uow.audit.add(
            audit_entry(
                AuditAction.WORKSPACE_CREATED,
                actor,
                utc_now(),
                stage_model=model.name,
                currency=default_currency,
            )
        )
        uow.commit()
    engine.dispose()
    return open_workspace(db)


def open_workspace(db: str | None = None) -> Workspace:
    url = resolve_url(db)
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise WorkspaceError(
            _(
                "No sqo workspace at {db}. Create one with 'sqo init', or build the demo with "
                "'sqo demo'.",
                db=str(path),
            )
        )
    engine = make_engine(url)
    if not _has_schema(engine):
        engine.dispose()
        raise WorkspaceError(
            _("{db} is not an sqo workspace. Create one with 'sqo init'.", db=_describe(url))
        )
    current = migrate.current_revision(engine)
    if current != migrate.HEAD:
        migrate.upgrade(engine)  # schema upgrades are additive and transactional
    rebuild_missing_indexes(engine)  # lost by an interrupted import of an older sqo
    with UnitOfWork(engine) as uow:
        stage_data = uow.settings.get("stage_model")
        currency = uow.settings.get("default_currency", "USD")
        settings = {"stage_model": stage_data, "default_currency": currency}
    model = parse_stage_model(stage_data, source=_describe(url))
    return Workspace(
        url=url, engine=engine, stage_model=model, default_currency=currency, settings=settings
    )
