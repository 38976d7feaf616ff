"""Generated mutants of `spec.deployed_restaking` argued equivalent (merged into
`equivalents.EQUIVALENT`): each stored with the exact change it is about, as there."""
from __future__ import annotations

_B = "gen:spec.deployed_restaking.bids:"
_MEMBER_HAS_PROVER = ("a membership exists only for a registered prover (join_market requires it) and no operation "
                      "removes a prover, so `p` is never None where the default is read")
_ONLY_STATUS = ("every caller reads only the state of this answer (assign_task refuses anything but JOINED and WIP "
                "before it reads the idle compute; _release_compute and the projection read the state alone)")
_IDLE_LE_DECLARED = ("usable = declared * intendedComputeUtilization // 1e18 with the utilization fixed at 1e18 "
                     "(register_prover), so idle <= usable = declared: idle == declared returns JOINED just before, "
                     "and idle > declared never happens")
_CONSUMED_LE_USABLE = ("compute is consumed only by assign_task after `per_request <= idle` (idle = usable - consumed), "
                       "so consumed <= usable on every reachable state")
_R = "gen:spec.deployed_restaking.bridge:"
_NOT_COMPLETE = ("a status read for a (capture, transmitter) with no entry: 0 and 1 both differ from "
                 "SUBMISSION_COMPLETE (0x11), the only value the status is compared with")

_P = "gen:spec.deployed_restaking.pools:"
_LOCK_FOUND = ("the default lock is never read: complete_task, the only caller, runs for a bid assign_task accepted "
               "(submit_proof needs ASSIGNED, refund_fees DEADLINE_CROSSED, and only assign_task stores ASSIGNED), and "
               "assign_task stores symbiotic.locks[bid] (symbiotic_lock always sets it, amount 0 included); a lock leaves "
               "only here (the bid is then COMPLETED, which neither caller takes) or in symbiotic_slash, which runs only on "
               "bids the same slash result's refund has just left COMPLETED (any other state reverts NotSlashableBidId)")

DEPLOYED_RESTAKING = {
    **{_B + f"prover_state:{k}": (change, _MEMBER_HAS_PROVER)
       for k, change in ((5, "line 9: 0 -> 1"), (7, "line 11: 0 -> 1"), (17, "line 10: 0 -> 1"))},
    _B + "prover_state:8": ("line 12: GtE -> Gt", "at usable == consumed both give idle 0 (usable - consumed = 0 and the "
                            "else branch 0)"),
    _B + "prover_state:10": ("line 12: 0 -> 1", _CONSUMED_LE_USABLE + ": the else branch is never taken"),
    _B + "prover_state:12": ("line 17: Lt -> LtE", _IDLE_LE_DECLARED),
    _B + "prover_state:16": ("line 17: 0 -> 1", _IDLE_LE_DECLARED),
    _B + "prover_state:13": ("line 5: 0 -> 1", "the idle compute of a NULL prover: " + _ONLY_STATUS),
    _B + "prover_state:15": ("line 14: 0 -> 1", "the idle compute of a NO_COMPUTE_AVAILABLE prover: " + _ONLY_STATUS),
    _B + "prover_state:14": ("line 7: 0 -> 1", "no operation of the fork sets a membership REQUESTED_FOR_EXIT (the "
                             "fork has no leave-market call), so the branch is never taken"),
    **{_B + f"process_assign_task:{k}": (change, "the defaults are read only for a prover that is not a member, which is "
                                         "NULL and refused (AssignOnlyToIdleProvers) after these checks; a bid's reward and "
                                         "proof time are >= 1 (create_bid), so defaults of 1 let it through as 0 does")
       for k, change in ((7, "line 12: 0 -> 1"), (8, "line 12: 0 -> 1"))},
    _B + "process_submit_proof:2": ("line 13: 0 -> 1", "an assigned bid's prover is a member of the bid's market "
                                    "(assign_task requires JOINED or WIP there) and memberships are never removed"),
    _R + "_check_validity:2": ("line 14: Gt -> GtE", "the check before it requires index < num_txs with index a uint "
                               "(the operation's validator), so num_txs >= 1 here and `> 0` and `>= 0` both hold: ZeroNumOfTxs "
                               "is unreachable after InvalidIndex"),
    _R + "_check_validity:9": ("line 18: 0 -> 1", "the part count read here is discarded (only the next index is "
                               "checked); _count reads it again with its own default"),
    _R + "_check_validity:11": ("line 11: 0 -> 1", _NOT_COMPLETE),
    _R + "_confirm:1": ("line 4: 0 -> 1", _NOT_COMPLETE),
    _P + "_sub:4": ("line 3: Or -> And", "the two differ only for a non-zero result of an absent key, i.e. sub(0, amount) != 0: "
                    "a positive amount underflows (PANIC_0x11) before, and every amount is a uint (operation fields are "
                    "validated >= 0, lock amounts are Config integers in [0, 2^128))"),
    _P + "select_stake_token:6": ("line 14: 0 -> 1", "the initial `i` is dead: the for loop over `cand` rebinds it before "
                                  "`cand[i]` is read, and `cand` is non-empty there (the need just above)"),
    _P + "symbiotic_active:2": ("line 6: Gt -> GtE", "at stake == locked both give 0 (stake - locked = 0 and the else branch 0)"),
    _P + "symbiotic_unlock:0": ("line 5: 0 -> 1", _LOCK_FOUND),
    _P + "<toplevel>:2": ("line 93: 20 -> 21", "NO_TOKEN is read only as the token of symbiotic_unlock's default lock: "
                          + _LOCK_FOUND),
}
