"""`promote_opportunity`: one unit of work, one evaluation, a bounded number of statements."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from sqo.cli.output import plain
from sqo.domain.errors import ForbiddenMove, NotFound, VersionConflict
from sqo.domain.gate import QualificationRefused, Verdict
from sqo.services import opportunities, qualification
from sqo.services.promotion import promote_opportunity
from tests.conftest import T0
from tests.factories import org
from tests.integration.qualification.test_gate import JUSTIFICATION, deal, qualify_fully

WHEN = T0 + timedelta(days=2)
MOST_STATEMENTS = 8


@contextmanager
def counting(ws: Any) -> Iterator[list[str]]:
    """The SQL statements sent to the database inside the block (an executemany counts once)."""
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(ws.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(ws.engine, "before_cursor_execute", count)


def promoted(ws: Any, actor: Any, promote: Callable[[], Any]) -> list[str]:
    with ws.unit_of_work():  # a connection in the pool: connecting is not the promotion's cost
        pass
    with counting(ws) as statements:
        promote()
    return statements


def test_a_passing_promotion_takes_at_most_eight_statements(any_workspace, actor):
    ws = any_workspace
    org(ws, actor)
    opp = deal(ws, actor)
    qualify_fully(ws, actor, opp.id)
    outcome: list[Any] = []
    statements = promoted(
        ws, actor, lambda: outcome.append(promote_opportunity(ws, actor, opp.id, None, at=WHEN))
    )
    assert len(statements) <= MOST_STATEMENTS, "\n".join(statements)
    [result] = outcome
    assert result.decision.verdict is Verdict.ALLOWED
    assert (result.passed, result.overridden, result.missing) == (True, False, [])
    [record] = qualification.promotion_records(ws, actor, opp.id)
    assert (record["passed"], record["overridden"], record["score"]) == (True, False, result.score)
    with ws.unit_of_work() as uow:
        assert len(uow.audit.entries("opportunity.promoted")) == 1
        assert uow.audit.entries("opportunity.gate_overridden") == []


def test_an_overridden_promotion_takes_at_most_eight_statements(any_workspace, actor):
    ws = any_workspace
    org(ws, actor)
    opp = deal(ws, actor)
    outcome: list[Any] = []
    statements = promoted(
        ws,
        actor,
        lambda: outcome.append(promote_opportunity(ws, actor, opp.id, JUSTIFICATION, at=WHEN)),
    )
    assert len(statements) <= MOST_STATEMENTS, "\n".join(statements)
    [result] = outcome
    assert result.decision.verdict is Verdict.OVERRIDDEN
    assert result.opportunity.stage == "SQO"
    [record] = qualification.promotion_records(ws, actor, opp.id)
    assert (record["passed"], record["overridden"], record["justification"]) == (
        False,
        True,
        JUSTIFICATION,
    )
    assert record["detail"]["missing"] == result.missing
    with ws.unit_of_work() as uow:
        [override] = uow.audit.entries("opportunity.gate_overridden")
        [promotion] = uow.audit.entries("opportunity.promoted")
    assert override["detail"]["missing"] == result.missing
    assert promotion["detail"]["overridden"] is True


def test_a_generic_move_into_sqo_takes_the_same_path(any_workspace, actor):
    ws = any_workspace
    org(ws, actor)
    opp = deal(ws, actor)
    statements = promoted(
        ws,
        actor,
        lambda: opportunities.move_opportunity(
            ws, actor, opp.id, "SQO", justification=JUSTIFICATION, at=WHEN
        ),
    )
    assert len(statements) <= MOST_STATEMENTS, "\n".join(statements)
    assert qualification.promotion_records(ws, actor, opp.id)[0]["overridden"] is True


def test_the_outcome_as_data_is_what_sqo_promote_json_printed(workspace, actor):
    org(workspace, actor)
    opp = deal(workspace, actor)
    outcome = promote_opportunity(workspace, actor, opp.id, JUSTIFICATION, at=WHEN)
    record = qualification.promotion_records(workspace, actor, opp.id)[-1]
    # the shape `sqo promote --json` built from the stored record before it moved to the service
    assert outcome.to_dict() == plain(
        {
            "opportunity": opportunities.get_opportunity(workspace, actor, opp.id),
            "passed": record["passed"],
            "overridden": record["overridden"],
            "score": record["score"],
            "missing": record["detail"]["missing"],
        }
    )
    assert list(outcome.to_dict()["opportunity"])[-1] == "amount"  # key order kept too


def test_a_refused_promotion_changes_nothing(workspace, actor):
    org(workspace, actor)
    opp = deal(workspace, actor)
    with pytest.raises(QualificationRefused) as caught:
        promote_opportunity(workspace, actor, opp.id, "too short", at=WHEN)
    assert "the justification is 9 characters long" in caught.value.message
    assert opportunities.get_opportunity(workspace, actor, opp.id).stage == "Qualification"
    assert qualification.promotion_records(workspace, actor, opp.id) == []


def test_promoting_never_moves_a_deal_back_and_checks_the_version(workspace, actor):
    org(workspace, actor)
    opp = deal(workspace, actor)
    with pytest.raises(VersionConflict):
        promote_opportunity(
            workspace, actor, opp.id, JUSTIFICATION, expected_version=opp.version + 1
        )
    promote_opportunity(workspace, actor, opp.id, JUSTIFICATION, expected_version=opp.version)
    opportunities.move_opportunity(workspace, actor, opp.id, "Proposal")
    with pytest.raises(ForbiddenMove) as caught:
        promote_opportunity(workspace, actor, opp.id, JUSTIFICATION)
    assert caught.value.message == (
        "Opportunity 1 is already an SQO (stage Proposal); nothing was changed."
    )
    with pytest.raises(NotFound) as missing:
        promote_opportunity(workspace, actor, 99, JUSTIFICATION)
    assert missing.value.message == "There is no opportunity 99. List them with 'sqo opp list'."
