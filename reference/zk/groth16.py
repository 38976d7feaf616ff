"""Groth16 over BN254 in the snarkjs key layout.

QAP: for a circuit with m constraints and n_public public signals the domain is <w_n> with n the
least power of two >= m + n_public + 1. Row i < m of the QAP is constraint i; row m + s
(s = 0..n_public) has A = signal s, B = C = 0, which makes the public A-polynomials independent.

The H query holds ``L^(2n)_(2i+1)(tau) / delta`` (Lagrange basis of the 2n-domain at the odd
points, i.e. at the coset ``w_2n * <w_n>``), so the prover multiplies it by the evaluations of
``a*b - c`` on that coset; no division by Z is needed (this is the snarkjs zkey convention, which
lets keys from a snarkjs .zkey and from ``setup`` share one prover).

``setup`` is INSECURE: the toxic waste (tau, alpha, beta, gamma, delta) is derived from a public
seed, so anyone can forge proofs. It exists for tests, vectors and benchmarks only.
"""
from __future__ import annotations

import hashlib
from typing import Callable, Sequence

import attrs

from reference.zk.backend import Backend, ReferenceBackend
from reference.zk.curve import (
    CurveError, add, fixed_base_g1, fixed_base_g2, fixed_base_window, multiply, neg, pairing_check,
)
from reference.zk.errors import Groth16Error
from reference.zk.field import R, batch_inv, check_scalar, inv, root_of_unity
from reference.zk.r1cs import R1CS, evaluate

Progress = Callable[[str], None]


@attrs.frozen
class VerifyingKey:
    alpha1: tuple
    beta2: tuple
    gamma2: tuple
    delta2: tuple
    ic: tuple  # n_public + 1 G1 points

    @property
    def n_public(self) -> int:
        return len(self.ic) - 1


@attrs.frozen
class ProvingKey:
    domain_size: int
    n_vars: int
    n_public: int
    alpha1: tuple
    beta1: tuple
    beta2: tuple
    delta1: tuple
    delta2: tuple
    a_query: tuple   # n_vars G1
    b1_query: tuple  # n_vars G1
    b2_query: tuple  # n_vars G2
    c_query: tuple   # n_vars - n_public - 1 G1 (private signals)
    h_query: tuple   # domain_size G1
    vk: VerifyingKey


@attrs.frozen
class Proof:
    a: tuple
    b: tuple
    c: tuple


def domain_size_for(r1cs: R1CS) -> int:
    """Least power of two >= constraints + n_public + 1."""
    need = len(r1cs.constraints) + r1cs.n_public + 1
    n = 1
    while n < need:
        n *= 2
    return n


def qap_evaluations(r1cs: R1CS, witness: Sequence[int], n: int) -> tuple[list[int], list[int], list[int]]:
    """<A_i, w>, <B_i, w>, <C_i, w> for every QAP row i of the n-domain."""
    m = len(r1cs.constraints)
    a, b, c = [0] * n, [0] * n, [0] * n
    for i, con in enumerate(r1cs.constraints):
        a[i] = evaluate(con.a, witness)
        b[i] = evaluate(con.b, witness)
        c[i] = evaluate(con.c, witness)
    for s in range(r1cs.n_public + 1):
        a[m + s] = witness[s]
    return a, b, c


def toxic_waste(seed: bytes) -> dict[str, int]:
    """tau, alpha, beta, gamma, delta = SHA-256(b"kalypso.groth16.setup" || name || counter || seed)
    mod r, with the first counter (1 byte) giving a value that is non-zero and, for tau, not a
    root of unity of order up to 2^28."""
    out = {}
    for name in ("tau", "alpha", "beta", "gamma", "delta"):
        for counter in range(256):
            digest = hashlib.sha256(b"kalypso.groth16.setup" + name.encode() + bytes([counter]) + seed).digest()
            v = int.from_bytes(digest, "big") % R
            if v and not (name == "tau" and pow(v, 1 << 28, R) == 1):
                out[name] = v
                break
    return out


def _lagrange_at(tau: int, n: int, points: Sequence[int]) -> list[int]:
    """L^n_k(tau) for the domain points x_k given (tau not in the domain)."""
    scale = (pow(tau, n, R) - 1) * inv(n) % R
    inverses = batch_inv([(tau - x) % R for x in points])
    return [scale * x % R * d % R for x, d in zip(points, inverses)]


