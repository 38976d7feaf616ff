"""The harness: compile (cached by source hash, nothing cached on failure), deploy, a lifecycle,
typed errors for a bad contracts folder and an unknown revert selector."""
import shutil

import pytest
from eth_utils import keccak

from reference.evm import compile as evm_compile
from reference.evm.abi import AbiIndex
from reference.evm.chain import Chain
from reference.evm.errors import CompileFailed, ContractsMissing, ContractsVersionMismatch, UnknownRevert
from reference.evm.lifecycle import run_lifecycle

pytestmark = pytest.mark.evm


def test_second_compile_comes_from_the_cache(build, contracts_dir):
    again = evm_compile.compile_kalypso(contracts_dir)
    assert again.cached and again.key == build.key
    assert (evm_compile.cache_root() / build.key / "artifacts.json").is_file()
    assert again["ProofMarketplace"].bytecode == build["ProofMarketplace"].bytecode
    assert build.solc_version.startswith("0.8.26+")
    assert build["ProofMarketplace"].runtime_size <= 24576  # EIP-170


def test_lifecycle_moves_tokens_as_the_contracts_say(system):
    c = system.chain
    assert run_lifecycle(system) == 41
    balance = lambda who: system.payment.call("balanceOf", c.addr(who))
    assert system.staking.call("balanceOf", c.addr("slasher")) == 10**18  # the whole penalty to slashGenerator's caller
    assert balance("prover-rewards") == 10**17     # the quoted cost, for the one proof
    assert system.staking.call("balanceOf", c.addr("treasury")) == 10**18  # the discard's penalty (stake token)
    assert balance("treasury") == 1000             # the market creation cost
    assert system.marketplace.call("claimableAmount", c.addr("alice")) == 0
    assert system.generators.call("generatorRegistry", c.addr("prover"))[0] == "0x" + "00" * 20


def test_missing_folder_is_named(tmp_path):
    with pytest.raises(ContractsMissing, match="does not exist.*solc 0.8.26.*5.1.0"):
        evm_compile.compile_kalypso(tmp_path / "nowhere")
    with pytest.raises(ContractsMissing, match="no contracts/ folder"):
        evm_compile.compile_kalypso(tmp_path)


def test_other_lineage_is_a_version_mismatch(contracts_dir):
    other = contracts_dir.parent / "initial-deploy-7cf6586"
    if not other.is_dir():
        pytest.skip("initial-deploy-7cf6586 is not beside master-66d489f")
    with pytest.raises(ContractsVersionMismatch, match="GeneratorRegistry.sol.*master-66d489f"):
        evm_compile.compile_kalypso(other)


def _copy(contracts_dir, tmp_path):
    dst = tmp_path / "copy"
    shutil.copytree(contracts_dir / "contracts", dst / "contracts")
    return dst


def test_broken_sources_fail_and_cache_nothing(contracts_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("KALYPSO_CACHE", str(tmp_path / "cache"))
    dst = _copy(contracts_dir, tmp_path)
    path = dst / "contracts" / "lib" / "Error.sol"
    path.write_text(path.read_text().replace("error CannotBeZero();", "error CannotBeZero()"))
    with pytest.raises(CompileFailed, match=r"(?s)rejected the sources.*Error\.sol"):
        evm_compile.compile_kalypso(dst)
    assert not any((tmp_path / "cache").rglob("artifacts.json"))


def test_changed_abi_is_a_version_mismatch(contracts_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("KALYPSO_CACHE", str(tmp_path / "cache"))
    dst = _copy(contracts_dir, tmp_path)
    path = dst / "contracts" / "ProofMarketplace.sol"
    path.write_text(path.read_text().replace("function cancelAsk(", "function cancelBid("))
    with pytest.raises(ContractsVersionMismatch, match=r"lacks cancelAsk\(uint256\).*master-66d489f"):
        evm_compile.compile_kalypso(dst)
    assert not any((tmp_path / "cache").rglob("artifacts.json"))


def test_unknown_revert_selector_is_reported_raw(build):
    chain = Chain(AbiIndex(a.abi for a in build.artifacts.values()))
    # runtime: mstore(0, 0xdeadbeef << 224); revert(0, 4)
    runtime = bytes.fromhex("63deadbeef60e01b60005260046000fd")
    init = bytes([0x60, len(runtime), 0x60, 0x0C, 0x60, 0x00, 0x39, 0x60, len(runtime), 0x60, 0x00, 0xF3]) + runtime
    address = chain.evm.deploy(chain.addr("deployer"), init)
    with pytest.raises(UnknownRevert, match="0xdeadbeef") as info:
        chain.transact("admin", address, b"\x01\x02\x03\x04", what="probe")
    assert info.value.selector == "0xdeadbeef"
    known = chain.index.decode_revert(keccak(text="CannotBeZero()")[:4])
    assert known.name == "CannotBeZero"
