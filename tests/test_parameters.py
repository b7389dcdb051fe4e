import pytest

from model import ParameterError, Parameters, RadicalisationModel
from model.parameters import parameter_table


def test_defaults_are_valid_and_documented():
    p = Parameters()
    assert p.n_backgrounds == 3
    assert abs(sum(p.background_shares) - 1.0) < 1e-12
    for row in parameter_table():
        assert row["description"], row["name"]


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"segregation": 1.5}, "segregation: 1.5 is out of range; allowed range 0.0 to 1.0"),
        ({"n_residents": -5}, "n_residents: -5 is out of range; allowed range 10 to 50000000"),
        ({"radical_family_share": 1.01}, "radical_family_share: 1.01 is out of range; allowed range 0.0 to 1.0"),
        ({"colour": "red"}, "unknown parameter 'colour'"),
        ({"minority_shares": [0.7, 0.4]}, "minority_shares: the shares must sum to less than 1"),
        ({"attack_weeks": [-1]}, "attack_weeks: weeks must be 0 or later"),
    ],
)
def test_bad_parameters_give_one_line_naming_field_and_range(kwargs, expected):
    with pytest.raises(ParameterError) as err:
        Parameters.create(**kwargs)
    message = str(err.value)
    assert expected in message
    assert "\n" not in message


def test_model_rejects_bad_parameter_before_doing_work():
    with pytest.raises(ParameterError, match="institutional_fairness: 2 is out of range"):
        RadicalisationModel(institutional_fairness=2, rng=1)


def test_replace_validates():
    p = Parameters().replace(segregation=0.9)
    assert p.segregation == 0.9
    with pytest.raises(ParameterError):
        p.replace(segregation=-0.1)
