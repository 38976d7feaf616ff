"""The restaking invariants of the unbounded model: I8 (no prover escapes a restaked slash) and
its inductive strengthening R0-R7, ∀-formulas over asks, vaults, provers and captures, proved
for every operation of the one transition relation (market and restaking alike).

I8 is the safety property: no restaked slash requested for a task expires on the vault chain
(arrives after the stake it was requested from stopped being slashable). With the honest
parties' obligations (the keeper slashes at deadline + 1, the bridge delivers within its bound,
someone executes at the veto deadline), an escape would be a slash that cannot execute in its
window; R5-R7 say why none can: every backing meets the key safety rule under the acceptance
bounds of its snapshot and the bridge bound now, and every vault it locks meets those bounds.
"""
from __future__ import annotations

import z3

from properties.z3.model import ASSIGNED, DEADLINE_CROSSED
from properties.z3.unbounded.state import UInvariant, forall_ids as forall
from properties.z3.unbounded.restaked import key_safety_rule_holds, restaking_room, vsum
from properties.z3.unbounded.restaking_fields import EXECUTED, EXPIRED, FINAL, NONE, ON_BRIDGE, PENDING
from properties.z3.unbounded.transitions import ask_exists


def _rule(s, n):
    return key_safety_rule_holds(s["a_deadline"][n], s["r_bridge"], s["a_rveto"][n], s["a_rcap"][n], s["a_repoch"][n])


def encode_restaking_config(s) -> z3.BoolRef:
    """R0: epoch_length, epoch_duration, bridge_delay_max > 0, offset, veto_duration >= 0;
    `restaking_feasible` is `require_restaking_feasible` (room for a task of proof time >= 1)."""
    return z3.And(s["r_length"] > 0, s["r_epoch"] > 0, s["r_bridge"] > 0, s["r_offset"] >= 0, s["r_veto"] >= 0,
                  s["restaking_feasible"] == (restaking_room(s) >= 1), s["s_latest"] >= -1)


def encode_vaults_valid(s) -> z3.BoolRef:
    """R1: a vault has epoch > 0 and 0 <= veto window < epoch (0 for an instant slasher)."""
    return forall(["v"], lambda v: z3.Implies(s["v_exists"][v], z3.And(
        s["v_epoch"][v] > 0, 0 <= s["v_veto"][v], s["v_veto"][v] < s["v_epoch"][v], z3.Implies(s["v_instant"][v], s["v_veto"][v] == 0))),
        lambda v: s["v_exists"][v])


def encode_snapshots_valid(s) -> z3.BoolRef:
    """R2: a complete snapshot was captured before now, not after the latest, with bounds
    epoch > 0, veto >= 0; each stake in it is >= 0, of a registered prover, in a vault that meets
    the snapshot's bounds (it was accepted under them when sent)."""
    return z3.And(
        forall(["c"], lambda c: z3.Implies(s["s_complete"][c], z3.And(
            0 <= c, c <= s["s_latest"], c < s["now"], s["s_epoch"][c] > 0, s["s_veto"][c] >= 0)), lambda c: s["s_complete"][c]),
        forall(["c", "p", "v"], lambda c, p, v: z3.Implies(z3.And(s["s_complete"][c], s["s_stake"][c][p][v] != 0), z3.And(
            s["s_stake"][c][p][v] > 0, s["p_reg"][p], s["v_exists"][v], s["v_epoch"][v] >= s["s_epoch"][c], s["v_veto"][v] <= s["s_veto"][c])),
            lambda c, p, v: s["s_stake"][c][p][v]),
    )


def encode_backing_valid(s) -> z3.BoolRef:
    """R3: a restaked backing belongs to an in-flight task whose deadline + 1 is not past (the
    keeper), from a complete snapshot, meeting the key safety rule under the snapshot's bounds and
    the bridge bound now, locking > 0 in all (`vsum`); it has no slash yet."""
    return z3.And(
        forall(["n"], lambda n: z3.Implies(s["a_rback"][n], z3.And(
            ask_exists(s, n), s["a_state"][n] == ASSIGNED, s["now"] <= s["a_deadline"][n] + 1, s["s_complete"][s["a_rcap"][n]], _rule(s, n),
            vsum(s["a_rlock"][n]) > 0)),
            lambda n: s["a_rback"][n]),
        forall(["n", "v"], lambda n, v: z3.Implies(s["a_rback"][n], s["a_rstatus"][n][v] == NONE), lambda n, v: s["a_rstatus"][n][v]),
    )


