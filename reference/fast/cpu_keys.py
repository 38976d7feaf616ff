"""A snarkjs Groth16 ``.zkey`` as limb arrays, loaded without a Python object per point.

The zkey already stores every point as affine coordinates in Montgomery form (``x * 2^256 mod q``,
little-endian), which is the layout of the MSM kernels' bases, so the point sections are used as they
are (one copy each, no conversion). Validation, done once per key and remembered by the key's
SHA-256 in this process: every coordinate < q, every point (all zeros is infinity) on its curve,
coefficient indices in range and values < r. G2 subgroup membership is not re-checked (a zkey is
trusted setup output, as in ``reference.zk.binfile``). Between processes the digests of keys whose
points passed are remembered as empty files in ``$KALYPSO_CACHE`` (default
``~/.cache/kalypso/valid-zkeys``; ``KALYPSO_CACHE=off`` checks every time), so a CLI run on a key
already checked skips the curve checks; counts, ranges and coordinates < q are checked every time.

``check_matches(key, r1cs)`` compares the zkey's QAP coefficients with a circom ``.r1cs`` (arrays)
without leaving numpy.

``parse_zkey_arrays`` is the part without compiled code (numpy only: counts, ranges, coordinates < q,
coefficients as stored); ``read_zkey_arrays`` adds the curve checks and the Montgomery coefficients on
numba kernels, ``reference.fast.native_prover`` its own checks on Python ints.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import attrs
import numpy as np
from py_ecc.optimized_bn128 import b as G1_B
from py_ecc.optimized_bn128 import b2 as G2_B

from reference.zk.binfile import BinFormatError, R1csArrays, _below, _field_header, _need, _sections, read_wtns_rows
from reference.zk.curve import CurveError, g1_from_affine, g2_from_affine
from reference.zk.field import Q, R
from reference.zk.groth16 import VerifyingKey
from reference.zk.r1cs import CircuitError

MAX_KEY_BYTES = 1 << 34


def read_file(path: str | os.PathLike, what: str, limit: int = MAX_KEY_BYTES) -> bytearray:
    """The bytes of ``path`` in one writable buffer (no second copy), refusing files over ``limit``."""
    path = Path(path)
    size = path.stat().st_size
    if size > limit:
        raise BinFormatError(f"{what}: {path} is {size} bytes, over the {limit}-byte limit")
    buf = bytearray(size)
    with path.open("rb") as f:
        if f.readinto(buf) != size:
            raise BinFormatError(f"{what}: {path} changed while it was read")
    return buf


def source_bytes(source, what: str):
    """``source`` itself when it is bytes, else the bytes of the file it names (``read_file``)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return source
    return read_file(source, what)


_COEF = np.dtype([("matrix", "<u4"), ("row", "<u4"), ("signal", "<u4"), ("value", "<u8", (4,))])
_VALIDATED: set[bytes] = set()


def _cache_dir() -> Path | None:
    where = os.environ.get("KALYPSO_CACHE", "")
    if where == "off":
        return None
    return Path(where) if where else Path.home() / ".cache" / "kalypso" / "valid-zkeys"


def _known_valid(digest: bytes) -> bool:
    if digest in _VALIDATED:
        return True
    folder = _cache_dir()
    return folder is not None and (folder / digest.hex()).is_file()


def _remember_valid(digest: bytes) -> None:
    _VALIDATED.add(digest)
    folder = _cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / digest.hex()).touch()
    except OSError:
        pass
_MONT_Q_INV = pow(1 << 256, -1, Q)


@attrs.frozen(eq=False)
class ZkeyArrays:
    """Header counts, the five queries as Montgomery affine rows ((n, 2, 4) for G1, (n, 2, 2, 4) for
    G2), the fixed points (``alpha1``, ``beta1``, ``delta1`` as (1, 2, 4) rows; ``beta2``, ``delta2``
    as (1, 2, 2, 4)), the QAP coefficients (Montgomery values), the verifying key and the digest."""

    n_vars: int
    n_public: int
    domain_size: int
    a: np.ndarray
    b1: np.ndarray
    b2: np.ndarray
    c: np.ndarray
    h: np.ndarray
    alpha1: np.ndarray
    beta1: np.ndarray
    delta1: np.ndarray
    beta2: np.ndarray
    delta2: np.ndarray
    coef_matrix: np.ndarray
    coef_row: np.ndarray
    coef_signal: np.ndarray
    coef_value: np.ndarray
    vk: VerifyingKey
    digest: bytes
    coef_form: str = "montgomery"  # of coef_value: "montgomery" (v 2^256), "stored" (v 2^512) or "normal" (v), mod r