def setup_scalars(r1cs: R1CS, seed: bytes) -> dict:
    """The discrete logs of every key point (INSECURE seeded setup): ``alpha``, ``beta``, ``gamma``,
    ``delta`` and per query the scalars of the generator (``a``, ``b`` for A/B1/B2, ``ic``, ``c``,
    ``h``); ``n`` is the domain size. Points are these times G1 (or G2)."""
    if not isinstance(seed, bytes):
        raise Groth16Error("seed: must be bytes")
    t = toxic_waste(seed)
    tau, alpha, beta, gamma, delta = t["tau"], t["alpha"], t["beta"], t["gamma"], t["delta"]
    n = domain_size_for(r1cs)
    m = len(r1cs.constraints)
    w = root_of_unity(n)
    domain = [1] * n
    for i in range(1, n):
        domain[i] = domain[i - 1] * w % R
    lag = _lagrange_at(tau, n, domain)
    u, v, c = [0] * r1cs.n_vars, [0] * r1cs.n_vars, [0] * r1cs.n_vars
    for i, con in enumerate(r1cs.constraints):
        for var, coeff in con.a:
            u[var] = (u[var] + coeff * lag[i]) % R
        for var, coeff in con.b:
            v[var] = (v[var] + coeff * lag[i]) % R
        for var, coeff in con.c:
            c[var] = (c[var] + coeff * lag[i]) % R
    for s in range(r1cs.n_public + 1):
        u[s] = (u[s] + lag[m + s]) % R
    gamma_inv, delta_inv = inv(gamma), inv(delta)
    combo = [(beta * u[j] + alpha * v[j] + c[j]) % R for j in range(r1cs.n_vars)]
    w2 = root_of_unity(2 * n)
    odd = [w2] * n
    w2sq = w2 * w2 % R
    for i in range(1, n):
        odd[i] = odd[i - 1] * w2sq % R
    return {
        "n": n, "alpha": alpha, "beta": beta, "gamma": gamma, "delta": delta, "a": u, "b": v,
        "ic": [combo[j] * gamma_inv % R for j in range(r1cs.n_public + 1)],
        "c": [combo[j] * delta_inv % R for j in range(r1cs.n_public + 1, r1cs.n_vars)],
        "h": [x * delta_inv % R for x in _lagrange_at(tau, 2 * n, odd)],
    }


def setup(r1cs: R1CS, seed: bytes, progress: Progress | None = None) -> ProvingKey:
    """INSECURE deterministic setup from ``seed`` (toxic waste known to anyone with the seed)."""
    say = progress or (lambda _msg: None)
    k = setup_scalars(r1cs, seed)
    g1 = fixed_base_g1(fixed_base_window(3 * r1cs.n_vars + k["n"]))
    g2 = fixed_base_g2(fixed_base_window(r1cs.n_vars))
    say("setup: A, B1 queries")
    a_query = tuple(g1.mul(x) for x in k["a"])
    b1_query = tuple(g1.mul(x) for x in k["b"])
    say("setup: B2 query")
    b2_query = tuple(g2.mul(x) for x in k["b"])
    say("setup: IC, C queries")
    ic = tuple(g1.mul(x) for x in k["ic"])
    c_query = tuple(g1.mul(x) for x in k["c"])
    say("setup: H query")
    h_query = tuple(g1.mul(x) for x in k["h"])
    vk = VerifyingKey(alpha1=g1.mul(k["alpha"]), beta2=g2.mul(k["beta"]), gamma2=g2.mul(k["gamma"]),
                      delta2=g2.mul(k["delta"]), ic=ic)
    return ProvingKey(
        domain_size=k["n"], n_vars=r1cs.n_vars, n_public=r1cs.n_public,
        alpha1=vk.alpha1, beta1=g1.mul(k["beta"]), beta2=vk.beta2, delta1=g1.mul(k["delta"]), delta2=vk.delta2,
        a_query=a_query, b1_query=b1_query, b2_query=b2_query, c_query=c_query, h_query=h_query, vk=vk,
    )


