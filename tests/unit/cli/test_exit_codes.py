"""The command line decides its exit codes from each error's code; the domain knows none.

The codes are what scripts rely on (README's table): the same as when each error class carried
its own exit code.
"""

from __future__ import annotations

import pytest

from sqo.cli.context import EXIT_CODES, exit_code_for
from sqo.domain import errors
from sqo.domain.errors import ErrorCode

DOCUMENTED = {
    errors.InvalidValue: 2,
    errors.UnknownReference: 2,
    errors.ForbiddenMove: 2,
    errors.ConfigurationError: 2,
    errors.NotFound: 3,
    errors.VersionConflict: 4,
    errors.GateRefused: 5,
    errors.WorkspaceError: 6,
    errors.ImportFailed: 8,
}


def test_every_error_code_has_an_exit_code() -> None:
    assert set(EXIT_CODES) == set(ErrorCode)


@pytest.mark.parametrize(
    ("kind", "code"), DOCUMENTED.items(), ids=lambda x: getattr(x, "__name__", x)
)
def test_each_error_exits_with_its_documented_code(kind: type[errors.SqoError], code: int) -> None:
    assert exit_code_for(kind("message")) == code


def test_the_domain_errors_carry_no_exit_code() -> None:
    classes = [errors.SqoError, *DOCUMENTED]
    assert [c.__name__ for c in classes if hasattr(c, "exit_code")] == []


def test_an_error_given_another_code_exits_by_that_code() -> None:
    assert exit_code_for(errors.SqoError("gone", code=ErrorCode.NOT_FOUND)) == 3
