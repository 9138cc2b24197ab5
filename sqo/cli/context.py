"""What every command shares: which workspace, who is acting, and how errors are shown."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import InvalidOperation
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

from sqo.cli.output import error_console
from sqo.domain.actor import Actor
from sqo.domain.errors import SqoError
from sqo.domain.values import parse_date, parse_timestamp, utc_now
from sqo.i18n import _

if TYPE_CHECKING:  # the services pull in SQLAlchemy: imported when a workspace is opened
    from sqo.services.workspace import Workspace


@dataclass
class CliState:
    db: str | None = None
    actor_name: str | None = None
    _workspace: Workspace | None = field(default=None, repr=False)

    def workspace(self) -> Workspace:
        if self._workspace is None:
            from sqo.services.workspace import open_workspace

            self._workspace = open_workspace(self.db)
        return self._workspace

    def actor(self) -> Actor:
        name = self.actor_name or os.environ.get("SQO_USER") or _default_user()
        return Actor(name=name)

    def close(self) -> None:
        if self._workspace is not None:
            self._workspace.close()
            self._workspace = None


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return "cli"


def state(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj


def as_of_option(value: str | None) -> Any:
    """What every ``--as-of`` means: ``now``, a time (UTC), or a bare date meaning the end of
    that day, so that "as of 2026-06-30" includes what happened on the 30th in every command."""
    if not value:
        return None
    text = value.strip()
    if text.lower() == "now":
        return utc_now()
    if len(text) == 10:
        return datetime.combine(parse_date(text, field="as-of"), time.max)
    return parse_timestamp(text, field="as-of")


class SqoGroup(TyperGroup):
    """Turns every error a user can meet into one plain sentence and a distinct exit code."""

    def invoke(self, ctx: Any) -> Any:  # typer vendors its own click Context
        try:
            return super().invoke(ctx)
        except SqoError as exc:
            error_console.print(_("Error: {message}", message=exc.message), markup=False)
            raise typer.Exit(exc.exit_code) from exc
        except (OverflowError, InvalidOperation) as exc:
            # A number past what the database stores or a Decimal can round (an id or an
            # amount of 20 digits, 1e308).
            error_console.print(
                _(
                    "Error: a number given is too large to store (at most 18 digits); "
                    "nothing was changed."
                ),
                markup=False,
            )
            raise typer.Exit(2) from exc
        except OSError as exc:
            # A path the system refuses (too long, not allowed, a device): the user's to fix.
            where = exc.filename if isinstance(exc.filename, str) else None
            error_console.print(
                _(
                    "Error: cannot use {path}: {problem}; nothing was changed.",
                    path=_shorten(where) if where else _("a file"),
                    problem=exc.strerror or str(exc),
                ),
                markup=False,
            )
            raise typer.Exit(2) from exc
        except Exception as exc:
            from sqlalchemy.exc import OperationalError  # loaded by then if a database was used

            if not isinstance(exc, OperationalError):
                raise
            folder = _read_only_folder(ctx.obj) if "readonly" in str(exc.orig) else None
            if folder is not None:
                error_console.print(
                    _(
                        "Error: the folder {folder} is read-only, so sqo can read this workspace "
                        "but not change it; nothing was changed. Copy the workspace to a folder "
                        "you can write to.",
                        folder=folder,
                    ),
                    markup=False,
                )
                raise typer.Exit(7) from exc
            error_console.print(
                _(
                    "Error: the database refused the operation ({problem}); nothing was changed.",
                    problem=str(exc.orig).strip(),
                ),
                markup=False,
            )
            raise typer.Exit(7) from exc
        finally:
            if isinstance(ctx.obj, CliState):
                ctx.obj.close()


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _read_only_folder(obj: Any) -> str | None:
    from sqo.store.database import read_only_folder, sqlite_path

    workspace = obj._workspace if isinstance(obj, CliState) else None
    path = sqlite_path(workspace.url) if workspace is not None else None
    return str(path.parent) if path is not None and read_only_folder(path) else None


def given(**values: Any) -> dict[str, Any]:
    """The options the user actually gave (Typer passes ``None`` for the others)."""
    return {key: value for key, value in values.items() if value is not None}