def blinding_from_seed(seed: bytes) -> tuple[int, int]:
    """(r, s) = SHA-256(b"kalypso.groth16.blind" || b"r"/b"s" || seed) mod r."""
    return tuple(
        int.from_bytes(hashlib.sha256(b"kalypso.groth16.blind" + label + seed).digest(), "big") % R
        for label in (b"r", b"s")
    )


def h_evaluations(r1cs: R1CS, witness: Sequence[int], n: int, backend: Backend) -> list[int]:
    """a*b - c evaluated on the odd coset w_2n * <w_n> (the scalars of the H query)."""
    a, b, c = qap_evaluations(r1cs, witness, n)
    shift = root_of_unity(2 * n)
    a, b, c = (backend.coset_ntt(backend.intt(x), shift) for x in (a, b, c))
    return [(x * y - z) % R for x, y, z in zip(a, b, c)]


def prove(
    pk: ProvingKey,
    r1cs: R1CS,
    witness: Sequence[int],
    r: int,
    s: int,
    backend: Backend | None = None,
    progress: Progress | None = None,
) -> Proof:
    """A Groth16 proof for ``witness`` with blinding scalars r, s in [0, r)."""
    check_scalar("r", r)
    check_scalar("s", s)
    if (r1cs.n_vars, r1cs.n_public) != (pk.n_vars, pk.n_public):
        raise Groth16Error(
            f"proving key: built for {pk.n_vars} signals / {pk.n_public} public, "
            f"circuit has {r1cs.n_vars} / {r1cs.n_public}"
        )
    if domain_size_for(r1cs) > pk.domain_size:
        raise Groth16Error(f"proving key: domain {pk.domain_size} is too small for the circuit")
    r1cs.check_witness(witness)
    backend = backend or ReferenceBackend()
    say = progress or (lambda _msg: None)
    say("prove: QAP (NTT)")
    h = h_evaluations(r1cs, witness, pk.domain_size, backend)
    w = list(witness)
    say("prove: MSM A, B1")
    a = add(add(pk.alpha1, backend.msm_g1(pk.a_query, w)), multiply(pk.delta1, r))
    b1 = add(add(pk.beta1, backend.msm_g1(pk.b1_query, w)), multiply(pk.delta1, s))
    say("prove: MSM B2")
    b2 = add(add(pk.beta2, backend.msm_g2(pk.b2_query, w)), multiply(pk.delta2, s))
    say("prove: MSM C, H")
    c = add(backend.msm_g1(pk.c_query, w[pk.n_public + 1 :]), backend.msm_g1(pk.h_query, h))
    c = add(c, multiply(a, s))
    c = add(c, multiply(b1, r))
    c = add(c, multiply(pk.delta1, (R - r * s % R) % R))
    return Proof(a=a, b=b2, c=c)


def _public_combination(vk: VerifyingKey, public: Sequence[int]):
    """IC_0 + sum x_i IC_i (natively where mcl loads)."""
    from reference.zk import native
    from reference.zk.curve import g1_from_affine, g1_to_affine

    if native.available():
        x, y = native.g1_lincomb([g1_to_affine(p) for p in vk.ic], [1, *public])
        return g1_from_affine(x, y, "vk_x")
    vk_x = vk.ic[0]
    for x, point in zip(public, vk.ic[1:]):
        vk_x = add(vk_x, multiply(point, x))
    return vk_x


def verify(vk: VerifyingKey, public: Sequence[int], proof: Proof) -> bool:
    """e(-A, B) * e(alpha, beta) * e(IC_0 + sum x_i IC_i, gamma) * e(C, delta) == 1."""
    if len(public) != vk.n_public:
        raise Groth16Error(f"public inputs: {len(public)} given, key expects {vk.n_public}")
    for i, x in enumerate(public):
        check_scalar(f"public[{i}]", x)
    vk_x = _public_combination(vk, public)
    try:
        return pairing_check(
            [(neg(proof.a), proof.b), (vk.alpha1, vk.beta2), (vk_x, vk.gamma2), (proof.c, vk.delta2)]
        )
    except CurveError:
        return False


__all__ = [
    "Groth16Error", "VerifyingKey", "ProvingKey", "Proof", "domain_size_for", "qap_evaluations",
    "toxic_waste", "setup_scalars", "setup", "blinding_from_seed", "h_evaluations", "prove", "verify",
]
