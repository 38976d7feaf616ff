"""Native BN254 (Ethereum's alt_bn128) pairing check and G2 subgroup test through mcl.

mcl (PyPI ``mclbn256``: the mcl library's BN254 build with ctypes bindings) is initialised here for
``MCL_BN_SNARK1``, the curve of the Ethereum precompiles and of snarkjs (the bindings' own default is
another 254-bit BN curve). Inputs are affine integer coordinates, checked as ``reference.zk.curve``
checks them; results are differential-tested against py_ecc (``tests/zk/test_zk_native.py``).

``available()`` is False where the library does not load (then callers use py_ecc).
"""
from __future__ import annotations

import ctypes
import os
import sys
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Sequence

_MCL_BN_SNARK1 = 4
_COMPILED_TIME_VAR = 4 + 4 * 10  # MCLBN_FP_UNIT_SIZE + 10 * MCLBN_FR_UNIT_SIZE, as the library was built
_G1 = ctypes.c_uint64 * 12
_G2 = ctypes.c_uint64 * 24
_GT = ctypes.c_uint64 * 48
_FR = ctypes.c_uint64 * 4


class NativeUnavailable(RuntimeError):
    """mcl cannot be loaded or initialised here."""


def _cache_root() -> Path | None:
    where = os.environ.get("KALYPSO_CACHE", "")
    if where == "off":
        return None
    return Path(where) if where else Path.home() / ".cache" / "kalypso"


def _cached_library():
    """mcl from the cache folder, or None. The bindings module holds its shared objects as hex text
    and decodes and writes them at every import (about 0.3 s, most of a ``kalypso zk verify``); the
    decoded files are kept under ``$KALYPSO_CACHE`` (default ``~/.cache/kalypso``), keyed by the
    bindings file's path, size and modification time, in the layout the bindings load them from."""
    from importlib.machinery import PathFinder  # importlib.util costs more than the whole check

    root = _cache_root()
    found = PathFinder.find_spec("mclbn256")
    if root is None or found is None or not found.origin:
        return None
    source = Path(found.origin).parent / "mclbn256.py"
    stat = source.stat()
    text = f"{source}|{stat.st_size}|{stat.st_mtime_ns}".encode()
    key = f"{zlib.crc32(text):08x}{zlib.adler32(text):08x}"
    folder = root / f"mcl-{key}"
    if not (folder / "complete").is_file():
        from mclbn256 import mclbn256 as bindings

        tmp = root / f"mcl-{key}.{os.getpid()}"
        (tmp / "lib").mkdir(parents=True, exist_ok=True)
        if len(getattr(bindings, "mcl_bs", b"")):
            (tmp / "lib" / "libmcl.so").write_bytes(bindings.mcl_bs)
        (tmp / "libmclbn256.so").write_bytes(bindings.mclbn256_bs)
        (tmp / "complete").touch()
        try:
            tmp.rename(folder)
        except OSError:  # another process was first
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    if (folder / "lib" / "libmcl.so").is_file():
        ctypes.cdll.LoadLibrary(str(folder / "lib" / "libmcl.so"))
    return ctypes.cdll.LoadLibrary(str(folder / "libmclbn256.so"))


def _load():
    if sys.platform.startswith("linux"):
        try:
            lib = _cached_library()
            if lib is not None:
                return lib
        except OSError:
            pass  # an unwritable cache, a file another process is writing: load as the bindings do
    from mclbn256 import mclbn256 as bindings

    return bindings.lib


@lru_cache(maxsize=1)
def _lib():
    try:
        lib = _load()
    except Exception as exc:  # ImportError, OSError from the bundled shared object
        raise NativeUnavailable(f"mclbn256: {exc}") from exc
    if lib.mclBn_init(_MCL_BN_SNARK1, _COMPILED_TIME_VAR) != 0:
        raise NativeUnavailable("mclbn256: mclBn_init(MCL_BN_SNARK1) failed")
    for name in ("mclBn_verifyOrderG1", "mclBn_verifyOrderG2"):
        getattr(lib, name)(1)
    _self_check(lib)
    return lib


# the generators of the precompile (EIP-197) and of py_ecc.bn128 (a test checks they are py_ecc's)
G1_GENERATOR = (1, 2)
G2_GENERATOR = (
    (10857046999023057135944570762232829481370756359578518086990519993285655852781,
     11559732032986387107991004021392285783925812861821192530917403151452391805634),
    (8495653923123431417604973247489272438418190587263600148770280649306958101930,
     4082367875863433681332203403145435568316851327593401208105741076214120093531),
)


