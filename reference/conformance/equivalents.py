"""Generated mutants argued equivalent: each argument is stored with the exact change it is about
(`line N: <change>` of the mutant at that name); a stored change that no longer matches the mutant
(the spec moved) voids the argument (`generated.stale_arguments`, the audit fails on it)."""
from __future__ import annotations

from reference.conformance.equivalents_restaking import DEPLOYED_RESTAKING

_OFF_PATH = "not on spec.apply's path: "
EQUIVALENT = {
    # name: (the change it makes, why it is equivalent); docs/mutation-generated.md states the same.
    # A stored change that no longer matches the mutant (the spec moved) voids the argument.
    **DEPLOYED_RESTAKING,  # reference/conformance/equivalents_restaking.py
    "gen:spec.tokens:balance_of:0": ("line 2: 0 -> 1", _OFF_PATH + "`balance_of` is a reading helper no transition calls"),
    "gen:spec.restaking:operator_stake_at:1": (
        "line 3: 0 -> 1", "the default share is read only for an operator without shares in the vault, and the one caller "
        "on the path (`slash_vault`, via `receive_slash_request`) first requires the operator to hold shares"),
    **{f"gen:spec.restaking:snapshot_entries:{k}": (change, _OFF_PATH + "`snapshot_entries` only feeds `snapshot_parts`, the "
                                                     "honest transmitter's helper used by tests and the machines")
       for k, change in enumerate(("line 9: And -> Or", "line 9: In -> NotIn", "line 9: Gt -> GtE", "line 9: 0 -> 1"))},
    "gen:spec.restaking:process_vault_deposit:0": (
        "line 5: Gt -> GtE", "a deposit of 0 mints 0 shares (`_to_shares(0, ..) = 0`), so the next check refuses it with "
        "the same code and field (INVALID_AMOUNT, amount)"),
    "gen:spec.restaking:process_vault_deposit:1": (
        "line 8: Gt -> GtE", "a vault's active stake never exceeds its active shares (deposits mint at least their amount "
        "while stake <= shares, withdrawals redeem at most their shares, slashes only lower the stake), so a deposit of "
        "amount >= 1 mints >= 1 share and the guard never fires on a reachable state"),
    **{f"gen:spec.restaking:process_vault_withdraw:{k}": (change, "a withdrawal's claim is 0 exactly when its amount is: "
                                                            "`claim = amount * (bucket_shares + 1) // (bucket + 1)` and a bucket never holds "
                                                            "more than its shares, so `amount > 0` decides alone")
       for k, change in ((5, "line 12: And -> Or"), (10, "line 12: Gt -> GtE"), (11, "line 12: Gt -> GtE"))},
    "gen:spec.restaking:process_vault_claim:5": (
        "line 9: 0 -> 1", "a claim of > 0 shares (checked just before) lies in a bucket with at least that many shares, "
        "so the bucket's share entry is present and the default is never read"),
    "gen:spec.restaking:slash_vault:14": (
        "line 15: Sub -> Add", "a cut is below its part whenever a rounding unit is left (taken < pool), so "
        "`part - cut > 0` and `part + cut > 0` both say `part > 0`; when taken = pool no unit is left and the loop stops first"),
    "gen:spec.restaked_stake:latest_complete_capture:1": (
        "line 2: 1 -> 2", "the default (no complete snapshot) is compared with a capture already required to be >= 0: "
        "-1 and -2 both let every capture through"),
    **{f"gen:spec.epochs:{name}": (change, _OFF_PATH + f"`{name.split(':')[0]}` is a helper of the machines and the simulator; no transition calls it")
       for name, change in (("epoch_start:0", "line 2: Add -> Sub"), ("epoch_start:1", "line 2: Mult -> FloorDiv"),
                            ("protocol_epoch:0", "line 3: 0 -> 1"))},
    **{f"gen:spec.signing:high_s:{k}": (change, _OFF_PATH + "`high_s` builds the other encoding of a signature for tests "
                                                "and scenarios (the vectors hold its output); no transition calls it")
       for k, change in enumerate(("line 5: Add -> Sub", "line 5: Add -> Sub", "line 4: 64 -> 65", "line 4: 32 -> 33",
                                   "line 5: 32 -> 33", "line 4: 32 -> 33", "line 4: 64 -> 65", "line 5: Sub -> Add", "line 5: 1 -> 2"))},
    "gen:spec.signing:verify_signature:6": (
        "line 4: Lt -> LtE", "a signature with s = 0 lets through the range check but recovers to no key (secp256k1 "
        "refuses a zero s), so it is refused either way"),
    "gen:spec.operations:_snapshot_entries:0": (
        "line 3: Or -> And", "operations reach `spec.apply` decoded by `spec.codec`, which only builds entries from a list "
        "of three-element lists: the outer shape check cannot fail behind it (the per-entry name check still runs)"),
    "gen:spec.restaked_stake:receive_snapshot_part:33": (
        "line 39: Gt -> GtE", "the entry this keeps in addition (the incomplete snapshot of the completing capture) is "
        "overwritten by the completed snapshot on the next line"),
    # the adapter's line reader (spec.adapter.serve): over-long lines are refused either way
    "gen:spec.adapter:serve:9": (
        "line 5: 1 -> 2", "the lines read differently (MAX_LINE + 1 characters, then a newline) are longer than MAX_LINE and "
        "refused by both: by the line check here, by `jsonsafe.loads`' byte bound in the mutant; one refusal each, only "
        "the error's text differs (tests/spec/test_edges_wire.py pins every other length at the bound)"),
    **{f"gen:spec.adapter:serve:{k}": (change, "the drain loop reads the rest of an over-long line in chunks until one ends "
                                        "with a newline: the chunk size (MAX_LINE - 1 or + 2 instead of + 1, all > 0) "
                                        "changes how many reads it takes, not what is skipped or answered")
       for k, change in ((11, "line 10: Add -> Sub"), (12, "line 10: 1 -> 2"))},
    # the canonical-form comparison of spec.codec.decode_state
    **{f"gen:spec.codec:_first_difference:{k}": (change, "a dict (list) compared with a value of another type differs "
                                                  "either way: the mutant walks into the wrong branch and returns a path there "
                                                  "(a key or index of the one side), the original returns the path itself; the "
                                                  "state is refused with MALFORMED_STATE in both, only the path under `$` "
                                                  "in the rule may be one step deeper")
       for k, change in ((0, "line 3: And -> Or"), (1, "line 11: And -> Or"))},
    **{f"gen:spec.codec:_entries:{k}": (change, "the shape check here is repeated by the operation's own validator "
                                         "(`spec.operations._snapshot_entries`: each entry is [name, name, amount]), which refuses "
                                         "a non-name operator or vault with the same code and field (MALFORMED_OPERATION, "
                                         "entries); tests/spec/test_edges_wire.py pins both shapes")
       for k, change in ((6, "line 3: 0 -> 1"), (7, "line 3: 1 -> 2"))},
    # deployed_native: guards that a reachable state never reaches
    "gen:spec.deployed_native.generators:is_registered:3": (
        "line 4: Gt -> GtE", "every stored Generator has non-empty data: the one constructor (`process_register_prover`) "
        "requires it and no rule evolves `data`, so `len(data) > 0` and `>= 0` agree on every reachable entry"),
    "gen:spec.deployed_native.generators:process_request_compute_decrease:3": (
        "line 14: Lt -> LtE", "compute >= 1 (line 7) and declared >= compute, so new_total < declared and "
        "floor(new_total * 1e18 / declared) <= 1e18 - 1: the utilisation never equals 1e18, `<` and `<=` agree"),
    "gen:spec.deployed_native.generators:process_decrease_declared_compute:5": (
        "line 12: 0 -> 1", "the default is read only for a prover with no stored request block, but line 8 has required "
        "a pending reduction (utilisation != 1e18), and the utilisation and the block are set together by "
        "`process_request_compute_decrease` and cleared together here (a re-registration resets the utilisation)"),
    **{f"gen:spec.deployed_native.generators:process_decrease_declared_compute:{k}": (change, "a stored request block is "
                                                                                      "the request's block + 1 >= 2, and every "
                                                                                      "transaction runs in a later block than the one "
                                                                                      "before: `at != 0` (or `!= 1`) always holds and "
                                                                                      "`now >= at` does too, whichever way they combine")
       for k, change in ((6, "line 13: And -> Or"), (9, "line 13: 0 -> 1"))},
    **{f"gen:spec.deployed_native.generators:process_withdraw_stake:{k}": (change, "a stored unstake block is the request's "
                                                                           "block + 1 >= 2, and every transaction runs in a "
                                                                           "later block than the one before: `at != 0` (or "
                                                                           "`!= 1`) always holds and `now >= at` does too, "
                                                                           "whichever way they combine")
       for k, change in ((5, "line 13: And -> Or"), (8, "line 13: 0 -> 1"))},
    "gen:spec.deployed_native.generators:process_withdraw_stake:4": (
        "line 12: 0 -> 1", "the default is read only for a prover with no stored unstake block, but line 7 has required a "
        "pending stake reduction (utilisation != 1e18), and the utilisation and the block are set together by "
        "`process_request_stake_withdrawal` and cleared together here (a re-registration resets the utilisation)"),
    # deployed_native memberships: a member is always a registered prover (its allocations, each
    # compute_per_request > 0, sum to > 0, and deregistration requires a zero sum)
    **{f"gen:spec.deployed_native.memberships:{name}": (change, "the default for an unregistered address is never read: "
                                                         "the callers (`generator_state`, `assign_generator_task`) reach it only "
                                                         "for a market member, and a member is registered (deregistration "
                                                         "requires zero allocations, and every membership allocates > 0)")
       for name, change in (("idle_compute:3", "line 6: 0 -> 1"), ("free_stake:3", "line 6: 0 -> 1"),
                            ("generator_state:5", "line 11: 0 -> 1"))},
    "gen:spec.deployed_native.memberships:generator_state:7": (
        "line 16: Lt -> LtE", "reached only after `idle == declared` returned JOINED on the line before, so idle != declared "
        "here and `<` and `<=` agree"),
    # deployed_native signatures: OpenZeppelin's explicit range checks repeat eth-keys' own
    **{f"gen:spec.deployed_native.keys:recover:{k}": (change, "a signature these checks would let through (v not 27/28, "
                                                       "r = 0, r = n, s = 0) is refused by eth-keys itself (validate_signature_v / "
                                                       "_r_or_s refuse v - 27 outside {0, 1} and r >= n; its backends refuse r or "
                                                       "s = 0 mod n), which the next lines map to the same ECDSAInvalidSignature; "
                                                       "tests/forks/test_deployed_native_edges.py pins each case")
       for k, change in ((2, "line 9: Or -> And"), (10, "line 9: Lt -> LtE"), (11, "line 9: Lt -> LtE"))},
    "gen:spec.deployed_native.tasks:_assign:5": (
        "line 9: 0 -> 1", "a non-member's quoted price is compared with the ask's reward, and every ask's reward is >= 1 "
        "(createAsk refuses 0): `reward >= 0` and `reward >= 1` agree"),
    "gen:spec.deployed_native.tasks:_reward_details:7": (
        "line 10: 0 -> 1", "the default is returned only for an ASSIGNED ask (checked on the line before), whose prover "
        "holds that market's membership: the task counts in its active requests, and a member leaves only with none"),
    **{f"gen:spec.deployed_native.keyregistry:{name}:0": ("line 1: 0 -> 1", "the `age_ms` default is never used: every "
                                                           "caller (the four key operations and join_market) passes the "
                                                           "operation's attestation_age_ms")
       for name in ("verify_key", "update_encryption_key")},
    # the file reader of spec.jsonsafe (read_bytes): how far past the bound it reads ahead
    "gen:spec.jsonsafe:read_bytes:5": (
        "line 15: 1 -> 2", "a file is read with one `read` of max_bytes + 1 (+ 2 in the mutant) bytes: a file of at most "
        "max_bytes is read whole by both, a longer one yields more than max_bytes to both and is refused with the same "
        "BadFile; only one byte of read-ahead differs (tests/spec/test_edges_jsonsafe.py pins the bound and one byte past it)"),
}
