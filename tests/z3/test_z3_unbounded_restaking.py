"""Restaking inside the unbounded model: one transition relation for the market chain and the
restaking layer, I8 proved with the rest (market operations preserve it, restaking operations
preserve I1-I7), the restaked part of I16 and I13's governor/resolver clauses, the vacuity run,
and the deterministic spec <-> encoding tie of the restaking operations with its mutants."""
import pytest

from properties.z3.unbounded import scenario
from properties.z3.unbounded.mutants import RESTAKING_MUTANTS
from properties.z3.unbounded.proofs import OPERATIONS, prove_operation
from properties.z3.unbounded.restaking_ops import RESTAKING_OPERATION_NAMES
from properties.z3.unbounded.restaking_tie import check_restaking_tie


def test_one_transition_relation_holds_both_layers():
    assert set(RESTAKING_OPERATION_NAMES) < set(OPERATIONS)
    assert {"assign_task", "slash_missed_deadline", "advance_time"} < set(OPERATIONS)


def test_the_vacuity_run_reaches_every_restaking_operation():
    names = [name for name, _, _ in scenario.states()]
    assert set(RESTAKING_OPERATION_NAMES) <= set(names)


@pytest.mark.parametrize("operation, ids", [
    ("slash_missed_deadline", ("I8", "R6", "I1", "I14")),  # a market operation preserves I8; its restaked slash is in time
    ("veto_slash", ("I8", "I1", "I7", "I13")),  # a restaking operation preserves I1/I7; only the resolver vetoes
])
def test_restaking_and_market_obligations_prove(operation, ids):
    results = prove_operation(operation, ids)
    assert all(r.result in ("proved", "frame") for r in results), [(r.invariant, r.result) for r in results]
    counted = {r.invariant for r in results if r.kind == "obligation"}
    assert "I8" in counted or operation != "slash_missed_deadline"
    assert ("I1" in counted) == (operation == "slash_missed_deadline")  # a veto writes nothing I1 reads: a frame


@pytest.mark.slow  # ~50 s: Z3 gives up (unknown) on the broken transition after its resource limit
def test_only_the_resolver_vetoes():
    """I13's resolver clause: proved for veto_slash; with the resolver check dropped, not proved."""
    from properties.z3.unbounded.mutants import UMutant, drop_guard
    from spec import errors as E

    assert [r.result for r in prove_operation("veto_slash", ("I13",))] == ["proved"]
    mutant = UMutant("veto-resolver-dropped", "veto_slash", "dropped guard: the resolver", drop_guard("veto_slash", E.NotResolver))
    assert [r.result for r in prove_operation("veto_slash", ("I13",), encoders=mutant.encoders())] != ["proved"]


@pytest.mark.slow  # ~30 s
def test_assignment_backs_the_restaked_part_and_keeps_i8():
    results = prove_operation("assign_task", ("I16", "R3", "R4", "I7", "I8"))
    assert all(r.result in ("proved", "frame") for r in results), [(r.invariant, r.result) for r in results]
    assert {r.invariant for r in results if r.kind == "obligation"} >= {"I16", "R3", "R4"}


@pytest.mark.slow  # ~45 s: Z3 gives up (unknown) after its resource limit
def test_a_dropped_key_safety_rule_breaks_the_restaked_backing():
    """Without the key safety rule at assignment, a backing need not meet it: R3 no longer proves."""
    mutant = next(m for m in RESTAKING_MUTANTS if m.name == "assign-key-safety-dropped")
    results = prove_operation("assign_task", ("R3",), encoders=mutant.encoders())
    assert [r.result for r in results] != ["proved"]


def test_the_restaking_tie_agrees_on_the_veto():
    cases, _, bad = check_restaking_tie(operations=("veto_slash",))
    assert not bad, bad[:5]
    assert len(cases) >= 10
    assert any("VETO_PERIOD_ENDED comparison" in c.label for c in cases)


@pytest.mark.slow  # ~5-10 min: every step of the run
def test_the_restaking_tie_agrees_on_every_step():
    cases, _, bad = check_restaking_tie()
    assert not bad, bad[:5]
    assert len(cases) >= 150


@pytest.mark.slow  # ~30-60 s each
@pytest.mark.parametrize("mutant", RESTAKING_MUTANTS, ids=lambda m: m.name)
def test_every_restaking_encoder_mutant_is_caught(mutant):
    _, _, bad = check_restaking_tie(mutant.encoders(), operations=(mutant.operation,))
    assert bad, f"{mutant.name} ({mutant.description}) survived"


def test_a_failing_restaking_invariant_gets_a_readable_trace():
    """With the key safety rule dropped at assignment, I8 no longer holds: a concrete schedule of
    the restaking run shows the escape (the slash arrives after the vault's window); none exists
    for the committed encoding."""
    from properties.z3.unbounded.counterexample import find_trace

    mutant = next(m for m in RESTAKING_MUTANTS if m.name == "assign-key-safety-dropped")
    trace = find_trace("I8", mutant.encoders())
    assert trace is not None
    names = [name for name, _ in trace.steps]
    assert "assign_task" in names and names[-1] == "deliver_slash_request"
    assert "I8 violated" in trace.describe() and "deliver_slash_request(ask_id=0, vault_id=0" in trace.describe()
    assert find_trace("I8") is None
