"""The unbounded proofs of the market chain (`properties/z3/unbounded/`): the summation lemmas
hold by induction (and a wrong one fails), summed fields only move with their ghosts, a sample of
real obligations proves with satisfiable hypotheses, frames and step-only checks are not counted,
and a seeded bug in the encoding makes a proof fail."""
import attrs
import pytest
import z3

from properties.z3.model import PAYMENT
from properties.z3.unbounded import lemma
from properties.z3.unbounded import proofs as P
from properties.z3.unbounded import state as S
from properties.z3.unbounded import transitions as T


def test_summation_and_remainder_lemmas_hold_by_induction():
    checks = lemma.prove_summation_lemma() + lemma.prove_remainder_lemma()
    assert [c.result for c in checks] == ["proved"] * len(checks), checks


@pytest.mark.slow  # Z3 takes ~20 s to build a model of the recursive sum
def test_a_wrong_summation_lemma_fails():
    """The checks are not vacuous: forgetting the old entry (an update adds v on top of the
    sum, whatever the index) is refuted at once."""
    def wrong(f, a, j, v, n):
        return f(z3.Store(a, j, v), n) == f(a, n) + v
    base = lemma.prove_summation_lemma(wrong)[0]
    assert base.result == "sat", base


def test_summed_fields_move_only_through_write():
    s = S.fresh("s")
    with pytest.raises(ValueError, match="summed"):
        S.put(s, bal=s["bal"])
    with pytest.raises(ValueError, match="summed"):
        S.put(s, g_escrow=s["g_escrow"] + 1)
    out = S.write(s, "asks", z3.Int("n"), a_escrow=z3.IntVal(5))
    assert out["g_escrow"] is not s["g_escrow"] and out["g_locks"] is s["g_locks"]


@pytest.mark.parametrize("name", ["submit_proof", "withdraw_stake"])
def test_obligations_prove_and_are_classified(name):
    results = P.prove_operation(name)
    bad = [(r.invariant, r.result, r.detail) for r in results if r.result in P.FAILING]
    assert not bad, bad
    kinds = {r.invariant: r.kind for r in results}
    assert kinds["I10"] == "step"
    assert "obligation" in kinds.values()
    assert all(r.result == "frame" for r in results if r.kind == "frame")
    assert kinds["I1"] == "obligation" and kinds["A3" if name != "withdraw_stake" else "I9"] in ("obligation", "frame")


def test_genesis_satisfies_every_invariant():
    results = P.prove_initial(P.ALL_IDS)
    assert results and all(r.result == "proved" and r.kind == "init" for r in results)


def _proof_paying_the_prover_twice(s, op):
    """A seeded bug: the prover is paid the price twice (money from nowhere)."""
    effect = T.encode_process_submit_proof(s, op).effect
    n = op.ask_id
    return T.credit(effect, s["p_reward"][s["a_prover"][n]], PAYMENT, s["a_price"][n])


def test_a_seeded_bug_breaks_the_conservation_proof():
    """Quantified goals rarely give Z3 a model: a broken obligation ends `counterexample` or
    `unknown`, both failures (the directed check and the bounded model give the concrete trace)."""
    encoders = {**T.ENCODERS, "submit_proof": lambda s, op: attrs.evolve(T.encode_process_submit_proof(s, op),
                                                                      effect=_proof_paying_the_prover_twice(s, op))}
    [result] = P.prove_operation("submit_proof", ["I1"], encoders=encoders)
    assert result.kind == "obligation" and result.result in P.FAILING, result


def test_a_dropped_guard_breaks_an_invariant():
    """Without the free-compute guard, assignment can exceed the declared compute (I3)."""
    from properties.z3.unbounded.mutants import drop_guard
    from spec import errors as E

    encoders = {**T.ENCODERS, "assign_task": drop_guard("assign_task", E.InsufficientCompute)}
    [result] = P.prove_operation("assign_task", ["I3"], encoders=encoders)
    assert result.result in P.FAILING, result


def test_vacuous_hypotheses_are_reported():
    [result] = P.prove_operation("mint", ["I1"], witness=lambda *a: z3.unsat)
    assert result.result == "vacuous"


def test_liveness_enabling():
    assert [r.result for r in P.liveness_enabled()] == ["proved", "proved"]


