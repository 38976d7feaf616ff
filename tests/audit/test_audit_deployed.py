"""The "Deployed Kalypso" audit section: fork conformance, every finding with its trace and,
where the contracts and npm are present, the bytecode's replay of it."""
from kalypso.cli import main
from reference.conformance.deployed_native.findings import FINDINGS
from reference.evm import compile as evm_compile


def test_deployed_section_reports_every_finding(tmp_path):
    code = main(["audit", "--quick", "--only", "deployed", "--no-progress", "--out", str(tmp_path), "--seed", "3"])
    md = (tmp_path / "audit.md").read_text()
    assert code == 0, md
    assert "## Deployed Kalypso — PASS" in md
    assert "fork conformance, reference adapter" in md and "Invariants the deployed contracts violate (findings)" in md
    for finding in FINDINGS:
        assert f"finding {finding.invariant} ({finding.name}): the fork violates it" in md
    reason = evm_compile.missing_reason()
    if reason:
        assert "NOT AVAILABLE" in md.upper() and "needs the contracts and the npm toolchain" in md
    else:
        native = [line for line in md.splitlines() if line.startswith("| finding ") and "replayed on the bytecode | PASS" in line]
        assert len(native) == len(FINDINGS), native
        assert "balances.mallory.POND=300" in md
