"""circom/snarkjs binary files: ``.r1cs`` (read, write), ``.wtns`` (read, write), ``.zkey`` (read).

All share the iden3 container: 4-byte magic, u32 version, u32 section count, then sections of
(u32 type, u64 byte size, body); integers little-endian.

- r1cs v1: section 1 header (u32 n8, prime, u32 nWires, nPubOut, nPubIn, nPrvIn, u64 nLabels,
  u32 nConstraints); section 2 constraints, each A, B, C as u32 term count then (u32 wire,
  n8-byte coefficient); section 3 wire -> label (u64 each). Field elements in normal form.
- wtns v2: section 1 (u32 n8, prime, u32 count); section 2 the values, normal form.
- zkey v1 (Groth16, protocol id 1): section 2 header (n8q, q, n8r, r, nVars, nPublic,
  domainSize, alpha1, beta1, beta2, gamma2, delta1, delta2); 3 IC; 4 QAP coefficients
  (u32 count, then u32 matrix (0 = A, 1 = B), u32 row, u32 signal, value); 5 A; 6 B1; 7 B2;
  8 C (private signals); 9 H. Points are affine with each base-field coordinate in Montgomery
  form (x * 2^256 mod q), G2 coordinates as (c0, c1); all zeros is infinity. QAP coefficients
  are stored as value * 2^512 mod r.

Points read from a zkey are checked to lie on their curve; G2 subgroup membership is not
re-checked there (a key is trusted setup output; proofs are checked in full by their decoders).
"""
from __future__ import annotations

import struct

import attrs
import numpy as np

from reference.zk.curve import CurveError, g1_from_affine, g1_to_affine, g2_from_affine, g2_to_affine
from reference.zk.field import Q, R
from reference.zk.groth16 import ProvingKey, VerifyingKey
from reference.zk.r1cs import R1CS, Constraint, _normalize

_MONT_Q_INV = pow(1 << 256, -1, Q)
_COEF_R_INV = pow(1 << 512, -1, R)


class BinFormatError(ValueError):
    """A binary circuit, witness or key file is malformed or unsupported."""


class _Reader:
    def __init__(self, data: bytes, what: str):
        self.data, self.pos, self.what = data, 0, what

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise BinFormatError(f"{self.what}: truncated at byte {self.pos}")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def u32(self) -> int:
        return struct.unpack("<I", self.take(4))[0]

    def u64(self) -> int:
        return struct.unpack("<Q", self.take(8))[0]

    def int_le(self, n: int) -> int:
        return int.from_bytes(self.take(n), "little")


def _sections(data: bytes, magic: bytes, versions: tuple[int, ...], what: str) -> dict[int, bytes]:
    rd = _Reader(memoryview(data), what)
    if rd.take(4) != magic:
        raise BinFormatError(f"{what}: magic is not {magic!r}")
    version = rd.u32()
    if version not in versions:
        raise BinFormatError(f"{what}: version {version} is not supported ({versions})")
    out: dict[int, bytes] = {}
    for _ in range(rd.u32()):
        kind, size = rd.u32(), rd.u64()
        if kind in out:
            raise BinFormatError(f"{what}: section {kind} appears twice")
        out[kind] = rd.take(size)
    return out


def _container(magic: bytes, version: int, sections: list[tuple[int, bytes]]) -> bytes:
    out = [magic, struct.pack("<II", version, len(sections))]
    for kind, body in sections:
        out.append(struct.pack("<IQ", kind, len(body)))
        out.append(body)
    return b"".join(out)


def _need(sections: dict[int, bytes], kind: int, what: str) -> _Reader:
    if kind not in sections:
        raise BinFormatError(f"{what}: section {kind} is missing")
    return _Reader(sections[kind], f"{what} section {kind}")


def _field_header(rd: _Reader, what: str, prime: int) -> int:
    n8 = rd.u32()
    p = rd.int_le(n8)
    if p != prime:
        raise BinFormatError(f"{what}: field prime {p} is not the BN254 {'r' if prime == R else 'q'}")
    return n8


