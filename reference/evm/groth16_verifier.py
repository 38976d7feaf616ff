"""Groth16/BN254 Solidity verifier generated from a snarkjs verification key, and the wrapper
that puts it behind the marketplace's IVerifier (contracts/interfaces/IVerifier.sol).

The verifier checks e(-A, B) · e(alpha, beta) · e(vk_x, gamma) · e(C, delta) = 1 with
vk_x = IC0 + sum(input_i · IC_{i+1}), through the EIP-196 (ecAdd 0x06, ecMul 0x07) and EIP-197
(pairing 0x08) precompiles; its ABI is snarkjs' `verifyProof(uint[2], uint[2][2], uint[2],
uint[n])`, with B in the precompile's order (imaginary part first), so the calldata of one
verifies in the other. An input >= r, a coordinate >= q or a point off the curve gives false.
"""
from __future__ import annotations

import re
from typing import Mapping, Sequence

from eth_abi import encode

Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583
R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


class VerifierKeyError(ValueError):
    """The verification key cannot be turned into a verifier (field named)."""


def _g1(vk: Mapping, field: str) -> tuple[int, int]:
    try:
        x, y, z = (int(v) for v in vk[field])
    except (KeyError, TypeError, ValueError):
        raise VerifierKeyError(f"{field}: expected [x, y, 1] as decimal strings") from None
    if z != 1 or not (0 <= x < Q and 0 <= y < Q) or (y * y - x * x * x - 3) % Q:
        raise VerifierKeyError(f"{field}: not an affine BN254 G1 point")
    return x, y


def _g2(vk: Mapping, field: str) -> tuple[int, int, int, int]:
    """(x_imag, x_real, y_imag, y_real): the EIP-197 word order."""
    try:
        (x0, x1), (y0, y1), (z0, z1) = ((int(a), int(b)) for a, b in vk[field])
    except (KeyError, TypeError, ValueError):
        raise VerifierKeyError(f"{field}: expected [[x0, x1], [y0, y1], [1, 0]] as decimal strings") from None
    if (z0, z1) != (1, 0) or not all(0 <= v < Q for v in (x0, x1, y0, y1)):
        raise VerifierKeyError(f"{field}: not an affine BN254 G2 point")
    return x1, x0, y1, y0


def check_vk(vk: Mapping) -> int:
    """The number of public inputs of a well-formed snarkjs Groth16 key (VerifierKeyError otherwise)."""
    if not isinstance(vk, Mapping) or vk.get("protocol") != "groth16" or vk.get("curve") not in ("bn128", "bn254"):
        raise VerifierKeyError("protocol/curve: expected a groth16 key on bn128")
    ic = vk.get("IC")
    if not isinstance(ic, list) or not ic or vk.get("nPublic") != len(ic) - 1:
        raise VerifierKeyError("IC: expected nPublic + 1 points")
    return len(ic) - 1


def generate_verifier(vk: Mapping, name: str = "KalypsoGroth16Verifier") -> str:
    """Solidity source of a verifier contract for `vk` (a snarkjs verification_key.json)."""
    if not _NAME.match(name):
        raise VerifierKeyError(f"name: {name!r} is not a Solidity identifier")
    n = check_vk(vk)
    if n < 1:
        raise VerifierKeyError("nPublic: the verifier needs at least one public input")
    consts = []

    def const(label: str, value: int) -> None:
        consts.append(f"    uint256 internal constant {label} = {value};")

    for label, value in zip(("ALPHA_X", "ALPHA_Y"), _g1(vk, "vk_alpha_1")):
        const(label, value)
    for g2 in ("beta", "gamma", "delta"):
        for part, value in zip(("X_IM", "X_RE", "Y_IM", "Y_RE"), _g2(vk, f"vk_{g2}_2")):
            const(f"{g2.upper()}_{part}", value)
    for i in range(n + 1):
        for part, value in zip(("X", "Y"), _g1({"p": vk["IC"][i]}, "p")):
            const(f"IC{i}_{part}", value)
    accumulate = "\n".join(
        f"        if (input[{i}] >= R) return false;\n"
        f"        (x, y, ok) = _mulAdd(x, y, IC{i + 1}_X, IC{i + 1}_Y, input[{i}]);\n"
        f"        if (!ok) return false;" for i in range(n))
    return _VERIFIER.format(name=name, n=n, consts="\n".join(consts), accumulate=accumulate)


def generate_wrapper(n_public: int, verifier_name: str = "KalypsoGroth16Verifier") -> str:
    """Solidity source of `<verifier_name>Market`, an IVerifier over the generated verifier: the
    ask's proverData is abi.encode(uint256[n]) and the proof abi.encode(uint[2], uint[2][2], uint[2])."""
    if not _NAME.match(verifier_name):
        raise VerifierKeyError(f"name: {verifier_name!r} is not a Solidity identifier")
    if not isinstance(n_public, int) or n_public < 1:
        raise VerifierKeyError("n_public: expected a positive integer")
    return _WRAPPER.format(name=verifier_name, n=n_public)


def proof_words(proof: Mapping) -> tuple[list[int], list[list[int]], list[int]]:
    """(a, b, c) as verifyProof takes them, from a snarkjs proof.json (B swapped to EIP-197 order)."""
    a = [int(v) for v in proof["pi_a"][:2]]
    (x0, x1), (y0, y1) = ([int(v) for v in c] for c in proof["pi_b"][:2])
    c = [int(v) for v in proof["pi_c"][:2]]
    return a, [[x1, x0], [y1, y0]], c


