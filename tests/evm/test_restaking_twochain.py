"""Both chains of the restaking lineage on real bytecode: Symbiotic core 1.0.3 from npm and
Kalypso's Middleware on L1, the L2 contracts, the harness carrying messages between them
(reference.evm.restaking.twochain). The escape (a missed deadline, a veto slash that can never
execute), the instant slash in time and with a stale capture, the transmitter's faults, and bad
input: a Symbiotic of another version, a message the harness cannot carry. The bytecode tests
need the contracts and npm (builds compiled once, or loaded from the cache); else skipped."""
from __future__ import annotations

import json

import pytest

from reference.evm.errors import SymbioticVersionMismatch, ToolchainMissing, UncarriableMessage
from reference.evm.restaking import symbiotic


@pytest.fixture(scope="module")
def builds(restaking_builds):
    return restaking_builds


# ---- bytecode -------------------------------------------------------------------------------------

def test_veto_slash_can_never_execute(builds):
    from reference.evm.restaking.findings import replay_veto_escape

    r = replay_veto_escape(builds)
    assert r["fork/bytecode disagreements on L2"] == []
    assert r["L2 slash result carried"] == ["ok", "ok"]
    assert r["slash requests bridged to L1"] == [("ok", "Middleware.requestSlash: RequestSlash, SlashProposed")]
    assert r["VetoSlasher slashRequestsLength"] == 1
    assert set(r["executeSlash(0) after the veto window, by caller"].values()) == {"NotNetworkMiddleware"}
    assert not r["Middleware has executeSlash"] and "requestSlash" in r["Middleware functions"]
    assert r["vault before request"] == r["vault after veto window"] == {"activeStake": 5_000, "burner collateral": 0}
    # the control: the same request executes once an account that can call it is the middleware
    assert r["control: executeSlash by that account"] == "ok"
    assert r["vault after the control"] == {"activeStake": 4_500, "burner collateral": 500}
    # V1 on the fork's L1 slash model, with this replay's numbers: the deployed rules leave what the
    # chain leaves after the window, the fix (Middleware.executeSlash) what the control executes
    from properties.deployed_restaking import veto_keeper_run, veto_slash_compensation
    from spec.deployed_restaking.fixes import apply_l1_with
    from spec.deployed_restaking.l1veto import apply_l1

    [(amount, age)] = r["request (amount, capture age at the request, s)"]
    veto, epoch = r["veto window, epoch, s"]
    deployed, refusals = veto_keeper_run(apply_l1, 5_000, amount, age, veto, epoch)
    fixed, _ = veto_keeper_run(apply_l1_with("V1"), 5_000, amount, age, veto, epoch)
    assert deployed.stake == r["vault after veto window"]["activeStake"] and veto_slash_compensation(deployed)
    assert set(v for k, v in refusals.items() if k.startswith("ExecuteSlash")) == set(r["executeSlash(0) after the veto window, by caller"].values())
    assert (fixed.stake, fixed.burned) == tuple(r["vault after the control"].values()) and not veto_slash_compensation(fixed)


def test_instant_slash_in_time_and_with_a_stale_capture(builds):
    from reference.evm.restaking.findings import replay_instant_slash

    fresh, stale = replay_instant_slash(builds), replay_instant_slash(builds, stale_days=30)
    assert fresh["slash requests bridged to L1"][0][0] == "ok" and fresh["vault after"] == {"activeStake": 4_500, "burner collateral": 500}
    assert stale["capture age at the slash, s"] > stale["vault epoch, s"]
    assert stale["slash requests bridged to L1"] == [("InvalidCaptureTimestamp", "Middleware.slash")]
    assert stale["vault after"] == stale["vault before"] == {"activeStake": 5_000, "burner collateral": 0}
    assert fresh["fork/bytecode disagreements on L2"] == stale["fork/bytecode disagreements on L2"] == []


def test_the_escape_search_trace_on_both_chains(builds):
    """The search's own I8 trace (the committed finding): every L2 step as committed on bytecode
    and fork, the captures read from L1, and the slash of the restaked lock carried to L1's
    Middleware.slash: Symbiotic refuses the capture (older than the vault's epoch), the vault
    keeps bob's stake."""
    from reference.evm.restaking.findings import replay_search_escape_two_chain

    r = replay_search_escape_two_chain(builds)
    assert r["trace steps"] == 16 and not r["genesis differs from the trace's"]
    assert r["L2 differences from the committed trace"] == [] and r["fork/bytecode disagreements on L2"] == []
    assert [c["bids"] for c in r["slash results carried"]] == [[], [], [0]] and {c["L2"] for c in r["slash results carried"]} == {"ok"}
    assert r["restaked lock"] == ("POND", 500) and r["deadline"] - r["lock's capture"] == r["vault epoch, s"]
    assert r["capture age at the L1 slash, s"] > r["vault epoch, s"] >= r["capture age at the L1 slash, s"] - 600 - 2
    assert r["slash requests"] == [(0, 500, r["lock's capture"])]
    assert r["slash requests bridged to L1"] == [("InvalidCaptureTimestamp", "Middleware.slash")]
    assert r["vault after"] == r["vault before"] == {"activeStake": 1_000, "burner collateral": 0}


