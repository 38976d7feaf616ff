"""The persistent Groth16 prover: load a snarkjs ``.zkey`` once, prove many witnesses.

    prover = Prover.load("circuit.zkey", r1cs="circuit.r1cs")   # r1cs optional
    proof, public = prover.prove(wtns_bytes, r, s)

Everything between the files and the five MSMs stays in limb arrays (``reference.fast.cpu_keys``):

1. QAP rows: ``a_i = <A_i, w>``, ``b_i = <B_i, w>`` from the zkey's coefficients (rows m + s carry
   A = signal s), ``c_i = a_i * b_i`` (snarkjs does the same). With an r1cs, ``<C_i, w>`` is also
   evaluated and every constraint checked (``UnsatisfiedConstraint`` names the first one broken).
2. H scalars: each of a, b, c goes through iNTT then an NTT on the coset ``w_2n * <w_n>``;
   ``h = a*b - c`` there (the zkey's H query is the odd-point Lagrange basis of the 2n-domain).
3. MSMs with the blinding folded into the bases: ``A = alpha1 + sum w_i A_i + r delta1``,
   ``B1``/``B2`` likewise with beta and s, ``C = sum_private w_i C_i + sum h_i H_i - rs delta1``,
   then ``C += s A + r B1`` (two G1 multiplications in py_ecc).

The proof equals ``reference.zk.groth16.prove`` with the same key, witness and (r, s).
"""
from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Iterable, Iterator

import attrs
import numba
import numpy as np

from reference.fast import _kernels as k
from reference.fast import _kernels_fr as kf
from reference.fast.cpu import PARALLEL_FROM
from reference.fast.convert import g1_from_jacobian, g2_from_jacobian, pack, unpack
from reference.fast.cpu_keys import (
    MAX_KEY_BYTES, ZkeyArrays, check_matches, compiled_key, parse_zkey_arrays, read_file, source_bytes, witness_rows,
)
from reference.fast.limbs import (
    fr_montgomery, from_montgomery, precomputed_window_bits, signed_digit_windows, to_montgomery, twiddles, window_bits,
)
from reference.zk.binfile import R1csArrays, read_r1cs_arrays
from reference.zk.curve import add, multiply
from reference.zk.field import R, check_scalar, inv, root_of_unity
from reference.zk.groth16 import Groth16Error, Proof
from reference.zk.r1cs import CircuitError, UnsatisfiedConstraint

def _with(rows: np.ndarray, *extra: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.concatenate((rows,) + extra))


PRECOMPUTE_BUDGET = 2 * 2**30
"""Bytes of precomputed MSM tables a persistent prover may hold (``Prover.precompute``)."""
MSMS = ("a_bases", "b1_bases", "c_bases", "b2_bases")


