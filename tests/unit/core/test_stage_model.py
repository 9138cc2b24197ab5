import pytest

from sqo.domain.errors import ConfigurationError, ForbiddenMove, InvalidValue
from sqo.domain.stages import StageKind, load_stage_model, parse_stage_model


@pytest.fixture
def model():
    return load_stage_model()


def test_default_model_matches_the_domain_funnel(model):
    assert [s.name for s in model.lead_stages()] == ["Lead", "MQL", "SAL", "SQL", "Disqualified"]
    assert model.sqo_stage == "SQO"
    assert [s.name for s in model.open_opportunity_stages()] == [
        "Qualification",
        "SQO",
        "Solution",
        "Proposal",
        "Negotiation",
        "Commit",
    ]
    assert model.won_stage().name == "Won" and model.lost_stage().name == "Lost"


def test_stage_lookup_is_case_insensitive_and_unknown_names_list_the_stages(model):
    assert model.stage("proposal").name == "Proposal"
    with pytest.raises(InvalidValue) as err:
        model.stage("Pitch")
    assert "Unknown stage 'Pitch'" in err.value.message
    assert "Qualification" in err.value.message and err.value.field == "stage"
    assert "Won" in (err.value.allowed or [])


def test_at_or_after_sqo(model):
    assert not model.at_or_after_sqo("Qualification")
    assert model.at_or_after_sqo("SQO") and model.at_or_after_sqo("Commit")
    assert model.at_or_after_sqo("Won")
    assert not model.at_or_after_sqo("Lost") and not model.at_or_after_sqo("SQL")


def test_leads_cannot_jump_to_opportunity_stages(model):
    with pytest.raises(ForbiddenMove) as err:
        model.check_lead_move("SQL", "SQO")
    assert "convert" in err.value.message
    assert model.check_lead_move("MQL", "SAL").name == "SAL"
    assert model.check_lead_move("Disqualified", "MQL").name == "MQL"  # recycling


def test_opportunities_cannot_move_to_lead_stages_or_to_where_they_are(model):
    with pytest.raises(ForbiddenMove):
        model.check_opportunity_move("SQO", "MQL")
    with pytest.raises(ForbiddenMove) as err:
        model.check_opportunity_move("SQO", "sqo")
    assert "already at stage SQO" in err.value.message


def test_reopening_closed_deals_follows_configuration(model):
    assert model.check_opportunity_move("Lost", "Proposal").kind is StageKind.OPPORTUNITY
    strict = model.model_copy(update={"allow_reopen": False})
    with pytest.raises(ForbiddenMove) as err:
        strict.check_opportunity_move("Won", "Proposal")
    assert "does not allow reopening" in err.value.message


def _minimal(**overrides):
    data = {
        "sqo_stage": "SQO",
        "opportunity_start_stage": "Qualification",
        "convertible_from": ["SQL"],
        "stages": [
            {"name": "SQL", "kind": "lead"},
            {"name": "Qualification", "kind": "opportunity"},
            {"name": "SQO", "kind": "opportunity"},
            {"name": "Won", "kind": "won"},
            {"name": "Lost", "kind": "lost"},
        ],
    }
    data.update(overrides)
    return data


def test_a_custom_model_is_configuration():
    model = parse_stage_model(_minimal())
    assert model.stage("Won").probability == 0.0


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"sqo_stage": "Closing"}, "sqo_stage 'Closing' must name an open opportunity stage"),
        ({"convertible_from": ["Qualification"]}, "must name a lead stage"),
        (
            {"stages": [{"name": "SQL", "kind": "lead"}, {"name": "SQL", "kind": "lead"}]},
            "duplicate stage names: SQL",
        ),
        (
            {"stages": [{"name": "SQO", "kind": "opportunity", "probability": 1.5}]},
            "less than or equal to 1",
        ),
        ({"stages": [{"name": "SQO", "kind": "pipeline"}]}, "stages.0.kind"),
    ],
)
def test_invalid_models_are_refused_with_the_problem(overrides, problem):
    with pytest.raises(ConfigurationError) as err:
        parse_stage_model(_minimal(**overrides), source="mine.yaml")
    assert "mine.yaml" in err.value.message
    assert problem in err.value.message


def test_start_stage_must_come_before_sqo():
    data = _minimal(opportunity_start_stage="SQO", sqo_stage="Qualification")
    with pytest.raises(ConfigurationError) as err:
        parse_stage_model(data)
    assert "must come before sqo_stage" in err.value.message
