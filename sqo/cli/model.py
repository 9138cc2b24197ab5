"""`sqo model train|show`: the win-probability model, a thin shell over
``sqo.services.forecast_models``."""

from __future__ import annotations

from typing import Annotated

import typer

from sqo.cli import output
from sqo.cli.context import SqoGroup, state
from sqo.cli.options import JsonOption
from sqo.i18n import _
from sqo.services import forecast_models
from sqo.services.forecast_models import ModelSummary
from sqo.services.periods import as_of_moment

app = typer.Typer(
    cls=SqoGroup,
    no_args_is_help=True,
    help="Train the win-probability model, show it, and set how much history it needs.",
)

AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Train on what was known at this date or time; default now."),
]


def _show(summary: ModelSummary) -> None:
    output.fields(
        [
            (_("Model"), f"#{summary.id} {summary.kind}"),
            (_("Trained"), output.day(summary.trained_at)),
            (
                _("Training window"),
                f"{output.day(summary.window_start)} – {output.day(summary.window_end)}",
            ),
            (_("Rows (deal-weeks)"), output.number(summary.rows)),
            (_("Closed SQOs"), _("{won} won, {lost} lost", won=summary.won, lost=summary.lost)),
            (
                _("Threshold"),
                _(
                    "{won} won and {lost} lost",
                    won=summary.threshold.won,
                    lost=summary.threshold.lost,
                ),
            ),
            (_("Features"), output.number(len(summary.features))),
        ]
    )
    validation = summary.scores.get("validation", {})
    if validation:
        output.table(
            _("Scores on the later weeks (held out, new deals)"),
            [_("Method"), _("Brier"), _("Log loss"), _("AUC")],
            [
                [
                    name,
                    output.number(s.get("brier"), 3),
                    output.number(s.get("log_loss"), 3),
                    output.number(s.get("auc"), 3),
                ]
                for name, s in validation.items()
            ],
            right=range(1, 4),
        )
    for note in summary.notes:
        output.console.print(note)


WithoutOption = Annotated[
    list[str] | None,
    typer.Option(
        "--without",
        help="Leave this feature out (repeat for more), e.g. amount when the CRM fills it in "
        "only at close.",
    ),
]


@app.command("train")
def train_command(
    ctx: typer.Context,
    as_of: AsOfOption = None,
    without: WithoutOption = None,
    as_json: JsonOption = False,
) -> None:
    """Train the win-probability model on the workspace's history and keep the better one."""
    st = state(ctx)
    summary = forecast_models.train_model(
        st.workspace(), st.actor(), as_of=as_of_moment(as_of), without=without or []
    )
    if as_json:
        output.print_json(summary.to_dict())
        return
    _show(summary)


@app.command("show")
def show_command(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show the trained model: its window, features and scores."""
    st = state(ctx)
    summary = forecast_models.model_summary(st.workspace(), st.actor())
    if as_json:
        output.print_json(summary.to_dict())
        return
    _show(summary)


@app.command("threshold")
def threshold_command(
    ctx: typer.Context,
    won: Annotated[
        int | None, typer.Option("--won", help="Won SQOs a model needs (default 200).")
    ] = None,
    lost: Annotated[
        int | None, typer.Option("--lost", help="Lost SQOs a model needs (default 200).")
    ] = None,
) -> None:
    """Show or set how many won and lost SQOs the workspace asks for before a model is used."""
    st = state(ctx)
    if won is None and lost is None:
        chosen = forecast_models.model_threshold(st.workspace(), st.actor())
    else:
        chosen = forecast_models.set_model_threshold(st.workspace(), st.actor(), won=won, lost=lost)
    output.console.print(
        _(
            "A model needs at least {won} won and {lost} lost SQOs.",
            won=chosen.won,
            lost=chosen.lost,
        )
    )