class Prover:
    """A proving key in memory (bases extended with the fixed points), ready for many proofs."""

    def __init__(self, key: ZkeyArrays, r1cs: R1csArrays | None = None):
        self.key = key
        self.r1cs = r1cs
        self.tables: dict = {}  # MSM name -> (table rows 2^(c*w) * P_i, c), see ``precompute``
        n = key.domain_size
        inf1 = np.zeros((1, 2, 4), dtype=np.uint64)
        inf2 = np.zeros((1, 2, 2, 4), dtype=np.uint64)
        # scalars of A, B1, B2: w_0 .. w_{n_vars-1}, 1, r, s
        self.a_bases = _with(key.a, key.alpha1, key.delta1, inf1)
        self.b1_bases = _with(key.b1, key.beta1, inf1, key.delta1)
        self.b2_bases = _with(key.b2, key.beta2, inf2, key.delta2)
        # scalars of C: private w, h (n values), -r*s
        self.c_bases = _with(key.c, key.h, key.delta1)
        # the key's queries become views of the extended bases (the file buffer and the parsed
        # sections are freed once the caller drops them)
        n_c = key.c.shape[0]
        self.key = key = attrs.evolve(
            key, a=self.a_bases[: key.n_vars], b1=self.b1_bases[: key.n_vars], b2=self.b2_bases[: key.n_vars],
            c=self.c_bases[:n_c], h=self.c_bases[n_c : n_c + n],
        )
        self.infinity = {name: ~getattr(self, name).reshape(getattr(self, name).shape[0], -1).any(axis=1)
                         for name in ("a_bases", "b1_bases", "b2_bases", "c_bases")}
        shift = root_of_unity(2 * n)
        n_inv = inv(n)
        # iNTT scale n^-1 folded into the coset powers: (n^-1 * shift^i) for i < n
        self.coset = k.powers(fr_montgomery(shift), n)
        k.vec_scale(self.coset, pack([n_inv * (1 << 256) % R]), pack([R]), k.R_INV)
        self.tw_fwd = twiddles(n, False)
        self.tw_inv = twiddles(n, True)
        if r1cs is not None:
            self.r1cs_coef = to_montgomery(r1cs.coeff.copy(), "r")

    @classmethod
    def load(cls, zkey, r1cs=None, precompute: int = 0) -> "Prover":
        """A prover for ``zkey`` (path or bytes); with ``r1cs`` (path, bytes or arrays) the key is
        checked to be that circuit's and every witness is checked against its constraints; with
        ``precompute`` > 0, up to that many bytes of MSM tables are built (``Prover.precompute``)."""
        prover = cls.from_parsed(parse_zkey_arrays(source_bytes(zkey, "zkey")), r1cs)
        if precompute:
            prover.precompute(precompute)
        return prover

    def precompute(self, budget: int = PRECOMPUTE_BUDGET) -> int:
        """Tables ``2^(c*w) * P_i`` of each MSM's bases, in the order A, B1, C, B2 while they fit in
        ``budget`` bytes; returns the bytes held. An MSM with a table sums all its windows into one bucket
        array (``_kernels.pippenger_precomputed``): no bucket reduction per window and no doublings, for
        about a quarter less work per proof at 2^16, paid once at load (``windows * c`` doublings per base).
        For a prover that proves the same circuit again and again; the proofs are unchanged."""
        used = sum(t[0].nbytes for t in self.tables.values())
        for name in MSMS:
            bases = getattr(self, name)
            inf = self.infinity[name]
            c = precomputed_window_bits(max(int(inf.size - inf.sum()), 1), bases[0].nbytes)
            windows = signed_digit_windows(c)
            if name in self.tables or used + windows * bases.nbytes > budget:
                continue
            jacobian = np.zeros((windows * bases.shape[0], 3) + bases.shape[2:], dtype=np.uint64)
            kf.shifted_bases(bases, c, windows, jacobian)
            table = np.zeros((windows * bases.shape[0],) + bases.shape[1:], dtype=np.uint64)
            kf.to_affine(jacobian, table)
            del jacobian
            self.tables[name] = (table, c)
            used += table.nbytes
        return used

    @classmethod
    def from_parsed(cls, key: ZkeyArrays, r1cs=None) -> "Prover":
        """``load`` from a key parsed by ``cpu_keys.parse_zkey_arrays``."""
        key = compiled_key(key)
        arrays = None
        if r1cs is not None:
            arrays = r1cs if isinstance(r1cs, R1csArrays) else read_r1cs_arrays(source_bytes(r1cs, "r1cs"))
            check_matches(key, arrays)
        return cls(key, arrays)

    @property
    def n_public(self) -> int:
        return self.key.n_public

    def witness_rows(self, witness) -> np.ndarray:
        """A witness (.wtns path or bytes, limb rows, or ints) as checked normal-form limb rows."""
        return witness_rows(witness, self.key.n_vars)

    def h_scalars(self, w_mont: np.ndarray) -> np.ndarray:
        """``a*b - c`` on the coset ``w_2n * <w_n>`` as normal-form limb rows."""
        key, n = self.key, self.key.domain_size
        abc = np.zeros((3, n, 4), dtype=np.uint64)
        kf.lc_evaluate(key.coef_matrix, key.coef_row, key.coef_signal, key.coef_value, w_mont, abc)
        if self.r1cs is not None:
            self._check_constraints(w_mont, abc)
        kf.mul_rows(abc[0], abc[1], abc[2])
        for i in range(3):
            kf.ntt_in_place(abc[i], self.tw_inv)
            kf.mul_rows(abc[i], self.coset, abc[i])
            kf.ntt_in_place(abc[i], self.tw_fwd)
        h = np.empty((n, 4), dtype=np.uint64)
        kf.mul_sub(abc[0], abc[1], abc[2], h)
        return from_montgomery(h, "r")

    def _check_constraints(self, w_mont: np.ndarray, abc: np.ndarray) -> None:
        r1cs = self.r1cs
        c = np.zeros((3, r1cs.n_constraints, 4), dtype=np.uint64)
        kf.lc_evaluate(r1cs.matrix, r1cs.row, r1cs.wire, self.r1cs_coef, w_mont, c)
        bad = kf.first_unsatisfied(abc[0], abc[1], c[2], r1cs.n_constraints)
        if bad >= 0:
            raise UnsatisfiedConstraint(int(bad))

    def window(self, name: str) -> int:
        """The Pippenger window of an MSM: by its count of finite bases and the threads it runs on."""
        inf = self.infinity[name]
        return window_bits(max(int(inf.size - inf.sum()), 1), numba.get_num_threads())

    def _msm(self, name: str, scalars: np.ndarray, degree: int, digits_by_c: dict | None = None) -> list[int]:
        """The MSM over ``name``'s bases; ``digits_by_c`` shares the signed digits of the same scalars between
        MSMs (A, B1 and B2 take the same scalars), keyed by window."""
        bases = getattr(self, name)
        table, c = self.tables.get(name, (None, self.window(name)))
        cache = {} if digits_by_c is None else digits_by_c
        if c not in cache:
            cache[c] = k.signed_digits(scalars, c, signed_digit_windows(c))
        digits = cache[c]
        inf = self.infinity[name]
        if inf.any():
            digits = digits.copy()
            digits[:, inf] = 0
        out = np.zeros((1, 3) + bases.shape[2:], dtype=np.uint64)
        if table is None:
            k.pippenger(bases, digits, c, out)
        else:
            k.pippenger_precomputed(table, np.ascontiguousarray(digits), c, numba.get_num_threads(), out)
        return unpack(from_montgomery(out.reshape(3 * degree, 4), "q"))

    def prove(self, witness, r: int, s: int) -> tuple[Proof, list[int]]:
        """(proof, public signals) for ``witness`` with blinding scalars r, s in [0, r); domains below
        ``PARALLEL_FROM`` run on one thread (barriers cost more than they save there)."""
        if self.key.domain_size >= PARALLEL_FROM:
            return self._prove(witness, r, s)
        saved = numba.get_num_threads()
        numba.set_num_threads(1)
        try:
            return self._prove(witness, r, s)
        finally:
            numba.set_num_threads(saved)

    def prove_stream(self, jobs: Iterable[tuple], workers: int | None = None) -> Iterator[tuple]:
        """``(proof, public), None`` or ``None, error`` for each ``(witness, r, s)`` of ``jobs``, in order.

        ``workers`` proofs run at once, each on one thread (default: numba's thread count): the kernels
        release the GIL, so a stream of witnesses keeps every core busy through the parts of a proof that
        one proof cannot spread over cores (QAP rows, recoding, conversions, the Python glue) and without
        the barriers of splitting each MSM. ``jobs`` is read lazily (a stdin stream works); at most
        ``2 * workers`` proofs are pending. Each proof equals ``prove`` with the same inputs."""
        workers = workers or numba.get_num_threads()
        if workers <= 1:
            for job in jobs:
                yield self._attempt(self.prove, job)
            return

        def one(job):
            numba.set_num_threads(1)  # per calling thread
            return self._attempt(self._prove, job)

        pending: deque = deque()
        with ThreadPoolExecutor(workers, thread_name_prefix="kalypso-prove") as pool:
            for job in jobs:
                pending.append(pool.submit(one, job))
                if len(pending) >= 2 * workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()

    @staticmethod
    def _attempt(prove, job) -> tuple:
        try:
            return prove(*job), None
        except Exception as exc:  # noqa: BLE001 - handed to the caller with its job, in order
            return None, exc

    def _prove(self, witness, r: int, s: int) -> tuple[Proof, list[int]]:
        check_scalar("r", r)
        check_scalar("s", s)
        w = self.witness_rows(witness)
        w_mont = to_montgomery(w.copy(), "r")
        h = self.h_scalars(w_mont)
        ext = _with(w, pack([1, r, s]))
        shared: dict = {}
        a = g1_from_jacobian(*self._msm("a_bases", ext, 1, shared))
        b1 = g1_from_jacobian(*self._msm("b1_bases", ext, 1, shared))
        x0, x1, y0, y1, z0, z1 = self._msm("b2_bases", ext, 2, shared)
        b2 = g2_from_jacobian((x0, x1), (y0, y1), (z0, z1))
        c_scalars = _with(w[self.key.n_public + 1 :], h, pack([(R - r * s % R) % R]))
        c = g1_from_jacobian(*self._msm("c_bases", c_scalars, 1))
        c = add(add(c, multiply(a, s)), multiply(b1, r))
        public = unpack(w[1 : self.key.n_public + 1])
        return Proof(a=a, b=b2, c=c), public


