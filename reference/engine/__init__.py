"""The matching engine: the TEE-held engine (`tee`: attestation, signed assignments, private
inputs over `ecies`), the fast orderbook and auction diffed against `spec.matching` (`fast`),
test and benchmark worlds (`worlds`) and the benchmark (`bench`)."""
