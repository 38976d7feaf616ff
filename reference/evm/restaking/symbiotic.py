"""Compile the real Symbiotic core (npm `@symbioticfi/core`, pinned in package.json) for the L1
chain: the factories, registries, middleware and opt-in services, Vault, NetworkRestakeDelegator,
Slasher (Symbiotic's instant slasher) and VetoSlasher. Not Kalypso's mocks.

Symbiotic core 1.0.3 pins `pragma solidity 0.8.25` and OpenZeppelin 5.0.2, while Kalypso's
contracts are built with solc 0.8.26 and OpenZeppelin 5.1.0: the core compiles with a second npm
solc under an alias (`solc-0.8.25` -> `solc@0.8.25`) and resolves `@openzeppelin/...` first in the
OpenZeppelin that npm nests under the package (5.0.2), then in node_modules. The settings are
Symbiotic's own (optimizer, 200 runs, no viaIR). Cached like every build (reference.evm.compile),
keyed by the versions, settings and every source byte.
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Mapping, Optional

from reference.evm import compile as base
from reference.evm.errors import ContractsMissing, SymbioticVersionMismatch, ToolchainMissing

PACKAGE = "@symbioticfi/core"
EXPECTED_SYMBIOTIC = "1.0.3"
EXPECTED_SYMBIOTIC_SOLC = "0.8.25"
EXPECTED_SYMBIOTIC_OZ = "5.0.2"
COMPILER = "solc-0.8.25"  # the npm alias of solc@0.8.25 (package.json)
PRAGMA = re.compile(r"^\s*pragma\s+solidity\s+([^;]+);", re.MULTILINE)
SETTINGS = {"optimizer": {"enabled": True, "runs": 200}, "evmVersion": "cancun"}
TOOLCHAIN = (f"expected: npm {PACKAGE} {EXPECTED_SYMBIOTIC} (pragma solidity {EXPECTED_SYMBIOTIC_SOLC}, "
             f"OpenZeppelin {EXPECTED_SYMBIOTIC_OZ}) and {COMPILER} = solc@{EXPECTED_SYMBIOTIC_SOLC} (run `make node`)")
NOT_CACHED = "Symbiotic core build not cached: run `python -m reference.evm.restaking.compile --l1`"

_C = f"{PACKAGE}/src/contracts/"
SOURCES: Mapping[str, tuple] = {
    _C + "VaultFactory.sol": ("VaultFactory",),
    _C + "DelegatorFactory.sol": ("DelegatorFactory",),
    _C + "SlasherFactory.sol": ("SlasherFactory",),
    _C + "NetworkRegistry.sol": ("NetworkRegistry",),
    _C + "OperatorRegistry.sol": ("OperatorRegistry",),
    _C + "service/NetworkMiddlewareService.sol": ("NetworkMiddlewareService",),
    _C + "service/OptInService.sol": ("OptInService",),
    _C + "vault/Vault.sol": ("Vault",),
    _C + "delegator/NetworkRestakeDelegator.sol": ("NetworkRestakeDelegator",),
    _C + "slasher/Slasher.sol": ("Slasher",),
    _C + "slasher/VetoSlasher.sol": ("VetoSlasher",),
}

# What the L1 harness calls: an ABI without one of these is another Symbiotic.
REQUIRED_FUNCTIONS: Mapping[str, tuple] = {
    "VaultFactory": ("create(uint64,address,bytes)", "whitelist(address)"),
    "DelegatorFactory": ("create(uint64,bytes)", "whitelist(address)"),
    "SlasherFactory": ("create(uint64,bytes)", "whitelist(address)"),
    "NetworkRegistry": ("registerNetwork()",),
    "OperatorRegistry": ("registerOperator()",),
    "NetworkMiddlewareService": ("setMiddleware(address)",),
    "OptInService": ("optIn(address)",),
    "Vault": ("deposit(address,uint256)", "activeStake()", "setDelegator(address)", "setSlasher(address)"),
    "NetworkRestakeDelegator": ("setMaxNetworkLimit(uint96,uint256)", "setNetworkLimit(bytes32,uint256)",
                                "setOperatorNetworkShares(bytes32,address,uint256)", "stakeAt(bytes32,address,uint48,bytes)"),
    "Slasher": ("slash(bytes32,address,uint256,uint48,bytes)",),
    "VetoSlasher": ("requestSlash(bytes32,address,uint256,uint48,bytes)", "executeSlash(uint256,bytes)",
                    "vetoSlash(uint256,bytes)", "setResolver(uint96,address,bytes)", "vetoDuration()"),
}


def _version(package_dir: Path) -> Optional[str]:
    try:
        return json.loads((package_dir / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def oz_root(node_modules: Path) -> Path:
    """The node_modules whose `@openzeppelin` Symbiotic imports: npm nests 5.0.2 under the package
    (the top level holds Kalypso's 5.1.0); if npm hoisted it, the top level."""
    nested = node_modules / PACKAGE / "node_modules"
    return nested if (nested / "@openzeppelin" / "contracts").is_dir() else node_modules


def check_symbiotic(node_modules: Optional[Path] = None) -> dict:
    """The installed Symbiotic toolchain's versions, or ONE SymbioticVersionMismatch naming every
    mismatch (package, OpenZeppelin, solc alias, source pragmas); ToolchainMissing naming what is
    not installed (tests skip on it; `make node` installs the pinned packages)."""
    nm = Path(node_modules or base.NODE_MODULES)
    core = nm / PACKAGE
    found = {PACKAGE: _version(core), "openzeppelin (Symbiotic's)": _version(oz_root(nm) / "@openzeppelin" / "contracts"),
             COMPILER: _version(nm / COMPILER)}
    absent = [name for name, version in found.items() if version is None]
    if absent:
        raise ToolchainMissing(f"{' and '.join(absent)} not installed under {nm}; {TOOLCHAIN}")
    expected = {PACKAGE: EXPECTED_SYMBIOTIC, "openzeppelin (Symbiotic's)": EXPECTED_SYMBIOTIC_OZ, COMPILER: EXPECTED_SYMBIOTIC_SOLC}
    wrong = [f"{name} is {version}, not {expected[name]}" for name, version in found.items() if version != expected[name]]
    for key in SOURCES:
        path = nm / key
        if not path.is_file():
            wrong.append(f"{key} is missing")
            continue
        pragmas = PRAGMA.findall(path.read_text())
        if pragmas != [EXPECTED_SYMBIOTIC_SOLC]:
            wrong.append(f"{key} declares pragma solidity {', '.join(pragmas) or 'none'}, not {EXPECTED_SYMBIOTIC_SOLC}")
    if wrong:
        raise SymbioticVersionMismatch(f"Symbiotic core under {nm}: {'; '.join(wrong)}; {TOOLCHAIN}")
    return found


def _check_abi(doc: dict) -> None:
    lacking = []
    for name, required in REQUIRED_FUNCTIONS.items():
        have = {base._signature(e) for e in doc["contracts"][name]["abi"] if e.get("type") == "function"}
        lacking += [f"{name}.{f}" for f in required if f not in have]
    if lacking:
        raise SymbioticVersionMismatch(f"the compiled Symbiotic core lacks {', '.join(lacking)}; {TOOLCHAIN}")


def roots(node_modules: Optional[Path] = None) -> list[Path]:
    """Import roots in order: Symbiotic's OpenZeppelin 5.0.2, then node_modules (`@symbioticfi/core/...`)."""
    nm = Path(node_modules or base.NODE_MODULES)
    return [oz_root(nm), nm]


def cache_target(node_modules: Optional[Path] = None) -> tuple[str, Path, dict]:
    nm = Path(node_modules or base.NODE_MODULES)
    sources = {k: (nm / k).read_text() for k in SOURCES}
    src = nm / PACKAGE / "src"
    settings = {**SETTINGS, "compiler": COMPILER, "symbiotic": EXPECTED_SYMBIOTIC, "oz": EXPECTED_SYMBIOTIC_OZ}
    key = "symbiotic-" + base.build_key(src, sources, [src / "interfaces"], settings=settings)
    return key, base.cache_root() / key / "artifacts.json", sources


def compile_symbiotic(use_cache: bool = True, cache_only: bool = False) -> base.Build:
    """Symbiotic core's contracts (SOURCES), from the cache when there; `cache_only` raises
    ContractsMissing(NOT_CACHED) instead of compiling (about a minute on two cores)."""
    base.check_toolchain()
    check_symbiotic()
    key, target, sources = cache_target()
    start = time.perf_counter()
    cached = base.load_cached(target, key, start) if use_cache else None
    if cached is not None:
        return cached
    if cache_only:
        raise ContractsMissing(NOT_CACHED)
    return base.compile_and_store(sources, SOURCES, roots(), key, target, start, _check_abi, settings=SETTINGS, compiler=COMPILER)