__all__ = ["Prover", "read_file", "Groth16Error", "MAX_KEY_BYTES"]


def warm_up() -> None:
    """Compile (or load from numba's cache) every CPU kernel: the backend's, the persistent prover's and
    the array setup's."""
    from reference.fast.cpu import warm_up as warm_up_backend
    from reference.fast.cpu_keys import _curve_b
    from reference.fast.cpu_setup import generator_multiples

    warm_up_backend()
    generator_multiples([1, 2], 1)
    generator_multiples([1, 2], 2)

    idx = np.zeros(1, dtype=np.int64)
    rows = np.zeros((2, 4), dtype=np.uint64)
    abc = np.zeros((3, 2, 4), dtype=np.uint64)
    kf.lc_evaluate(idx, idx, idx, rows, rows, abc)
    kf.first_unsatisfied(abc[0], abc[1], abc[2], 2)
    kf.mul_rows(abc[0], abc[1], abc[2])
    kf.mul_sub(abc[0], abc[1], abc[2], rows)
    kf.off_curve(np.zeros((1, 2, 4), dtype=np.uint64), _curve_b(1))
    kf.off_curve(np.zeros((1, 2, 2, 4), dtype=np.uint64), _curve_b(2))
    for shape in ((2, 4), (2, 2, 4)):  # a persistent prover's precomputed tables
        points = np.zeros((1,) + shape, dtype=np.uint64)
        jacobian = np.zeros((1, 3) + shape[1:], dtype=np.uint64)
        kf.shifted_bases(points, 2, 1, jacobian)
        kf.to_affine(jacobian, points)
        k.pippenger_precomputed(points, np.zeros((1, 1), dtype=np.int32), 2, 1, jacobian)
