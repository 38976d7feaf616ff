"""The restaking lineage in the "Deployed Kalypso" section: the deployed_restaking fork against its
vectors on the reference adapter and, where the contracts, npm and the cached viaIR build are
present, on the L2 bytecode; each finding's trace on the fork, its replay on the bytecode with
the evidence read from the chain, its fix and the Z3 obligations; the readings replayed on the
bytecode that are not invariant violations (the stake-token draw, the VetoSlasher path); the
escape search and the design's restaking cases classified against the deployed rules
(kalypso/audit/sections/restaking_divergence.py)."""
from __future__ import annotations

import json
import sys
import time

from kalypso.audit.model import Check, Status, Table


def _status(ok: bool) -> Status:
    return Status.PASS if ok else Status.FAIL


def restaking_part(ctx) -> tuple[list, list, list]:
    from properties.z3 import deployed_restaking as z3_obligations
    from reference.conformance import runner
    from reference.conformance.deployed_restaking import findings as findings_mod
    from reference.conformance.deployed_restaking.generate import FORK_DIR
    from reference.evm import compile as evm_compile
    from reference.evm.errors import EvmHarnessError
    from reference.evm.restaking import compile as restaking_compile

    checks, tables, notes = [], [], []
    ctx.progress("reference adapter on deployed_restaking vectors", completed=0, total=None)
    reference = runner.run_conformance([sys.executable, "-m", "spec.adapter"], FORK_DIR)
    checks.append(Check("fork conformance, reference adapter: every deployed_restaking vector", _status(reference.ok),
                        count=reference.total, seconds=reference.seconds, detail=f"{reference.passed}/{reference.total} cases pass"))
    fork_rows = {}
    for f in findings_mod.FINDINGS:
        start = time.perf_counter()
        try:
            case = findings_mod.case_of(f)
            ok, detail = True, "; ".join(case["finding"]["violation"]) + f" | fix: {f.fix_rule}"
        except AssertionError as exc:
            ok, detail, case = False, str(exc), None
        fork_rows[(f.invariant, f.name)] = (case, detail)
        checks.append(Check(f"restaking finding {f.invariant} ({f.name}): the fork violates it, the fix keeps it", _status(ok),
                            count=len(case["operations"]) if case else None, seconds=time.perf_counter() - start, detail=detail[:400]))
    for obligation in z3_obligations.CHECKS:
        start = time.perf_counter()
        for result in obligation():
            checks.append(Check(f"Z3 (restaking): {result.name}", _status(result.holds), seconds=time.perf_counter() - start,
                                detail=result.detail + (f"; witness {result.witness}" if result.witness else "")))

    replays, draw, selectors = {}, None, None
    reason = None if ctx.budget["evm"] else "not in this profile"
    if not reason:
        try:
            evm_compile.check_toolchain()
        except EvmHarnessError as exc:
            reason = str(exc)
    contracts = restaking_compile.default_contracts_dir()
    build = None
    if not reason and contracts is None:
        reason = f"the {restaking_compile.LINEAGE} snapshot is not beside the repo root and $KALYPSO_RESTAKING_CONTRACTS is not set"
    if not reason:
        try:
            build = restaking_compile.compile_restaking(contracts, cache_only=True)
        except EvmHarnessError as exc:
            reason = str(exc)
    if reason:
        checks.append(Check("restaking: deployed_restaking vectors and findings on the L2 bytecode", Status.NOT_AVAILABLE,
                            detail=f"needs the contracts, npm and the cached viaIR build: {reason}"))
    else:
        from reference.evm.restaking import findings as evm_findings

        adapter = [sys.executable, "-m", "reference.evm.restaking.adapter", "--contracts", str(contracts)]
        ctx.progress("restaking EVM adapter on deployed_restaking vectors", completed=0, total=None)
        report = runner.run_conformance(adapter, FORK_DIR)
        checks.append(Check(f"fork conformance, EVM adapter on the {restaking_compile.LINEAGE} L2 bytecode", _status(report.ok),
                            count=report.total, seconds=report.seconds, detail=f"{report.passed}/{report.total} cases pass"))
        for r in evm_findings.replay_findings(build, findings_mod.FINDINGS_DIR):
            replays[r.finding] = r
            checks.append(Check(f"restaking finding {r.finding} replayed on the bytecode", _status(r.agree), count=r.steps,
                                detail=json.dumps(r.evidence)[:400] if r.agree else r.first_difference))
        draw = evm_findings.replay_token_draw(build)
        ok = all(v.get("chain_locked_native") == [k] for k, v in draw.items())
        checks.append(Check("restaking reading: stake-token selection is predicted off chain and chosen by timing", _status(ok),
                            detail=json.dumps(draw)[:400]))
        try:
            mw = restaking_compile.compile_middleware(contracts, cache_only=True)
            runtime = bytes.fromhex(json.loads((restaking_compile.base.cache_root() / mw.key / "artifacts.json").read_text())
                                    ["contracts"]["Middleware"]["runtime"])
            selectors = evm_findings.middleware_selectors(runtime)
            checks.append(Check("restaking reading: Middleware never calls VetoSlasher.executeSlash", _status(
                selectors["requestSlash pushed"] and not selectors["executeSlash pushed"]), detail=json.dumps(selectors)))
        except EvmHarnessError as exc:
            checks.append(Check("restaking reading: Middleware never calls VetoSlasher.executeSlash", Status.NOT_AVAILABLE,
                                detail=f"Middleware build not cached: {exc}"))
    from kalypso.audit.sections.restaking_divergence import divergence_part, escape_part

    checks += escape_part(ctx)
    if ctx.budget["divergence"]:
        more_checks, more_tables = divergence_part(ctx, build)
        checks += more_checks
        tables += more_tables
    rows = []
    for f in findings_mod.FINDINGS:
        case, detail = fork_rows[(f.invariant, f.name)]
        r = replays.get(f"{f.invariant}/{f.name}")
        evm = "not replayed (no contracts, npm or cached build)" if r is None else (
            "bytecode agrees on every step and the projection" if r.agree else f"DISAGREES: {r.first_difference}")
        seen = "-" if r is None else ", ".join(f"{k}={v}" for k, v in r.evidence.items())
        rows.append((f.invariant, f.rule, f"{len(case['operations']) if case else '?'} steps: {f.path.parent.name}/{f.path.name}",
                     detail.split(" | fix: ")[0], evm, seen, f.fix_rule))
    rows.append(("(reading) stake-token selection", "NativeStaking.sol:270 / SymbioticStaking.sol:536: keccak256(timestamp, "
                 "blockhash(n-1), msg.sender) with msg.sender always the StakingManager", "bytecode replay (not a fork vector)",
                 "whoever sends the assignment knows the draw and picks the token by waiting whole seconds",
                 "replayed" if draw else "not replayed", json.dumps(draw) if draw else "-",
                 "draw fixed at bid creation (e.g. keccak(bidId, requester)), not by the assigner's timing (not proven)"))
    rows.append(("(reading) VetoSlasher.executeSlash unreachable", "Middleware.sol:377 requestSlash calls VetoSlasher.requestSlash; "
                 "no function calls executeSlash, which Symbiotic lets only the network middleware call",
                 "Middleware bytecode (L1; Symbiotic core not deployed)", "a veto-slasher request can never be executed",
                 "selector check" if selectors else "not checked", json.dumps(selectors) if selectors else "-",
                 "an executeSlash(vault, slashIndex, hints) entry in Middleware (not proven)"))
    tables.append(Table("Restaking lineage (initial-deploy-7cf6586): findings and readings",
                        ("Invariant", "Deployed rule that breaks it", "Trace", "Violation (fork)", "EVM replay (L2)",
                         "Evidence read from the bytecode", "Smallest fix (fork, Z3-proven where marked)"), tuple(rows)))
    notes.append("Restaking: the L1 side (Symbiotic Vault/NetworkRestakeDelegator/VetoSlasher/InstantSlasher from npm, Kalypso's "
                 "Middleware deployed) is not run; the bridge is played by the harness (deterministic enclave keys, the repo's "
                 "MockAttestationVerifier), so a capture's stake is what the transmitter submits. The VetoSlasher reading is "
                 "shown on Kalypso's Middleware bytecode only.")
    return checks, tables, notes
