"""What every command shares: which workspace, who is acting, and how errors are shown."""

from __future__ import annotations

import getpass
import os
import sys
from dataclasses import dataclass, field
from datetime import datetime
from decimal import InvalidOperation
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

from sqo.cli.output import error_console
from sqo.domain.actor import Actor
from sqo.domain.errors import ErrorCode, SqoError
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


def as_of_option(value: str | None) -> datetime | None:
    """What every ``--as-of`` means: the services' one rule (``sqo.services.periods``)."""
    from sqo.services.periods import as_of_moment  # imported when a command runs, not at --help

    return as_of_moment(value)


# The exit code of each kind of error a user can meet: the command line's own mapping (a route
# maps the same codes to HTTP statuses). The README's table of exit codes documents these.
USAGE = 2
EXIT_CODES: dict[ErrorCode, int] = {
    ErrorCode.INVALID_VALUE: USAGE,
    ErrorCode.UNKNOWN_REFERENCE: USAGE,
    ErrorCode.FORBIDDEN_MOVE: USAGE,
    ErrorCode.CONFIGURATION: USAGE,
    ErrorCode.NOT_FOUND: 3,
    ErrorCode.VERSION_CONFLICT: 4,
    ErrorCode.GATE_REFUSED: 5,
    ErrorCode.WORKSPACE: 6,
    ErrorCode.IMPORT_FAILED: 8,
}
DATABASE_REFUSED = 7


def exit_code_for(error: SqoError) -> int:
    """The exit code for ``error``, by its code."""
    return EXIT_CODES.get(error.code, USAGE)


class SqoGroup(TyperGroup):
    """Turns every error a user can meet into one plain sentence and a distinct exit code."""

    def invoke(self, ctx: Any) -> Any:  # typer vendors its own click Context
        try:
            return super().invoke(ctx)
        except SqoError as exc:
            error_console.print(_("Error: {message}", message=exc.message), markup=False)
            raise typer.Exit(exit_code_for(exc)) from exc
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
            raise typer.Exit(USAGE) from exc
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
            raise typer.Exit(USAGE) from exc
        except Exception as exc:
            if "sqlalchemy" not in sys.modules:  # no database was used: not a refusal of one
                raise
            from sqo.services.database_errors import database_refusal

            workspace = ctx.obj._workspace if isinstance(ctx.obj, CliState) else None
            refusal = database_refusal(exc, workspace)
            if refusal is None:
                raise
            if refusal.read_only_folder is not None:
                error_console.print(
                    _(
                        "Error: the folder {folder} is read-only, so sqo can read this workspace "
                        "but not change it; nothing was changed. Copy the workspace to a folder "
                        "you can write to.",
                        folder=refusal.read_only_folder,
                    ),
                    markup=False,
                )
                raise typer.Exit(DATABASE_REFUSED) from exc
            error_console.print(
                _(
                    "Error: the database refused the operation ({problem}); nothing was changed.",
                    problem=refusal.problem,
                ),
                markup=False,
            )
            raise typer.Exit(DATABASE_REFUSED) from exc
        finally:
            if isinstance(ctx.obj, CliState):
                ctx.obj.close()


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def given(**values: Any) -> dict[str, Any]:
    """The options the user actually gave (Typer passes ``None`` for the others)."""
    return {key: value for key, value in values.items() if value is not None}
