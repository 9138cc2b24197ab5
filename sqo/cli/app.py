"""The `sqo` command: a thin shell over the services."""

from __future__ import annotations

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
from sqo.cli import (
    analytics,
    demo,
    directory,
    exports,
    help_text,
    leads,
    opportunities,
    qualification,
    records,
    workspace,
)
from sqo.cli import imports as import_commands
from sqo.cli.context import CliState, SqoGroup
from sqo.cli.output import error_console

app = typer.Typer(
    cls=SqoGroup,
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
    # Always set it, so one invocation's --lang never leaks into the next in the same process.
    i18n.set_language(lang if lang in i18n.SUPPORTED else None)
    ctx.obj = CliState(db=db, actor_name=actor)


app.command("init")(workspace.init_command)
app.command("pipeline")(workspace.pipeline_command)
app.command("demo")(demo.demo_command)
app.command("move")(opportunities.move_command)
app.command("convert")(leads.convert_command)
app.command("log")(records.log_command)
app.command("history")(records.history_command)
app.command("funnel")(analytics.funnel_command)
app.command("benchmarks")(analytics.benchmarks_command)
app.command("coverage")(analytics.coverage_command)
app.command("pipeline-change")(analytics.pipeline_change_command)
app.command("stages")(analytics.stages_command)
app.command("refresh-analytics")(analytics.refresh_analytics_command)
app.add_typer(opportunities.app, name="opp", help="Create, list, show and edit opportunities.")
app.add_typer(leads.app, name="lead", help="Create, list, qualify and convert leads.")
app.add_typer(directory.reps, name="rep", help="Sales reps and managers.")
app.add_typer(directory.teams, name="team", help="Sales teams.")
app.add_typer(directory.accounts, name="account", help="Accounts (companies).")
app.add_typer(directory.contacts, name="contact", help="Contacts and their buying roles.")
app.add_typer(directory.campaigns, name="campaign", help="Marketing campaigns.")
app.add_typer(directory.quotas, name="quota", help="Quotas per rep or team and period.")
app.command("qualify")(qualification.qualify_command)
app.command("promote")(qualification.promote_command)
app.command("near-misses")(qualification.near_misses_command)
app.add_typer(qualification.playbook_app, name="playbook", help="Qualification playbooks.")
app.add_typer(qualification.evidence_app, name="evidence", help="Qualification evidence.")
app.add_typer(import_commands.app, name="import", help="Import CRM exports and sqo exports.")
app.command("export")(exports.export_command)


def main() -> None:
    """The `sqo` entry point: choose the language first, so that help is translated too."""
    language = help_text.language_from_arguments(sys.argv[1:])
    if language in i18n.SUPPORTED:
        i18n.set_language(language)
    command = typer.main.get_command(app)
    help_text.translate(command)
    try:
        outcome = command.main(args=sys.argv[1:], prog_name="sqo", standalone_mode=False)
    except NoArgsIsHelpError as exc:
        exc.show()  # a bare group shows its help
        sys.exit(exc.exit_code)
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
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(1)
    sys.exit(outcome if isinstance(outcome, int) else 0)
