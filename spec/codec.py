"""Canonical JSON form of states, operations and events (the conformance contract).

Rules: every integer is a decimal string (amounts can exceed 2^53); bytes are `0x`-prefixed
lower-case hex; enums are their names; maps keyed by pairs nest (`balances[account][token]`,
`memberships[market_id][prover]`, `withdrawals[prover][token]`); object keys are sorted when
serialised (`dumps`). A membership also carries its derived `status` (ignored when loading).
Restaking: pair-keyed maps nest the same way (`locked[prover][vault_id]`, a vault's
`claims[staker][epoch]` and `slashed_for_capture[operator][capture_ts]`); a bridge message's
payload carries its `kind` (`snapshot_part`, `slash_request`, `slash_result`). A state or config
without `restaking` loads with no restaking activity and the default parameters.

The form is exact both ways: `decode_state` accepts a state only if encoding what it read gives
the same JSON back (no upper-case or odd-length hex, no `"false"` for false, no string where a
list belongs, no float, no stale membership `status`, no zero entry in a balance-like map), every
integer within 2^256 and every name a valid name; anything else is `MalformedState` naming the
JSON path. Operations: bytes are lower-case even-length hex; amounts inside maps are bounded.
"""
from __future__ import annotations

import json
import re
from typing import Any, Optional, Union, get_args, get_origin

import attrs
from pyrsistent import PMap, pmap

from spec.containers import Ask, Assignment, Config, Market, Membership, Prover, Quote, State, WithdrawalRequest
from spec.errors import InvalidConfig, MalformedOperation, MalformedState, UnknownOperation
from spec.events import Event
from spec.operations import OPERATIONS
from spec.restaking_state import (
    Backing,
    Bridge,
    Message,
    RestakedSlash,
    Restaking,
    RestakingParams,
    Route,
    SlasherKind,
    SlashRequest,
    SlashResult,
    SlashStatus,
    Snapshot,
    SnapshotPart,
    Vault,
    VaultChain,
    VaultSlashRequest,
)
from spec.types import NAME_RULE, AskState, is_name


