"""Example circuits: cubic, MiMC-5 hash preimage, MiMC Merkle membership.

MiMC-5 (this project's instance): the permutation ``E_k(x)`` runs ``rounds`` rounds of
``x <- (x + k + c_i)^5`` and returns ``x + k``; ``c_0 = 0`` and for i >= 1
``c_i = int.from_bytes(SHA-256(b"kalypso.mimc5" || i as 4-byte big-endian)) mod r``.
x -> x^5 is a permutation of Fr because gcd(5, r - 1) = 1. 110 rounds = ceil(254 / log2 5).
The compression function is Miyaguchi-Preneel: ``compress(l, x) = E_l(x) + l + x``; the one-input
hash is ``compress(0, x)``. Each round costs 3 constraints.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache

from reference.zk.field import R
from reference.zk.r1cs import Circuit, CircuitBuilder, CircuitError, Lc

MIMC_ROUNDS = 110
MIMC_SEED = b"kalypso.mimc5"


@lru_cache(maxsize=None)
def mimc_constants(rounds: int = MIMC_ROUNDS) -> tuple[int, ...]:
    return (0,) + tuple(
        int.from_bytes(hashlib.sha256(MIMC_SEED + i.to_bytes(4, "big")).digest(), "big") % R
        for i in range(1, rounds)
    )


def mimc_permute(x: int, k: int, rounds: int = MIMC_ROUNDS) -> int:
    for c in mimc_constants(rounds):
        x = pow((x + k + c) % R, 5, R)
    return (x + k) % R


def mimc_compress(left: int, right: int, rounds: int = MIMC_ROUNDS) -> int:
    return (mimc_permute(right, left, rounds) + left + right) % R


def mimc_hash(x: int, rounds: int = MIMC_ROUNDS) -> int:
    return mimc_compress(0, x, rounds)


def _mimc_permute_gadget(b: CircuitBuilder, x: Lc, k: Lc | int, rounds: int) -> Lc:
    for c in mimc_constants(rounds):
        t = x + k + c
        t2 = b.mul(t, t)
        t4 = b.mul(t2, t2)
        x = b.mul(t4, t)
    return x + k


def _mimc_compress_gadget(b: CircuitBuilder, left: Lc | int, right: Lc, rounds: int) -> Lc:
    return _mimc_permute_gadget(b, right, left, rounds) + left + right


def _positive(name: str, value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise CircuitError(f"{name}: must be a positive int, got {value!r}")
    return value


def cubic_circuit(repetitions: int = 1) -> Circuit:
    """Public ``y`` is x_n where x_0 = private ``x`` and x_{i+1} = x_i^3 + x_i + 5."""
    _positive("repetitions", repetitions)
    b = CircuitBuilder(f"cubic-{repetitions}")
    x = b.private_input("x")
    for _ in range(repetitions):
        x2 = b.mul(x, x)
        x = b.mul(x2, x) + x + 5
    b.output("y", x)
    return b.build()


def cubic_reference(x: int, repetitions: int = 1) -> int:
    for _ in range(repetitions):
        x = (x * x * x + x + 5) % R
    return x


def mimc_preimage_circuit(iterations: int = 1, rounds: int = MIMC_ROUNDS) -> Circuit:
    """Public output ``hash`` = mimc_hash applied ``iterations`` times to private ``preimage``."""
    _positive("iterations", iterations)
    _positive("rounds", rounds)
    b = CircuitBuilder(f"mimc-preimage-{iterations}x{rounds}")
    h = b.private_input("preimage")
    for _ in range(iterations):
        h = _mimc_compress_gadget(b, 0, h, rounds)
    b.output("hash", h)
    return b.build()


def mimc_chain_reference(x: int, iterations: int = 1, rounds: int = MIMC_ROUNDS) -> int:
    for _ in range(iterations):
        x = mimc_hash(x, rounds)
    return x


def merkle_circuit(depth: int = 8, rounds: int = MIMC_ROUNDS) -> Circuit:
    """Public ``root``; private ``leaf``, ``sibling_i`` and ``index_i`` (bit i of the leaf position,
    0: the running node is the left child). node_{i+1} = compress(left_i, right_i)."""
    _positive("depth", depth)
    _positive("rounds", rounds)
    b = CircuitBuilder(f"merkle-{depth}x{rounds}")
    root = b.public_input("root")
    node = b.private_input("leaf")
    for i in range(depth):
        sibling = b.private_input(f"sibling_{i}")
        bit = b.private_input(f"index_{i}")
        b.assert_boolean(bit)
        swap = b.mul(bit, sibling - node)
        left = node + swap
        right = sibling - swap
        node = _mimc_compress_gadget(b, left, right, rounds)
    b.assert_equal(node, root)
    return b.build()


def merkle_reference(leaves: list[int], rounds: int = MIMC_ROUNDS) -> list[list[int]]:
    """All levels of the MiMC Merkle tree over ``leaves`` (a power-of-two count), leaves first."""
    if not leaves or len(leaves) & (len(leaves) - 1):
        raise CircuitError(f"leaves: need a power-of-two count, got {len(leaves)}")
    levels = [list(leaves)]
    while len(levels[-1]) > 1:
        prev = levels[-1]
        levels.append([mimc_compress(prev[j], prev[j + 1], rounds) for j in range(0, len(prev), 2)])
    return levels


def merkle_inputs(leaves: list[int], position: int, rounds: int = MIMC_ROUNDS) -> dict[str, int]:
    """Circuit inputs proving ``leaves[position]`` is in the tree over ``leaves``."""
    levels = merkle_reference(leaves, rounds)
    if not 0 <= position < len(leaves):
        raise CircuitError(f"position: {position} is outside [0, {len(leaves)})")
    inputs = {"root": levels[-1][0], "leaf": leaves[position]}
    for i, level in enumerate(levels[:-1]):
        bit = (position >> i) & 1
        inputs[f"index_{i}"] = bit
        inputs[f"sibling_{i}"] = level[(position >> i) ^ 1]
    return inputs


EXAMPLES = {
    "cubic": cubic_circuit,
    "mimc": mimc_preimage_circuit,
    "merkle": merkle_circuit,
}

MAX_EXAMPLE_CONSTRAINTS = 1 << 20


def _constraint_estimate(name: str, params: dict[str, int]) -> int:
    rounds = params.get("rounds", MIMC_ROUNDS)
    if name == "cubic":
        return 2 * params.get("repetitions", 1) + 1
    if name == "mimc":
        return params.get("iterations", 1) * 3 * rounds + 1
    return params.get("depth", 8) * (3 * rounds + 2) + 1


def example_circuit(name: str, params: dict[str, int]) -> Circuit:
    """The example ``name`` built with ``params``: unknown names and parameters, non-positive
    values and circuits over ``MAX_EXAMPLE_CONSTRAINTS`` constraints raise CircuitError."""
    if name not in EXAMPLES:
        raise CircuitError(f"example: unknown circuit {name!r}; expected one of {', '.join(EXAMPLES)}")
    allowed = EXAMPLE_PARAMS[name]
    for key, value in params.items():
        if key not in allowed:
            raise CircuitError(f"param.{key}: {name} takes {', '.join(allowed)}")
        _positive(f"param.{key}", value)
    estimate = _constraint_estimate(name, params)
    if estimate > MAX_EXAMPLE_CONSTRAINTS:
        raise CircuitError(f"params: {name} would have about {estimate} constraints (at most {MAX_EXAMPLE_CONSTRAINTS})")
    return EXAMPLES[name](**params)


EXAMPLE_PARAMS = {"cubic": ("repetitions",), "mimc": ("iterations", "rounds"), "merkle": ("depth", "rounds")}
