pragma circom 2.0.0;
include "circomlib/circuits/poseidon.circom";

template Poseidon2Preimage() {
    signal input a;
    signal input b;
    signal output hash;
    component p = Poseidon(2);
    p.inputs[0] <== a;
    p.inputs[1] <== b;
    hash <== p.out;
}

component main = Poseidon2Preimage();
