"""The fork's L1 slash model for one VETO_SLASH vault: the minimal rules finding V1 needs.

The L2 fork has no L1 (a capture's stake is what the operation says); this module adds only what
a veto slash does on L1, for one operator in one vault, read from Symbiotic core 1.0.3
(`VetoSlasher.sol`, `BaseSlasher.sol`) and Kalypso's `Middleware` (initial-deploy-7cf6586):

- `request_slash`: `Middleware.requestSlash` (the enclave-signed slash of a task's restaked lock)
  calls `VetoSlasher.requestSlash` as the network's middleware. It requires
  `now + vetoDuration - epochDuration <= capture < now` (`InvalidCaptureTimestamp`,
  VetoSlasher.sol:92) and records min(amount, slashable stake at the capture) (`InsufficientSlash`
  if 0) with `vetoDeadline = now + vetoDuration` (:106);
- `veto_slash`: the resolver, before the deadline (`VetoPeriodEnded`, :221; `SlashRequestCompleted`);
- `execute_slash`: `VetoSlasher.executeSlash` sent by an account: only the network's middleware
  may (`NotNetworkMiddleware`, BaseSlasher `_checkNetworkMiddleware`, :135); the middleware is
  Kalypso's contract, not a key, so no account passes;
- `middleware_execute_slash`: an `executeSlash` entry of the Middleware. **Deployed: none** (the
  Middleware's ABI has requestSlash, slash, configuration, roles, upgrade; its bytecode never
  pushes the selector): `NoSuchFunction`. The fix (`spec.deployed_restaking.fixes.L1_FIXES["V1"]`)
  adds it: it calls `VetoSlasher.executeSlash` as the middleware, which requires the deadline
  passed (`VetoPeriodNotEnded`, :146), `now - capture <= epochDuration` (`SlashPeriodEnded`,
  :153), not vetoed or completed, and slashes min(amount, slashable stake) (:160).
- `advance`: seconds pass.
"""
from __future__ import annotations

import attrs

from spec.errors import _error

MIDDLEWARE = "@middleware"  # Kalypso's Middleware contract: a sender only through its own functions

_CODES = ("InvalidCaptureTimestamp", "InsufficientSlash", "SlashRequestNotExist", "NotNetworkMiddleware", "NotResolver",
          "VetoPeriodEnded", "VetoPeriodNotEnded", "SlashPeriodEnded", "SlashRequestCompleted", "NoSuchFunction", "InvalidSender")
L1_ERRORS = {code: _error(code, code, f"L1 (Symbiotic VetoSlasher / Kalypso Middleware) reverts with {code}.") for code in _CODES}


def need(condition: bool, code: str, field: str, rule: str) -> None:
    if not condition:
        raise L1_ERRORS[code](field, rule)


@attrs.frozen
class VetoRequest:
    amount: int
    capture: int
    veto_deadline: int
    vetoed: bool = False
    completed: bool = False


@attrs.frozen
class VetoVault:
    """One operator's slashable stake in one VETO_SLASH vault (its whole active stake: the
    NetworkRestakeDelegator gives the operator every share up to the network's limit)."""

    time: int
    stake: int
    epoch: int = 7 * 86_400
    veto_duration: int = 86_400
    resolver: str = "resolver"
    requests: tuple = ()
    burned: int = 0


@attrs.frozen
class RequestSlash:
    amount: int
    capture: int


@attrs.frozen
class VetoSlash:
    sender: str
    index: int


@attrs.frozen
class ExecuteSlash:
    sender: str
    index: int


@attrs.frozen
class MiddlewareExecuteSlash:
    sender: str
    index: int


@attrs.frozen
class Advance:
    seconds: int


def _request(v: VetoVault, index: int) -> VetoRequest:
    need(0 <= index < len(v.requests), "SlashRequestNotExist", "index", f"{len(v.requests)} requests")
    return v.requests[index]


def process_request_slash(v: VetoVault, op: RequestSlash) -> VetoVault:
    need(v.time + v.veto_duration - v.epoch <= op.capture < v.time, "InvalidCaptureTimestamp", "capture",
         "now + vetoDuration - epochDuration <= capture < now (VetoSlasher.sol:92)")
    amount = min(op.amount, v.stake)
    need(amount > 0, "InsufficientSlash", "amount", "min(amount, slashable stake) > 0")
    return attrs.evolve(v, requests=v.requests + (VetoRequest(amount, op.capture, v.time + v.veto_duration),))


def process_veto_slash(v: VetoVault, op: VetoSlash) -> VetoVault:
    r = _request(v, op.index)
    need(op.sender == v.resolver, "NotResolver", "sender", f"only the resolver {v.resolver}")
    need(v.time < r.veto_deadline, "VetoPeriodEnded", "index", "vetoDeadline > now (VetoSlasher.sol:221)")
    need(not r.completed and not r.vetoed, "SlashRequestCompleted", "index", "not completed")
    return _set(v, op.index, attrs.evolve(r, vetoed=True))


def _execute_as_middleware(v: VetoVault, index: int) -> VetoVault:
    r = _request(v, index)
    need(v.time >= r.veto_deadline, "VetoPeriodNotEnded", "index", "vetoDeadline <= now (VetoSlasher.sol:146)")
    need(v.time - r.capture <= v.epoch, "SlashPeriodEnded", "index", "now - capture <= epochDuration (VetoSlasher.sol:153)")
    need(not r.completed and not r.vetoed, "SlashRequestCompleted", "index", "not completed or vetoed")
    amount = min(r.amount, v.stake)
    need(amount > 0, "InsufficientSlash", "index", "min(amount, slashable stake) > 0")
    v = _set(v, index, attrs.evolve(r, completed=True))
    return attrs.evolve(v, stake=v.stake - amount, burned=v.burned + amount)


def process_execute_slash(v: VetoVault, op: ExecuteSlash) -> VetoVault:
    _request(v, op.index)
    need(op.sender != MIDDLEWARE, "InvalidSender", "sender", "the Middleware is a contract: it sends only through its functions")
    need(False, "NotNetworkMiddleware", "sender", f"{op.sender} is not the network's middleware (BaseSlasher._checkNetworkMiddleware)")
    return v


def process_middleware_execute_slash(v: VetoVault, op: MiddlewareExecuteSlash) -> VetoVault:
    need(False, "NoSuchFunction", "op", "Kalypso's Middleware has no function that calls VetoSlasher.executeSlash")
    return v


def process_middleware_execute_slash_fixed(v: VetoVault, op: MiddlewareExecuteSlash) -> VetoVault:
    """Fix V1: Middleware.executeSlash(index), callable by anyone once the veto window passed
    (the request is already enclave-signed): VetoSlasher.executeSlash as the middleware."""
    return _execute_as_middleware(v, op.index)


def process_advance(v: VetoVault, op: Advance) -> VetoVault:
    need(op.seconds >= 0, "InvalidSender", "seconds", "time only moves forward")
    return attrs.evolve(v, time=v.time + op.seconds)


def _set(v: VetoVault, index: int, r: VetoRequest) -> VetoVault:
    return attrs.evolve(v, requests=v.requests[:index] + (r,) + v.requests[index + 1:])


L1_PROCESSORS = {RequestSlash: process_request_slash, VetoSlash: process_veto_slash, ExecuteSlash: process_execute_slash,
                 MiddlewareExecuteSlash: process_middleware_execute_slash, Advance: process_advance}


def apply_l1(v: VetoVault, op, processors=L1_PROCESSORS) -> VetoVault:
    """One L1 transaction (a refused one raises and leaves `v` as it was: frozen values)."""
    return processors[type(op)](v, op)
