"""Fixtures for the EVM harness: the contracts folder and one compiled build per session.

The contracts are found at $KALYPSO_CONTRACTS or at ../shared/kalypso-contracts/master-66d489f
beside the repo root; without them, or without node and the pinned npm solc/OpenZeppelin, the
tests skip with the reason.
"""
import pytest

from reference.evm import compile as evm_compile


@pytest.fixture(scope="session")
def contracts_dir():
    reason = evm_compile.missing_reason()
    if reason:
        pytest.skip(f"EVM checks need the contracts and the npm toolchain: {reason}")
    return evm_compile.default_contracts_dir()


@pytest.fixture(scope="session")
def build(contracts_dir):
    return evm_compile.compile_kalypso(contracts_dir)


@pytest.fixture()
def system(build):
    from reference.evm.deploy import deploy_kalypso

    return deploy_kalypso(build)