def test_transmitter_faults_across_the_chains(builds):
    """Duplicate, drop, delay, retransmit over the outbox: each is the transmitter's choice and
    each outcome is the contracts' (and the fork's: no disagreement)."""
    from reference.evm.restaking.findings import two_chain_task
    from reference.evm.restaking.l1 import L1Config
    from reference.evm.restaking.twochain import SlashRequest, stake_evidence

    tc, requests = two_chain_task(builds, L1Config(vaults=("instant",)))
    snapshot = tc.capture()
    index = tc.outbox.index(snapshot)
    outcomes = [d.outcome for d in tc.transmit([("duplicate", index)])]
    assert outcomes == ["CooldownPeriodNotPassed"] * 2  # a capture inside the cooldown, twice
    request = tc.outbox.index(requests[0])
    dropped = tc.transmit([("drop", request)])
    assert [d.outcome for d in dropped] == ["dropped"] and stake_evidence(tc, "instant")["activeStake"] == 5_000
    delivered = tc.transmit([("delay", request, 3_600), ("retransmit", request)])
    assert [d.outcome for d in delivered] == ["ok", "REVERT_STRING"]  # "M:S-Already slashed"
    assert stake_evidence(tc, "instant")["activeStake"] == 4_500
    assert isinstance(tc.outbox[request], SlashRequest) and tc.disagreements == []


def test_a_message_the_harness_cannot_carry_is_reported(builds):
    from reference.evm.restaking.findings import two_chain_task
    from reference.evm.restaking.l1 import L1Config
    from reference.evm.restaking.twochain import SlashRequest, SlashResult, VaultSnapshot

    tc, requests = two_chain_task(builds, L1Config(vaults=("veto",)))
    head, log = tc.time, list(tc.log)
    bad = [
        ("a note", "not a VaultSnapshot"),
        (SlashResult(tc.time, 9_000, ((7, "bob", "transmitter"),)), "task 7 was never assigned"),
        (SlashRequest(0, "transmitter", "0x" + "11" * 20, "bob", 500, head - 10), "is not configured in the Middleware"),
        (VaultSnapshot(head, (("bob", requests[0].vault, "WETH", 5),)), "L1 collateral WETH is no Symbiotic stake token"),
        (VaultSnapshot(head, (("bob", requests[0].vault, "POND", 5),), parts=3), "parts=3"),
    ]
    for message, why in bad:
        with pytest.raises(UncarriableMessage, match=why) as info:
            tc.carry(message)
        assert info.value.message == message and repr(message)[:20] in str(info.value)
    with pytest.raises(UncarriableMessage, match="unknown transmitter action"):
        tc.transmit([("reorder", 0)])
    assert tc.time == head and tc.log == log  # nothing carried, nothing logged, no time passed


# ---- Symbiotic version (no toolchain needed) ------------------------------------------------------

def _fake_node_modules(root, version="1.0.3", oz="5.0.2", solc="0.8.25", pragma="0.8.25"):
    def package(path, v):
        path.mkdir(parents=True, exist_ok=True)
        (path / "package.json").write_text(json.dumps({"version": v}))
    package(root / symbiotic.PACKAGE, version)
    package(root / symbiotic.PACKAGE / "node_modules" / "@openzeppelin" / "contracts", oz)
    package(root / symbiotic.COMPILER, solc)
    for key in symbiotic.SOURCES:
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_text(f"// SPDX-License-Identifier: MIT\npragma solidity {pragma};\ncontract X {{}}\n")
    return root


def test_another_symbiotic_is_one_clear_error(tmp_path):
    nm = _fake_node_modules(tmp_path / "a", version="1.0.0-devnet.9", oz="5.1.0")
    with pytest.raises(SymbioticVersionMismatch) as info:
        symbiotic.check_symbiotic(nm)
    message = str(info.value)
    assert "@symbioticfi/core is 1.0.0-devnet.9, not 1.0.3" in message and "openzeppelin (Symbiotic's) is 5.1.0, not 5.0.2" in message
    assert info.value.kind == "symbiotic-version" and "\n" not in message


def test_sources_of_another_lineage_are_named(tmp_path):
    nm = _fake_node_modules(tmp_path / "b", pragma="^0.8.0")
    with pytest.raises(SymbioticVersionMismatch, match=r"VetoSlasher.sol declares pragma solidity \^0.8.0, not 0.8.25"):
        symbiotic.check_symbiotic(nm)
    (nm / symbiotic.COMPILER / "package.json").unlink()
    with pytest.raises(ToolchainMissing, match="solc-0.8.25 not installed"):
        symbiotic.check_symbiotic(nm)


def test_nothing_installed_is_a_toolchain_error(tmp_path):
    with pytest.raises(ToolchainMissing, match="@symbioticfi/core and openzeppelin .Symbiotic's. and solc-0.8.25 not installed"):
        symbiotic.check_symbiotic(tmp_path)


def test_the_installed_symbiotic_is_the_pinned_one():
    try:
        found = symbiotic.check_symbiotic()
    except ToolchainMissing as exc:
        pytest.skip(f"npm packages not installed: {exc}")
    assert found == {"@symbioticfi/core": "1.0.3", "openzeppelin (Symbiotic's)": "5.0.2", "solc-0.8.25": "0.8.25"}
