"""What every command shares: which workspace, who is acting, and how errors are shown."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

import typer
from sqlalchemy.exc import OperationalError
from typer.core import TyperGroup

from sqo.cli.output import error_console
from sqo.domain.actor import Actor
from sqo.domain.errors import SqoError
from sqo.domain.values import parse_date, parse_timestamp, utc_now
from sqo.i18n import _
from sqo.services.workspace import Workspace, open_workspace


@dataclass
class CliState:
    db: str | None = None
    actor_name: str | None = None
    _workspace: Workspace | None = field(default=None, repr=False)

    def workspace(self) -> Workspace:
        if self._workspace is None:
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
        except OperationalError as exc:
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


def given(**values: Any) -> dict[str, Any]:
    """The options the user actually gave (Typer passes ``None`` for the others)."""
    return {key: value for key, value in values.items() if value is not None}
