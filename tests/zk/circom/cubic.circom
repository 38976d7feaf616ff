pragma circom 2.0.0;

template Cubic() {
    signal input x;
    signal input k;
    signal output y;
    signal x2;
    signal x3;
    x2 <== x * x;
    x3 <== x2 * x;
    y <== x3 + k * x + 5;
}

component main {public [k]} = Cubic();
