"""The fork's L1 veto-slash model (spec/deployed_restaking/l1veto.py) at each bound of the
VetoSlasher rules it reads (Symbiotic core 1.0.3): requestSlash's capture window
`now + vetoDuration - epochDuration <= capture < now` and `min(amount, stake) > 0`, vetoSlash
before `vetoDeadline`, executeSlash (the V1 fix's Middleware path) from `vetoDeadline` while
`now - capture <= epochDuration`, each request settled once; the vault's parameters are the ones
the two-chain harness deploys."""
from __future__ import annotations

import pytest

from spec.deployed_restaking import l1veto as L
from spec.deployed_restaking.fixes import apply_l1_with
from spec.errors import SpecError

NOW, EPOCH, VETO = 10_000_000, 7 * 86_400, 86_400
fixed = apply_l1_with("V1")


def _vault(stake: int = 5_000, **kw) -> L.VetoVault:
    return L.VetoVault(time=NOW, stake=stake, **kw)


def _code(apply, v, op) -> str:
    try:
        apply(v, op)
    except SpecError as err:
        return err.code
    return "ok"


def test_request_capture_window():
    low = NOW + VETO - EPOCH
    v = _vault()
    assert _code(L.apply_l1, v, L.RequestSlash(500, low - 1)) == "InvalidCaptureTimestamp"
    assert _code(L.apply_l1, v, L.RequestSlash(500, NOW)) == "InvalidCaptureTimestamp"
    for capture in (low, NOW - 1):
        r = L.apply_l1(v, L.RequestSlash(500, capture)).requests
        assert r == (L.VetoRequest(500, capture, NOW + VETO),)


def test_request_amount_is_min_of_amount_and_stake():
    v = _vault(stake=300)
    assert L.apply_l1(v, L.RequestSlash(500, NOW - 1)).requests[0].amount == 300
    assert L.apply_l1(v, L.RequestSlash(1, NOW - 1)).requests[0].amount == 1
    assert _code(L.apply_l1, v, L.RequestSlash(0, NOW - 1)) == "InsufficientSlash"
    assert _code(L.apply_l1, _vault(stake=0), L.RequestSlash(5, NOW - 1)) == "InsufficientSlash"


def _requested(n: int = 1, amount: int = 500, stake: int = 5_000) -> L.VetoVault:
    v = _vault(stake=stake)
    for _ in range(n):
        v = L.apply_l1(v, L.RequestSlash(amount, NOW - 1))
    return v


def test_request_index_must_exist():
    v = _requested(2)
    assert _code(L.apply_l1, v, L.VetoSlash("resolver", 2)) == "SlashRequestNotExist"
    assert _code(L.apply_l1, v, L.VetoSlash("resolver", -1)) == "SlashRequestNotExist"
    assert L.apply_l1(v, L.VetoSlash("resolver", 1)).requests[1].vetoed


def test_veto_before_the_deadline_once_and_only_that_request():
    v = _requested(3)
    assert _code(L.apply_l1, L.apply_l1(v, L.Advance(VETO)), L.VetoSlash("resolver", 1)) == "VetoPeriodEnded"
    vetoed = L.apply_l1(L.apply_l1(v, L.Advance(VETO - 1)), L.VetoSlash("resolver", 1))
    assert [r.vetoed for r in vetoed.requests] == [False, True, False]
    assert vetoed.requests[0] == vetoed.requests[2] == v.requests[0]
    assert _code(L.apply_l1, vetoed, L.VetoSlash("resolver", 1)) == "SlashRequestCompleted"
    assert _code(L.apply_l1, v, L.VetoSlash("mallory", 1)) == "NotResolver"


def test_execute_window_and_amount():
    v = _requested(1)
    assert _code(fixed, L.apply_l1(v, L.Advance(VETO - 1)), L.MiddlewareExecuteSlash("k", 0)) == "VetoPeriodNotEnded"
    done = fixed(L.apply_l1(v, L.Advance(VETO)), L.MiddlewareExecuteSlash("k", 0))
    assert (done.stake, done.burned, done.requests[0].completed) == (4_500, 500, True)
    # the capture is NOW - 1: after EPOCH - 1 seconds now - capture == epoch (still slashable), one more and it is not
    assert fixed(L.apply_l1(v, L.Advance(EPOCH - 1)), L.MiddlewareExecuteSlash("k", 0)).burned == 500
    assert _code(fixed, L.apply_l1(v, L.Advance(EPOCH)), L.MiddlewareExecuteSlash("k", 0)) == "SlashPeriodEnded"
    assert _code(fixed, done, L.MiddlewareExecuteSlash("k", 0)) == "SlashRequestCompleted"
    vetoed = L.apply_l1(L.apply_l1(v, L.VetoSlash("resolver", 0)), L.Advance(VETO))
    assert _code(fixed, vetoed, L.MiddlewareExecuteSlash("k", 0)) == "SlashRequestCompleted"


def test_execute_takes_min_of_request_and_what_is_left():
    v = L.apply_l1(_requested(2, amount=4_000), L.Advance(VETO))
    first = fixed(v, L.MiddlewareExecuteSlash("k", 0))
    second = fixed(first, L.MiddlewareExecuteSlash("k", 1))
    assert (first.stake, second.stake, second.burned) == (1_000, 0, 5_000)
    one = fixed(L.apply_l1(_requested(1, amount=1), L.Advance(VETO)), L.MiddlewareExecuteSlash("k", 0))
    assert (one.stake, one.burned) == (4_999, 1)
    drained = L.apply_l1(_requested(2, amount=5_000), L.Advance(VETO))
    drained = fixed(drained, L.MiddlewareExecuteSlash("k", 0))
    assert _code(fixed, drained, L.MiddlewareExecuteSlash("k", 1)) == "InsufficientSlash"


def test_deployed_execute_paths_are_refused():
    v = L.apply_l1(_requested(1), L.Advance(VETO))
    assert _code(L.apply_l1, v, L.ExecuteSlash(L.MIDDLEWARE, 0)) == "InvalidSender"
    assert _code(L.apply_l1, v, L.ExecuteSlash("keeper", 0)) == "NotNetworkMiddleware"
    assert _code(L.apply_l1, v, L.ExecuteSlash("keeper", 1)) == "SlashRequestNotExist"
    assert _code(L.apply_l1, v, L.MiddlewareExecuteSlash("keeper", 0)) == "NoSuchFunction"


def test_time_only_moves_forward():
    v = _vault()
    assert L.apply_l1(v, L.Advance(0)) == v
    assert L.apply_l1(v, L.Advance(5)).time == NOW + 5
    assert _code(L.apply_l1, v, L.Advance(-1)) == "InvalidSender"


def test_the_vault_is_the_one_the_two_chain_harness_deploys():
    from reference.evm.restaking.l1 import L1Config

    v, deployed = L.VetoVault(time=0, stake=0), L1Config()
    assert (v.epoch, v.veto_duration, v.burned, v.requests) == (deployed.epoch_duration, deployed.veto_duration, 0, ())
