"""Reference ZK prover: Groth16 on BN254 from finite-field libraries, interoperable with snarkjs
and circom. See docs/zk.md."""
