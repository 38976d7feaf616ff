"""The restaking part of the unbounded state (`state.FIELDS`), one home for its field names.

Vaults by id: `v_exists`, their epoch and veto window (`v_epoch`, `v_veto`), `v_instant` (an
instant slasher), `v_resolver`. Complete snapshots by capture timestamp: `s_complete`, the
acceptance bounds their parts were sent under (`s_epoch`, `s_veto`) and `s_stake[c][p][v]`,
operator p's stake in vault v. Per ask (the `asks` collection, so `state.write` moves the
ghosts): `a_rback` (the task holds a restaked backing), its snapshot's capture and bounds
(`a_rcap`, `a_repoch`, `a_rveto`) and, per vault, `a_rlock` (the amount locked, kept as the
slash request's amount once slashed); the restaked slash of (ask, vault): `a_rstatus` (its
status on the vault chain), `a_rreq` (when the market chain requested it), `a_rvd` (its veto
deadline), `a_rslashed` (what the vault slashed), `a_rdone` / `a_rdone_at` (the market chain
received the result, and when).
"""
from __future__ import annotations

import z3

INT, BOOL = z3.IntSort(), z3.BoolSort()
_A1, _B1 = z3.ArraySort(INT, INT), z3.ArraySort(INT, BOOL)
_A2, _B2 = z3.ArraySort(INT, _A1), z3.ArraySort(INT, _B1)
_A3 = z3.ArraySort(INT, _A2)

# a restaked slash's status: NONE (no slash), ON_BRIDGE (requested by the market chain, not yet
# received by the vault chain), then the vault chain's PENDING (veto window) and the finals
NONE, ON_BRIDGE, PENDING, EXECUTED, VETOED, EXPIRED = range(6)
STATUS_NAMES = ("NONE", "ON_BRIDGE", "PENDING", "EXECUTED", "VETOED", "EXPIRED")
FINAL = (EXECUTED, VETOED, EXPIRED)

RESTAKING_FIELDS = {
    "v_exists": _B1, "v_epoch": _A1, "v_veto": _A1, "v_instant": _B1, "v_resolver": _A1,
    "s_complete": _B1, "s_epoch": _A1, "s_veto": _A1, "s_stake": _A3,
    "a_rback": _B1, "a_rcap": _A1, "a_repoch": _A1, "a_rveto": _A1, "a_rlock": _A2,
    "a_rstatus": _A2, "a_rreq": _A1, "a_rvd": _A2, "a_rslashed": _A2, "a_rdone": _B2, "a_rdone_at": _A2,
}
RESTAKING_PARAMS = ("r_length", "r_offset", "r_epoch", "r_veto", "r_bridge")