def market_proof(proof: Mapping) -> bytes:
    """The bytes submitProof carries: abi.encode(uint[2] a, uint[2][2] b, uint[2] c)."""
    a, b, c = proof_words(proof)
    return encode(["uint256[2]", "uint256[2][2]", "uint256[2]"], [a, b, c])


def market_inputs(public: Sequence) -> bytes:
    """The ask's proverData: abi.encode(uint256[n]) of the public signals."""
    return encode([f"uint256[{len(public)}]"], [[int(v) for v in public]])


_VERIFIER = """// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @notice Groth16 verifier on BN254 for one verification key ({n} public inputs), generated by
/// reference/evm/groth16_verifier.py. Checks e(-A,B)·e(alpha,beta)·e(vk_x,gamma)·e(C,delta) = 1.
contract {name} {{
    uint256 internal constant Q = {q};
    uint256 internal constant R = {r};
{consts}

    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[{n}] calldata input
    ) external view returns (bool) {{
        uint256 x = IC0_X;
        uint256 y = IC0_Y;
        bool ok;
{accumulate}
        if (a[0] >= Q || a[1] >= Q || c[0] >= Q || c[1] >= Q) return false;
        uint256[24] memory p;
        p[0] = a[0];
        p[1] = (Q - a[1]) % Q;
        p[2] = b[0][0];
        p[3] = b[0][1];
        p[4] = b[1][0];
        p[5] = b[1][1];
        p[6] = ALPHA_X;
        p[7] = ALPHA_Y;
        p[8] = BETA_X_IM;
        p[9] = BETA_X_RE;
        p[10] = BETA_Y_IM;
        p[11] = BETA_Y_RE;
        p[12] = x;
        p[13] = y;
        p[14] = GAMMA_X_IM;
        p[15] = GAMMA_X_RE;
        p[16] = GAMMA_Y_IM;
        p[17] = GAMMA_Y_RE;
        p[18] = c[0];
        p[19] = c[1];
        p[20] = DELTA_X_IM;
        p[21] = DELTA_X_RE;
        p[22] = DELTA_Y_IM;
        p[23] = DELTA_Y_RE;
        uint256[1] memory out;
        assembly {{
            ok := staticcall(gas(), 0x08, p, 768, out, 32)
        }}
        return ok && out[0] == 1;
    }}

    /// (x, y) + s·(px, py) with the ecMul and ecAdd precompiles.
    function _mulAdd(uint256 x, uint256 y, uint256 px, uint256 py, uint256 s)
        internal view returns (uint256, uint256, bool ok)
    {{
        uint256[4] memory buf;
        buf[0] = px;
        buf[1] = py;
        buf[2] = s;
        assembly {{
            ok := staticcall(gas(), 0x07, buf, 96, add(buf, 64), 64)
        }}
        if (!ok) return (0, 0, false);
        buf[0] = x;
        buf[1] = y;
        assembly {{
            ok := staticcall(gas(), 0x06, buf, 128, buf, 64)
        }}
        return (buf[0], buf[1], ok);
    }}
}}
""".replace("{q}", str(Q)).replace("{r}", str(R))

_WRAPPER = """// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import "contracts/interfaces/IVerifier.sol";

interface I{name} {{
    function verifyProof(uint256[2] calldata a, uint256[2][2] calldata b, uint256[2] calldata c, uint256[{n}] calldata input)
        external view returns (bool);
}}

/// @notice The marketplace's IVerifier over a generated Groth16 verifier ({n} public inputs):
/// proverData = abi.encode(uint256[{n}]), proof = abi.encode(uint256[2], uint256[2][2], uint256[2]).
contract {name}Market is IVerifier {{
    I{name} public immutable groth16;
    bytes public override sampleInput;
    bytes public override sampleProof;

    constructor(I{name} _groth16, bytes memory _sampleInput, bytes memory _sampleProof) {{
        groth16 = _groth16;
        sampleInput = _sampleInput;
        sampleProof = _sampleProof;
    }}

    function verify(bytes calldata encodedPublicInputsAndProofs) public view override returns (bool) {{
        (bytes memory inputs, bytes memory proof) = abi.decode(encodedPublicInputsAndProofs, (bytes, bytes));
        return _verify(inputs, proof);
    }}

    function _verify(bytes memory inputs, bytes memory proof) internal view returns (bool) {{
        if (inputs.length != 32 * {n} || proof.length != 256) return false;
        uint256[{n}] memory input = abi.decode(inputs, (uint256[{n}]));
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c) =
            abi.decode(proof, (uint256[2], uint256[2][2], uint256[2]));
        return groth16.verifyProof(a, b, c, input);
    }}

    function verifyInputs(bytes calldata inputs) public pure override returns (bool) {{
        if (inputs.length != 32 * {n}) return false;
        uint256[{n}] memory input = abi.decode(inputs, (uint256[{n}]));
        for (uint256 i = 0; i < {n}; i++) {{
            if (input[i] >= {r}) return false;
        }}
        return true;
    }}

    function verifyAgainstSampleInputs(bytes memory proof) public view override returns (bool) {{
        return _verify(sampleInput, proof);
    }}

    function checkSampleInputsAndProof() public view override returns (bool) {{
        return _verify(sampleInput, sampleProof);
    }}
}}
""".replace("{r}", str(R))