def _points(raw, count: int, degree: int, what: str) -> np.ndarray:
    size = 64 * degree
    if len(raw) != count * size:
        raise BinFormatError(f"zkey: {what} holds {len(raw)} bytes, {count} points need {count * size}")
    shape = (count, 2, 4) if degree == 1 else (count, 2, 2, 4)
    return np.frombuffer(raw, dtype="<u8").reshape(shape)


def _ints(rows: np.ndarray) -> list[int]:
    data = rows.tobytes()
    return [int.from_bytes(data[i : i + 32], "little") * _MONT_Q_INV % Q for i in range(0, len(data), 32)]


def _g1_point(rows: np.ndarray, name: str):
    x, y = _ints(rows)
    return g1_from_affine(x, y, name)


def _g2_point(rows: np.ndarray, name: str):
    x0, x1, y0, y1 = _ints(rows)
    return g2_from_affine((x0, x1), (y0, y1), name, subgroup=False)


_B_ROWS = {}


def _curve_b(degree: int) -> np.ndarray:
    if degree not in _B_ROWS:
        from reference.fast.convert import pack
        from reference.fast.limbs import to_montgomery

        b = [G1_B.n] if degree == 1 else [int(c) for c in G2_B.coeffs]
        shape = (1, 1, 4) if degree == 1 else (1, 1, 2, 4)
        _B_ROWS[degree] = to_montgomery(pack(b), "q").reshape(shape)
    return _B_ROWS[degree]


def _below_q(rows: np.ndarray, degree: int, what: str) -> None:
    bad = np.flatnonzero(~_below(rows.reshape(-1, 4), Q))
    if bad.size:
        raise BinFormatError(f"zkey: {what}[{int(bad[0]) // (2 * degree)}] has a coordinate that is not < q")


def _validate_points(rows: np.ndarray, degree: int, what: str) -> None:
    if rows.shape[0]:
        from reference.fast import _kernels_fr as kf

        i = kf.off_curve(rows, _curve_b(degree))
        if i >= 0:
            raise BinFormatError(f"zkey: {what}[{i}] is not on the BN254 {'G1 curve' if degree == 1 else 'G2 twist'}")


def read_zkey_arrays(data: bytes | bytearray | memoryview) -> ZkeyArrays:
    """Parse and validate a snarkjs Groth16 .zkey (v1, BN254); see the module docstring."""
    return compiled_key(parse_zkey_arrays(data))


def compiled_key(key: ZkeyArrays) -> ZkeyArrays:
    """A parsed key with every point checked on its curve (numba, once per digest) and the
    coefficients in Montgomery form."""
    from reference.fast.limbs import from_montgomery, to_montgomery

    if not _known_valid(key.digest):
        for name, rows, degree in key_points(key):
            _validate_points(rows, degree, name)
        _remember_valid(key.digest)
    if key.coef_form == "montgomery":
        return key
    convert = from_montgomery if key.coef_form == "stored" else to_montgomery
    return attrs.evolve(key, coef_value=convert(key.coef_value.copy(), "r"), coef_form="montgomery")


def key_points(key: ZkeyArrays) -> list[tuple[str, np.ndarray, int]]:
    """(name, affine Montgomery rows, degree) of the key's points not in its verifying key (those
    were checked on their curves when it was built)."""
    return [("beta1", key.beta1, 1), ("delta1", key.delta1, 1),
            ("A", key.a, 1), ("B1", key.b1, 1), ("B2", key.b2, 2), ("C", key.c, 1), ("H", key.h, 1)]


