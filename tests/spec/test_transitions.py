"""What the scenarios (`tests/vectors/test_scenarios.py`, one per rule and error code) do not
show: Python-level construction of operations and configs, and a non-operation given to `apply`."""
import pytest

import spec
from properties.world import World
from spec import operations as ops


@pytest.mark.parametrize("field, value", [("amount", "5"), ("amount", True), ("account", ""), ("amount", 2**256)])
def test_malformed_operation_names_the_field(field, value):
    args = {"account": "a", "token": "USDC", "amount": 5, field: value}
    with pytest.raises(spec.SpecError) as info:
        ops.Mint(**args)
    assert info.value.code == "MALFORMED_OPERATION" and info.value.field == field


def test_unknown_operation():
    with pytest.raises(spec.SpecError) as info:
        spec.apply(World().state, object())
    assert info.value.code == "UNKNOWN_OPERATION"


@pytest.mark.parametrize("kw, field", [
    ({"slash_compensation_bps": -5_000}, "slash_compensation_bps"),
    ({"slash_compensation_bps": 6_000, "slash_burn_bps": 5_000}, "slash_burn_bps"),
    ({"market_creation_fee": -1}, "market_creation_fee"),
    ({"stake_tokens": ()}, "stake_tokens"),
    ({"stake_tokens": ("USDC",)}, "stake_tokens"),
])
def test_config_out_of_range_is_rejected_at_genesis(kw, field):
    with pytest.raises(spec.errors.InvalidConfig) as info:
        spec.Config(**kw)
    assert info.value.field == field
