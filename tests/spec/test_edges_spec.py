"""Edges of the design fork's own rules that no transition vector pins: genesis parameters at their
bounds. Written for generated mutants of `spec/` that the vectors cannot reach (a vector's config
is valid by construction)."""
import attrs
import pytest

from spec.containers import Config
from spec.errors import InvalidConfig
from spec.types import BPS


def test_slash_shares_may_add_up_to_exactly_bps_and_not_one_more():
    Config(slash_compensation_bps=BPS - 1, slash_burn_bps=1)
    Config(slash_compensation_bps=0, slash_burn_bps=BPS)
    for compensation, burn in ((BPS, 1), (1, BPS), (BPS - 1, 2)):
        with pytest.raises(InvalidConfig) as info:
            Config(slash_compensation_bps=compensation, slash_burn_bps=burn)
        assert info.value.field == "slash_burn_bps"


@pytest.mark.parametrize("name", ["market_creation_fee", "stake_withdrawal_delay", "slash_compensation_bps", "slash_burn_bps"])
@pytest.mark.parametrize("value", [-1, "1", 1.0])
def test_fees_delays_and_shares_are_integers_at_least_zero(name, value):
    with pytest.raises(InvalidConfig) as info:
        Config(**{name: value})
    assert info.value.field == name
    assert getattr(Config(**{name: 0}), name) == 0


@pytest.mark.parametrize("tokens", [(), ("POND", "POND"), ("USDC",), ("POND", "USDC")])
def test_stake_tokens_are_at_least_one_distinct_and_not_the_payment_token(tokens):
    with pytest.raises(InvalidConfig) as info:
        Config(stake_tokens=tokens)
    assert info.value.field == "stake_tokens"
    assert attrs.evolve(Config(), stake_tokens=("POND", "ETH")).tokens == ("USDC", "POND", "ETH")


def test_each_design_scenario_yields_its_committed_vector():
    """Built afresh, each design scenario gives its committed vector byte for byte: the genesis
    defaults it starts from (`Config()`, a `State` at time 0) and every step are the spec's. The
    replayed vectors carry their pre-state, so only a fresh build sees a moved default."""
    import spec
    from reference.conformance.cases import VECTORS_ROOT
    from reference.conformance.generate import scenario_case
    from reference.conformance.scenarios import FORKS
    from spec.codec import dumps

    built = 0
    for sc in FORKS["design"]:
        if sc.available(spec.OPERATIONS):
            path, case = scenario_case(sc)
            assert (VECTORS_ROOT / "design" / path).read_text() == dumps(case), f"{path}: run `kalypso vectors generate`"
            built += 1
    assert built >= 300
