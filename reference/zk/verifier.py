"""Groth16 verification of snarkjs JSON without py_ecc: what ``kalypso zk verify`` imports.

A whole ``kalypso zk verify`` process is mostly interpreter start-up and imports, so this module imports
only ``reference.zk.errors``, ``reference.zk.field``, ``reference.zk.snarkjs_format`` and, when first needed,
``reference.zk.arkworks`` (groth16py) or ``reference.zk.native`` (mcl through ctypes): no py_ecc, numpy, attrs or
numba. Points stay affine integer pairs; (0, 0) (G1) and all zeros (G2) are infinity, as in
``reference.zk.native``. Every check of the py_ecc path is made, with the same typed errors and messages:

- documents: ``protocol`` "groth16", ``curve`` bn128/bn254/altbn128; points ``[x, y, z]`` of decimal
  strings with z 0 (infinity) or 1 (affine); IC non-empty with ``nPublic == len(IC) - 1``;
  public signals decimal strings below r (``SnarkjsFormatError``);
- points: coordinates below q, on the curve (G1) or the twist (G2), G2 points in the order-r subgroup
  (arkworks' or mcl's check); G1 has cofactor 1 (``SnarkjsFormatError`` naming the point);
- verification: as many public signals as the key expects (``Groth16Error``), then
  ``e(-A, B) * e(alpha, beta) * e(IC_0 + sum x_i IC_i, gamma) * e(C, delta) == 1``.

The format rules (header, shapes, z, IC count, public signals) are ``reference.zk.snarkjs_format``'s, which
``reference.zk.snarkjs`` builds its py_ecc points through too. ``Verifier`` picks the pairing library
(arkworks, else mcl, else ``reference.zk.groth16.verify``). Differential tests: ``tests/zk/test_zk_verifier.py``.
"""
from __future__ import annotations


from reference.zk.errors import Groth16Error, SnarkjsFormatError
from reference.zk.field import Q
from reference.zk.snarkjs_format import g1_json, g2_json, proof_parts, public_json, vk_parts

G1_B = 3
# the twist's b = 3 / (9 + u) over Fq2 = Fq[u] / (u^2 + 1): 3 (9 - u) / 82
G2_B = (27 * pow(82, -1, Q) % Q, -3 * pow(82, -1, Q) % Q)


def _native():
    """``reference.zk.native`` (ctypes and mcl), imported when a check first needs it: the arkworks path does not."""
    from reference.zk import native

    return native


# points as affine ints, checked


def _coord(name: str, value: int) -> int:
    if not 0 <= value < Q:
        raise SnarkjsFormatError(f"{name}: {value!r} is not a base-field element in [0, q)")
    return value


