"""Compile the deployed Kalypso contracts with the npm `solc` package (solc-js), run by node.

Versions are pinned in package.json/package-lock.json: solc 0.8.26 and OpenZeppelin
(contracts, contracts-upgradeable) 5.1.0. Artifacts are cached outside git under
``~/.cache/kalypso-spec/solc/<hash>/artifacts.json`` (``KALYPSO_CACHE`` moves the root), the hash
covering the compiler and library versions, the settings and every source byte; a failed compile
caches nothing (the artifact is written to a temporary name and renamed only on success).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable, Mapping, Optional

import attrs

from reference.evm.errors import (
    EXPECTED_LINEAGE, EXPECTED_OZ, EXPECTED_SOLC, TOOLCHAIN, CompileFailed, ContractsMissing,
    ContractsVersionMismatch, ToolchainMissing,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO_ROOT / "node_modules"
DRIVER = Path(__file__).with_name("solc_driver.js")
OUR_SOURCES = Path(__file__).with_name("sol")
CONTRACTS_ENV = "KALYPSO_CONTRACTS"
SETTINGS = {"optimizer": {"enabled": True, "runs": 200}, "evmVersion": "cancun"}
OUTPUTS = ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]
COMPILE_TIMEOUT_S = 600

# The contracts a deployment of the native-stake lineage needs: source path -> contract names.
KALYPSO_SOURCES: Mapping[str, tuple] = {
    "contracts/ProofMarketplace.sol": ("ProofMarketplace",),
    "contracts/GeneratorRegistry.sol": ("GeneratorRegistry",),
    "contracts/EntityKeyRegistry.sol": ("EntityKeyRegistry",),
    "contracts/mock/MockAttestationVerifier.sol": ("MockAttestationVerifier",),
    "contracts/mock/MockToken.sol": ("MockToken",),
    "contracts/lib/Error.sol": ("Error",),
    "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol": ("ERC1967Proxy",),
    "kalypso/StandInVerifier.sol": ("StandInVerifier",),
}

# Functions the harness calls: a folder whose ABI lacks one holds another version.
REQUIRED_FUNCTIONS: Mapping[str, tuple] = {
    "ProofMarketplace": (
        "createMarketplace(bytes,address,uint256,bytes,bytes)",
        "createAsk((uint256,uint256,uint256,uint256,uint256,address,bytes),uint8,bytes,bytes,bytes)",
        "relayBatchAssignTasks(uint256[],address[],bytes[],bytes)",
        "submitProof(uint256,bytes)", "slashGenerator(uint256,address)", "discardRequest(uint256)",
        "cancelAsk(uint256)", "verifyMatchingEngine(bytes,bytes)", "initialize(address)",
    ),
    "GeneratorRegistry": (
        "register(address,uint256,uint256,bytes)", "joinMarketplace(uint256,uint256,uint256,uint256,bool,bytes,bytes)",
        "stake(address,uint256)", "deregister(address)", "initialize(address,address)",
    ),
    "EntityKeyRegistry": ("initialize(address,(bytes,bytes,bytes)[])", "addGeneratorRegistry(address)"),
}


def default_contracts_dir() -> Optional[Path]:
    """``$KALYPSO_CONTRACTS``, else ``../shared/kalypso-contracts/master-66d489f`` beside the repo root."""
    env = os.environ.get(CONTRACTS_ENV)
    if env:
        return Path(env)
    candidate = REPO_ROOT.parent / "shared" / "kalypso-contracts" / EXPECTED_LINEAGE
    return candidate if candidate.is_dir() else None


def cache_root() -> Path:
    return Path(os.environ.get("KALYPSO_CACHE", Path.home() / ".cache" / "kalypso-spec")) / "solc"


def _package_version(name: str) -> Optional[str]:
    try:
        return json.loads((NODE_MODULES / name / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def check_toolchain() -> dict:
    """The installed versions; ToolchainMissing unless node and the pinned packages are present."""
    if shutil.which("node") is None:
        raise ToolchainMissing(f"node is not installed; {TOOLCHAIN} (run `make node`)")
    found = {n: _package_version(n) for n in ("solc", "@openzeppelin/contracts", "@openzeppelin/contracts-upgradeable")}
    expected = {"solc": EXPECTED_SOLC, "@openzeppelin/contracts": EXPECTED_OZ, "@openzeppelin/contracts-upgradeable": EXPECTED_OZ}
    wrong = [f"{n} is {v or 'not installed'}" for n, v in found.items() if v != expected[n]]
    if wrong:
        raise ToolchainMissing(f"{'; '.join(wrong)} under {NODE_MODULES}; {TOOLCHAIN} (run `make node`)")
    return found


def missing_reason(contracts: Optional[Path] = None) -> Optional[str]:
    """Why the EVM checks cannot run here, or None when they can (for test skips)."""
    try:
        check_toolchain()
    except ToolchainMissing as exc:
        return str(exc)
    contracts = contracts or default_contracts_dir()
    if contracts is None:
        return (f"the Kalypso contracts are not at ../shared/kalypso-contracts/{EXPECTED_LINEAGE} "
                f"beside the repo root and ${CONTRACTS_ENV} is not set")
    return None


def check_contracts_dir(contracts: Path) -> Path:
    """The contracts folder, resolved; ContractsMissing / ContractsVersionMismatch otherwise."""
    contracts = Path(contracts)
    if not contracts.exists():
        raise ContractsMissing(f"contracts folder {contracts} does not exist; {TOOLCHAIN}")
    if not contracts.is_dir():
        raise ContractsMissing(f"contracts path {contracts} is not a folder; {TOOLCHAIN}")
    if not (contracts / "contracts").is_dir():
        raise ContractsMissing(f"{contracts} has no contracts/ folder (give the snapshot root, e.g. "
                               f"kalypso-contracts/{EXPECTED_LINEAGE}); {TOOLCHAIN}")
    absent = [p for p in KALYPSO_SOURCES if p.startswith("contracts/") and not (contracts / p).is_file()]
    if absent:
        raise ContractsVersionMismatch(
            f"{contracts} lacks {', '.join(absent)}: not the native-stake lineage the harness deploys; {TOOLCHAIN}")
    return contracts.resolve()


@attrs.frozen
class Artifact:
    name: str
    abi: tuple
    bytecode: bytes
    runtime_size: int


@attrs.frozen
class Build:
    """The compiled contracts by name, with where they came from."""

    artifacts: Mapping[str, Artifact]
    key: str
    cached: bool
    seconds: float
    solc_version: str

    def __getitem__(self, name: str) -> Artifact:
        return self.artifacts[name]


def _source_files(contracts: Path) -> list[Path]:
    return sorted(p for p in (contracts / "contracts").rglob("*.sol") if p.is_file())


def build_key(contracts: Path, sources: Mapping[str, str], extra_roots: Iterable[Path] = (),
              settings: Optional[dict] = None) -> str:
    """Hash of the toolchain versions, settings, entry sources and every .sol under the roots."""
    h = hashlib.sha256()
    h.update(json.dumps({"solc": EXPECTED_SOLC, "oz": EXPECTED_OZ, "settings": settings or SETTINGS, "outputs": OUTPUTS},
                        sort_keys=True).encode())
    h.update(DRIVER.read_bytes())
    for key in sorted(sources):
        h.update(key.encode() + b"\0" + sources[key].encode() + b"\0")
    for root in (contracts, *extra_roots):
        for path in _source_files(root) if (root / "contracts").is_dir() else sorted(root.rglob("*.sol")):
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:32]


def _run_solc(sources: Mapping[str, str], selection: Mapping[str, tuple], roots: list[Path],
              settings: Optional[dict] = None, compiler: str = "solc") -> dict:
    """Run the npm solc package `compiler` (an npm alias such as ``solc-0.8.25`` picks another version)."""
    request = {
        "input": {
            "language": "Solidity",
            "sources": {k: {"content": v} for k, v in sources.items()},
            "settings": {**(settings or SETTINGS), "outputSelection": {f: {c: OUTPUTS for c in cs} for f, cs in selection.items()}},
        },
        "roots": [str(r) for r in roots],
        "compiler": compiler,
    }
    try:
        proc = subprocess.run(["node", str(DRIVER)], input=json.dumps(request), capture_output=True, text=True,
                              cwd=REPO_ROOT, timeout=COMPILE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise CompileFailed(f"solc did not finish within {COMPILE_TIMEOUT_S} s; {TOOLCHAIN}") from None
    if proc.returncode != 0:
        raise CompileFailed(f"the solc driver failed (exit {proc.returncode}): {proc.stderr.strip()[-600:]}; {TOOLCHAIN}")
    answer = json.loads(proc.stdout)
    errors = [e for e in answer["output"].get("errors", []) if e.get("severity") == "error"]
    if errors:
        quoted = "\n".join(e.get("formattedMessage", e.get("message", "")).strip() for e in errors[:3])
        raise CompileFailed(f"solc {answer['version']} rejected the sources ({len(errors)} error(s)); {TOOLCHAIN}:\n{quoted}")
    return answer


def _read_source(key: str, roots: list[Path]) -> str:
    for root in roots:
        path = root / key
        if path.is_file():
            return path.read_text()
    raise ContractsMissing(f"source {key} not found under {', '.join(map(str, roots))}; {TOOLCHAIN}")


def compile_sources(selection: Mapping[str, tuple], roots: list[Path], *, generated: Mapping[str, str] = (),
                    contracts: Optional[Path] = None, use_cache: bool = True) -> Build:
    """Compile the entry files of `selection` (path -> contract names), resolving imports against
    `roots`; `generated` adds in-memory sources. Cached by build_key."""
    check_toolchain()
    generated = dict(generated)
    sources = {k: generated[k] if k in generated else _read_source(k, roots) for k in selection}
    key = build_key(contracts or roots[0], sources, [OUR_SOURCES])
    target = cache_root() / key / "artifacts.json"
    start = time.perf_counter()
    cached = load_cached(target, key, start) if use_cache else None
    if cached is not None:
        return cached
    return compile_and_store(sources, selection, roots, key, target, start, lambda doc: _check_abi(doc, contracts))


def load_cached(target: Path, key: str, start: float) -> Optional["Build"]:
    """The build cached at `target`, or None where there is none or it is damaged (then rebuilt)."""
    if not target.is_file():
        return None
    try:
        return _build(json.loads(target.read_text()), key, cached=True, seconds=time.perf_counter() - start)
    except (ValueError, KeyError):
        return None


def compile_and_store(sources: Mapping[str, str], selection: Mapping[str, tuple], roots: list[Path], key: str,
                      target: Path, start: float, check: Callable[[dict], None], settings: Optional[dict] = None,
                      compiler: str = "solc") -> "Build":
    """Compile `selection` with the npm package `compiler`, check the artifacts (`check` raises on a
    mismatch) and only then cache them at `target` (written atomically: nothing is cached from a
    failed compile)."""
    answer = _run_solc(sources, selection, roots, settings, compiler)
    doc = {"solc": answer["version"], "contracts": {}}
    for path, names in selection.items():
        for name in names:
            out = answer["output"].get("contracts", {}).get(path, {}).get(name)
            if out is None:
                raise ContractsVersionMismatch(f"{path} does not define contract {name}; {TOOLCHAIN}")
            doc["contracts"][name] = {"abi": out["abi"], "bytecode": out["evm"]["bytecode"]["object"],
                                      "runtime_size": len(out["evm"]["deployedBytecode"]["object"]) // 2}
    check(doc)
    store(target, doc)
    return _build(doc, key, cached=False, seconds=time.perf_counter() - start)


def store(target: Path, doc: dict) -> None:
    """Write a build's artifacts to the cache atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=target.parent, delete=False, suffix=".tmp") as tmp:
        json.dump(doc, tmp)
    os.replace(tmp.name, target)


