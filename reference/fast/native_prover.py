"""Small keys proved without compiled Python: mcl's MSM (PyPI ``mclbn256``) and the QAP on ints.

Below ``NATIVE_BELOW`` (a domain of 2^13) a whole ``kalypso zk prove`` process is mostly start-up:
importing numba and loading its cached kernels costs more than the proof. This prover needs neither:

- the key: ``cpu_keys.parse_zkey_arrays`` (numpy), points checked on their curves with Python ints
  the first time a key digest is seen (remembered as ``cpu_keys`` does), coefficients in normal form;
- the QAP: ``a_i = <A_i, w>``, ``b_i = <B_i, w>`` from the zkey's coefficients, ``c_i = a_i b_i``, the
  constraints checked against the ``.r1cs`` when given, iNTT then coset NTT on ints
  (``reference.zk.ntt``, as ``groth16.h_evaluations``), ``h = a*b - c``;
- the MSMs: ``mclBnG1_mulVec`` / ``mclBnG2_mulVec`` of mcl, initialised for alt_bn128 by
  ``reference.zk.native``. A zkey point is already affine Montgomery form (``x 2^256 mod q``), which is
  mcl's representation of a coordinate, so a base is the zkey's row plus ``z = 1`` (in Montgomery form;
  ``z = 0`` for infinity); scalars are Fr in Montgomery form. The fixed points ride along as extra
  bases exactly as in ``cpu_prover.Prover`` (``[A, alpha1, delta1, inf]`` with ``[w, 1, r, s]``, ...).

The proof is a group element, so it is the one ``cpu_prover.Prover`` and ``groth16.prove`` give
(``tests/fast/test_fast_native_prover.py``). ``load_prover`` picks this prover for small keys where
mcl loads and ``cpu_prover.Prover`` otherwise.
"""
from __future__ import annotations

import ctypes

import numpy as np

from reference.fast.cpu_keys import (
    ZkeyArrays, _known_valid, _remember_valid, check_matches, key_points, parse_zkey_arrays, source_bytes, witness_rows,
)
from reference.zk.binfile import BinFormatError, R1csArrays, read_r1cs_arrays
from reference.zk.field import Q, R, check_scalar, root_of_unity
from reference.zk.groth16 import Proof
from reference.zk.r1cs import UnsatisfiedConstraint

NATIVE_BELOW = 1 << 13
_RINV_Q = pow(1 << 256, -1, Q)
_ONE_Q = np.frombuffer(((1 << 256) % Q).to_bytes(32, "little"), dtype="<u8")
_B1 = 3
_B2 = None  # 3 / (9 + u), filled from py_ecc on first use


def _ints(rows: np.ndarray) -> list[int]:
    data = np.ascontiguousarray(rows, dtype="<u8").tobytes()
    return [int.from_bytes(data[i : i + 32], "little") for i in range(0, len(data), 32)]


def _pack(values) -> np.ndarray:
    return np.frombuffer(b"".join(v.to_bytes(32, "little") for v in values), dtype="<u8").reshape(-1, 4).copy()


def _fr_montgomery(values) -> np.ndarray:
    return _pack([(v << 256) % R for v in values])


def _off_curve(rows: np.ndarray, degree: int) -> int:
    """Index of the first point of affine Montgomery rows not on the curve (all zeros: infinity), or -1."""
    global _B2
    c = [x * _RINV_Q % Q for x in _ints(rows.reshape(-1, 4))]
    if degree == 1:
        for i in range(0, len(c), 2):
            x, y = c[i], c[i + 1]
            if (x or y) and (y * y - x * x * x - _B1) % Q:
                return i // 2
        return -1
    if _B2 is None:
        from py_ecc.optimized_bn128 import b2

        _B2 = tuple(int(v) for v in b2.coeffs)
    for i in range(0, len(c), 4):
        x0, x1, y0, y1 = c[i : i + 4]
        if not (x0 or x1 or y0 or y1):
            continue
        s0, s1 = (x0 * x0 - x1 * x1), 2 * x0 * x1  # x^2
        t0, t1 = (s0 * x0 - s1 * x1) % Q, (s0 * x1 + s1 * x0) % Q  # x^3
        if (y0 * y0 - y1 * y1 - t0 - _B2[0]) % Q or (2 * y0 * y1 - t1 - _B2[1]) % Q:
            return i // 4
    return -1


