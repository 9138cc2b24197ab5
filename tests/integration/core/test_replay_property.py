"""Property: whatever sequence of edits and moves happens, replaying the history rebuilds the
current record exactly, and "as of" the last change gives the same state."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqo.domain.errors import SqoError
from sqo.domain.history import RecordType, decode_state, replay, tracked_values
from sqo.services import opportunities
from sqo.services.history import record_history
from tests.conftest import T0
from tests.factories import org

STAGES = ["Qualification", "SQO", "Solution", "Proposal", "Negotiation", "Commit", "Won", "Lost"]

operation = st.one_of(
    st.tuples(st.just("move"), st.sampled_from(STAGES)),
    st.tuples(st.just("amount"), st.integers(min_value=0, max_value=10**7).map(str)),
    st.tuples(st.just("close_date"), st.dates().map(lambda d: d.isoformat())),
    st.tuples(st.just("owner"), st.sampled_from(["Ann Lee", "Bo Ek"])),
    st.tuples(
        st.just("competitors"),
        st.lists(st.sampled_from(["Contoso", "Initech"]), unique=True).map(", ".join),
    ),
    st.tuples(st.just("next_step"), st.sampled_from(["Call CFO", "Send proposal", ""])),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=st.lists(operation, max_size=12))
def test_replaying_history_reproduces_current_state(workspace, actor, ops):
    ws = workspace
    if not reps_exist(ws):
        org(ws, actor)
    opp = opportunities.create_opportunity(ws, actor, name="Prop", owner="Ann Lee", at=T0)
    at = T0
    for kind, value in ops:
        at += timedelta(hours=5)
        try:
            if kind == "move":
                opportunities.move_opportunity(
                    ws,
                    actor,
                    opp.id,
                    value,
                    at=at,
                    loss_reason="Price",
                    justification="Qualified by hand for this property test.",
                )
            else:
                opportunities.update_opportunity(ws, actor, opp.id, at=at, **{kind: value})
        except SqoError:
            pass  # refused operations must leave no trace, which the replay below also checks
    current = opportunities.get_opportunity(ws, actor, opp.id)
    changes = record_history(ws, actor, RecordType.OPPORTUNITY, opp.id)
    replayed = replay(changes)
    tracked = tracked_values(current, RecordType.OPPORTUNITY)
    expected = {k: v for k, v in tracked.items() if v is not None}
    assert {k: v for k, v in replayed.items() if v is not None} == expected
    rebuilt = decode_state(replay(changes), RecordType.OPPORTUNITY)
    for field, value in rebuilt.items():
        assert getattr(current, field) == value, field
    as_of = opportunities.list_opportunities(ws, actor, as_of=at + timedelta(seconds=1))
    assert next(o for o in as_of if o.id == opp.id) == current


def reps_exist(ws) -> bool:
    with ws.unit_of_work() as uow:
        return bool(uow.people.reps())
