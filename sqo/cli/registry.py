"""The commands of `sqo`, imported only when used.

Importing every command module costs most of a second (SQLAlchemy, DuckDB, the services), and a
user runs dozens of commands in a review: so the root group knows each command by name and short
help, and imports its module only when that command runs (Click's "lazy group" pattern). Listing
the commands in ``sqo --help`` uses the short help written here, without importing anything;
``tests/integration/core/test_startup_registry.py`` checks it matches each command's own help.
"""

from __future__ import annotations

import copy
import gc
import importlib
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any

import typer
import typer.main
from typer._click.exceptions import UsageError  # typer vendors click
from typer.core import TyperCommand

from sqo import i18n
from sqo.cli import bounds, help_text


@dataclass(frozen=True)
class Entry:
    """Where a command lives: ``module.attribute``, a function (command) or a Typer (group)."""

    module: str
    attribute: str
    help: str


# In the order `sqo --help` lists them: commands first, then groups.
COMMANDS: dict[str, Entry] = {
    "init": Entry("sqo.cli.workspace", "init_command", "Create a new, empty workspace."),
    "pipeline": Entry(
        "sqo.cli.workspace",
        "pipeline_command",
        "The pipeline at a glance: open deals per stage, won and lost.",
    ),
    "demo": Entry(
        "sqo.cli.demo",
        "demo_command",
        "Build a realistic demo workspace (3 teams, 28 people, 18 months) and show its pipeline.",
    ),
    "move": Entry("sqo.cli.opportunities", "move_command", "Move an opportunity to another stage."),
    "convert": Entry(
        "sqo.cli.leads",
        "convert_command",
        "Convert a sales-qualified lead into an opportunity, keeping the link.",
    ),
    "log": Entry("sqo.cli.records", "log_command", "Log an activity on an opportunity or a lead."),
    "history": Entry(
        "sqo.cli.records",
        "history_command",
        "Every change to a record: who, when, from what to what, and why.",
    ),
    "funnel": Entry(
        "sqo.cli.analytics",
        "funnel_command",
        "Cohort conversion between funnel milestones, SQO-to-win rate and sales cycle.",
    ),
    "benchmarks": Entry(
        "sqo.cli.benchmarks",
        "benchmarks_command",
        "Every funnel metric next to the benchmark for its segment.",
    ),
    "coverage": Entry(
        "sqo.cli.analytics",
        "coverage_command",
        "Pipeline coverage: open SQO amount closing in the period over the quota still to close.",
    ),
    "pipeline-change": Entry(
        "sqo.cli.pipeline_change",
        "pipeline_change_command",
        "How the pipeline changed between two dates, bar by bar, with the deals behind each.",
    ),
    "stages": Entry(
        "sqo.cli.analytics",
        "stages_command",
        "Time in each stage and stage-to-stage drop-off: where deals stall.",
    ),
    "refresh-analytics": Entry(
        "sqo.cli.analytics",
        "refresh_analytics_command",
        "Bring the analytics copy up to date now; analytics commands also do it themselves.",
    ),
    "qualify": Entry(
        "sqo.cli.qualification",
        "qualify_command",
        "Show the qualification checklist: every criterion, the scores, what the gate misses.",
    ),
    "promote": Entry(
        "sqo.cli.qualification",
        "promote_command",
        "Promote an opportunity to SQO through the qualification gate.",
    ),
    "near-misses": Entry(
        "sqo.cli.qualification",
        "near_misses_command",
        "SQLs and opportunities that fail the gate but score high: good deals not to lose.",
    ),
    "export": Entry(
        "sqo.cli.exports",
        "export_command",
        "Export everything in the workspace, history included: one file per table.",
    ),
    "forecast": Entry(
        "sqo.cli.forecast",
        "app",
        "The forecast for a period, team or rep: won, commit, best case, expected and range.",
    ),
    "hygiene": Entry(
        "sqo.cli.hygiene",
        "hygiene_command",
        "Pipeline hygiene findings by owner and severity, with counts per rule.",
    ),
    "cleanup": Entry(
        "sqo.cli.cleanup",
        "cleanup_command",
        "Bulk clean-up of hygiene findings, with a preview of every change first.",
    ),
    "model": Entry(
        "sqo.cli.model",
        "app",
        "Train the win-probability model, show it, and set how much history it needs.",
    ),
    "review": Entry(
        "sqo.cli.review",
        "review_command",
        "The weekly pipeline review: what changed, key deals, rates, lost deals, coaching.",
    ),
    "decide": Entry(
        "sqo.cli.decisions",
        "decide_command",
        "Record the review's decision on a deal; next week's review says whether it held.",
    ),
    "campaigns": Entry(
        "sqo.cli.campaign_report",
        "campaigns_command",
        "Leads, MQLs, SQOs, pipeline and won revenue per campaign, under each attribution model.",
    ),
    "losses": Entry(
        "sqo.cli.losses",
        "losses_command",
        "Lost SQOs against won ones: reasons, competitors, stage lost, criteria weak at promotion.",
    ),
    "scorecard": Entry(
        "sqo.cli.scorecard",
        "scorecard_command",
        "Each rep against the team median and the benchmarks, and the SQOs needed to reach quota.",
    ),
    "opp": Entry("sqo.cli.opportunities", "app", "Create, list, show and edit opportunities."),
    "lead": Entry("sqo.cli.leads", "app", "Create, list, qualify and convert leads."),
    "rep": Entry("sqo.cli.directory", "reps", "Sales reps and managers."),
    "team": Entry("sqo.cli.directory", "teams", "Sales teams."),
    "account": Entry("sqo.cli.directory", "accounts", "Accounts (companies)."),
    "contact": Entry("sqo.cli.directory", "contacts", "Contacts and their buying roles."),
    "campaign": Entry("sqo.cli.directory", "campaigns", "Marketing campaigns."),
    "quota": Entry("sqo.cli.directory", "quotas", "Quotas per rep or team and period."),
    "playbook": Entry("sqo.cli.qualification", "playbook_app", "Qualification playbooks."),
    "evidence": Entry("sqo.cli.qualification", "evidence_app", "Qualification evidence."),
    "import": Entry("sqo.cli.imports", "app", "Import CRM exports and sqo exports."),
}


