from sqo.services import opportunities
from tests.conftest import T0
from tests.factories import opportunity, org


def test_workspace_round_trip_on_both_databases(any_workspace, actor):
    org(any_workspace, actor)
    opp = opportunity(any_workspace, actor, at=T0)
    found = opportunities.list_opportunities(any_workspace, actor)
    assert [o.id for o in found] == [opp.id]
    assert found[0].amount_cents == 1_000_000
