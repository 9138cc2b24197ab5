"""Limits on what an option can hold, checked while the command line is parsed.

A 20-digit id cannot be stored (SQLite and PostgreSQL keep 64-bit integers) and a date in the year
9999 leaves no room for the "end of that day" or the week after it that analytics add; both used
to fail deep inside a query. Refusing them here gives the usual one-sentence usage error (exit 2).
"""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Any

from typer._click.exceptions import BadParameter  # typer vendors click

from sqo.i18n import _

INT64 = (-(2**63), 2**63 - 1)
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999
DATE_OPTIONS = {
    "--as-of",
    "--from",
    "--to",
    "--close-from",
    "--close-to",
    "--close-date",
    "--next-step-due",
    "--at",
    "--start",
    "--end",
}
# Options naming a YAML file that is read whole into memory.
SETTINGS_FILES = {
    "mapping",
    "stages",
    "segments",
    "rates",
    "lead_statuses",
    "benchmarks",
    "save",
    "path",
}
SETTINGS_FILE_LIMIT = 10_000_000
_YEAR = re.compile(r"\s*(\d{1,})-\d{1,2}(-\d{1,2})?")


def _check_year(ctx: Any, param: Any, value: Any) -> Any:
    match = _YEAR.match(value) if isinstance(value, str) else None
    if match and not EARLIEST_YEAR <= int(match.group(1)) <= LATEST_YEAR:
        raise BadParameter(
            _(
                "{value!r} is out of range: dates run from {earliest} to {latest}.",
                value=value,
                earliest=EARLIEST_YEAR,
                latest=LATEST_YEAR,
            ),
            ctx=ctx,
            param=param,
        )
    return value


def _check_int(ctx: Any, param: Any, value: Any) -> Any:
    values = value if isinstance(value, (list, tuple)) else [value]
    for item in values:
        if (
            isinstance(item, int)
            and not isinstance(item, bool)
            and not (INT64[0] <= item <= INT64[1])
        ):
            raise BadParameter(
                _("{value} is too large: sqo keeps whole numbers of up to 18 digits.", value=item),
                ctx=ctx,
                param=param,
            )
    return value


def _check_file(ctx: Any, param: Any, value: Any) -> Any:
    """A device (``/dev/zero`` never ends) is refused; a settings file is read whole, so it has a
    size limit too."""
    values = value if isinstance(value, (list, tuple)) else [value]
    for item in values:
        if not isinstance(item, Path):
            continue
        try:
            info = item.stat()
        except (OSError, ValueError):
            continue  # missing: the command says so in its own words
        if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode):
            raise BadParameter(
                _("{path} is a device, not a file; give a file.", path=str(item)),
                ctx=ctx,
                param=param,
            )
        if param.name in SETTINGS_FILES and (
            not stat.S_ISREG(info.st_mode) or info.st_size > SETTINGS_FILE_LIMIT
        ):
            raise BadParameter(
                _(
                    "{path} is not a settings file (a YAML file of at most {megabytes} MB).",
                    path=str(item),
                    megabytes=SETTINGS_FILE_LIMIT // 1_000_000,
                ),
                ctx=ctx,
                param=param,
            )
    return value


def _chain(first: Any, then: Any) -> Any:
    def callback(ctx: Any, param: Any, value: Any) -> Any:
        value = first(ctx, param, value)
        return then(ctx, param, value) if then is not None else value

    return callback


def bound(command: Any) -> None:
    """Put the limits on every option and argument of ``command`` and its sub-commands."""
    for sub in getattr(command, "commands", {}).values():
        bound(sub)
    for param in command.params:
        if DATE_OPTIONS.intersection(param.opts):
            param.callback = _chain(_check_year, param.callback)
        else:
            param.callback = _chain(_check_file, _chain(_check_int, param.callback))
