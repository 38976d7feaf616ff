pragma circom 2.0.0;
include "circomlib/circuits/poseidon.circom";

// The benchmark circuit: n circomlib Poseidon(2) hashes in a chain, acc_{i+1} = Poseidon(acc_i, key).
// Instantiated by reference.zk.bench with `component main = PoseidonChain(n);` sized to fill 2^k.
template PoseidonChain(n) {
    signal input seed;
    signal input key;
    signal output out;
    component h[n];
    signal acc[n + 1];
    acc[0] <== seed;
    for (var i = 0; i < n; i++) {
        h[i] = Poseidon(2);
        h[i].inputs[0] <== acc[i];
        h[i].inputs[1] <== key;
        acc[i + 1] <== h[i].out;
    }
    out <== acc[n];
}
