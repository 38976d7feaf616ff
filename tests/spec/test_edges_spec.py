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