@attrs.frozen
class CircomR1CS:
    r1cs: R1CS
    n_outputs: int
    n_public_inputs: int
    n_private_inputs: int
    wire_labels: tuple[int, ...]


@attrs.frozen(eq=False)
class R1csArrays:
    """A circom .r1cs as flat arrays, one entry per term: ``matrix`` (0 = A, 1 = B, 2 = C),
    ``row`` (constraint index), ``wire`` (int64 each, the kernels' index type), ``coeff`` (rows of four
    uint64 limbs, normal form, < r)."""

    n_wires: int
    n_outputs: int
    n_public_inputs: int
    n_private_inputs: int
    n_constraints: int
    matrix: np.ndarray
    row: np.ndarray
    wire: np.ndarray
    coeff: np.ndarray
    labels: np.ndarray | None

    @property
    def n_public(self) -> int:
        return self.n_outputs + self.n_public_inputs


def _below(rows: np.ndarray, modulus: int) -> np.ndarray:
    """Which rows of four little-endian uint64 limbs hold a value < modulus."""
    m = np.frombuffer(modulus.to_bytes(32, "little"), dtype="<u8")
    less = np.zeros(rows.shape[0], dtype=bool)
    equal = np.ones(rows.shape[0], dtype=bool)
    for limb in range(3, -1, -1):
        less |= equal & (rows[:, limb] < m[limb])
        equal &= rows[:, limb] == m[limb]
    return less