def _build(doc: dict, key: str, cached: bool, seconds: float) -> Build:
    artifacts = {n: Artifact(n, tuple(c["abi"]), bytes.fromhex(c["bytecode"]), c["runtime_size"])
                 for n, c in doc["contracts"].items()}
    return Build(artifacts, key, cached, seconds, doc["solc"])


def _signature(entry: dict) -> str:
    def typ(p):
        if p["type"].startswith("tuple"):
            return "(" + ",".join(typ(c) for c in p["components"]) + ")" + p["type"][5:]
        return p["type"]
    return f"{entry['name']}({','.join(typ(p) for p in entry['inputs'])})"


def _check_abi(doc: dict, contracts: Optional[Path]) -> None:
    for name, required in REQUIRED_FUNCTIONS.items():
        if name not in doc["contracts"]:
            continue
        have = {_signature(e) for e in doc["contracts"][name]["abi"] if e.get("type") == "function"}
        lacking = [f for f in required if f not in have]
        if lacking:
            raise ContractsVersionMismatch(
                f"{contracts}: {name} lacks {', '.join(lacking)}: another version of the contracts; {TOOLCHAIN}")


def compile_kalypso(contracts: Optional[Path] = None, use_cache: bool = True) -> Build:
    """The deployment's contracts (KALYPSO_SOURCES) from `contracts` (default_contracts_dir)."""
    if contracts is None:
        contracts = default_contracts_dir()
        if contracts is None:
            raise ContractsMissing(f"no contracts folder: pass --contracts DIR or set ${CONTRACTS_ENV}; {TOOLCHAIN}")
    contracts = check_contracts_dir(contracts)
    return compile_sources(KALYPSO_SOURCES, _roots(contracts), contracts=contracts, use_cache=use_cache)


def _roots(contracts: Path) -> list[Path]:
    """Import roots: the snapshot (``contracts/...``), node_modules (``@openzeppelin/...``), ours (``kalypso/...``)."""
    return [contracts, NODE_MODULES, OUR_SOURCES]


def main(argv=None) -> int:
    """`python -m reference.evm.compile [--contracts DIR] [--no-cache]`: compile (or load from the
    cache) and print the build key; a bad folder or toolchain is one line on stderr, exit 2."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m reference.evm.compile", description=main.__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=Path, default=None)
    parser.add_argument("--no-cache", action="store_true")
    args = parser.parse_args(argv)
    from reference.evm.errors import EvmHarnessError

    try:
        build = compile_kalypso(args.contracts, use_cache=not args.no_cache)
    except EvmHarnessError as exc:
        print(f"reference.evm.compile: {exc.kind}: {exc}", file=sys.stderr)
        return 2
    source = "cache" if build.cached else f"solc {build.solc_version}"
    print(f"{build.key} ({source}, {build.seconds:.2f} s): {', '.join(sorted(build.artifacts))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