def encode(value: Any) -> Any:
    """Plain JSON data for a spec value."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.value if hasattr(value, "value") else value
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, (tuple, list)):
        return [encode(v) for v in value]
    if isinstance(value, PMap) or isinstance(value, dict):
        return {str(encode(k)): encode(v) for k, v in value.items()}
    if isinstance(value, Membership):
        return {**{f.name: encode(getattr(value, f.name)) for f in attrs.fields(Membership)}, "status": value.status.value}
    if attrs.has(type(value)):
        return {f.name: encode(getattr(value, f.name)) for f in attrs.fields(type(value))}
    raise TypeError(f"cannot encode {type(value).__name__}")


def _nest(pairs: PMap) -> dict:
    out: dict = {}
    for (outer, inner), value in pairs.items():
        out.setdefault(str(outer), {})[str(inner)] = encode(value)
    return out


PAYLOAD_KINDS = {SnapshotPart: "snapshot_part", SlashRequest: "slash_request", SlashResult: "slash_result"}


def encode_vault(vault: Vault) -> dict:
    data = encode(vault)
    data["claims"] = _nest(vault.claims)
    data["slashed_for_capture"] = _nest(vault.slashed_for_capture)
    return data


def encode_message(message: Message) -> dict:
    data = encode(message)
    data["payload"] = {"kind": PAYLOAD_KINDS[type(message.payload)], **encode(message.payload)}
    return data


def encode_restaking(restaking: Restaking) -> dict:
    data = encode(restaking)
    chain, bridge = restaking.vault_chain, restaking.bridge
    data["vault_chain"]["vaults"] = {k: encode_vault(v) for k, v in chain.vaults.items()}
    data["bridge"]["in_flight"] = {str(k): encode_message(m) for k, m in bridge.in_flight.items()}
    data["bridge"]["dropped"] = {str(k): encode_message(m) for k, m in bridge.dropped.items()}
    data["locked"] = _nest(restaking.locked)
    return data


def encode_state(state: State) -> dict:
    data = {f.name: encode(getattr(state, f.name)) for f in attrs.fields(State)}
    data["balances"] = _nest(state.balances)
    data["memberships"] = _nest(state.memberships)
    data["withdrawals"] = _nest(state.withdrawals)
    data["restaking"] = encode_restaking(state.restaking)
    return data


def encode_op(op) -> dict:
    return {"op": op.name, "args": {f.name: encode(getattr(op, f.name)) for f in attrs.fields(type(op))}}


def encode_event(ev: Event) -> dict:
    return {"event": ev.kind, **{k: encode(v) for k, v in ev.data.items()}}


def dumps(data: Any) -> str:
    """Canonical text: sorted keys, two-space indent, trailing newline."""
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=True) + "\n"


CANONICAL_INT = re.compile(r"-?(0|[1-9][0-9]{0,77})")
CANONICAL_HEX = re.compile(r"0x(?:[0-9a-f]{2})*")
STATE_INT_BOUND = 2**256


def _int(text: str) -> int:
    """A canonical decimal string: ASCII digits, no leading zeros or plus sign, no "-0", |v| < 2^256."""
    if not isinstance(text, str) or not CANONICAL_INT.fullmatch(text) or text == "-0":
        raise ValueError(f"expected a canonical decimal string, got {_short(text)}")
    value = int(text)
    if not -STATE_INT_BOUND < value < STATE_INT_BOUND:
        raise ValueError(f"{_short(text)} is out of range (|v| < 2^256)")
    return value


def _bytes(text: str) -> bytes:
    """`0x` and lower-case hex of whole bytes (the one spelling `encode` writes)."""
    if not isinstance(text, str) or not CANONICAL_HEX.fullmatch(text):
        raise ValueError(f"expected 0x and lower-case hex of whole bytes, got {_short(text)}")
    return bytes.fromhex(text[2:])


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _amounts(data: dict) -> PMap:
    if not isinstance(data, dict):
        raise ValueError(f"expected an object of decimal strings, got {_short(data)}")
    return pmap({k: _int(v) for k, v in data.items()})


def _unnest(data: dict, decode_value, outer_key=str) -> PMap:
    return pmap({(outer_key(o), i): decode_value(v) for o, inner in data.items() for i, v in inner.items()})


def decode_restaking_params(d: dict) -> RestakingParams:
    return RestakingParams(
        stake_token=d["stake_token"], epoch_length=_int(d["epoch_length"]), offset=_int(d["offset"]),
        epoch_duration=_int(d["epoch_duration"]), veto_duration=_int(d["veto_duration"]),
        bridge_delay_max=_int(d["bridge_delay_max"]), governor=d["governor"],
    )


def decode_config(d: dict) -> Config:
    """Genesis parameters from their canonical JSON form (exact both ways, like `decode_state`);
    anything else raises `MalformedState` naming the path under `config`."""
    if not isinstance(d, dict):
        raise MalformedState("config", "a config is a JSON object")
    try:
        config = _decode_config(d)
        again = encode(config)
    except KeyError as exc:
        raise MalformedState("config", f"missing key {_short(exc.args[0] if exc.args else '')}") from None
    except InvalidConfig as exc:
        raise MalformedState(f"config.{exc.field}", exc.rule) from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise MalformedState("config", f"{type(exc).__name__}: {str(exc)[:200]}") from None
    if "restaking" not in d:
        again.pop("restaking")
    found = _first_difference(d, again, "config")
    if found:
        raise MalformedState(found, "not in canonical form (decoding and encoding it again differs here)")
    bad = _first_bad_name(again, "config")
    if bad:
        raise MalformedState(bad, NAME_RULE)
    return config


def _decode_config(d: dict) -> Config:
    return Config(
        restaking=decode_restaking_params(d["restaking"]) if "restaking" in d else RestakingParams(),
        payment_token=d["payment_token"],
        stake_tokens=tuple(d["stake_tokens"]),
        treasury=d["treasury"],
        market_creation_fee=_int(d["market_creation_fee"]),
        stake_withdrawal_delay=_int(d["stake_withdrawal_delay"]),
        slash_compensation_bps=_int(d["slash_compensation_bps"]),
        slash_burn_bps=_int(d["slash_burn_bps"]),
    )


def decode_market(d: dict) -> Market:
    return Market(
        id=_int(d["id"]), owner=d["owner"], verifier_id=d["verifier_id"], matching_protocol=d["matching_protocol"],
        slash_amount=_amounts(d["slash_amount"]), engine_key=d["engine_key"], platform_fee=_int(d["platform_fee"]),
        engine_measurement=None if d["engine_measurement"] is None else _bytes(d["engine_measurement"]),
    )


def decode_prover(d: dict) -> Prover:
    return Prover(
        address=d["address"], reward_address=d["reward_address"], declared_compute=_int(d["declared_compute"]),
        compute_in_use=_int(d["compute_in_use"]), stake=_amounts(d["stake"]), locked=_amounts(d["locked"]),
        encryption_key=d["encryption_key"],
    )


def decode_quote(d: Optional[dict]) -> Optional[Quote]:
    if d is None:
        return None
    return Quote(price=_int(d["price"]), proposed_time=_int(d["proposed_time"]), compute_per_request=_int(d["compute_per_request"]))


def decode_membership(d: dict) -> Membership:
    return Membership(
        market_id=_int(d["market_id"]), prover=d["prover"], quote=decode_quote(d["quote"]),
        active_tasks=_int(d["active_tasks"]), exit_requested=bool(d["exit_requested"]),
    )


def decode_assignment(d: Optional[dict]) -> Optional[Assignment]:
    if d is None:
        return None
    return Assignment(
        prover=d["prover"], price=_int(d["price"]), assigned_at=_int(d["assigned_at"]), deadline=_int(d["deadline"]),
        compute=_int(d["compute"]), locked=_amounts(d["locked"]),
    )


def decode_ask(d: dict) -> Ask:
    return Ask(
        id=_int(d["id"]), market_id=_int(d["market_id"]), requester=d["requester"], max_price=_int(d["max_price"]),
        fee=_int(d["fee"]), expiry=_int(d["expiry"]), proof_time=_int(d["proof_time"]),
        price_time_preference=_int(d["price_time_preference"]), public_inputs=_bytes(d["public_inputs"]),
        private_inputs=None if d["private_inputs"] is None else _bytes(d["private_inputs"]),
        created_at=_int(d["created_at"]), escrow=_int(d["escrow"]), state=AskState(d["state"]),
        assignment=decode_assignment(d["assignment"]),
    )


def decode_withdrawal(d: dict) -> WithdrawalRequest:
    return WithdrawalRequest(amount=_int(d["amount"]), available_at=_int(d["available_at"]))


def _entries(data: list) -> tuple:
    """Snapshot entries: a list of [operator, vault_id, amount] lists (names and a decimal string)."""
    if not isinstance(data, list) or not all(isinstance(e, list) and len(e) == 3 and isinstance(e[0], str) and isinstance(e[1], str) for e in data):
        raise ValueError("expected a list of [operator, vault_id, amount]")
    return tuple((operator, vault_id, _int(amount)) for operator, vault_id, amount in data)


def decode_vault(d: dict) -> Vault:
    return Vault(
        id=d["id"], curator=d["curator"], created_at=_int(d["created_at"]), epoch_duration=_int(d["epoch_duration"]),
        slasher=SlasherKind(d["slasher"]), veto_duration=_int(d["veto_duration"]), resolver=d["resolver"],
        operator_shares=_amounts(d["operator_shares"]), active=_int(d["active"]), active_shares=_amounts(d["active_shares"]),
        history=tuple((_int(ts), _int(v)) for ts, v in d["history"]),
        buckets=pmap({_int(k): _int(v) for k, v in d["buckets"].items()}),
        bucket_shares=pmap({_int(k): _int(v) for k, v in d["bucket_shares"].items()}),
        claims=pmap({(s, _int(e)): _int(v) for s, inner in d["claims"].items() for e, v in inner.items()}),
        slashed_for_capture=pmap({(o, _int(c)): _int(v) for o, inner in d["slashed_for_capture"].items() for c, v in inner.items()}),
        slashed=_int(d["slashed"]),
    )


def decode_vault_request(d: dict) -> VaultSlashRequest:
    return VaultSlashRequest(
        id=_int(d["id"]), vault_id=d["vault_id"], operator=d["operator"], capture_ts=_int(d["capture_ts"]),
        amount=_int(d["amount"]), received_at=_int(d["received_at"]), veto_deadline=_int(d["veto_deadline"]),
        status=SlashStatus(d["status"]), slashed=_int(d["slashed"]),
    )


def decode_payload(d: dict):
    kind = d["kind"]
    if kind == "snapshot_part":
        return SnapshotPart(
            _int(d["capture_ts"]), _int(d["index"]), _int(d["count"]), _entries(d["entries"]),
            epoch_duration=_int(d["epoch_duration"]), veto_duration=_int(d["veto_duration"]),
        )
    if kind == "slash_request":
        return SlashRequest(_int(d["request_id"]), d["vault_id"], d["operator"], _int(d["capture_ts"]), _int(d["amount"]))
    if kind == "slash_result":
        return SlashResult(_int(d["request_id"]), SlashStatus(d["status"]), _int(d["slashed"]))
    raise ValueError(f"unknown payload kind {kind!r}")


def decode_message(d: dict) -> Message:
    return Message(
        id=_int(d["id"]), origin=_int(d["origin"]), route=Route(d["route"]), payload=decode_payload(d["payload"]),
        sent_at=_int(d["sent_at"]), deliver_at=_int(d["deliver_at"]),
    )


def decode_snapshot(d: dict) -> Snapshot:
    return Snapshot(
        capture_ts=_int(d["capture_ts"]), count=_int(d["count"]),
        epoch_duration=_int(d["epoch_duration"]), veto_duration=_int(d["veto_duration"]),
        parts=pmap({_int(k): _entries(v) for k, v in d["parts"].items()}), completed_at=_int(d["completed_at"]),
    )


def decode_backing(d: dict) -> Backing:
    return Backing(
        d["prover"], _int(d["capture_ts"]), _amounts(d["amounts"]),
        epoch_duration=_int(d["epoch_duration"]), veto_duration=_int(d["veto_duration"]),
    )


def decode_restaked_slash(d: dict) -> RestakedSlash:
    return RestakedSlash(
        id=_int(d["id"]), ask_id=_int(d["ask_id"]), prover=d["prover"], vault_id=d["vault_id"], capture_ts=_int(d["capture_ts"]),
        amount=_int(d["amount"]), deadline=_int(d["deadline"]), requested_at=_int(d["requested_at"]),
        status=SlashStatus(d["status"]), slashed=_int(d["slashed"]), resolved_at=_int(d["resolved_at"]),
        epoch_duration=_int(d["epoch_duration"]), veto_duration=_int(d["veto_duration"]),
    )


def decode_restaking(d: dict) -> Restaking:
    chain, bridge = d["vault_chain"], d["bridge"]
    return Restaking(
        vault_chain=VaultChain(
            time=_int(chain["time"]), vaults=pmap({k: decode_vault(v) for k, v in chain["vaults"].items()}),
            requests=pmap({_int(k): decode_vault_request(v) for k, v in chain["requests"].items()}),
            deposited=_int(chain["deposited"]), claimed=_int(chain["claimed"]),
        ),
        bridge=Bridge(
            in_flight=pmap({_int(k): decode_message(v) for k, v in bridge["in_flight"].items()}),
            dropped=pmap({_int(k): decode_message(v) for k, v in bridge["dropped"].items()}),
            next_id=_int(bridge["next_id"]),
        ),
        snapshots=pmap({_int(k): decode_snapshot(v) for k, v in d["snapshots"].items()}),
        locked=_unnest(d["locked"], _int),
        backing=pmap({_int(k): decode_backing(v) for k, v in d["backing"].items()}),
        slashes=pmap({_int(k): decode_restaked_slash(v) for k, v in d["slashes"].items()}),
        next_slash_id=_int(d["next_slash_id"]),
    )


def decode_state(d: dict) -> State:
    """A state from its canonical JSON form; anything else raises `MalformedState` naming the path."""
    if not isinstance(d, dict):
        raise MalformedState("$", "a state is a JSON object")
    try:
        state = _decode_state(d)
        again = encode_state(state)
    except KeyError as exc:
        raise MalformedState("$", f"missing key {_short(exc.args[0] if exc.args else '')}") from None
    except (InvalidConfig, MalformedOperation) as exc:
        raise MalformedState(f"$.{exc.field}", exc.rule) from None
    except (TypeError, ValueError, AttributeError, IndexError) as exc:
        raise MalformedState("$", f"{type(exc).__name__}: {str(exc)[:200]}") from None
    expected = dict(d)
    if "restaking" not in d:
        again.pop("restaking")
    if isinstance(d.get("config"), dict) and "restaking" not in d["config"]:
        expected["config"] = {**d["config"], "restaking": again["config"]["restaking"]}
    found = _first_difference(expected, again, "$")
    if found:
        raise MalformedState(found, "not in canonical form (decoding and encoding it again differs here)")
    bad = _first_bad_name(again, "$")
    if bad:
        raise MalformedState(bad, NAME_RULE)
    for name in ("supply", "treasury", "burnt"):
        if any(v == 0 for v in getattr(state, name).values()):
            raise MalformedState(f"$.{name}", "zero entries are dropped in the canonical form")
    if any(v == 0 for v in state.balances.values()):
        raise MalformedState("$.balances", "zero entries are dropped in the canonical form")
    for address, prover in state.provers.items():
        if any(v == 0 for v in prover.stake.values()) or any(v == 0 for v in prover.locked.values()):
            raise MalformedState(f"$.provers.{address}", "zero stake or locked entries are dropped in the canonical form")
    return state


def _first_difference(expected, actual, path: str):
    """The JSON path of the first place `actual` differs from `expected` (types included)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual), key=str):
            if key not in expected or key not in actual:
                return f"{path}.{key}"
            found = _first_difference(expected[key], actual[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return path
        for i, (e, a) in enumerate(zip(expected, actual)):
            found = _first_difference(e, a, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if type(expected) is type(actual) and expected == actual else path


def _first_bad_name(value, path: str):
    """The path of the first string (key or value) that is neither hex bytes nor a valid name."""
    if isinstance(value, str):
        return None if is_name(value) or CANONICAL_HEX.fullmatch(value) else path
    if isinstance(value, dict):
        for key, item in value.items():
            if not is_name(key):
                return f"{path}.{_short(key)}"
            found = _first_bad_name(item, f"{path}.{key}")
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _first_bad_name(item, f"{path}[{i}]")
            if found:
                return found
    return None


def _decode_state(d: dict) -> State:
    return State(
        restaking=decode_restaking(d["restaking"]) if "restaking" in d else Restaking(vault_chain=VaultChain(time=_int(d["time"]))),
        config=_decode_config(d["config"]),
        time=_int(d["time"]),
        supply=_amounts(d["supply"]),
        balances=_unnest(d["balances"], _int),
        treasury=_amounts(d["treasury"]),
        burnt=_amounts(d["burnt"]),
        markets=pmap({_int(k): decode_market(v) for k, v in d["markets"].items()}),
        provers=pmap({k: decode_prover(v) for k, v in d["provers"].items()}),
        memberships=_unnest(d["memberships"], decode_membership, outer_key=_int),
        asks=pmap({_int(k): decode_ask(v) for k, v in d["asks"].items()}),
        withdrawals=_unnest(d["withdrawals"], decode_withdrawal),
        next_market_id=_int(d["next_market_id"]),
        next_ask_id=_int(d["next_ask_id"]),
    )


def _decode_arg(kind, value, name: str):
    if get_origin(kind) is Union:
        if value is None and type(None) in get_args(kind):
            return None
        kind = next(a for a in get_args(kind) if a is not type(None))
    try:
        if kind is int:
            return _int(value)
        if kind is bytes:
            return _bytes(value)
        if kind is PMap:
            return _amounts(value)
        if kind is tuple:
            return _entries(value)
    except (ValueError, TypeError, AttributeError) as exc:
        raise MalformedOperation(name, str(exc)) from None
    return value


def decode_op(d: dict):
    """An operation from its JSON form; malformed input raises `MalformedOperation` naming the field."""
    if not isinstance(d, dict) or "op" not in d:
        raise MalformedOperation("op", "an operation is {\"op\": name, \"args\": {...}}")
    if not isinstance(d["op"], str):
        raise MalformedOperation("op", "an operation's name is a string")
    cls = OPERATIONS.get(d["op"])
    if cls is None:
        raise UnknownOperation("op", f"{_short(d['op'])} is not one of {sorted(OPERATIONS)}")
    return decode_record(cls, d.get("args", {}), cls.name)


def decode_record(cls, args, what: str):
    """An attrs record (an operation, or any record of canonical fields) from its JSON object;
    malformed input raises `MalformedOperation` naming the field."""
    if not isinstance(args, dict):
        raise MalformedOperation("args", "must be an object")
    fields = {f.name: f for f in attrs.fields(attrs.resolve_types(cls))}
    unknown = sorted(set(args) - set(fields))
    if unknown:
        raise MalformedOperation(unknown[0], f"not a field of {what}")
    kwargs = {}
    for name, f in fields.items():
        if name not in args:
            if f.default is attrs.NOTHING:
                raise MalformedOperation(name, f"required by {what}")
            continue
        kwargs[name] = _decode_arg(f.type, args[name], name)
    return cls(**kwargs)
