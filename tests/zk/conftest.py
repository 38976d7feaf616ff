import pytest

from reference.zk import nodetools


@pytest.fixture(scope="session")
def node_tools():
    reason = nodetools.missing_reason()
    if reason:
        pytest.skip(f"snarkjs/circom interop needs node tools: {reason}")
    return nodetools


@pytest.fixture(scope="session")
def ptau(node_tools, tmp_path_factory):
    return node_tools.prepare_ptau(8, tmp_path_factory.mktemp("ptau"), "kalypso-tests")
