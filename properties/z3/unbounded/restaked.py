"""Restaked stake on the market chain inside the unbounded model (`spec.restaked_stake`): the
confirmed snapshot, the free restaked stake per vault, the key safety rule, locking a task's
restaked backing at assignment, releasing it, and turning it into slash requests.

Two sums over unboundedly many vaults are choices of the step, constrained as the spec
constrains them (the spec's greedy vault-by-vault split is one of the allowed choices, so every
accepted spec step is a step of the model):
- the split of the restaked part over the snapshot's vaults (`TAKE`): each vault's share between
  0 and its free stake, summing (`vsum`, the sum of a finitely supported row) to the part;
- the prover's free restaked total after the assignment, which only the auto-cancel of its other
  quotes reads (`RFREE`): any amount >= 0 while some snapshot is complete, 0 otherwise.
"""
from __future__ import annotations

import z3

from properties.z3.unbounded.restaking_fields import ON_BRIDGE
from properties.z3.unbounded.state import A1, forall_ids, is_stake_token, row_lambda, write

INT = z3.IntSort()
vsum = z3.Function("vsum", A1, INT)  # Σ_v row[v] of a finitely supported row


def _vsum_axioms() -> tuple:
    """`vsum` on finitely supported rows (the summation lemma, `lemma.py`, in axiom form): 0 on the
    empty row; a store moves it by the new entry less the old. Used to evaluate concrete rows."""
    a, i, x = z3.Const("vsum.a", A1), z3.Int("vsum.i"), z3.Int("vsum.x")
    return (vsum(z3.K(INT, z3.IntVal(0))) == 0,
            z3.ForAll([a, i, x], vsum(z3.Store(a, i, x)) == vsum(a) - a[i] + x, patterns=[vsum(z3.Store(a, i, x))]))


VSUM_AXIOMS = _vsum_axioms()
CAPTURE = z3.Int("choice.capture")  # the snapshot the step reads as confirmed
TAKE = z3.Array("choice.take", INT, INT)  # the restaked part's split over vaults
RFREE = z3.Int("choice.rfree")  # free restaked total after the step (auto-cancel only)
ZERO_ROW = z3.K(INT, z3.IntVal(0))


def key_safety_rule_holds(deadline, bridge, veto, capture, epoch) -> z3.BoolRef:
    """deadline + 1 + bridge_delay_max + veto_duration <= capture_ts + epoch_duration."""
    return deadline + 1 + bridge + veto <= capture + epoch


def restaking_room(s: dict, epoch=None, offset=None, bridge=None, veto=None):
    """max_restaked_proof_time: epoch_duration - offset - 1 - bridge_delay_max - veto_duration."""
    pick = lambda x, f: s[f] if x is None else x  # noqa: E731
    return pick(epoch, "r_epoch") - pick(offset, "r_offset") - 1 - pick(bridge, "r_bridge") - pick(veto, "r_veto")


def usable(s: dict, c) -> z3.BoolRef:
    return z3.And(s["s_complete"][c], c + s["r_offset"] <= s["now"])


def confirmed(s: dict, c) -> z3.BoolRef:
    """c is the confirmed snapshot: complete, at least `offset` old, the latest such."""
    return z3.And(usable(s, c), forall_ids(["confirmed.c"], lambda d: z3.Implies(usable(s, d), d <= c), lambda d: s["s_complete"][d]))


def free_restaked(s: dict, p, v, c):
    """Vault v's stake of prover p in snapshot c less what tasks lock and slashes encumber, >= 0."""
    held = s["g_rlock"][p][v] + s["g_enc"][p][v][c]
    amount = s["s_stake"][c][p][v] - held
    return z3.If(amount > 0, amount, 0)


def restaked_need(s: dict, m, native_rt):
    """The restaked part: the slash amount in the restaking token that free native stake leaves."""
    rt = s["restaking_token"]
    return z3.If(z3.And(is_stake_token(s, rt), s["m_slash"][m][rt] > 0), s["m_slash"][m][rt] - native_rt, 0)


def split_valid(s: dict, p, need) -> z3.BoolRef:
    """TAKE splits `need` over the confirmed snapshot CAPTURE, each vault within its free stake."""
    return z3.And(confirmed(s, CAPTURE), vsum(TAKE) == need,
                  z3.ForAll([z3.Int("split.v")], z3.And(0 <= TAKE[z3.Int("split.v")], TAKE[z3.Int("split.v")] <= free_restaked(s, p, z3.Int("split.v"), CAPTURE)),
                            patterns=[TAKE[z3.Int("split.v")]]))


def rfree_after(s: dict):
    return z3.If(s["s_latest"] >= 0, z3.If(RFREE > 0, RFREE, 0), 0)


def lock_restaked(s: dict, n, need) -> dict:
    """The task holds the split as its restaked backing, with the snapshot's capture and bounds."""
    backed = need > 0
    zero = z3.IntVal(0)
    return write(s, "asks", n, a_rback=backed, a_rcap=z3.If(backed, CAPTURE, zero),
                 a_repoch=z3.If(backed, s["s_epoch"][CAPTURE], zero), a_rveto=z3.If(backed, s["s_veto"][CAPTURE], zero),
                 a_rlock=z3.If(backed, TAKE, ZERO_ROW))


def release_restaked(s: dict, n) -> dict:
    """A task that ends without a slash gives its restaked backing back."""
    return write(s, "asks", n, a_rback=z3.BoolVal(False), a_rlock=ZERO_ROW)


def request_restaked_slash(s: dict, n) -> dict:
    """A slashed task's backing becomes one slash request per vault it locked, sent now (each
    request keeps the lock's amount, encumbering the vault's stake until resolved)."""
    backed, lock, status = s["a_rback"][n], s["a_rlock"][n], s["a_rstatus"][n]
    out = write(s, "asks", n, a_rback=z3.BoolVal(False),
                a_rstatus=row_lambda(lambda v: z3.If(z3.And(backed, lock[v] > 0), ON_BRIDGE, status[v]), "rslash.v"),
                a_rreq=z3.If(backed, s["now"], s["a_rreq"][n]))
    return out


__all__ = ["CAPTURE", "TAKE", "RFREE", "vsum", "confirmed", "free_restaked", "key_safety_rule_holds",
           "lock_restaked", "release_restaked", "request_restaked_slash", "restaked_need", "restaking_room", "rfree_after", "split_valid"]