def parse_zkey_arrays(data: bytes | bytearray | memoryview) -> ZkeyArrays:
    """The zkey's sections as arrays, checked with numpy only (counts, section sizes, coefficient
    indices and values < r, every coordinate < q); points not checked on their curves, coefficients
    as stored (``coef_form="stored"``)."""
    if isinstance(data, bytes) or (isinstance(data, memoryview) and data.readonly):
        data = bytearray(data)  # the point arrays are views of a writable buffer (one kernel specialization)
    digest = hashlib.sha256(data).digest()
    sections = _sections(data, b"zkey", (1,), "zkey")
    if _need(sections, 1, "zkey").u32() != 1:
        raise BinFormatError("zkey: protocol is not Groth16 (id 1)")
    hd = _need(sections, 2, "zkey")
    if _field_header(hd, "zkey base field", Q) != 32 or _field_header(hd, "zkey scalar field", R) != 32:
        raise BinFormatError("zkey: field element size is not 32 bytes")
    n_vars, n_public, domain_size = hd.u32(), hd.u32(), hd.u32()
    if not 0 <= n_public < n_vars or domain_size < n_public + 2 or domain_size & (domain_size - 1) or domain_size > 1 << 28:
        raise BinFormatError(f"zkey: header counts n_vars={n_vars}, n_public={n_public}, domain={domain_size} are inconsistent")
    fixed = np.frombuffer(hd.take(64 * 2 + 128 * 2 + 64 + 128), dtype="<u8").copy()
    alpha1, beta1 = fixed[0:8].reshape(1, 2, 4), fixed[8:16].reshape(1, 2, 4)
    beta2, gamma2 = fixed[16:32].reshape(1, 2, 2, 4), fixed[32:48].reshape(1, 2, 2, 4)
    delta1, delta2 = fixed[48:56].reshape(1, 2, 4), fixed[56:72].reshape(1, 2, 2, 4)
    ic = _points(_need(sections, 3, "zkey").data, n_public + 1, 1, "IC")
    queries = {
        "A": (_points(_need(sections, 5, "zkey").data, n_vars, 1, "A"), 1),
        "B1": (_points(_need(sections, 6, "zkey").data, n_vars, 1, "B1"), 1),
        "B2": (_points(_need(sections, 7, "zkey").data, n_vars, 2, "B2"), 2),
        "C": (_points(_need(sections, 8, "zkey").data, n_vars - n_public - 1, 1, "C"), 1),
        "H": (_points(_need(sections, 9, "zkey").data, domain_size, 1, "H"), 1),
    }
    coefs = _need(sections, 4, "zkey")
    count = coefs.u32()
    body = coefs.data[4:]
    if len(body) != count * _COEF.itemsize:
        raise BinFormatError(f"zkey: section 4 holds {len(body)} bytes, {count} coefficients need {count * _COEF.itemsize}")
    table = np.frombuffer(body, dtype=_COEF)
    value = np.ascontiguousarray(table["value"])
    out_of_range = (table["matrix"] > 1) | (table["row"] >= domain_size) | (table["signal"] >= n_vars) | ~_below(value, R)
    if out_of_range.any():
        raise BinFormatError(f"zkey: coefficient {int(np.argmax(out_of_range))} is out of range")
    points = [("alpha1", alpha1, 1), ("beta1", beta1, 1), ("delta1", delta1, 1), ("beta2", beta2, 2),
              ("gamma2", gamma2, 2), ("delta2", delta2, 2), ("IC", ic, 1)]
    points += [(name, rows, degree) for name, (rows, degree) in queries.items()]
    for name, rows, degree in points:
        _below_q(rows, degree, name)
    try:
        vk = VerifyingKey(
            alpha1=_g1_point(alpha1, "alpha1"), beta2=_g2_point(beta2, "beta2"), gamma2=_g2_point(gamma2, "gamma2"),
            delta2=_g2_point(delta2, "delta2"), ic=tuple(_g1_point(ic[i], f"IC[{i}]") for i in range(n_public + 1)),
        )
    except CurveError as exc:
        raise BinFormatError(f"zkey: {exc}") from None
    return ZkeyArrays(
        n_vars=n_vars, n_public=n_public, domain_size=domain_size,
        a=queries["A"][0], b1=queries["B1"][0], b2=queries["B2"][0], c=queries["C"][0], h=queries["H"][0],
        alpha1=alpha1, beta1=beta1, delta1=delta1, beta2=beta2, delta2=delta2,
        coef_matrix=table["matrix"].astype(np.int64), coef_row=table["row"].astype(np.int64),
        coef_signal=table["signal"].astype(np.int64), coef_value=value, vk=vk, digest=digest, coef_form="stored",
    )


