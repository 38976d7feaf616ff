// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import "contracts/interfaces/IVerifier.sol";

/// @notice The spec's deterministic stand-in verifier (spec/env.py `verify_stand_in`) behind the
/// market's IVerifier interface: a proof is valid iff it is the 32 bytes
/// sha256("kalypso/stand-in-proof/v1" || publicInputs). Inputs are always well formed.
contract StandInVerifier is IVerifier {
    bytes public override sampleInput = hex"01";
    bytes public override sampleProof;

    constructor() {
        sampleProof = abi.encodePacked(sha256(abi.encodePacked("kalypso/stand-in-proof/v1", sampleInput)));
    }

    function verify(bytes calldata encodedPublicInputsAndProofs) public pure override returns (bool) {
        (bytes memory inputs, bytes memory proof) = abi.decode(encodedPublicInputsAndProofs, (bytes, bytes));
        return _check(inputs, proof);
    }

    function _check(bytes memory inputs, bytes memory proof) internal pure returns (bool) {
        if (proof.length != 32) return false;
        return bytes32(proof) == sha256(abi.encodePacked("kalypso/stand-in-proof/v1", inputs));
    }

    function verifyInputs(bytes calldata) public pure override returns (bool) {
        return true;
    }

    function verifyAgainstSampleInputs(bytes memory proof) public view override returns (bool) {
        return _check(sampleInput, proof);
    }

    function checkSampleInputsAndProof() public view override returns (bool) {
        return _check(sampleInput, sampleProof);
    }
}
