"""The restaking operations of the unbounded model, one `encode_process_<op>` each, mirroring
`spec.restaked_stake`, `spec.restaking` and `spec.relay` (same checks, same order, same errors).

The bridge is the adversary's: each message's delivery is an operation the adversary may take at
any time its guard allows (delays, reorders, duplicates and retransmissions change only *when*;
receivers ignore a copy they already handled). A snapshot is sent by the honest transmitter
(every vault in it accepted under the bounds it is stamped with, the network's bounds when it
was sent) and delivered whole: `deliver_snapshot` stands for its parts' transmissions and
deliveries, with the weakest stamped bounds (any bounds its vaults meet). The vault chain's share
accounting is abstracted to what a slash takes (`slashed`, between 0 and the request's amount).
The honest parties' obligations are guards on `advance_time` (`transitions.honest_parties_act_by`).
"""
from __future__ import annotations

import attrs
import z3

from properties.z3.transitions import Checks, Encoded
from properties.z3.unbounded.restaked import key_safety_rule_holds, restaking_room
from properties.z3.unbounded.restaking_fields import EXECUTED, EXPIRED, FINAL, NONE, ON_BRIDGE, PENDING, VETOED
from properties.z3.unbounded.state import forall_ids, put, write
from spec import errors as E


def _op(name: str, **kinds) -> type:
    cls = attrs.make_class("S" + "".join(w.title() for w in name.split("_")),
                           {f: attrs.field(metadata={"kind": k}) for f, k in kinds.items()}, frozen=True)
    cls.name = name
    return cls


RESTAKING_OPERATIONS = {
    "set_restaking_parameters": _op("set_restaking_parameters", sender="int", epoch_length="int", offset="int", epoch_duration="int",
                                    veto_duration="int", bridge_delay_max="int"),
    "create_vault": _op("create_vault", sender="int", vault_id="int", epoch_duration="int", slasher_known="bool", instant="bool",
                        veto_duration="int", resolver="int", shares_named="bool", shares_positive="bool"),
    "deliver_snapshot": _op("deliver_snapshot", capture_ts="int", epoch_start="bool", epoch_duration="int", veto_duration="int",
                            stakes="row2"),
    "deliver_slash_request": _op("deliver_slash_request", ask_id="int", vault_id="int", slashed="int"),
    "veto_slash": _op("veto_slash", sender="int", ask_id="int", vault_id="int"),
    "execute_slash": _op("execute_slash", sender="int", ask_id="int", vault_id="int", slashed="int"),
    "deliver_slash_result": _op("deliver_slash_result", ask_id="int", vault_id="int"),
}
RESTAKING_OPERATION_NAMES = tuple(RESTAKING_OPERATIONS)


def unresolved(s: dict, n, v) -> z3.BoolRef:
    """The market chain's REQUESTED: a slash whose result it has not received."""
    return z3.And(s["a_rstatus"][n][v] != NONE, z3.Not(s["a_rdone"][n][v]))


def encode_process_set_restaking_parameters(s: dict, op) -> Encoded:
    checks = Checks()
    checks.require(op.sender == s["r_governor"], E.NotGovernor)
    for value in (op.epoch_length, op.epoch_duration, op.bridge_delay_max):
        checks.require(value > 0, E.InvalidRestakingParameter)
    for value in (op.offset, op.veto_duration):
        checks.require(value >= 0, E.InvalidRestakingParameter)
    checks.require(restaking_room(s, op.epoch_duration, op.offset, op.bridge_delay_max, op.veto_duration) >= 1, E.KeySafetyRuleViolated)
    def rule(k):  # under the backing's own acceptance bounds and the new bridge bound
        return key_safety_rule_holds(s["a_deadline"][k], op.bridge_delay_max, s["a_rveto"][k], s["a_rcap"][k], s["a_repoch"][k])

    checks.require(forall_ids(["gov.n"], lambda n: z3.Implies(s["a_rback"][n], rule(n)), lambda n: s["a_rback"][n]), E.KeySafetyRuleViolated)
    checks.require(forall_ids(["gov.n", "gov.v"], lambda n, v: z3.Implies(unresolved(s, n, v), rule(n)), lambda n, v: s["a_rstatus"][n][v]),
                   E.KeySafetyRuleViolated)
    out = put(s, r_length=op.epoch_length, r_offset=op.offset, r_epoch=op.epoch_duration, r_veto=op.veto_duration,
              r_bridge=op.bridge_delay_max, restaking_feasible=z3.BoolVal(True))
    return Encoded(checks, out)


def encode_process_create_vault(s: dict, op) -> Encoded:
    checks = Checks()
    v = op.vault_id
    checks.require(z3.Not(s["v_exists"][v]), E.VaultExists)
    checks.require(op.epoch_duration > 0, E.InvalidVaultParameter)
    checks.require(op.slasher_known, E.InvalidVaultParameter)
    checks.require(z3.If(op.instant, op.veto_duration == 0, z3.And(0 < op.veto_duration, op.veto_duration < op.epoch_duration)),
                   E.InvalidVaultParameter)
    checks.require(op.shares_named, E.InvalidVaultParameter)
    checks.require(op.shares_positive, E.InvalidVaultParameter)
    out = put(s, v_exists=z3.Store(s["v_exists"], v, True), v_epoch=z3.Store(s["v_epoch"], v, op.epoch_duration),
              v_veto=z3.Store(s["v_veto"], v, op.veto_duration), v_instant=z3.Store(s["v_instant"], v, op.instant),
              v_resolver=z3.Store(s["v_resolver"], v, op.resolver))
    return Encoded(checks, out)


