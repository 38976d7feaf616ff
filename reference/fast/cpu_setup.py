"""The INSECURE seeded Groth16 setup on limb arrays: the same key as ``reference.zk.groth16.setup``,
written straight to snarkjs ``.zkey`` bytes (byte for byte ``write_zkey(setup(...))``).

The scalars come from ``groth16.setup_scalars`` (one home for the setup's math); each point is a
fixed-base multiplication of the generator: a table ``j * 2^(c*w) * G`` (affine Montgomery rows,
built once per group with py_ecc) and signed c-bit digits, one mixed addition per window, points in
parallel; then one batch inversion to affine. The zkey stores affine Montgomery coordinates, which is
what these rows are. For benchmarks and tests: anyone who knows the seed can forge proofs.
"""
from __future__ import annotations

import struct
from functools import lru_cache
from typing import Sequence

import numpy as np
from py_ecc.optimized_bn128 import G1, G2, add, double

from reference.fast import _kernels as k
from reference.fast import _kernels_fr as kf
from reference.fast.convert import pack_fr
from reference.fast.limbs import convert_bases, signed_digit_windows, to_montgomery
from reference.zk.binfile import R1csArrays, _container
from reference.zk.field import Q, R
from reference.zk.groth16 import setup_scalars
from reference.zk.r1cs import R1CS

WINDOW = 8


@lru_cache(maxsize=2)
def _table(degree: int) -> tuple[np.ndarray, int]:
    """(rows, size): row ``w*size + j`` is ``j * 2^(WINDOW*w) * G`` for j in 1 .. 2^(WINDOW-1)."""
    base = G1 if degree == 1 else G2
    size = (1 << (WINDOW - 1)) + 1
    points = []
    power = base
    for _ in range(signed_digit_windows(WINDOW)):
        row = [power, power]  # index 0 is never read
        for _ in range(2, size):
            row.append(add(row[-1], power))
        points += row
        for _ in range(WINDOW):
            power = double(power)
    return convert_bases(points, degree).rows, size


def generator_multiples(scalars: Sequence[int], degree: int) -> np.ndarray:
    """``s * G`` for each scalar (ints in [0, r)) as affine Montgomery rows; 0 gives all zeros."""
    shape = (2, 4) if degree == 1 else (2, 2, 4)
    if len(scalars) == 0:
        return np.zeros((0,) + shape, dtype=np.uint64)
    table, size = _table(degree)
    digits = k.signed_digits(pack_fr(list(scalars), "scalars"), WINDOW, signed_digit_windows(WINDOW))
    jacobian = np.zeros((len(scalars), 3) + shape[1:], dtype=np.uint64)
    kf.fixed_base_mul(table, size, digits, jacobian)
    out = np.zeros((len(scalars),) + shape, dtype=np.uint64)
    kf.to_affine(jacobian, out)
    return out


def _le_rows(values: Sequence[int]) -> bytes:
    return b"".join(v.to_bytes(32, "little") for v in values)


def coefficient_section(r1cs: R1csArrays) -> bytes:
    """Section 4 of the zkey: the A and B terms plus the public rows, sorted, values times 2^512 mod r."""
    ab = r1cs.matrix < 2
    pub = np.arange(r1cs.n_public + 1, dtype=np.int64)
    matrix = np.concatenate([r1cs.matrix[ab], np.zeros(pub.size, dtype=np.int64)])
    row = np.concatenate([r1cs.row[ab], r1cs.n_constraints + pub])
    signal = np.concatenate([r1cs.wire[ab], pub])
    one = np.zeros((pub.size, 4), dtype=np.uint64)
    one[:, 0] = 1
    value = np.concatenate([r1cs.coeff[ab], one])
    nonzero = value.any(axis=1)
    matrix, row, signal, value = matrix[nonzero], row[nonzero], signal[nonzero], value[nonzero]
    order = np.lexsort((value[:, 0], signal, row, matrix))
    table = np.zeros(order.size, dtype=[("m", "<u4"), ("row", "<u4"), ("s", "<u4"), ("v", "<u8", (4,))])
    table["m"], table["row"], table["s"] = matrix[order], row[order], signal[order]
    table["v"] = to_montgomery(to_montgomery(np.ascontiguousarray(value[order]), "r"), "r")
    return struct.pack("<I", order.size) + table.tobytes()


def setup_zkey(r1cs: R1CS, arrays: R1csArrays, seed: bytes) -> bytes:
    """The zkey of ``groth16.setup(r1cs, seed)`` (``arrays`` is the same circuit as arrays, with
    canonical terms: one per wire and non-zero, as circom writes them)."""
    s = setup_scalars(r1cs, seed)
    fixed1 = generator_multiples([s["alpha"], s["beta"], s["delta"]], 1)
    fixed2 = generator_multiples([s["beta"], s["gamma"], s["delta"]], 2)
    header = (
        struct.pack("<I", 32) + Q.to_bytes(32, "little") + struct.pack("<I", 32) + R.to_bytes(32, "little")
        + struct.pack("<III", r1cs.n_vars, r1cs.n_public, s["n"])
        + fixed1[0].tobytes() + fixed1[1].tobytes() + fixed2[0].tobytes() + fixed2[1].tobytes()
        + fixed1[2].tobytes() + fixed2[2].tobytes()
    )
    sections = [
        (1, struct.pack("<I", 1)),
        (2, header),
        (3, generator_multiples(s["ic"], 1).tobytes()),
        (4, coefficient_section(arrays)),
        (5, generator_multiples(s["a"], 1).tobytes()),
        (6, generator_multiples(s["b"], 1).tobytes()),
        (7, generator_multiples(s["b"], 2).tobytes()),
        (8, generator_multiples(s["c"], 1).tobytes()),
        (9, generator_multiples(s["h"], 1).tobytes()),
        (10, bytes(64) + struct.pack("<I", 0)),
    ]
    return _container(b"zkey", 1, sections)
