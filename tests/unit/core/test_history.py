from datetime import date, datetime

from sqo.domain.history import RecordType, decode_state, diff, replay, tracked_values
from sqo.domain.records import Opportunity
from sqo.domain.values import Complexity

T = datetime(2026, 2, 1, 10, 0)


def _opp(**kw):
    base = dict(id=7, name="Acme", stage="Qualification", created_at=T, currency="USD")
    base.update(kw)
    return Opportunity(**base)


def test_creation_records_only_fields_with_values():
    opp = _opp(amount_cents=500_000)
    changes = diff(
        None,
        tracked_values(opp, RecordType.OPPORTUNITY),
        record_type=RecordType.OPPORTUNITY,
        record_id=7,
        at=T,
        actor="ann",
    )
    assert {c.field: c.new for c in changes} == {
        "name": "Acme",
        "stage": "Qualification",
        "currency": "USD",
        "amount_cents": "500000",
        "complexity": "standard",
    }
    assert all(c.old is None for c in changes)


def test_a_change_lists_old_and_new_and_keeps_the_justification_on_the_stage():
    before = tracked_values(_opp(amount_cents=100), RecordType.OPPORTUNITY)
    after_opp = _opp(amount_cents=200, stage="SQO", close_date=date(2026, 3, 1))
    changes = diff(
        before,
        tracked_values(after_opp, RecordType.OPPORTUNITY),
        record_type=RecordType.OPPORTUNITY,
        record_id=7,
        at=T,
        actor="ann",
        justification="budget confirmed",
    )
    by_field = {c.field: c for c in changes}
    assert set(by_field) == {"amount_cents", "stage", "close_date"}
    assert (by_field["amount_cents"].old, by_field["amount_cents"].new) == ("100", "200")
    assert by_field["stage"].justification == "budget confirmed"
    assert by_field["close_date"].justification is None


def test_replay_gives_the_last_value_of_each_field():
    first = _opp(competitors=["Contoso"])
    second = _opp(stage="SQO", competitors=["Contoso", "Initech"], probability=0.15)
    changes = diff(
        None,
        tracked_values(first, RecordType.OPPORTUNITY),
        record_type=RecordType.OPPORTUNITY,
        record_id=7,
        at=T,
        actor="a",
    )
    changes += diff(
        tracked_values(first, RecordType.OPPORTUNITY),
        tracked_values(second, RecordType.OPPORTUNITY),
        record_type=RecordType.OPPORTUNITY,
        record_id=7,
        at=T,
        actor="a",
    )
    state = decode_state(replay(changes), RecordType.OPPORTUNITY)
    assert state["stage"] == "SQO"
    assert state["competitors"] == ["Contoso", "Initech"]
    assert state["probability"] == 0.15
    assert state["close_date"] is None
    assert state["complexity"] is Complexity.STANDARD
