"""The typed errors of Groth16 keys and snarkjs documents, in a module that imports nothing: the lean
verifier (``reference.zk.verifier``) raises the same classes as ``reference.zk.groth16`` and
``reference.zk.snarkjs``, which re-export them."""


class Groth16Error(ValueError):
    """Keys, witness or public inputs do not fit together."""


class SnarkjsFormatError(ValueError):
    """A snarkjs JSON document is malformed."""
