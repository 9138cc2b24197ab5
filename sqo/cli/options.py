"""Options many commands share, in a module of their own: importing them from a command's
module loads that command's services too (half a second for the analytics ones)."""

from __future__ import annotations

from typing import Annotated

import typer

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Compute as of this date (end of day) or time; default now."),
]