def normal_coefficients(key: ZkeyArrays) -> np.ndarray:
    """The key's QAP coefficient values in normal form (a new array)."""
    if key.coef_form == "normal":
        return key.coef_value.copy()
    from reference.fast.limbs import from_montgomery

    value = from_montgomery(key.coef_value.copy(), "r")
    return value if key.coef_form == "montgomery" else from_montgomery(value, "r")


def _sorted_terms(matrix, row, signal, value) -> tuple[np.ndarray, np.ndarray] | None:
    """Terms sorted by (matrix, row, signal), packed in one int64 key (matrix < 4, row < 2^28,
    signal < 2^32), as (keys, values); None when a key repeats or a value is zero (then the caller
    merges in Python)."""
    keys = (matrix.astype(np.int64) << 60) | (row.astype(np.int64) << 32) | signal.astype(np.int64)
    order = np.argsort(keys, kind="stable")
    keys, value = keys[order], value[order]
    if keys.size > 1 and (keys[1:] == keys[:-1]).any():
        return None
    if (~value.any(axis=1)).any():
        return None
    return keys, value


def _merged(matrix, row, signal, value) -> dict[tuple[int, int, int], int]:
    out: dict[tuple[int, int, int], int] = {}
    data = value.tobytes()
    for i, key in enumerate(zip(matrix.tolist(), row.tolist(), signal.tolist())):
        out[key] = (out.get(key, 0) + int.from_bytes(data[32 * i : 32 * i + 32], "little")) % R
    return {key: v for key, v in out.items() if v}


def check_matches(key: ZkeyArrays, r1cs: R1csArrays) -> None:
    """Raise BinFormatError unless the zkey's QAP is the one of ``r1cs`` (the A and B terms of every
    constraint plus row m + s holding A = signal s for s = 0..n_public)."""
    if (key.n_vars, key.n_public) != (r1cs.n_wires, r1cs.n_public):
        raise BinFormatError(
            f"zkey: built for {key.n_vars} signals / {key.n_public} public, the r1cs has {r1cs.n_wires} / {r1cs.n_public}"
        )
    m = r1cs.n_constraints
    if key.domain_size < m + r1cs.n_public + 1:
        raise BinFormatError(f"zkey: domain {key.domain_size} is too small for {m} constraints")
    ab = r1cs.matrix < 2
    pub = np.arange(r1cs.n_public + 1, dtype=np.int64)
    one = np.zeros((pub.size, 4), dtype=np.uint64)
    one[:, 0] = 1
    ours = (
        np.concatenate([r1cs.matrix[ab], np.zeros(pub.size, dtype=np.int64)]),
        np.concatenate([r1cs.row[ab], m + pub]),
        np.concatenate([r1cs.wire[ab], pub]),
        np.concatenate([r1cs.coeff[ab], one]),
    )
    theirs = (key.coef_matrix, key.coef_row, key.coef_signal, normal_coefficients(key))
    a, b = _sorted_terms(*ours), _sorted_terms(*theirs)
    if a is not None and b is not None:
        same = a[0].shape == b[0].shape and bool((a[0] == b[0]).all()) and bool((a[1] == b[1]).all())
    else:
        same = _merged(*ours) == _merged(*theirs)
    if not same:
        raise BinFormatError("zkey: QAP coefficients differ from the r1cs constraints (a key for another circuit?)")


def witness_rows(witness, n_vars: int) -> np.ndarray:
    """A witness (.wtns path or bytes, limb rows, or ints) as checked normal-form limb rows."""
    if isinstance(witness, np.ndarray):
        rows = witness
    elif isinstance(witness, (bytes, bytearray, memoryview, str, os.PathLike)):
        rows = read_wtns_rows(source_bytes(witness, "wtns"))
    else:
        from reference.fast.convert import pack_fr

        rows = pack_fr(list(witness), "witness")
    if rows.shape != (n_vars, 4):
        raise CircuitError(f"witness: {rows.shape[0]} values, the key is for {n_vars} signals (a witness for another circuit?)")
    if rows[0].tolist() != [1, 0, 0, 0]:
        raise CircuitError("witness[0]: the constant signal must be 1")
    return rows
