"""EIP-196/197 precompile vectors: ``python -m reference.zk.eip197 [OUTDIR] [--seed N]``.

A seeded generator of inputs to the BN254 precompiles (0x06 ecAdd, 0x07 ecMul, 0x08 ecPairing),
valid and malformed, and three executions of each: revm's precompile (called from a pyrevm EVM),
our native path (``reference.zk.native``, mcl) and py_ecc. The precompile rules, as in EIP-196/197:
ecAdd/ecMul right-pad short inputs with zeros and ignore bytes past 128/96; every coordinate must be
< q and every point on its curve ((0, 0) is infinity); ecMul takes any 256-bit scalar; ecPairing
takes k*192 bytes (k >= 0; empty is true), G2 coordinates imaginary part first, each G2 point in
the order-r subgroup, and returns 32 bytes 0 or 1. Any rule broken: the call fails, no output.

Expected results in the committed files (vectors/zk/eip197/*.json) are what revm returns; the
tests (tests/zk/test_zk_eip197.py) regenerate them byte for byte and replay them natively and on
py_ecc.
"""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Callable, Optional

from py_ecc.optimized_bn128 import FQ2, G1, G2, Z1, Z2, add, b2, is_on_curve, multiply, neg

from reference.zk.curve import g1_to_affine, g2_to_affine, pairing_check_reference
from reference.zk.field import Q, R

DEFAULT_SEED = 197
DEFAULT_OUTDIR = Path(__file__).resolve().parents[2] / "vectors" / "zk" / "eip197"
ADDRESSES = {"ecadd": 6, "ecmul": 7, "ecpairing": 8}
Result = tuple[bool, bytes]  # (success, output); output is b"" on failure


class Malformed(ValueError):
    """The input breaks a precompile rule (the call fails)."""


# --- encodings ------------------------------------------------------------------------------
def _w(*values: int) -> bytes:
    return b"".join(v.to_bytes(32, "big") for v in values)


def _g2(point) -> tuple[int, int, int, int]:
    """(x_imag, x_real, y_imag, y_real): the precompile's word order; zeros for infinity."""
    (x0, x1), (y0, y1) = g2_to_affine(point)
    return (x1, x0, y1, y0)


def _words(data: bytes, n: int) -> list[int]:
    data = data[: 32 * n].ljust(32 * n, b"\0")
    return [int.from_bytes(data[i : i + 32], "big") for i in range(0, 32 * n, 32)]


def _coords(values, name: str) -> None:
    for i, v in enumerate(values):
        if v >= Q:
            raise Malformed(f"{name}[{i}]: coordinate >= q")


def _ec_args(name: str, data: bytes) -> tuple[list[tuple[int, int]], list[int]]:
    """ecAdd: two points, scalars (1, 1); ecMul: one point, its scalar mod r (G1 has order r)."""
    if name == "ecadd":
        x1, y1, x2, y2 = _words(data, 4)
        _coords((x1, y1, x2, y2), "input")
        return [(x1, y1), (x2, y2)], [1, 1]
    x, y, k = _words(data, 3)
    _coords((x, y), "input")
    return [(x, y)], [k % R]


