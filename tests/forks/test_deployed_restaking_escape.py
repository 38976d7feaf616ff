"""The escape search on deployed_restaking (properties.deployed_restaking_escape): under the
deployed rules it finds a prover who misses its deadline, is reported promptly and keeps its
restaked stake; with the key safety rule switched on (the fork's I8 fix) the same search, same
budget, finds none, and the found trace's assignment is refused. The committed I8 finding is the
search's trace."""
import json

import pytest

from properties.deployed_restaking_escape import COOLDOWN, VAULT_EPOCH, Run, find_escape, run_actions, run_ops
from reference.conformance.deployed_restaking.findings import FINDINGS
from spec.deployed_restaking import operations as ops
from spec.deployed_restaking.codec import encode_op
from spec.deployed_restaking.fixes import apply_with

BUDGET = 600


@pytest.fixture(scope="module")
def found():
    trace = find_escape(max_examples=BUDGET)
    assert trace is not None, "no escape found under the deployed rules"
    return trace


def test_the_search_finds_an_escape_under_the_deployed_rules(found):
    run = run_ops(found)
    assert len(run.kept) == len(found)  # every operation of the trace is accepted
    [message] = run.escapes()
    bid_id, capture = next(iter(run.backing.items()))
    landed = run.reported[bid_id]
    deadline = run.state.bids[bid_id].deadline
    assert deadline < landed <= deadline + 1 + run.state.config.submission_cooldown  # missed, reported promptly
    assert landed > capture + VAULT_EPOCH and f"captured at {capture}" in message


def test_the_found_trace_is_one_minimal(found):
    for i in range(len(found)):
        rest = found[:i] + found[i + 1:]
        assert not run_ops(run_ops(rest).kept).escapes(), f"dropping step {i} ({found[i].name}) still escapes"


def test_with_the_key_safety_rule_on_the_search_finds_none(found):
    fixed = apply_with("I8")
    assert find_escape(fixed, max_examples=BUDGET) is None
    run = Run(fixed)
    refused = [op for op in found if not run.apply(op)]
    assert any(isinstance(op, ops.AssignTask) for op in refused)
    assert not run.escapes()


def test_the_committed_i8_finding_is_the_searched_trace(found):
    finding = next(f for f in FINDINGS if f.invariant.startswith("I8"))
    committed = json.loads(finding.path.read_text())
    assert [{"op": s["op"], "args": s["args"]} for s in committed["operations"]] == [encode_op(op) for op in found]
    assert committed["operations"][committed["finding"]["step"]]["op"] == "assign_task"


def test_the_deadline_only_fix_escapes_and_the_latency_fix_does_not():
    """The earlier fix (deadline - capture <= epoch) lets the search find a deadline within one
    cooldown of the bound whose prompt report lands after the epoch; the current fix (deadline + 1
    + submissionCooldown <= capture + epoch) refuses that assignment."""
    old = apply_with("I8-deadline-only")
    trace = find_escape(old, max_examples=BUDGET)
    assert trace is not None, "the deadline-only fix no longer escapes: the search lost the boundary window"
    run = run_ops(trace, old)
    [(bid_id, capture)] = run.backing.items()
    assert run.escapes() and run.state.bids[bid_id].deadline - capture <= VAULT_EPOCH  # within the old bound
    fixed = Run(apply_with("I8"))
    assert not all(fixed.apply(op) for op in trace) and not fixed.escapes()


@pytest.mark.parametrize("slack, delay, escapes_old", [(1, 0, True), (COOLDOWN, COOLDOWN - 1, True), (COOLDOWN + 1, COOLDOWN - 1, False)])
def test_the_fix_bound_is_tight(slack, delay, escapes_old):
    """A deadline `slack` s before capture + epoch, reported `delay` s after it became slashable:
    the fix refuses exactly the assignments (slack <= cooldown) that can escape, accepts the next
    second, and nothing it accepts escapes."""
    old = run_actions([("capture", 5_000), ("edge", slack, 3_600), ("miss", delay)], apply_with("I8-deadline-only"))
    new = run_actions([("capture", 5_000), ("edge", slack, 3_600), ("miss", delay)], apply_with("I8"))
    assert bool(old.escapes()) == escapes_old
    assert bool(new.backing) == (slack > COOLDOWN) and not new.escapes()
