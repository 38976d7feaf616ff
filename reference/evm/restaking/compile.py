"""Compile the restaking lineage (`initial-deploy-7cf6586`) with npm solc 0.8.26 + OpenZeppelin
5.1.0. The lineage writes `require(cond, CustomError())` under an exact `pragma 0.8.26`, which
solc accepts only through the IR pipeline, so the settings add `viaIR: true` (a cold compile
takes about two minutes on two cores). Artifacts are cached by the same source hash as the
native lineage's (reference.evm.compile), the settings included, so a second run loads them.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Mapping, Optional

from reference.evm import compile as base
from reference.evm.errors import (
    EXPECTED_OZ, EXPECTED_SOLC, CompileFailed, ContractsMissing, ContractsVersionMismatch, EvmHarnessError,
)

LINEAGE = "initial-deploy-7cf6586"
SETTINGS = {**base.SETTINGS, "viaIR": True}
TOOLCHAIN = (f"expected: npm solc {EXPECTED_SOLC} (solc-js), @openzeppelin/contracts and "
             f"@openzeppelin/contracts-upgradeable {EXPECTED_OZ}, contracts at {LINEAGE}")
NOT_CACHED = "restaking build not cached: run `python -m reference.evm.restaking.compile`"

# The L2 deployment: source path -> contract names.
L2_SOURCES: Mapping[str, tuple] = {
    "contracts/ProofMarketplace.sol": ("ProofMarketplace",),
    "contracts/ProverManager.sol": ("ProverManager",),
    "contracts/EntityKeyRegistry.sol": ("EntityKeyRegistry",),
    "contracts/staking/l2_contracts/StakingManager.sol": ("StakingManager",),
    "contracts/staking/l2_contracts/NativeStaking.sol": ("NativeStaking",),
    "contracts/staking/l2_contracts/SymbioticStaking.sol": ("SymbioticStaking",),
    "contracts/staking/l2_contracts/SymbioticStakingReward.sol": ("SymbioticStakingReward",),
    "contracts/mock/MockAttestationVerifier.sol": ("MockAttestationVerifier",),
    "contracts/mock/MockToken.sol": ("MockToken",),
    "contracts/lib/Error.sol": ("Error",),
    "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol": ("ERC1967Proxy",),
    "kalypso/StandInVerifier.sol": ("StandInVerifier",),
}

# Functions the harness calls: an ABI that lacks one is another version of the contracts.
REQUIRED_FUNCTIONS: Mapping[str, tuple] = {
    "ProofMarketplace": (
        "createMarket(bytes,address,bytes,bytes)",
        "createBid((uint256,uint256,uint256,uint256,uint256,address,bytes),uint8,bytes,bytes,bytes)",
        "assignTask(uint256,address,bytes)", "refundFees(uint256[])", "submitProof(uint256,bytes)",
        "initialize(address,address,address,address,address,uint256)",
    ),
    "ProverManager": ("register(address,uint256,bytes)",
                      "joinMarketplace(uint256,uint256,uint256,uint256,uint256,bool,bytes,bytes)"),
    "StakingManager": ("addStakingPool(address,uint256)", "setPoolEnabled(address,bool)",
                       "emergencyWithdraw(address,address)"),
    "NativeStaking": ("stake(address,address,uint256)", "requestStakeWithdrawal(address,address,uint256)",
                      "withdrawStake(address,uint256[])", "setStakeAmountToLock(address,uint256)"),
    "SymbioticStaking": (
        "submitVaultSnapshot(uint256,uint256,uint256,bytes32,bytes,bytes)",
        "submitSlashResult(uint256,uint256,uint256,uint256,bytes32,bytes,bytes)",
        "setSubmissionCooldown(uint256)", "setAmountToLock(address,uint256)",
    ),
}


def default_contracts_dir() -> Optional[Path]:
    """``$KALYPSO_RESTAKING_CONTRACTS``, else ``../shared/kalypso-contracts/initial-deploy-7cf6586``."""
    env = os.environ.get("KALYPSO_RESTAKING_CONTRACTS")
    if env:
        return Path(env)
    candidate = base.REPO_ROOT.parent / "shared" / "kalypso-contracts" / LINEAGE
    return candidate if candidate.is_dir() else None


def check_contracts_dir(contracts: Path) -> Path:
    contracts = Path(contracts)
    if not (contracts / "contracts").is_dir():
        raise ContractsMissing(f"{contracts} has no contracts/ folder (give the snapshot root, e.g. "
                               f"kalypso-contracts/{LINEAGE}); {TOOLCHAIN}")
    absent = [p for p in L2_SOURCES if p.startswith("contracts/") and not (contracts / p).is_file()]
    if absent:
        raise ContractsVersionMismatch(
            f"{contracts} lacks {', '.join(absent)}: not the restaking lineage ({LINEAGE}); {TOOLCHAIN}")
    return contracts.resolve()


def _key(contracts: Path, sources: Mapping[str, str]) -> str:
    return "restaking-" + base.build_key(contracts, sources, [base.OUR_SOURCES], settings=SETTINGS)


def _check_abi(doc: dict, contracts: Path) -> None:
    for name, required in REQUIRED_FUNCTIONS.items():
        have = {base._signature(e) for e in doc["contracts"][name]["abi"] if e.get("type") == "function"}
        lacking = [f for f in required if f not in have]
        if lacking:
            raise ContractsVersionMismatch(
                f"{contracts}: {name} lacks {', '.join(lacking)}: another version of the contracts; {TOOLCHAIN}")


def cached_path(contracts: Optional[Path] = None) -> Optional[Path]:
    """Where the artifacts of `contracts` are cached (whether or not they are there yet)."""
    contracts = contracts or default_contracts_dir()
    if contracts is None:
        return None
    contracts = check_contracts_dir(contracts)
    roots = [contracts, base.NODE_MODULES, base.OUR_SOURCES]
    sources = {k: base._read_source(k, roots) for k in L2_SOURCES}
    return base.cache_root() / _key(contracts, sources) / "artifacts.json"


def compile_restaking(contracts: Optional[Path] = None, use_cache: bool = True, cache_only: bool = False) -> base.Build:
    """The L2 contracts of the lineage (cached); `cache_only` raises ContractsMissing(NOT_CACHED)
    instead of running the two-minute cold compile."""
    base.check_toolchain()
    contracts = contracts or default_contracts_dir()
    if contracts is None:
        raise ContractsMissing(f"no restaking contracts folder: set $KALYPSO_RESTAKING_CONTRACTS; {TOOLCHAIN}")
    contracts = check_contracts_dir(contracts)
    roots = [contracts, base.NODE_MODULES, base.OUR_SOURCES]
    sources = {k: base._read_source(k, roots) for k in L2_SOURCES}
    key = _key(contracts, sources)
    target = base.cache_root() / key / "artifacts.json"
    start = time.perf_counter()
    cached = base.load_cached(target, key, start) if use_cache else None
    if cached is not None:
        return cached
    if cache_only:
        raise ContractsMissing(NOT_CACHED)
    return base.compile_and_store(sources, L2_SOURCES, roots, key, target, start,
                                  lambda doc: _check_abi(doc, contracts), settings=SETTINGS)


def main(argv=None) -> int:
    """`python -m reference.evm.restaking.compile [--contracts DIR] [--no-cache]`: compile the
    restaking lineage (viaIR) or load it from the cache; a bad folder or toolchain is one line, exit 2."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m reference.evm.restaking.compile")
    parser.add_argument("--contracts", type=Path, default=None)
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument("--l1", action="store_true", help="also the L1: Kalypso's Middleware and Symbiotic core (in parallel)")
    args = parser.parse_args(argv)
    try:
        builds = list(compile_two_chain(args.contracts)) if args.l1 and not args.no_cache else \
            [compile_restaking(args.contracts, use_cache=not args.no_cache)]
    except (EvmHarnessError, CompileFailed) as exc:
        print(f"reference.evm.restaking.compile: {exc.kind}: {exc}", file=sys.stderr)
        return 2
    for build in builds:
        source = "cache" if build.cached else f"solc {build.solc_version}"
        print(f"{build.key} ({source}, {build.seconds:.2f} s): {', '.join(sorted(build.artifacts))}")
    return 0



