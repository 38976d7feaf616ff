"""The deployed_restaking fork: its scenarios hold, its vectors regenerate byte-identically and
pass on the reference adapter, each finding's trace violates its invariant and its fix keeps it."""
from __future__ import annotations

import json

import pytest
from pyrsistent import pmap

from reference.conformance.deployed_restaking.findings import FINDINGS, case_of, replay
from reference.conformance.deployed_restaking.generate import FORK_DIR, case_path
from reference.conformance.runner import run_conformance
from reference.conformance.scenarios.deployed_restaking import SCENARIOS
from reference.conformance.scenarios.deployed_restaking.world import World
from reference.conformance.cases import spec_version
from spec.deployed_restaking import operations as ops
from spec.deployed_restaking.codec import decode_config, decode_op
from spec.deployed_restaking.fixes import apply_with
from spec.deployed_restaking.pools import _add, _sub, select_stake_token
from spec.errors import InvalidConfig, MalformedOperation, SpecError
from spec.forks import get_fork


@pytest.mark.parametrize("s", SCENARIOS, ids=lambda s: f"{s.operation}/{s.name}")
def test_scenario_vector_is_committed(s):
    """Each scenario holds (its builder asserts its rule) and its committed vector is what it writes."""
    case = s.build().case(s.description, spec_version())
    committed = json.loads(case_path(FORK_DIR, s).read_text())
    assert committed == json.loads(json.dumps(case))
    last = committed["operations"][-1]["expect"]
    assert (last.get("error_code") or "ok") == s.expect


def test_vectors_pass_on_the_reference_adapter():
    report = run_conformance(vectors_dir=FORK_DIR)
    assert report.total == len(SCENARIOS) + len(FINDINGS) and report.failed == 0


@pytest.mark.parametrize("f", FINDINGS, ids=lambda f: f"{f.invariant}/{f.name}")
def test_finding_violates_and_fix_restores(f):
    case = case_of(f)  # raises unless the fork violates it and the fix keeps it
    assert json.loads(f.path.read_text())["finding"] == json.loads(json.dumps(case["finding"]))
    steps = case["operations"]
    _, found = replay(steps)
    assert any(f.invariant in v for v in found.values())
    _, fixed = replay(steps, apply_with(f.fix))
    assert not any(f.invariant in v for v in fixed.values())


def test_selection_depends_on_draw_only():
    """Two candidates of equal weight, both covered: the draw alone picks the token."""
    locks, active = {"A": 1, "B": 1}, lambda t: 10
    assert select_stake_token(("A", "B"), (1, 1), locks, active, 0, "X") == "A"
    assert select_stake_token(("A", "B"), (1, 1), locks, active, 1, "X") == "B"
    assert select_stake_token(("A", "B"), (1, 1), locks, lambda t: 10 if t == "B" else 0, 0, "X") == "B"


def test_selection_walks_cumulative_weights_and_swaps_out_the_uncovered():
    """_selectStakeToken with exact draws: r = draw % weightSum picks the first token whose
    cumulative weight exceeds r; an uncovered pick is replaced by the LAST candidate and its
    weight leaves the sum; a zero-weight token is never a candidate; a zero weight sum is the
    pool's own error. Expected tokens worked out by hand from NativeStaking.sol:243-300."""
    covered = {"A": 1, "B": 1, "C": 1, "Z": 0}
    pick = [select_stake_token(("A", "B", "C"), (2, 3, 1), covered, lambda t: 1, d, "REVERT_STRING") for d in range(7)]
    assert pick == ["A", "A", "B", "B", "B", "C", "A"]  # cumulative 2, 5, 6; draw 6 wraps to r = 0
    # A (r = 0 of 3) is uncovered: C takes its slot, the sum drops to 2, r = 0 picks C, not B
    assert select_stake_token(("A", "B", "C", "Z"), (1, 1, 1, 0), covered, lambda t: 0 if t == "A" else 1, 0, "REVERT_STRING") == "C"
    with pytest.raises(SpecError) as err:  # Z (weight 0) is covered by nothing at all, and still never chosen
        select_stake_token(("A", "Z"), (1, 0), covered, lambda t: 0, 0, "REVERT_STRING")
    assert err.value.code == "NoStakeTokenAvailableToLock"
    with pytest.raises(SpecError) as err:
        select_stake_token(("A",), (0,), covered, lambda t: 1, 0, "ZeroStakeTokenSelectionWeightSum")
    assert err.value.code == "ZeroStakeTokenSelectionWeightSum"