def _pairs(data: bytes) -> list[tuple[tuple[int, int], tuple[tuple[int, int], tuple[int, int]]]]:
    if len(data) % 192:
        raise Malformed("input: length is not a multiple of 192")
    out = []
    for k in range(len(data) // 192):
        x, y, xi, xr, yi, yr = _words(data[192 * k : 192 * (k + 1)], 6)
        _coords((x, y), f"pairs[{k}].g1")
        _coords((xi, xr, yi, yr), f"pairs[{k}].g2")
        out.append(((x, y), ((xr, xi), (yr, yi))))
    return out


# --- the two executions of ours --------------------------------------------------------------
def run_native(name: str, data: bytes) -> Result:
    """The precompile on mcl (``reference.zk.native``)."""
    from reference.zk import native

    def point(x, y, what):
        if not native.g1_is_point(x, y):
            raise Malformed(f"{what}: not on G1")
        return (x, y)

    try:
        if name != "ecpairing":
            points, scalars = _ec_args(name, data)
            return True, _w(*native.g1_lincomb([point(x, y, "input") for x, y in points], scalars))
        pairs = _pairs(data)
        for i, (p, (qx, qy)) in enumerate(pairs):
            point(*p, f"pairs[{i}].g1")
            if not native.g2_in_subgroup(qx, qy):
                raise Malformed(f"pairs[{i}].g2: not in the order-r subgroup of the twist")
        return True, _w(int(native.pairing_check(pairs)))
    except Malformed:
        return False, b""


def run_py_ecc(name: str, data: bytes) -> Result:
    """The precompile on py_ecc (the slow definition)."""
    from py_ecc.optimized_bn128 import FQ, b

    def g1(x, y, what):
        if (x, y) == (0, 0):
            return Z1
        p = (FQ(x), FQ(y), FQ.one())
        if not is_on_curve(p, b):
            raise Malformed(f"{what}: not on G1")
        return p

    def g2(qx, qy, what):
        if qx == (0, 0) and qy == (0, 0):
            return Z2
        q = (FQ2(list(qx)), FQ2(list(qy)), FQ2.one())
        if not is_on_curve(q, b2) or multiply(q, R)[2] != FQ2.zero():
            raise Malformed(f"{what}: not in G2")
        return q

    try:
        if name != "ecpairing":
            acc = Z1
            for (x, y), k in zip(*_ec_args(name, data)):
                acc = add(acc, multiply(g1(x, y, "input"), k))
            return True, _w(*g1_to_affine(acc))
        pairs = [(g1(*p, f"pairs[{i}].g1"), g2(*q, f"pairs[{i}].g2")) for i, (p, q) in enumerate(_pairs(data))]
        return True, _w(int(pairing_check_reference(pairs)))
    except Malformed:
        return False, b""


# --- revm ------------------------------------------------------------------------------------
class Revm:
    """revm's precompiles, called from a pyrevm EVM (Cancun)."""

    def __init__(self):
        from pyrevm import EVM, BlockEnv, CfgEnv, Env

        block = BlockEnv(number=1, timestamp=1, gas_limit=2**60, basefee=0)
        self.evm = EVM(env=Env(cfg=CfgEnv(chain_id=1), block=block), spec_id="CANCUN")

    def __call__(self, name: str, data: bytes) -> Result:
        to = "0x" + f"{ADDRESSES[name]:040x}"
        try:
            out = self.evm.message_call("0x" + "11" * 20, to, data, gas=30_000_000, is_static=True)
        except RuntimeError as exc:
            if "PrecompileError" not in str(exc):
                raise
            return False, b""
        return True, bytes(out)


# --- the generator ---------------------------------------------------------------------------
def _fq2_sqrt(a: FQ2) -> Optional[FQ2]:
    """A square root in Fq2 (q = 3 mod 4), or None (Adj and Rodriguez-Henriquez, alg. 9)."""
    a1 = a ** ((Q - 3) // 4)
    alpha = a1 * a1 * a
    x0 = a1 * a
    x = FQ2([0, 1]) * x0 if alpha == FQ2([-1, 0]) else (FQ2.one() + alpha) ** ((Q - 1) // 2) * x0
    return x if x * x == a else None


def _twist_point_outside_subgroup(rng: random.Random):
    """A point on the G2 twist curve whose order is not r (the cofactor is about q)."""
    while True:
        x = FQ2([rng.randrange(Q), rng.randrange(Q)])
        y = _fq2_sqrt(x ** 3 + b2)
        if y is not None:
            point = (x, y, FQ2.one())
            if multiply(point, R)[2] != FQ2.zero():
                return point


def _off_curveg1_to_affine(rng: random.Random) -> tuple[int, int]:
    while True:
        x, y = rng.randrange(Q), rng.randrange(Q)
        if (y * y - x**3 - 3) % Q:
            return (x, y)


def _scalar(rng: random.Random) -> int:
    return rng.randrange(1, R)


def generate(seed: int = DEFAULT_SEED) -> dict[str, list[dict]]:
    """Named inputs per precompile: ``{"ecadd": [{"name", "kind", "input"}, ...], ...}``; kind is
    valid, padding (short or long ecAdd/ecMul input, valid by EIP-196) or malformed."""
    rng = random.Random(seed)
    out: dict[str, list[dict]] = {n: [] for n in ADDRESSES}

    def put(name, label, kind, data: bytes):
        out[name].append({"name": label, "kind": kind, "input": data.hex()})

    rand1 = lambda: multiply(G1, _scalar(rng))  # noqa: E731
    rand2 = lambda: multiply(G2, _scalar(rng))  # noqa: E731
    off = _off_curveg1_to_affine(rng)
    twist = _g2(_twist_point_outside_subgroup(rng))
    # ecAdd
    for i in range(6):
        put("ecadd", f"random_{i}", "valid", _w(*g1_to_affine(rand1()), *g1_to_affine(rand1())))
    p = rand1()
    put("ecadd", "doubling", "valid", _w(*g1_to_affine(p), *g1_to_affine(p)))
    put("ecadd", "p_plus_minus_p", "valid", _w(*g1_to_affine(p), *g1_to_affine(neg(p))))
    put("ecadd", "p_plus_infinity", "valid", _w(*g1_to_affine(p), 0, 0))
    put("ecadd", "infinity_plus_infinity", "valid", _w(0, 0, 0, 0))
    put("ecadd", "empty", "padding", b"")
    put("ecadd", "one_point_64_bytes", "padding", _w(*g1_to_affine(p)))
    put("ecadd", "truncated_100_bytes", "padding", _w(*g1_to_affine(p), *g1_to_affine(G1))[:100])
    put("ecadd", "truncated_second_infinity", "padding", _w(*g1_to_affine(p), 0, 0)[:70])
    put("ecadd", "trailing_bytes_ignored", "padding", _w(*g1_to_affine(p), *g1_to_affine(G1)) + bytes([rng.randrange(256)] * 31))
    put("ecadd", "x_plus_q", "malformed", _w(1 + Q, 2, *g1_to_affine(p)))
    put("ecadd", "y_equals_q", "malformed", _w(*g1_to_affine(p), 0, Q))
    put("ecadd", "all_ones", "malformed", b"\xff" * 128)
    put("ecadd", "p_off_curve", "malformed", _w(*off, *g1_to_affine(p)))
    put("ecadd", "q_off_curve", "malformed", _w(*g1_to_affine(p), *off))
    put("ecadd", "one_two_three", "malformed", _w(1, 3, 0, 0))
    put("ecadd", "truncated_off_curve", "malformed", _w(*off)[:40])
    # ecMul
    for i in range(6):
        put("ecmul", f"random_{i}", "valid", _w(*g1_to_affine(rand1()), rng.randrange(2**256)))
    p = rand1()
    for label, k in (("zero", 0), ("one", 1), ("r_minus_1", R - 1), ("r", R), ("r_plus_1", R + 1), ("max", 2**256 - 1)):
        put("ecmul", f"scalar_{label}", "valid", _w(*g1_to_affine(p), k))
    put("ecmul", "infinity_times_k", "valid", _w(0, 0, _scalar(rng)))
    put("ecmul", "empty", "padding", b"")
    put("ecmul", "point_without_scalar", "padding", _w(*g1_to_affine(p)))
    put("ecmul", "short_scalar", "padding", _w(*g1_to_affine(p), 2**255 + 7)[:80])
    put("ecmul", "trailing_bytes_ignored", "padding", _w(*g1_to_affine(p), 5, 2**200))
    put("ecmul", "x_plus_q", "malformed", _w(1 + Q, 2, 3))
    put("ecmul", "y_plus_q", "malformed", _w(1, 2 + Q, 3))
    put("ecmul", "off_curve", "malformed", _w(*off, _scalar(rng)))
    put("ecmul", "off_curve_scalar_zero", "malformed", _w(*off, 0))
    put("ecmul", "truncated_off_curve", "malformed", _w(*off)[:50])
    # ecPairing
    pair = lambda a, b_: _w(*g1_to_affine(a), *_g2(b_))  # noqa: E731
    put("ecpairing", "empty", "valid", b"")
    for i in range(2):
        a, b_ = _scalar(rng), _scalar(rng)
        put("ecpairing", f"bilinear_true_{i}", "valid",
            pair(multiply(G1, a), multiply(G2, b_)) + pair(neg(multiply(G1, a * b_ % R)), G2))
        put("ecpairing", f"bilinear_false_{i}", "valid",
            pair(multiply(G1, a), multiply(G2, b_)) + pair(neg(multiply(G1, (a * b_ + 1) % R)), G2))
    scalars = [(_scalar(rng), _scalar(rng)) for _ in range(3)]
    many = b"".join(pair(multiply(G1, a), multiply(G2, b_)) for a, b_ in scalars)
    put("ecpairing", "four_pairs_true", "valid", many + pair(neg(multiply(G1, sum(a * b_ for a, b_ in scalars) % R)), G2))
    put("ecpairing", "four_pairs_false", "valid", many + pair(multiply(G1, sum(a * b_ for a, b_ in scalars) % R), G2))
    put("ecpairing", "one_pair_false", "valid", pair(rand1(), rand2()))
    put("ecpairing", "g1_infinity", "valid", pair(Z1, rand2()))
    put("ecpairing", "g2_infinity", "valid", _w(*g1_to_affine(rand1()), 0, 0, 0, 0))
    put("ecpairing", "both_infinity_twice", "valid", _w(*[0] * 12))
    good = pair(G1, G2) + pair(neg(G1), G2)
    x, y = g1_to_affine(G1)
    qxi, qxr, qyi, qyr = _g2(G2)
    for label, kind, data in (
        ("length_191", "malformed", good[:191]),
        ("length_193", "malformed", good[:193]),
        ("length_383", "malformed", good[:383]),
        ("length_32", "malformed", good[:32]),
        ("trailing_byte", "malformed", good + b"\0"),
        ("g1_x_plus_q", "malformed", _w(x + Q, y, qxi, qxr, qyi, qyr)),
        ("g2_x_imag_plus_q", "malformed", _w(x, y, qxi + Q, qxr, qyi, qyr)),
        ("g2_x_real_plus_q", "malformed", _w(x, y, qxi, qxr + Q, qyi, qyr)),
        ("g2_y_imag_plus_q", "malformed", _w(x, y, qxi, qxr, qyi + Q, qyr)),
        ("g2_y_real_plus_q", "malformed", _w(x, y, qxi, qxr, qyi, qyr + Q)),
        ("g1_off_curve", "malformed", _w(*off, qxi, qxr, qyi, qyr)),
        ("g1_off_curve_g2_infinity", "malformed", _w(*off, 0, 0, 0, 0)),
        ("g2_off_twist", "malformed", _w(x, y, qxi, qxr, qyi, (qyr + 1) % Q)),
        ("g2_real_imag_swapped", "malformed", _w(x, y, qxr, qxi, qyr, qyi)),
        ("g2_not_in_subgroup", "malformed", _w(x, y, *twist)),
        ("g2_not_in_subgroup_g1_infinity", "malformed", _w(0, 0, *twist)),
        ("g2_not_in_subgroup_second_pair", "malformed", pair(G1, G2) + _w(x, y, *twist)),
    ):
        put("ecpairing", label, kind, data)
    return out


def expected(seed: int = DEFAULT_SEED, revm: Optional[Callable[[str, bytes], Result]] = None) -> dict[str, dict]:
    """The vector files: each input with revm's success and output."""
    revm = revm or Revm()
    files = {}
    for name, cases in generate(seed).items():
        rows = []
        for case in cases:
            ok, output = revm(name, bytes.fromhex(case["input"]))
            rows.append({**case, "success": ok, "output": output.hex()})
        files[name] = {
            "format_version": 1,
            "precompile": f"0x{ADDRESSES[name]:02x}",
            "seed": seed,
            "description": f"EIP-196/197 {name} inputs; success and output as revm's precompile returns them",
            "vectors": rows,
        }
    return files


def dumps(content: dict) -> str:
    return json.dumps(content, indent=1, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m reference.zk.eip197", description=__doc__.split("\n")[0])
    parser.add_argument("outdir", nargs="?", type=Path, default=DEFAULT_OUTDIR)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed (default %(default)s)")
    args = parser.parse_args(argv)  # a bad argument: usage and exit 2
    args.outdir.mkdir(parents=True, exist_ok=True)
    for name, content in expected(args.seed).items():
        (args.outdir / f"{name}.json").write_text(dumps(content))
        print(f"{args.outdir / name}.json: {len(content['vectors'])} vectors")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