def load(name: str, subcommand: str | None = None) -> Any:
    """The Click command for ``name``, built from its module (imported now), help translated.

    For a group, ``subcommand`` is the word after its name: when it names one of the group's
    own commands, only that command is built (Typer reads every parameter of every command it
    builds, a sixtieth of a second for a group of five), and the group lists only it.
    """
    entry = COMMANDS[name]
    target = getattr(importlib.import_module(entry.module), entry.attribute)
    gc.enable()  # off while the modules load (see ``app.main``); the command itself may need it
    # Built the way the root would build it (no completion options of its own).
    holder = typer.Typer(add_completion=False)
    if isinstance(target, typer.Typer):
        holder.add_typer(_only(target, subcommand), name=name, help=entry.help)
        command: Any = typer.main.get_group(holder).commands[name]
    else:
        holder.command(name)(target)
        command = typer.main.get_command(holder)
    command.name = name
    bounds.bound(command)
    help_text.translate(command)
    return command


def _only(group: typer.Typer, subcommand: str | None) -> typer.Typer:
    """``group`` with ``subcommand`` as its only command, when it is one; else ``group``."""
    chosen = [
        info
        for info in group.registered_commands
        if subcommand is not None
        and (info.name or typer.main.get_command_name(getattr(info.callback, "__name__", "")))
        == subcommand
    ]
    if not chosen:
        return group  # help, a group option first, a sub-group or a mistyped name: all of it
    narrowed = copy.copy(group)
    narrowed.registered_commands = chosen
    narrowed.registered_groups = []
    return narrowed


def listing(name: str) -> Any:
    """A stand-in that only shows the command's name and short help in a listing."""
    entry = COMMANDS[name]
    return TyperCommand(name=name, help=i18n._(entry.help))


class LazyCommands:
    """Mixed into the root group: commands from ``COMMANDS``, loaded on first use."""

    commands: Any  # the group's own: those built so far
    _listing = False
    _subcommand: str | None = None  # the word after the command's name on this command line

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands) + [name for name in COMMANDS if name not in self.commands]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name not in COMMANDS:
            return None
        if self._listing:
            return listing(cmd_name)
        self.commands[cmd_name] = load(cmd_name, self._subcommand)
        return self.commands[cmd_name]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        # Showing the list of commands needs their short help only: import none of them.
        self._listing = True
        try:
            super().format_help(ctx, formatter)  # type: ignore[misc]
        finally:
            self._listing = False

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        self._subcommand = args[1] if len(args) > 1 else None
        try:
            return super().resolve_command(ctx, args)  # type: ignore[misc]
        except UsageError as exc:
            # Typer suggests only among commands already loaded; suggest among all of them.
            matches = get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if matches and "Did you mean" not in exc.message:
                suggestions = ", ".join(repr(m) for m in matches)
                exc.message = f"{exc.message.rstrip('.')}. Did you mean {suggestions}?"
            raise
