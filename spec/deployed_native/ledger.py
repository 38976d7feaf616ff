"""Token movements as the ERC20 tokens (OpenZeppelin 5.1) and the marketplace's claimable
ledger make them."""
from __future__ import annotations

import attrs

from spec.deployed_native.containers import State
from spec.deployed_native.errors import need
from spec.deployed_native.keys import is_zero
from spec.tokens import add_to, credit


def transfer(state: State, sender: str, to: str, token: str, amount: int, field: str = "amount") -> State:
    """ERC20 transfer/transferFrom (every account has approved both contracts without limit):
    the receiver is not the zero address (ERC20InvalidReceiver), the sender holds the amount
    (ERC20InsufficientBalance); a zero amount moves nothing but is checked the same."""
    need(not is_zero(to), "ERC20InvalidReceiver", field, "tokens cannot go to the zero address")
    held = state.balances.get((sender, token), 0)
    need(held >= amount, "ERC20InsufficientBalance", field, f"{sender} holds {held} {token}, needs {amount}")
    balances = credit(credit(state.balances, sender, token, -amount), to, token, amount)
    return attrs.evolve(state, balances=balances)


def increase_claimable(state: State, account: str, amount: int) -> State:
    """ProofMarketplace.sol:736 _increaseClaimableAmount: a zero amount records nothing."""
    if amount == 0:
        return state
    return attrs.evolve(state, claimable=add_to(state.claimable, account, amount))