def validate_points(key: ZkeyArrays) -> None:
    """Every point of the key on its curve (Python ints), once per key digest."""
    if _known_valid(key.digest):
        return
    for name, rows, degree in key_points(key):
        i = _off_curve(rows, degree)
        if i >= 0:
            raise BinFormatError(f"zkey: {name}[{i}] is not on the BN254 {'G1 curve' if degree == 1 else 'G2 twist'}")
    _remember_valid(key.digest)


def _mcl_bases(*parts: np.ndarray) -> np.ndarray:
    """Affine Montgomery rows ((n, 2, 4) or (n, 2, 2, 4)) as mcl Jacobian points (z = 1 or 0)."""
    rows = np.concatenate(parts)
    out = np.zeros((rows.shape[0], 3) + rows.shape[2:], dtype=np.uint64)
    out[:, :2] = rows
    finite = rows.reshape(rows.shape[0], -1).any(axis=1)
    if rows.ndim == 3:
        out[finite, 2] = _ONE_Q
    else:
        out[finite, 2, 0] = _ONE_Q
    return out


def normal_key(key: ZkeyArrays) -> ZkeyArrays:
    """The key with its QAP coefficients in normal form (Python ints, no compiled code)."""
    if key.coef_form == "normal":
        return key
    import attrs

    shift = pow(1 << (512 if key.coef_form == "stored" else 256), -1, R)
    values = [v * shift % R for v in _ints(key.coef_value)]
    return attrs.evolve(key, coef_value=_pack(values), coef_form="normal")