def _fq2_mul(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return (a[0] * b[0] - a[1] * b[1]) % Q, (a[0] * b[1] + a[1] * b[0]) % Q


def g1_point(name: str, value: object) -> tuple[int, int]:
    """A G1 point of a snarkjs document, checked: affine ints, (0, 0) for infinity."""
    xy = g1_json(name, value)
    if xy is None:
        return (0, 0)
    x, y = _coord(f"{name}.x", xy[0]), _coord(f"{name}.y", xy[1])
    if (x, y) != (0, 0) and (y * y - x * x * x - G1_B) % Q:
        raise SnarkjsFormatError(f"{name}: ({x}, {y}) is not on the BN254 G1 curve")
    return x, y


def g2_on_twist(name: str, value: object) -> tuple[tuple[int, int], tuple[int, int]]:
    """A G2 point of a snarkjs document, checked on the twist (the subgroup is left to the pairing's library)."""
    xy = g2_json(name, value)
    if xy is None:
        return (0, 0), (0, 0)
    (x0, x1), (y0, y1) = xy
    for label, v in (("x0", x0), ("x1", x1), ("y0", y0), ("y1", y1)):
        _coord(f"{name}.{label}", v)
    x, y = (x0, x1), (y0, y1)
    if x == (0, 0) and y == (0, 0):
        return x, y
    x3 = _fq2_mul(_fq2_mul(x, x), x)
    if _fq2_mul(y, y) != ((x3[0] + G2_B[0]) % Q, (x3[1] + G2_B[1]) % Q):
        raise SnarkjsFormatError(f"{name}: not on the BN254 G2 twist curve")
    return x, y


def g2_point(name: str, value: object) -> tuple[tuple[int, int], tuple[int, int]]:
    """A G2 point of a snarkjs document, checked on the twist and in the order-r subgroup (mcl)."""
    x, y = g2_on_twist(name, value)
    if (x, y) != ((0, 0), (0, 0)) and not _native().g2_in_subgroup(x, y):
        raise SnarkjsFormatError(f"{name}: not in the order-r subgroup of G2")
    return x, y


def verify(vk: dict, public: list[int], proof: dict) -> bool:
    """Groth16 verification of checked points (``vk_parts`` / ``proof_parts`` with ``g1_point``/``g2_point``)
    and public signals (``public_json``) on mcl."""
    if len(public) != len(vk["ic"]) - 1:
        raise Groth16Error(f"public inputs: {len(public)} given, key expects {len(vk['ic']) - 1}")
    vk_x = _native().g1_lincomb(list(vk["ic"]), [1, *public])
    ax, ay = proof["a"]
    neg_a = (ax, (Q - ay) % Q)
    try:
        return _native().pairing_check(
            [(neg_a, proof["b"]), (vk["alpha1"], vk["beta2"]), (vk_x, vk["gamma2"]), (proof["c"], vk["delta2"])]
        )
    except ValueError:  # a point mcl refuses: not a Groth16 proof of this key
        return False


BACKENDS = ("auto", "arkworks", "mcl", "reference")


def _finite(points) -> bool:
    return all(p not in ((0, 0), ((0, 0), (0, 0))) for p in points)


class Verifier:
    """``Verifier(vk_doc)(public_doc, proof_doc) -> bool`` for one verification key (snarkjs JSON values).

    ``backend``: ``arkworks`` (``reference.zk.arkworks``) for the pairing of finite points whose format and curve
    checks passed here, falling back to mcl (the reference path where mcl does not load) for any document it refuses or that
    has a point at infinity, so that the verdict and the typed error are those of the fallback; ``mcl``;
    ``reference`` (``reference.zk.snarkjs`` + ``reference.zk.groth16.verify``: py_ecc points, the product on mcl
    where it loads, else py_ecc's pairing). ``auto`` takes the first that loads. ``backend`` after construction
    names the one the key is judged on."""

    def __init__(self, vk_doc: object, backend: str = "auto"):
        if backend not in BACKENDS:
            raise ValueError(f"backend: {backend!r} is not one of {', '.join(BACKENDS)}")
        from reference.zk import arkworks

        if backend == "auto":
            backend = "arkworks" if arkworks.available() else "mcl" if _native().available() else "reference"
        if backend == "mcl" and not _native().available():
            raise ValueError("backend: mcl (mclbn256) does not load here")
        if backend == "arkworks" and not arkworks.available():
            raise ValueError("backend: arkworks needs groth16py, which does not import here")
        self.backend, self._vk_doc, self._fast = backend, vk_doc, None
        if backend == "arkworks":
            vk = vk_parts(vk_doc, g1_point, g2_on_twist)
            if _finite([vk["alpha1"], vk["beta2"], vk["gamma2"], vk["delta2"], *vk["ic"]]):
                try:
                    self._fast = arkworks.ArkworksVerifier(vk)
                except arkworks.Refused:
                    pass
        if self._fast is not None:
            self.vk = vk
        elif backend != "reference" and _native().available():  # mcl, or a key arkworks refused or with an infinity
            self.backend, self.vk = "mcl", vk_parts(vk_doc, g1_point, g2_point)
        else:
            from reference.zk.snarkjs import vk_from_json

            self.backend, self.vk = "reference", vk_from_json(vk_doc)

    @property
    def lean(self) -> bool:
        """True where neither py_ecc nor numpy is imported to verify."""
        return self.backend != "reference"

    def __call__(self, public_doc: object, proof_doc: object) -> bool:
        public = public_json(public_doc)
        if self._fast is not None:
            from reference.zk.arkworks import Refused

            proof = proof_parts(proof_doc, g1_point, g2_on_twist)
            if len(public) == len(self.vk["ic"]) - 1 and _finite(proof.values()):
                try:
                    return self._fast(public, proof)
                except Refused:
                    pass
            return Verifier(self._vk_doc, "mcl" if _native().available() else "reference")(public_doc, proof_doc)
        if self.backend == "mcl":
            return verify(self.vk, public, proof_parts(proof_doc, g1_point, g2_point))
        from reference.zk.groth16 import verify as verify_reference
        from reference.zk.snarkjs import proof_from_json

        return verify_reference(self.vk, public, proof_from_json(proof_doc))
