"""Reference implementations around the spec: the Groth16 prover (`zk/`), its fast path (`fast/`),
the matching engine (`engine/`), the market simulator (`sim/`) and the conformance runner and
vectors (`conformance/`). Imports only `spec` and `properties`."""