L1_SOURCES: Mapping[str, tuple] = {"contracts/staking/Middleware/Middleware.sol": ("Middleware",)}


def compile_middleware(contracts: Optional[Path] = None, cache_only: bool = False) -> base.Build:
    """Kalypso's L1 Middleware (viaIR), cached like the L2 build under its own key."""
    base.check_toolchain()
    contracts = check_contracts_dir(contracts or default_contracts_dir() or Path("."))
    roots = [contracts, base.NODE_MODULES, base.OUR_SOURCES]
    sources = {k: base._read_source(k, roots) for k in L1_SOURCES}
    key = "l1-" + _key(contracts, sources)
    target = base.cache_root() / key / "artifacts.json"
    start = time.perf_counter()
    cached = base.load_cached(target, key, start)
    if cached is not None:
        return cached
    if cache_only:
        raise ContractsMissing(NOT_CACHED)
    answer = base._run_solc(sources, L1_SOURCES, roots, settings=SETTINGS)
    out = answer["output"]["contracts"]["contracts/staking/Middleware/Middleware.sol"]["Middleware"]
    doc = {"solc": answer["version"], "contracts": {"Middleware": {
        "abi": out["abi"], "bytecode": out["evm"]["bytecode"]["object"],
        "runtime": out["evm"]["deployedBytecode"]["object"], "runtime_size": len(out["evm"]["deployedBytecode"]["object"]) // 2}}}
    base.store(target, doc)
    return base._build(doc, key, cached=False, seconds=time.perf_counter() - start)


def compile_two_chain(contracts: Optional[Path] = None, cache_only: bool = False) -> tuple:
    """(L2 build, Symbiotic core build, Middleware build), each from the cache or compiled; the
    cold compiles run side by side (three solc processes: the L2 viaIR build is the long one),
    under a lock file in the cache root so that concurrent callers (pytest workers) compile once
    and the others load the result."""
    import fcntl
    from concurrent.futures import ThreadPoolExecutor

    from reference.evm.restaking import symbiotic

    base.check_toolchain()
    symbiotic.check_symbiotic()
    contracts = contracts or default_contracts_dir()
    if contracts is None:
        raise ContractsMissing(f"no restaking contracts folder: set $KALYPSO_RESTAKING_CONTRACTS; {TOOLCHAIN}")
    contracts = check_contracts_dir(contracts)
    jobs = (lambda: compile_restaking(contracts, cache_only=cache_only), lambda: symbiotic.compile_symbiotic(cache_only=cache_only),
            lambda: compile_middleware(contracts, cache_only=cache_only))
    base.cache_root().mkdir(parents=True, exist_ok=True)
    with open(base.cache_root() / "restaking.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with ThreadPoolExecutor(len(jobs)) as pool:
                futures = [pool.submit(job) for job in jobs]
                return tuple(f.result() for f in futures)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


if __name__ == "__main__":
    raise SystemExit(main())