def _lc_starts(words: memoryview, count: int, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Word offsets of the first term and term counts of ``count`` linear combinations, each
    stored as a u32 term count then (u32 wire, 8 u32 coefficient words) per term."""
    starts = np.empty(count, dtype=np.int64)
    counts = np.empty(count, dtype=np.int64)
    idx, total = 0, len(words)
    for k in range(count):
        if idx >= total:
            raise BinFormatError(f"{what}: truncated in constraint {k // 3} (declared {count // 3} constraints)")
        n = words[idx]
        starts[k], counts[k] = idx + 1, n
        idx += 1 + 9 * n
    if idx > total:
        raise BinFormatError(f"{what}: truncated in the last constraint")
    return starts, counts


def read_r1cs_arrays(data: bytes) -> R1csArrays:
    """Parse a circom .r1cs (v1, BN254 scalar field) into flat term arrays.

    Work is bounded by the bytes present, not by the header's counts: each constraint needs at least
    12 bytes, each term 36; the wire count is bounded by the label section (8 bytes a wire) or, without
    one, by the inputs plus the terms present (every other wire appears in some constraint).
    """
    sections = _sections(data, b"r1cs", (1,), "r1cs")
    hd = _need(sections, 1, "r1cs")
    n8 = _field_header(hd, "r1cs", R)
    if n8 != 32:
        raise BinFormatError(f"r1cs: field element size {n8} is not 32 bytes")
    n_wires, n_out, n_pub, n_prv = hd.u32(), hd.u32(), hd.u32(), hd.u32()
    hd.u64()
    n_constraints = hd.u32()
    body = memoryview(_need(sections, 2, "r1cs").data)
    if 12 * n_constraints > len(body):
        raise BinFormatError(f"r1cs: {n_constraints} constraints declared, section 2 holds at most {len(body) // 12}")
    words = body[: len(body) // 4 * 4].cast("I")
    starts, counts = _lc_starts(words, 3 * n_constraints, "r1cs section 2")
    if len(body) != 4 * (3 * n_constraints + 9 * int(counts.sum())):
        raise BinFormatError("r1cs: section 2 has bytes beyond its declared constraints")
    u32 = np.frombuffer(body, dtype="<u4", count=len(words))
    lc = np.repeat(np.arange(3 * n_constraints, dtype=np.int64), counts)
    offsets = np.repeat(starts, counts)
    offsets += 9 * (np.arange(lc.size, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts))
    del starts, counts
    terms = np.lib.stride_tricks.as_strided(u32, shape=(max(u32.size - 8, 0), 9), strides=(4, 4), writeable=False)[offsets]
    del offsets
    wire = terms[:, 0].astype(np.int64)
    coeff = np.ascontiguousarray(terms[:, 1:]).view("<u8").reshape(-1, 4)
    del terms
    bad = np.flatnonzero(~_below(coeff, R))
    if bad.size:
        raise BinFormatError(f"r1cs: constraint {int(lc[bad[0]]) // 3} coefficient is not < r")
    labels = None
    if 3 in sections:
        raw = sections[3]
        if len(raw) != 8 * n_wires:
            raise BinFormatError(f"r1cs: section 3 holds {len(raw) // 8} labels, header declares {n_wires} wires")
        labels = np.frombuffer(raw, dtype="<u8")
    elif n_wires > 1 + n_out + n_pub + n_prv + lc.size:
        raise BinFormatError(f"r1cs: {n_wires} wires declared but the file holds at most {1 + n_out + n_pub + n_prv + lc.size}")
    if n_wires < 1 or n_out + n_pub + n_prv >= n_wires:
        raise BinFormatError(f"r1cs: {n_out} + {n_pub} + {n_prv} inputs/outputs do not fit {n_wires} wires")
    if wire.size and int(wire.max()) >= n_wires:
        raise BinFormatError(f"r1cs: constraint {int(lc[int(np.argmax(wire))]) // 3} uses wire {int(wire.max())} >= {n_wires}")
    return R1csArrays(
        n_wires=n_wires, n_outputs=n_out, n_public_inputs=n_pub, n_private_inputs=n_prv,
        n_constraints=n_constraints, matrix=lc % 3, row=lc // 3, wire=wire, coeff=coeff, labels=labels,
    )


def read_r1cs(data: bytes) -> CircomR1CS:
    """Parse a circom .r1cs (v1, BN254 scalar field) into an R1CS (see ``read_r1cs_arrays``)."""
    arrays = read_r1cs_arrays(data)
    coeffs = [int.from_bytes(b, "little") for b in _chunks(arrays.coeff.tobytes(), 32)]
    lcs: list[list[list[tuple[int, int]]]] = [[[], [], []] for _ in range(arrays.n_constraints)]
    for m, row, wire, coeff in zip(arrays.matrix.tolist(), arrays.row.tolist(), arrays.wire.tolist(), coeffs):
        lcs[row][m].append((wire, coeff))
    constraints = tuple(Constraint(*(_normalize(t) for t in terms)) for terms in lcs)
    labels = tuple(arrays.labels.tolist()) if arrays.labels is not None else ()
    return CircomR1CS(
        r1cs=R1CS(n_vars=arrays.n_wires, n_public=arrays.n_public, constraints=constraints),
        n_outputs=arrays.n_outputs, n_public_inputs=arrays.n_public_inputs,
        n_private_inputs=arrays.n_private_inputs, wire_labels=labels,
    )


def _chunks(data: bytes, size: int):
    return (data[i : i + size] for i in range(0, len(data), size))


def write_r1cs(r1cs: R1CS, n_outputs: int = 0) -> bytes:
    """circom .r1cs v1 bytes for ``r1cs``; its public signals are split into ``n_outputs``
    outputs followed by public inputs; every other signal is declared private input 0 .. and
    internal, with the identity wire -> label map."""
    header = (
        struct.pack("<I", 32) + R.to_bytes(32, "little")
        + struct.pack("<IIIIQI", r1cs.n_vars, n_outputs, r1cs.n_public - n_outputs, 0, r1cs.n_vars, len(r1cs.constraints))
    )
    body = []
    for con in r1cs.constraints:
        for lc in (con.a, con.b, con.c):
            body.append(struct.pack("<I", len(lc)))
            for wire, coeff in lc:
                body.append(struct.pack("<I", wire) + coeff.to_bytes(32, "little"))
    labels = b"".join(struct.pack("<Q", i) for i in range(r1cs.n_vars))
    return _container(b"r1cs", 1, [(1, header), (2, b"".join(body)), (3, labels)])


def read_wtns_rows(data: bytes) -> np.ndarray:
    """Parse a snarkjs .wtns (v2): the witness as rows of four uint64 limbs (normal form, each < r)."""
    sections = _sections(data, b"wtns", (2,), "wtns")
    hd = _need(sections, 1, "wtns")
    if _field_header(hd, "wtns", R) != 32:
        raise BinFormatError("wtns: field element size is not 32 bytes")
    count = hd.u32()
    body = _need(sections, 2, "wtns").data
    if len(body) != 32 * count:
        raise BinFormatError(f"wtns: section 2 holds {len(body)} bytes, {count} values need {32 * count}")
    rows = np.frombuffer(body, dtype="<u8").reshape(count, 4)
    bad = np.flatnonzero(~_below(rows, R))
    if bad.size:
        raise BinFormatError(f"wtns: value {int(bad[0])} is not < r")
    return rows


def read_wtns(data: bytes) -> list[int]:
    """Parse a snarkjs .wtns (v2) into the witness values."""
    return [int.from_bytes(b, "little") for b in _chunks(read_wtns_rows(data).tobytes(), 32)]


def write_wtns(witness: list[int]) -> bytes:
    header = struct.pack("<I", 32) + R.to_bytes(32, "little") + struct.pack("<I", len(witness))
    return _container(b"wtns", 2, [(1, header), (2, b"".join(v.to_bytes(32, "little") for v in witness))])


def _fq_mont(rd: _Reader) -> int:
    v = rd.int_le(32)
    if v >= Q:
        raise BinFormatError(f"{rd.what}: coordinate is not < q")
    return v * _MONT_Q_INV % Q


def _g1(rd: _Reader, name: str):
    x, y = _fq_mont(rd), _fq_mont(rd)
    try:
        return g1_from_affine(x, y, name)
    except CurveError as exc:
        raise BinFormatError(f"zkey: {exc}") from exc


def _g2(rd: _Reader, name: str):
    x0, x1, y0, y1 = (_fq_mont(rd) for _ in range(4))
    try:
        return g2_from_affine((x0, x1), (y0, y1), name, subgroup=False)
    except CurveError as exc:
        raise BinFormatError(f"zkey: {exc}") from exc


@attrs.frozen
class Zkey:
    pk: ProvingKey
    coefficients: tuple[tuple[int, int, int, int], ...]  # (matrix, row, signal, value)


def read_zkey(data: bytes) -> Zkey:
    """Parse a snarkjs Groth16 .zkey (v1, BN254) into a ProvingKey (with its VerifyingKey)."""
    sections = _sections(data, b"zkey", (1,), "zkey")
    if _need(sections, 1, "zkey").u32() != 1:
        raise BinFormatError("zkey: protocol is not Groth16 (id 1)")
    hd = _need(sections, 2, "zkey")
    if _field_header(hd, "zkey base field", Q) != 32 or _field_header(hd, "zkey scalar field", R) != 32:
        raise BinFormatError("zkey: field element size is not 32 bytes")
    n_vars, n_public, domain_size = hd.u32(), hd.u32(), hd.u32()
    alpha1, beta1 = _g1(hd, "alpha1"), _g1(hd, "beta1")
    beta2, gamma2 = _g2(hd, "beta2"), _g2(hd, "gamma2")
    delta1, delta2 = _g1(hd, "delta1"), _g2(hd, "delta2")
    ic_rd = _need(sections, 3, "zkey")
    ic = tuple(_g1(ic_rd, f"IC[{i}]") for i in range(n_public + 1))
    cr = _need(sections, 4, "zkey")
    coefficients = []
    for _ in range(cr.u32()):
        matrix, row, signal, raw = cr.u32(), cr.u32(), cr.u32(), cr.int_le(32)
        if matrix not in (0, 1) or row >= domain_size or signal >= n_vars or raw >= R:
            raise BinFormatError(f"zkey: coefficient {len(coefficients)} is out of range")
        coefficients.append((matrix, row, signal, raw * _COEF_R_INV % R))

    def points(kind: int, count: int, read, label: str) -> tuple:
        rd = _need(sections, kind, "zkey")
        return tuple(read(rd, f"{label}[{i}]") for i in range(count))

    vk = VerifyingKey(alpha1=alpha1, beta2=beta2, gamma2=gamma2, delta2=delta2, ic=ic)
    pk = ProvingKey(
        domain_size=domain_size, n_vars=n_vars, n_public=n_public,
        alpha1=alpha1, beta1=beta1, beta2=beta2, delta1=delta1, delta2=delta2,
        a_query=points(5, n_vars, _g1, "A"),
        b1_query=points(6, n_vars, _g1, "B1"),
        b2_query=points(7, n_vars, _g2, "B2"),
        c_query=points(8, n_vars - n_public - 1, _g1, "C"),
        h_query=points(9, domain_size, _g1, "H"),
        vk=vk,
    )
    return Zkey(pk=pk, coefficients=tuple(coefficients))


def qap_coefficients(r1cs: R1CS) -> tuple[tuple[int, int, int, int], ...]:
    """The A and B QAP coefficients of ``r1cs`` as a zkey lists them, sorted."""
    out = []
    for row, con in enumerate(r1cs.constraints):
        out += [(0, row, s, c) for s, c in con.a] + [(1, row, s, c) for s, c in con.b]
    m = len(r1cs.constraints)
    out += [(0, m + s, s, 1) for s in range(r1cs.n_public + 1)]
    return tuple(sorted(out))


def check_zkey_matches(zkey: Zkey, r1cs: R1CS) -> None:
    """Raise BinFormatError unless the zkey's QAP is the one of ``r1cs``."""
    if (zkey.pk.n_vars, zkey.pk.n_public) != (r1cs.n_vars, r1cs.n_public):
        raise BinFormatError("zkey: signal counts differ from the circuit")
    merged: dict[tuple[int, int, int], int] = {}
    for matrix, row, signal, value in zkey.coefficients:
        key = (matrix, row, signal)
        merged[key] = (merged.get(key, 0) + value) % R
    ours = tuple(sorted((k[0], k[1], k[2], v) for k, v in merged.items() if v))
    if ours != qap_coefficients(r1cs):
        raise BinFormatError("zkey: QAP coefficients differ from the circuit's constraints")


def _g1_mont(point) -> bytes:
    x, y = g1_to_affine(point)
    return b"".join((v * (1 << 256) % Q).to_bytes(32, "little") for v in (x, y))


def _g2_mont(point) -> bytes:
    (x0, x1), (y0, y1) = g2_to_affine(point)
    return b"".join((v * (1 << 256) % Q).to_bytes(32, "little") for v in (x0, x1, y0, y1))


def write_zkey(pk: ProvingKey, r1cs: R1CS) -> bytes:
    """snarkjs Groth16 .zkey v1 bytes for ``pk`` over ``r1cs`` (no contributions recorded)."""
    coefficients = qap_coefficients(r1cs)
    header = (
        struct.pack("<I", 32) + Q.to_bytes(32, "little") + struct.pack("<I", 32) + R.to_bytes(32, "little")
        + struct.pack("<III", pk.n_vars, pk.n_public, pk.domain_size)
        + _g1_mont(pk.alpha1) + _g1_mont(pk.beta1) + _g2_mont(pk.beta2) + _g2_mont(pk.vk.gamma2)
        + _g1_mont(pk.delta1) + _g2_mont(pk.delta2)
    )
    coef_body = struct.pack("<I", len(coefficients)) + b"".join(
        struct.pack("<III", m, row, s) + (v * (1 << 512) % R).to_bytes(32, "little") for m, row, s, v in coefficients
    )
    sections = [
        (1, struct.pack("<I", 1)),
        (2, header),
        (3, b"".join(_g1_mont(p) for p in pk.vk.ic)),
        (4, coef_body),
        (5, b"".join(_g1_mont(p) for p in pk.a_query)),
        (6, b"".join(_g1_mont(p) for p in pk.b1_query)),
        (7, b"".join(_g2_mont(p) for p in pk.b2_query)),
        (8, b"".join(_g1_mont(p) for p in pk.c_query)),
        (9, b"".join(_g1_mont(p) for p in pk.h_query)),
        (10, bytes(64) + struct.pack("<I", 0)),
    ]
    return _container(b"zkey", 1, sections)