def encode_process_deliver_snapshot(s: dict, op) -> Encoded:
    """The honest transmitter's snapshot of `capture_ts` arrives whole (`receive_snapshot_part`)."""
    checks = Checks()
    c, stakes = op.capture_ts, op.stakes
    checks.require(op.epoch_start, E.InvalidCaptureTimestamp)
    checks.require(z3.And(0 <= c, c < s["now"]), E.InvalidCaptureTimestamp)
    checks.require(c > s["s_latest"], E.StaleCapture)
    checks.require(c + s["r_epoch"] > s["now"], E.StaleCapture)
    checks.require(forall_ids(["snap.p", "snap.v"], lambda p, v: stakes[p][v] >= 0, lambda p, v: stakes[p][v]), E.InvalidSnapshotPart)
    checks.require(forall_ids(["snap.p", "snap.v"], lambda p, v: z3.Implies(stakes[p][v] != 0, s["p_reg"][p]), lambda p, v: stakes[p][v]),
                   E.UnknownOperator)
    # sent honestly: every vault in it existed and met the bounds it was stamped with
    checks.require(z3.And(op.epoch_duration > 0, op.veto_duration >= 0, forall_ids(["snap.p", "snap.v"], lambda p, v: z3.Implies(stakes[p][v] != 0, z3.And(
        s["v_exists"][v], s["v_epoch"][v] >= op.epoch_duration, s["v_veto"][v] <= op.veto_duration)), lambda p, v: stakes[p][v])),
        E.InvalidSnapshotPart)
    out = put(s, s_complete=z3.Store(s["s_complete"], c, True), s_epoch=z3.Store(s["s_epoch"], c, op.epoch_duration),
              s_veto=z3.Store(s["s_veto"], c, op.veto_duration), s_stake=z3.Store(s["s_stake"], c, stakes), s_latest=c)
    return Encoded(checks, out)


def _set(s: dict, n, v, **fields) -> dict:
    """Slash (n, v)'s fields (each a per-vault row of the ask)."""
    return write(s, "asks", n, **{f: z3.Store(s[f][n], v, value) for f, value in fields.items()})


def _clamp(x, hi):
    return z3.If(x < 0, 0, z3.If(x > hi, hi, x))


def encode_process_deliver_slash_request(s: dict, op) -> Encoded:
    """`receive_slash_request`: the vault chain holds the request until veto_deadline = now +
    the vault's veto_duration; EXPIRED if that is past the capture's slashable window, executed
    at once by an instant slasher, else PENDING."""
    checks = Checks()
    n, v = op.ask_id, op.vault_id
    checks.require(s["a_rstatus"][n][v] == ON_BRIDGE, E.UnknownMessage)
    checks.require(s["v_exists"][v], E.UnknownVault)
    deadline = s["now"] + s["v_veto"][v]
    late = deadline > s["a_rcap"][n] + s["v_epoch"][v]
    status = z3.If(late, EXPIRED, z3.If(s["v_instant"][v], EXECUTED, PENDING))
    slashed = z3.If(z3.And(z3.Not(late), s["v_instant"][v]), _clamp(op.slashed, s["a_rlock"][n][v]), 0)
    return Encoded(checks, _set(s, n, v, a_rstatus=status, a_rvd=deadline, a_rslashed=slashed))


def pending_request(s: dict, checks: Checks, n, v) -> None:
    """`get_pending_request`: on the vault chain, PENDING, at a veto slasher."""
    checks.require(z3.And(s["a_rstatus"][n][v] != NONE, s["a_rstatus"][n][v] != ON_BRIDGE), E.UnknownSlashRequest)
    checks.require(s["a_rstatus"][n][v] == PENDING, E.SlashRequestCompleted)
    checks.require(z3.Not(s["v_instant"][v]), E.NotVetoSlasher)


def encode_process_veto_slash(s: dict, op) -> Encoded:
    checks = Checks()
    n, v = op.ask_id, op.vault_id
    pending_request(s, checks, n, v)
    checks.require(op.sender == s["v_resolver"][v], E.NotResolver)
    checks.require(s["now"] < s["a_rvd"][n][v], E.VetoPeriodEnded)
    return Encoded(checks, _set(s, n, v, a_rstatus=z3.IntVal(VETOED)))


def encode_process_execute_slash(s: dict, op) -> Encoded:
    checks = Checks()
    n, v = op.ask_id, op.vault_id
    pending_request(s, checks, n, v)
    checks.require(s["now"] >= s["a_rvd"][n][v], E.VetoPeriodNotEnded)
    checks.require(s["now"] <= s["a_rcap"][n] + s["v_epoch"][v], E.SlashPeriodEnded)
    return Encoded(checks, _set(s, n, v, a_rstatus=z3.IntVal(EXECUTED), a_rslashed=_clamp(op.slashed, s["a_rlock"][n][v])))


def encode_process_deliver_slash_result(s: dict, op) -> Encoded:
    """`receive_slash_result`: the market chain records the vault chain's final answer, once."""
    checks = Checks()
    n, v = op.ask_id, op.vault_id
    final = z3.Or([s["a_rstatus"][n][v] == f for f in FINAL])
    checks.require(z3.And(final, z3.Not(s["a_rdone"][n][v])), E.UnknownMessage)
    return Encoded(checks, _set(s, n, v, a_rdone=z3.BoolVal(True), a_rdone_at=s["now"]))


RESTAKING_ENCODERS = {name: globals()[f"encode_process_{name}"] for name in RESTAKING_OPERATIONS}
__all__ = ["RESTAKING_ENCODERS", "RESTAKING_OPERATIONS", "RESTAKING_OPERATION_NAMES"]