class NativeProver:
    """A small proving key as mcl points, ready for many proofs (same interface as ``cpu_prover.Prover``)."""

    def __init__(self, key: ZkeyArrays, r1cs: R1csArrays | None = None):
        from reference.zk import native

        self.lib = native._lib()
        self.key, self.r1cs = key, r1cs
        inf1, inf2 = np.zeros((1, 2, 4), dtype=np.uint64), np.zeros((1, 2, 2, 4), dtype=np.uint64)
        self.a_bases = _mcl_bases(key.a, key.alpha1, key.delta1, inf1)  # scalars w, 1, r, s
        self.b1_bases = _mcl_bases(key.b1, key.beta1, inf1, key.delta1)
        self.b2_bases = _mcl_bases(key.b2, key.beta2, inf2, key.delta2)
        self.c_bases = _mcl_bases(key.c, key.h, key.delta1)  # scalars private w, h, -rs
        key = normal_key(key)
        values = _ints(key.coef_value)
        self.terms = list(zip(key.coef_matrix.tolist(), key.coef_row.tolist(), key.coef_signal.tolist(), values))
        if r1cs is not None:
            c = r1cs.matrix == 2
            self.c_terms = list(zip(r1cs.row[c].tolist(), r1cs.wire[c].tolist(), _ints(r1cs.coeff[c])))
        self.key = key
        self.n_public = key.n_public

    @classmethod
    def from_parsed(cls, key: ZkeyArrays, r1cs=None) -> "NativeProver":
        validate_points(key)
        key = normal_key(key)
        arrays = None
        if r1cs is not None:
            arrays = r1cs if isinstance(r1cs, R1csArrays) else read_r1cs_arrays(source_bytes(r1cs, "r1cs"))
            check_matches(key, arrays)
        return cls(key, arrays)

    @classmethod
    def load(cls, zkey, r1cs=None) -> "NativeProver":
        return cls.from_parsed(parse_zkey_arrays(source_bytes(zkey, "zkey")), r1cs)

    def h_scalars(self, w: list[int]) -> list[int]:
        from reference.zk import ntt

        n = self.key.domain_size
        acc = ([0] * n, [0] * n)
        for matrix, row, signal, value in self.terms:
            acc[matrix][row] += value * w[signal]
        a, b = [x % R for x in acc[0]], [x % R for x in acc[1]]
        if self.r1cs is not None:
            c = [0] * self.r1cs.n_constraints
            for row, wire, value in self.c_terms:
                c[row] += value * w[wire]
            for i, (x, y, z) in enumerate(zip(a, b, c)):
                if (x * y - z) % R:
                    raise UnsatisfiedConstraint(i)
        c = [x * y % R for x, y in zip(a, b)]
        shift = root_of_unity(2 * n)
        a, b, c = (ntt.coset_ntt(ntt.intt(x), shift) for x in (a, b, c))
        return [(x * y - z) % R for x, y, z in zip(a, b, c)]

    def _msm(self, bases: np.ndarray, scalars: list[int]):
        """sum scalars[i] * bases[i] as an mcl point (Jacobian, Montgomery coordinates)."""
        degree = 1 if bases.ndim == 3 else 2
        frs = _fr_montgomery(scalars)
        out = (ctypes.c_uint64 * (12 * degree))()
        mul_vec = self.lib.mclBnG1_mulVec if degree == 1 else self.lib.mclBnG2_mulVec
        mul_vec(out, bases.ctypes.data_as(ctypes.c_void_p), frs.ctypes.data_as(ctypes.c_void_p), ctypes.c_size_t(len(scalars)))
        return out

    def _affine(self, point) -> list[int]:
        """The normalized coordinates of an mcl point as ints (x, y, z; Fq2 ones flattened c0, c1)."""
        (self.lib.mclBnG1_normalize if len(point) == 12 else self.lib.mclBnG2_normalize)(point, point)
        return [v * _RINV_Q % Q for v in _ints(np.ctypeslib.as_array(point).reshape(-1, 4))]

    def _plus_multiple(self, acc, point, k: int) -> None:
        """acc += k * point (G1, in mcl)."""
        fr = (ctypes.c_uint64 * 4)(*_fr_montgomery([k])[0].tolist())
        tmp = (ctypes.c_uint64 * 12)()
        self.lib.mclBnG1_mul(tmp, point, fr)
        self.lib.mclBnG1_add(acc, acc, tmp)

    def prove(self, witness, r: int, s: int) -> tuple[Proof, list[int]]:
        """(proof, public signals) for ``witness`` with blinding scalars r, s in [0, r)."""
        from reference.fast.convert import g1_from_jacobian, g2_from_jacobian

        check_scalar("r", r)
        check_scalar("s", s)
        w = _ints(witness_rows(witness, self.key.n_vars))
        h = self.h_scalars(w)
        ext = w + [1, r, s]
        a = self._msm(self.a_bases, ext)
        b1 = self._msm(self.b1_bases, ext)
        b2 = self._msm(self.b2_bases, ext)
        c = self._msm(self.c_bases, w[self.n_public + 1 :] + h + [(R - r * s % R) % R])
        self._plus_multiple(c, a, s)
        self._plus_multiple(c, b1, r)
        x0, x1, y0, y1, z0, z1 = self._affine(b2)
        proof = Proof(a=g1_from_jacobian(*self._affine(a)), b=g2_from_jacobian((x0, x1), (y0, y1), (z0, z1)),
                      c=g1_from_jacobian(*self._affine(c)))
        return proof, w[1 : self.n_public + 1]


def load_prover(zkey, r1cs=None, native_below: int | None = None):
    """The prover for ``zkey`` (path or bytes), checked against ``r1cs`` when given: this module's for
    domains below ``native_below`` where mcl loads, ``cpu_prover.Prover`` (numba) otherwise."""
    from reference.zk import native

    key = parse_zkey_arrays(source_bytes(zkey, "zkey"))
    if key.domain_size < (NATIVE_BELOW if native_below is None else native_below) and native.available():
        return NativeProver.from_parsed(key, r1cs)
    from reference.fast.cpu_prover import Prover

    return Prover.from_parsed(key, r1cs)