def encode_restaked_locks_valid(s) -> z3.BoolRef:
    """R4 (amounts): a restaked lock (or the slash it became) is > 0, at most the prover's stake
    in the vault in the backing's snapshot, in a vault that meets the backing's bounds; what the
    tasks lock and what slashes encumber is >= 0."""
    return z3.And(
        forall(["n", "v"], lambda n, v: z3.Implies(s["a_rlock"][n][v] != 0, z3.And(
            s["a_rlock"][n][v] > 0, z3.Or(s["a_rback"][n], s["a_rstatus"][n][v] != NONE), s["s_complete"][s["a_rcap"][n]],
            s["a_rlock"][n][v] <= s["s_stake"][s["a_rcap"][n]][s["a_prover"][n]][v],
            s["v_exists"][v], s["v_epoch"][v] >= s["a_repoch"][n], s["v_veto"][v] <= s["a_rveto"][n])),
            lambda n, v: s["a_rlock"][n][v]),
        forall(["p", "v"], lambda p, v: s["g_rlock"][p][v] >= 0, lambda p, v: s["g_rlock"][p][v]),
        forall(["p", "v", "c"], lambda p, v, c: s["g_enc"][p][v][c] >= 0, lambda p, v, c: s["g_enc"][p][v][c]),
    )


def encode_slashes_valid(s) -> z3.BoolRef:
    """R5: a restaked slash is of a slashed task's lock, with a status in range; what the vault
    slashed is between 0 and the amount (0 unless executed); the market chain holds a result only
    when it is final."""
    def body(n, v):
        st = s["a_rstatus"][n][v]
        return z3.And(
            0 <= st, st <= EXPIRED,
            z3.Implies(st != NONE, z3.And(ask_exists(s, n), s["a_state"][n] == DEADLINE_CROSSED, z3.Not(s["a_rback"][n]), s["a_rlock"][n][v] > 0)),
            0 <= s["a_rslashed"][n][v], s["a_rslashed"][n][v] <= s["a_rlock"][n][v], z3.Implies(st != EXECUTED, s["a_rslashed"][n][v] == 0),
            z3.Implies(s["a_rdone"][n][v], z3.Or([st == f for f in FINAL])))
    return forall(["n", "v"], body, lambda n, v: (s["a_rstatus"][n][v], s["a_rslashed"][n][v], s["a_rdone"][n][v]))


def encode_slashes_in_time(s) -> z3.BoolRef:
    """R6: a slash on the bridge or in its veto window meets the key safety rule under its
    backing's bounds and the bridge bound now; one on the bridge was requested by deadline + 1 and
    delivering it now ends its vault's veto window while the capture is slashable; a pending one's
    veto deadline is not past and within that window, at a veto slasher."""
    def body(n, v):
        st, cap = s["a_rstatus"][n][v], s["a_rcap"][n]
        return z3.And(
            z3.Implies(z3.Or(st == ON_BRIDGE, st == PENDING), _rule(s, n)),
            z3.Implies(st == ON_BRIDGE, z3.And(s["a_rreq"][n] <= s["a_deadline"][n] + 1, s["now"] + s["v_veto"][v] <= cap + s["v_epoch"][v])),
            z3.Implies(st == PENDING, z3.And(s["now"] <= s["a_rvd"][n][v], s["a_rvd"][n][v] <= cap + s["v_epoch"][v], z3.Not(s["v_instant"][v]))))
    return forall(["n", "v"], body, lambda n, v: s["a_rstatus"][n][v])


def encode_no_escape(s) -> z3.BoolRef:
    """I8: no restaked slash expires: every slash of restaked stake requested for a task arrives
    while the stake is slashable and clears the veto window in time (no prover escapes)."""
    return forall(["n", "v"], lambda n, v: s["a_rstatus"][n][v] != EXPIRED, lambda n, v: s["a_rstatus"][n][v])


RESTAKING_AUXILIARY = (
    UInvariant("R0", "restaking_config", state=encode_restaking_config),
    UInvariant("R1", "vaults_valid", state=encode_vaults_valid),
    UInvariant("R2", "snapshots_valid", state=encode_snapshots_valid),
    UInvariant("R3", "backing_valid", state=encode_backing_valid),
    UInvariant("R4", "restaked_locks_valid", state=encode_restaked_locks_valid),
    UInvariant("R5", "slashes_valid", state=encode_slashes_valid),
    UInvariant("R6", "slashes_in_time", state=encode_slashes_in_time),
)
RESTAKING_PROTOCOL = (UInvariant("I8", "no_escape", state=encode_no_escape),)
__all__ = ["EXECUTED", "RESTAKING_AUXILIARY", "RESTAKING_PROTOCOL"]
