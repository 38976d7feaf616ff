"""Z3 proofs of the protocol's invariants (docs/proofs.md).

`prove_all(invariant=None, depth=None)` runs every inductive proof (and BMC to `depth`) and
returns `ProofResult`s; `synthesize_parameters()` checks the key safety rule of restaked stake
and synthesizes the safe region of its timing parameters.
"""
from properties.z3.proofs import PROOF_BOUNDS, ProofResult, bmc, evaluate, prove_all
from properties.z3.timing import Synthesis, synthesize_parameters

__all__ = ["PROOF_BOUNDS", "ProofResult", "Synthesis", "bmc", "evaluate", "prove_all", "synthesize_parameters"]