def test_pool_subtraction_removes_an_entry_that_reaches_zero():
    """`_sub` (every pool decrement: stake requested out, a lock released): an entry that reaches 0
    leaves the map (the State then equals one that never held it), one above 0 stays, 0 from an
    absent entry adds none, and an underflow is the checked panic."""
    k = ("POND", "bob")
    assert _sub(pmap({k: 5}), k, 5, "amount") == pmap()
    assert _sub(pmap({k: 5}), k, 4, "amount") == pmap({k: 1})
    assert _sub(pmap({k: 5}), k, 0, "amount") == pmap({k: 5})
    assert _sub(pmap(), k, 0, "amount") == pmap()
    with pytest.raises(SpecError) as err:
        _sub(pmap(), k, 1, "amount")
    assert err.value.code == "PANIC_0x11"
    w = World().fund("bob", "POND", 500)
    w.do(ops.Stake("bob", "POND", "bob", 500))
    w.do(ops.RequestStakeWithdrawal("bob", "bob", "POND", 500))
    assert w.state.native.stakes == pmap() and w.state.native.prover_stake == pmap()


def test_staking_nothing_adds_no_entry():
    """`_add` keeps the pool maps canonical, as storage is (a slot at zero is no slot): a stake of 0,
    which NativeStaking.stake accepts, leaves the State equal to one that never staked."""
    k = ("POND", "bob")
    assert _add(pmap(), k, 0) == pmap() and _add(pmap({k: 2}), k, 0) == pmap({k: 2}) and _add(pmap(), k, 3) == pmap({k: 3})
    w = World().fund("bob", "POND", 500)
    before = w.state.native
    w.do(ops.Stake("bob", "POND", "bob", 0))
    assert w.state.native == before


def test_bad_input_is_typed():
    with pytest.raises(InvalidConfig) as err:
        decode_config({"native_tokens": ["POND"], "native_weights": ["1", "2"]})
    assert err.value.field == "native_weights"
    with pytest.raises(MalformedOperation) as err:
        decode_op({"op": "submit_vault_snapshot", "args": {"sender": "t", "index": "0", "num_txs": "1", "capture_timestamp": "1",
                                                           "provers": ["a"], "vaults": [], "tokens": ["POND"], "amounts": ["1"]}})
    assert err.value.field == "amounts"
    assert get_fork("deployed_restaking").genesis().markets[0].metadata == b""


def test_rejected_step_leaves_state():
    w = World()
    before = w.state
    w.do(ops.AssignTask("mallory", 0, "bob"), "AttestationAutherKeyNotVerified")
    assert w.state is before


def test_z3_obligations_deployed_sat_fixed_unsat():
    from properties.z3.deployed_restaking import CHECKS

    results = [r for check in CHECKS for r in check()]
    assert len(results) == 9 and all(r.holds for r in results), [r.name for r in results if not r.holds]
    assert all(r.witness for r in results if " deployed:" in r.name or "deadline-only" in r.name)


def test_veto_slash_l1_model_deployed_refuses_every_path_and_the_fix_executes():
    """V1 on the fork's L1 slash model: under the deployed rules the keeper's every execute path
    is refused with the contracts' error and the oracle reports the unexecuted request; under the
    fix the same road takes min(amount, stake) and the oracle is clean. A refused step leaves the
    vault as it was; a vetoed request is not owed."""
    from properties.deployed_restaking import veto_keeper_run, veto_slash_compensation
    from spec.deployed_restaking import l1veto
    from spec.deployed_restaking.fixes import apply_l1_with
    from spec.errors import SpecError

    vault, refusals = veto_keeper_run(l1veto.apply_l1, 5_000, 500, 600)
    assert refusals["MiddlewareExecuteSlash(transmitter)"] == "NoSuchFunction"
    assert {v for k, v in refusals.items() if k.startswith("ExecuteSlash")} == {"NotNetworkMiddleware"}
    assert vault.stake == 5_000 and len(veto_slash_compensation(vault)) == 1
    fixed, refusals = veto_keeper_run(apply_l1_with("V1"), 5_000, 500, 600)
    assert refusals == {"MiddlewareExecuteSlash(transmitter)": "ok"} and fixed.stake == 4_500 and fixed.burned == 500
    assert veto_slash_compensation(fixed) == []
    assert veto_keeper_run(l1veto.apply_l1, 5_000, 500, 7 * 86_400) is None  # capture past requestSlash's bound
    v = l1veto.VetoVault(time=1_000_000, stake=5_000)
    v = l1veto.apply_l1(v, l1veto.RequestSlash(500, 999_000))
    with pytest.raises(SpecError, match="NotResolver"):
        l1veto.apply_l1(v, l1veto.VetoSlash("mallory", 0))
    with pytest.raises(SpecError, match="VetoPeriodNotEnded"):
        apply_l1_with("V1")(v, l1veto.MiddlewareExecuteSlash("transmitter", 0))
    vetoed = l1veto.apply_l1(l1veto.apply_l1(v, l1veto.VetoSlash("resolver", 0)), l1veto.Advance(8 * 86_400))
    assert veto_slash_compensation(vetoed) == [] and vetoed.stake == 5_000
    late = l1veto.apply_l1(v, l1veto.Advance(8 * 86_400))
    with pytest.raises(SpecError, match="SlashPeriodEnded"):
        apply_l1_with("V1")(late, l1veto.MiddlewareExecuteSlash("transmitter", 0))
