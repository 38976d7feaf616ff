"""The smallest rule change that restores an invariant the deployed_native fork violates, where
the contracts' own intent is plain: what an auditor hands back. `apply_with(fix)` is the fork's
`apply` with the changed rule; it is not the deployed rule."""
from __future__ import annotations

from functools import partial

import attrs

from spec.deployed_native import keyregistry, memberships, transition
from spec.deployed_native import operations as ops
from spec.deployed_native.keyregistry import ATTESTATION_MAX_AGE
from spec.env import DEFAULT_ENV, Env


def attestation_accepted_in_ms(age_ms: int) -> bool:
    """Fix A1: compare in milliseconds, as Helper.sol:102's comment means: `timestampInMilliseconds
    > block.timestamp * 1000 - ATTESTATION_MAX_AGE` (60,000 ms), i.e. the attestation is less than
    60 s old. (Keeping the comparison in seconds with ATTESTATION_MAX_AGE = 60 also works: then
    it is at most 59 s old, counted in whole seconds.)"""
    return -age_ms > -ATTESTATION_MAX_AGE  # (T * 1000 - age) > T * 1000 - 60000


_KEY_OPS = {
    ops.VerifyMatchingEngine: keyregistry.process_verify_matching_engine,
    ops.AddIvsKey: keyregistry.process_add_ivs_key,
    ops.UpdateEncryptionKey: keyregistry.process_update_encryption_key,
    ops.JoinMarket: memberships.process_join_market,
}

FIXES = {
    "A1": {op: partial(process, accepted=attestation_accepted_in_ms) for op, process in _KEY_OPS.items()},
}


def apply_with(fix: str):
    """The fork's `apply` with `FIXES[fix]` in place of the deployed rules."""
    table = {**transition.PROCESSORS, **FIXES[fix]}

    def apply(state, op, env: Env = DEFAULT_ENV):
        new, events = table[type(op)](state, op, env)
        if not isinstance(op, ops.AdvanceBlocks):
            new = attrs.evolve(new, block=new.block + 1)
        return new, events

    return apply
