"""The summation lemma, proved once: the one fact every ghost aggregate relies on.

A ghost aggregate stands for `Σ_i c(r_i)`, the sum over the (finitely many) entries of a
collection of a contribution `c` of each entry's record. Entries are written only through
`properties.z3.unbounded.state.write`, which replaces one entry `r_j` by `r` and adds
`c(r) - c(r_j)` to the ghost. That is sound because of

    Σ_{i<n} (a[j := v])_i  ==  Σ_{i<n} a_i - a_j + v          for 0 <= j < n
    Σ_{i<n} (a[j := v])_i  ==  Σ_{i<n} a_i                    for j < 0 or j >= n

for every integer array `a` and every `n >= 0` (a finitely supported collection lies inside
some prefix `[0, n)`; entries beyond it are 0). `sum_to` is defined by recursion on `n`
(`z3.RecFunction`), and the lemma is proved by induction on `n`: the base case and the
inductive step are each discharged by Z3 (unsat of the negation), for every array, index and
value. `prove_summation_lemma()` returns the four checks. Its companion, the remainder lemma
(`prove_remainder_lemma`: with every entry >= 0, the sum less one entry is >= 0), is proved the
same way; a ghost that gives back an entry's contribution relies on it.
"""
from __future__ import annotations

import time
from functools import lru_cache

import attrs
import z3

INT = z3.IntSort()
ARRAY = z3.ArraySort(INT, INT)


@attrs.frozen
class LemmaCheck:
    name: str
    result: str  # "proved" or what Z3 said
    seconds: float


@lru_cache(maxsize=None)
def sum_to():
    """`sum_to(a, n) = Σ_{i<n} a[i]` (0 for n <= 0), by recursion on n."""
    f = z3.RecFunction("sum_to", ARRAY, INT, INT)
    a, n = z3.Const("st.a", ARRAY), z3.Int("st.n")
    z3.RecAddDefinition(f, [a, n], z3.If(n <= 0, 0, f(a, n - 1) + a[n - 1]))
    return f


def _claim(f, a, j, v, n):
    """P(n): the lemma's two cases at prefix length n."""
    updated = f(z3.Store(a, j, v), n)
    inside = z3.And(0 <= j, j < n)
    return z3.If(inside, updated == f(a, n) - a[j] + v, updated == f(a, n))


def _check(name: str, hypotheses, goal) -> LemmaCheck:
    started = time.perf_counter()
    solver = z3.Solver()
    solver.set("timeout", 20_000)
    solver.add(*hypotheses, z3.Not(goal))
    verdict = solver.check()
    return LemmaCheck(name, "proved" if verdict == z3.unsat else str(verdict), time.perf_counter() - started)


def prove_summation_lemma(claim=_claim) -> list[LemmaCheck]:
    """The lemma by induction on the prefix length, for all arrays, indices and values.
    `claim` is replaceable so that a wrong lemma can be shown to fail."""
    f = sum_to()
    a, j, v, n = z3.Const("a", ARRAY), z3.Int("j"), z3.Int("v"), z3.Int("n")
    return [
        _check("base: n <= 0", [n <= 0], claim(f, a, j, v, n)),
        _check("step: P(n) => P(n + 1) for n >= 0", [n >= 0, claim(f, a, j, v, n)], claim(f, a, j, v, n + 1)),
        # corollaries of the lemma (instances of P, then arithmetic): an entry rewritten with
        # an unchanged contribution leaves the sum; a new entry at the end adds its value
        _check("corollary: an unchanged contribution leaves the sum", [n >= 0, claim(f, a, j, a[j], n)], f(z3.Store(a, j, a[j]), n) == f(a, n)),
        _check("corollary: a new entry at n adds its value", [n >= 0, claim(f, a, n, v, n + 1)], f(z3.Store(a, n, v), n + 1) == f(a, n) + v),
    ]


def _remainder(f, a, j, n):
    """R(n): with every entry >= 0, the prefix sum is >= 0 and so is the sum of all entries but j."""
    return z3.And(f(a, n) >= 0, z3.Implies(z3.And(0 <= j, j < n), f(a, n) - a[j] >= 0))


def prove_remainder_lemma(claim=_remainder) -> list[LemmaCheck]:
    """The remainder lemma, by induction on n: if every entry is >= 0, the sum less any one
    entry is >= 0 (the sum of the others). A ghost moved by `write` away from an entry with a
    non-negative contribution uses it (`state._remainder_fact`)."""
    f = sum_to()
    a, j, n = z3.Const("a", ARRAY), z3.Int("j"), z3.Int("n")
    i = z3.Int("i")
    nonneg = z3.ForAll([i], a[i] >= 0, patterns=[a[i]])
    return [
        _check("remainder base: n <= 0", [nonneg, n <= 0], claim(f, a, j, n)),
        _check("remainder step: R(n) => R(n + 1) for n >= 0", [nonneg, n >= 0, claim(f, a, j, n)], claim(f, a, j, n + 1)),
    ]