def _self_check(lib) -> None:
    """e(G1, G2) * e(-G1, G2) == 1 and e(G1, G2) != 1 with the generators of the precompile."""
    x, y = G1_GENERATOR
    p, n = _g1(lib, x, y), _g1(lib, x, (-y) % _q())
    q = _g2(lib, *G2_GENERATOR)
    if p is None or n is None or q is None or not _product_is_one(lib, [p, n], [q, q]) or _product_is_one(lib, [p], [q]):
        raise NativeUnavailable("mclbn256: self-check against the alt_bn128 generators failed")


@lru_cache(maxsize=1)
def _q() -> int:
    from reference.zk.field import Q

    return Q


def available() -> bool:
    try:
        _lib()
    except NativeUnavailable:
        return False
    return True


def _g1(lib, x: int, y: int):
    point = _G1()
    text = b"0" if x == 0 and y == 0 else b"1 %d %d" % (x, y)
    if lib.mclBnG1_setStr(point, text, len(text), 10) != 0:
        return None
    return point


def _g2(lib, x: tuple[int, int], y: tuple[int, int]):
    point = _G2()
    text = b"0" if x == (0, 0) and y == (0, 0) else b"1 %d %d %d %d" % (x[0], x[1], y[0], y[1])
    if lib.mclBnG2_setStr(point, text, len(text), 10) != 0:
        return None
    return point


def _product_is_one(lib, g1s: list, g2s: list) -> bool:
    n = len(g1s)
    if n == 0:
        return True
    ps, qs = (_G1 * n)(*g1s), (_G2 * n)(*g2s)
    f, e = _GT(), _GT()
    lib.mclBn_millerLoopVec(f, ps, qs, n)
    lib.mclBn_finalExp(e, f)
    return lib.mclBnGT_isOne(e) == 1


def g1_is_point(x: int, y: int) -> bool:
    """Whether (x, y) (coordinates < q, checked by the caller; (0, 0) is infinity) is on G1."""
    return _g1(_lib(), x, y) is not None


def g2_in_subgroup(x: tuple[int, int], y: tuple[int, int]) -> bool:
    """Whether the affine point (on the twist; coordinates < q, checked by the caller) has order r."""
    return _g2(_lib(), x, y) is not None


def pairing_check(pairs: Sequence[tuple]) -> bool:
    """prod e(P_i, Q_i) == 1 for affine ``P_i = (x, y)`` and ``Q_i = ((x0, x1), (y0, y1))``
    (all zeros: infinity). Every point, beside an infinity too, is checked in its prime-order group
    as EIP-197 requires; a point mcl refuses raises ValueError."""
    lib = _lib()
    g1s, g2s = [], []
    for i, (p, q) in enumerate(pairs):
        p_inf, q_inf = p == (0, 0), q == ((0, 0), (0, 0))
        a = None if p_inf else _g1(lib, *p)
        b = None if q_inf else _g2(lib, *q)
        if (a is None and not p_inf) or (b is None and not q_inf):
            raise ValueError(f"pairs[{i}]: not a point of the prime-order groups")
        if p_inf or q_inf:
            continue  # e(O, Q) = e(P, O) = 1, once both are known to be group points (EIP-197)
        g1s.append(a)
        g2s.append(b)
    return _product_is_one(lib, g1s, g2s)


def g1_lincomb(points: Sequence[tuple[int, int]], scalars: Sequence[int]) -> tuple[int, int]:
    """sum scalars[i] * points[i] for affine G1 points (checked by the caller) and scalars in
    [0, r); the affine result, (0, 0) for infinity."""
    lib = _lib()
    n = len(points)
    if n == 0:
        return (0, 0)
    ps = (_G1 * n)(*[_g1(lib, *p) for p in points])
    frs = (_FR * n)()
    for i, k in enumerate(scalars):
        text = b"%d" % k
        if lib.mclBnFr_setStr(frs[i], text, len(text), 10) != 0:
            raise ValueError(f"scalars[{i}]: not an Fr element")
    out = _G1()
    lib.mclBnG1_mulVec(out, ps, frs, n)
    lib.mclBnG1_normalize(out, out)
    buf = ctypes.create_string_buffer(256)
    size = lib.mclBnG1_getStr(buf, 256, out, 10)
    words = buf.raw[:size].split()
    if words == [b"0"]:
        return (0, 0)
    return int(words[1]), int(words[2])
