"""The `sqo` command: a thin shell over the services."""

from __future__ import annotations

import gc
import sys
from typing import Annotated

import typer
import typer.main
from typer._click.exceptions import (  # typer vendors click; its exceptions live here
    ClickException,
    NoArgsIsHelpError,
    UsageError,
)

from sqo import i18n
from sqo.cli import help_text, interrupt
from sqo.cli.context import CliState, SqoGroup
from sqo.cli.output import error_console
from sqo.cli.registry import LazyCommands


class RootGroup(LazyCommands, SqoGroup):
    """`sqo`: every command registered in ``sqo.cli.registry``, imported when it runs."""


app = typer.Typer(
    cls=RootGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="sqo: run your sales pipeline around Sales Qualified Opportunities.",
)


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="SQO_DATABASE_URL",
            help="Workspace: a SQLite file or a database URL (default: ./sqo.db).",
        ),
    ] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Language: en or sv.")] = None,
    actor: Annotated[
        str | None,
        typer.Option("--as", envvar="SQO_USER", help="Who is acting (kept in the history)."),
    ] = None,
) -> None:
    # Always set it, so one invocation's --lang never leaks into the next in the same process;
    # the environment is read once here, not again for each of a report's thousands of texts.
    i18n.set_language(lang if lang in i18n.SUPPORTED else i18n.environment_language())
    if lang is not None and lang not in i18n.SUPPORTED:
        raise typer.BadParameter(
            i18n._(
                "{lang!r} is not a language sqo speaks; choose one of {allowed}.",
                lang=lang,
                allowed=", ".join(i18n.SUPPORTED),
            ),
            param_hint="'--lang'",
        )
    ctx.obj = CliState(db=db, actor_name=actor)


def main() -> None:
    """The `sqo` entry point: one line and a documented exit code, whatever happens."""
    # Loading a command's modules allocates hundreds of thousands of objects and no garbage:
    # the cycle collector, run again and again meanwhile, costs a tenth of the start-up.
    # ``registry.load`` turns it back on once the command's modules are in.
    gc.disable()
    try:
        code = run(sys.argv[1:])
    except KeyboardInterrupt:
        code = interrupt.INTERRUPTED
    except Exception as exc:
        if interrupt.debugging():
            raise
        code = interrupt.unexpected(exc)
    sys.exit(interrupt.finish(code))


def _not_text(arguments: list[str]) -> int | None:
    """The position of the first argument that is not UTF-8 (Python keeps such bytes as lone
    surrogates, which no terminal or database can take back)."""
    for index, argument in enumerate(arguments, start=1):
        try:
            argument.encode("utf-8")
        except UnicodeEncodeError:
            return index
    return None


def run(arguments: list[str]) -> int:
    """Run one command line; choose the language first, so that help is translated too."""
    language = help_text.language_from_arguments(arguments)
    if language in i18n.SUPPORTED:
        i18n.set_language(language)
    position = _not_text(arguments)
    if position is not None:
        error_console.print(
            i18n._(
                "Error: argument {position} is not valid UTF-8 text; give names, values and "
                "paths as UTF-8.",
                position=position,
            ),
            markup=False,
        )
        return 2
    command = typer.main.get_command(app)
    help_text.translate(command)
    try:
        outcome = command.main(args=arguments, prog_name="sqo", standalone_mode=False)
    except NoArgsIsHelpError as exc:
        exc.show()  # a bare group shows its help
        return exc.exit_code
    except ClickException as exc:
        # Usage mistakes read like every other error: one plain sentence, then where to look.
        where = exc.ctx.command_path if isinstance(exc, UsageError) and exc.ctx else "sqo"
        message = exc.format_message().rstrip()
        if not message.endswith((".", "!", "?")):
            message += "."
        error_console.print(
            i18n._("Error: {message}", message=message)
            + " "
            + i18n._("See '{command} --help'.", command=where),
            markup=False,
        )
        return exc.exit_code
    except typer.Abort as exc:
        # Click turns a Ctrl-C inside a command into Abort.
        if isinstance(exc.__cause__, KeyboardInterrupt):
            return interrupt.INTERRUPTED
        return 1
    # Typer's word for a Ctrl-C inside the command is 130 too; main() says it.
    return outcome if isinstance(outcome, int) else 0
