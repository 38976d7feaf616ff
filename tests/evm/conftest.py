"""Fixtures for the EVM harness: the contracts folder and one compiled build per session.

The contracts are found at $KALYPSO_CONTRACTS or at ../shared/kalypso-contracts/master-66d489f
beside the repo root; without them, or without node and the pinned npm solc/OpenZeppelin, the
tests skip with the reason. A session that will use the restaking builds starts them at
collection, in a thread beside the first tests (`pytest_collection_finish`).
"""
import threading

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


@pytest.fixture(scope="session")
def restaking_builds():
    """(L2, Symbiotic core, Middleware) builds of the restaking lineage: from the cache, or compiled
    once side by side under a lock the other pytest worker waits on (compile_two_chain); skipped
    with the reason without the contracts or the npm toolchain."""
    from reference.evm.errors import ContractsMissing, ToolchainMissing
    from reference.evm.restaking import compile as rc

    try:
        evm_compile.check_toolchain()
    except ToolchainMissing as exc:
        pytest.skip(f"restaking EVM checks need the npm toolchain: {exc}")
    contracts = rc.default_contracts_dir()
    if contracts is None:
        pytest.skip(f"the {rc.LINEAGE} snapshot is not beside the repo root and $KALYPSO_RESTAKING_CONTRACTS is not set")
    try:
        return rc.compile_two_chain(contracts)
    except (ContractsMissing, ToolchainMissing) as exc:
        pytest.skip(f"restaking builds need the contracts and npm: {exc}")


def _restaking_builds_in_background():
    from reference.evm.restaking import compile as rc

    try:
        evm_compile.check_toolchain()
        contracts = rc.default_contracts_dir()
        if contracts is not None:
            rc.compile_two_chain(contracts)
    except Exception:  # the fixture meets the same error and skips or fails with it
        pass


def pytest_collection_finish(session):
    """A cold restaking build is about two minutes of solc (viaIR). Where the session's tests use
    `restaking_builds`, start it now in a thread (solc runs in its own processes) instead of when
    the first such test asks: the fixture then waits on compile_two_chain's lock, held by the
    thread, and loads the cache; every pytest worker does this, the first compiles, the others load."""
    if not session.config.option.collectonly and any("restaking_builds" in getattr(item, "fixturenames", ())
                                                     for item in session.items):
        threading.Thread(target=_restaking_builds_in_background, name="restaking-builds", daemon=True).start()
