"""Design vectors replayed on the deployed bytecode: where deployed Kalypso departs from the design.

Each `design` case is translated into a deployed_native trace: a genesis and set-up
operations that rebuild its pre-state on chain (markets, provers and stake, memberships, open
and assigned asks; time in seconds read as blocks, shifted by a constant so the set-up fits
before the first assignment), then its operations, each mapped to the contract call that does
the same job. The trace runs on any deployed_native adapter (the EVM adapter: the real
bytecode). Each case is classified under the first rule of RULES that its replay meets:
an operation with no contract counterpart, a pre-state the contracts cannot hold, an outcome
that differs (accepted on one side, rejected on the other), or a change of balances, stake or
ask state that differs (compared as deltas from the rebuilt pre-state, so set-up costs cancel;
payment-token claimables count as balance: the marketplace pays by `flush`). Cases that agree
are counted as such. The classification is computed; the table is never written by hand.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Optional

import attrs

from reference.conformance.cases import load_cases
from spec.deployed_native.keys import assignment_hash, sign_hash
from spec.signing import assignment_message, verify_signature

ENGINE, NOT_ENGINE, ENGINE_IMAGE, IVS_IMAGE = "engine", "not-an-engine", "engine-image", "ivs-image"
SETUP_MARGIN = 5
DECODING_ERRORS = {"MALFORMED_OPERATION", "UNKNOWN_OPERATION"}
RESTAKING_OPS = {"create_vault", "vault_deposit", "vault_withdraw", "vault_claim", "veto_slash", "execute_slash",
                 "transmit_snapshot_part", "resend_slash_request", "set_restaking_parameters", "deliver_message",
                 "delay_message", "reorder_messages", "duplicate_message", "drop_message", "retransmit_message"}

# rule -> what the deployed contracts do instead (master-66d489f, function:line)
RULES = {
    "no-counterpart/restaking": "Restaked stake, vaults, snapshots, the bridge and slash vetoes do not exist in the native-stake lineage (GeneratorRegistry holds native stake only).",
    "no-counterpart/quote-update": "A prover's quote is fixed at joinMarketplace (GeneratorRegistry.sol:470); to change it the prover leaves and rejoins.",
    "no-counterpart/market-update": "Markets are immutable after createMarketplace except images (createMarketplace, ProofMarketplace.sol:213; addExtraImages, 257).",
    "no-counterpart/explicit-expiry": "Expiry is derived by getAskState (ProofMarketplace.sol:460): no transaction expires an ask; cancelAsk refunds after expiry.",
    "no-counterpart/per-market-engine": "One attested matching-engine key for the whole marketplace (verifyMatchingEngine, ProofMarketplace.sol:72), not one per market.",
    "no-counterpart/prover-key": "Provers' keys are enclave attestations per market (updateEncryptionKey, GeneratorRegistry.sol:409), not a registered secp256k1 key.",
    "no-counterpart/invalid-inputs-by-engine": "Invalid inputs are claimed with a market IVS enclave signature (submitProofForInvalidInputs, ProofMarketplace.sol:610), not the engine's statement.",
    "no-counterpart/private-inputs": "Private inputs travel as ciphertext + ACL in createAsk's calldata (ProofMarketplace.sol:355), checked by no one on chain.",
    "no-counterpart/other-token": "One payment token and one staking token, fixed at deployment (constructors).",
    "pre-state/restaked-stake": "The pre-state holds restaked stake or bridge messages: no contract holds them.",
    "pre-state/pending-withdrawal": "Stake withdrawal is an intent plus one block (intendToReduceStake/unstake, GeneratorRegistry.sol:327, 354), not a timed request.",
    "pre-state/terminal-ask": "The pre-state holds a settled ask; this translation rebuilds open and assigned asks only.",
    "pre-state/multi-token-stake": "Stake is one token (GeneratorRegistry.STAKING_TOKEN).",
    "who-may-act/anyone-proves": "Anyone may submit the proof of an assigned ask (submitProof, ProofMarketplace.sol:646): the design limits it to the assigned prover.",
    "who-may-act/anyone-cancels": "Anyone may cancel an expired ask (cancelAsk, ProofMarketplace.sol:551), refunding the refund address.",
    "who-may-act/anyone-relays": "Anyone may relay an engine-signed batch assignment (relayBatchAssignTasks, ProofMarketplace.sol:487).",
    "market-activation-delay": "A market takes asks MARKET_ACTIVATION_DELAY = 100 blocks after creation (ProofMarketplace.sol:89, 387).",
    "unstake/one-block": "Unstaking waits one block after the intent (REDUCTION_REQUEST_BLOCK_GAP, GeneratorRegistry.sol:63), not a withdrawal delay.",
    "deregistration": "deregister returns the whole stake at once when no market is joined (GeneratorRegistry.sol:392).",
    "slashing/whole-penalty-to-caller": "slashGenerator sends the whole penalty to a caller-chosen address and returns the reward to the requester (ProofMarketplace.sol:692, GeneratorRegistry.sol:659).",
    "slashing/discard-to-treasury": "discardRequest slashes the prover's penalty to the treasury (ProofMarketplace.sol:702).",
    "price/prover-paid-quote": "The prover is paid its quoted proofGenerationCost read at proof time; the requester gets reward - cost (_submitProof, ProofMarketplace.sol:677).",
    "fees/charged-at-creation": "The platform fee is a global per-byte charge by secret type, taken at createAsk and never refunded (getPlatformFee, ProofMarketplace.sol:426).",
    "assignment/price-and-time-checks": "Assignment checks reward >= quoted cost and proof time >= proposed time only (_assignTask, ProofMarketplace.sol:517); no engine-chosen price.",
    "assignment/capacity": "Assignment needs idle compute, unlocked stake >= penalty and at most PARALLEL_REQUESTS_UPPER_LIMIT + 1 tasks (assignGeneratorTask, GeneratorRegistry.sol:691).",
    "expiry-boundary": "An ask is assignable iff now < expiry and createAsk needs expiry > now + minProvingTime (ProofMarketplace.sol:377, 460).",
    "untranslatable": "The design operation's arguments cannot be written as the contract call (a malformed value the design accepts).",
    "compute/sum-of-allocations": "joinMarketplace needs the sum of compute per request over the prover's markets <= its declared compute (GeneratorRegistry.sol:506); the design checks each market alone.",
    "asks/reward-and-inputs-nonzero": "createAsk needs reward > 0 and non-empty proverData (ProofMarketplace.sol:374).",
    "asks/parameter-checks": "createAsk checks only reward, inputs, expiry > now + minProvingTime and ACL length (ProofMarketplace.sol:374-387): no price-time preference, a zero proof time is accepted.",
    "markets/parameter-checks": "createMarketplace checks penalty, metadata and verifier (ProofMarketplace.sol:221): no matching protocol, engine key or platform fee per market.",
    "unstake/intent-unchecked": "intendToReduceStake records an intent without checking locked stake; unstake checks it (intendToReduceStake, GeneratorRegistry.sol:327; unstake, 354).",
    "cancel/only-after-expiry": "cancelAsk is only for expired, unassigned asks (ProofMarketplace.sol:551): a requester cannot withdraw an open ask.",
    "exit/immediate-when-idle": "requestForExitMarketplace leaves the market at once when no task is active (GeneratorRegistry.sol:623), so a later leave finds no membership.",
    "pre-state/expired-ask": "The pre-state holds an ask already expired at the set-up block: the contracts refuse to create it (a limit of this translation, which rebuilds asks during set-up).",
    "accepted-on-chain": "The contracts accept what the design rejects (the design's error code is given).",
    "rejected-on-chain": "The contracts reject what the design accepts (the custom error is given).",
    "balances-differ": "Both accept, but the token movements differ (accounts and amounts given).",
    "stake-differs": "Both accept, but the provers' stake moves differently.",
    "ask-state-differs": "Both accept, but an ask ends in a state the design does not have for it.",
}

NO_COUNTERPART = {
    **{op: "no-counterpart/restaking" for op in RESTAKING_OPS},
    "update_quote": "no-counterpart/quote-update", "update_market": "no-counterpart/market-update",
    "expire_ask": "no-counterpart/explicit-expiry", "attest_engine": "no-counterpart/per-market-engine",
    "register_prover_key": "no-counterpart/prover-key", "submit_invalid_inputs": "no-counterpart/invalid-inputs-by-engine",
    "mint_everything": "no-counterpart/other-token",
}
ACCEPTED_ON_CHAIN = {  # (design op, design error) -> rule
    ("submit_proof", "NOT_ASSIGNED_PROVER"): "who-may-act/anyone-proves",
    ("cancel_ask", "NOT_REQUESTER"): "who-may-act/anyone-cancels",
    ("assign_task", "NOT_ENGINE"): "who-may-act/anyone-relays",
    ("withdraw_stake", "WITHDRAWAL_NOT_READY"): "unstake/one-block",
    ("create_ask", "INSUFFICIENT_BALANCE"): "fees/charged-at-creation",
    ("create_ask", "INVALID_ASK_PARAMETER"): "asks/parameter-checks",
    ("create_market", "INVALID_MARKET_PARAMETER"): "markets/parameter-checks",
    ("create_market", "UNKNOWN_MATCHING_PROTOCOL"): "markets/parameter-checks",
    ("create_market", "KEY_SAFETY_RULE"): "no-counterpart/restaking",
    ("request_stake_withdrawal", "INSUFFICIENT_FREE_STAKE"): "unstake/intent-unchecked",
    ("assign_task", "PRICE_ABOVE_MAX"): "assignment/price-and-time-checks",
    ("assign_task", "PRICE_BELOW_QUOTE"): "assignment/price-and-time-checks",
}
REJECTED_ON_CHAIN = {
    "InactiveMarket": "market-activation-delay", "ProofPriceMismatch": "assignment/price-and-time-checks",
    "ProofTimeMismatch": "assignment/price-and-time-checks", "InsufficientStakeToLock": "assignment/capacity",
    "InsufficientGeneratorComputeAvailable": "assignment/capacity", "AssignOnlyToIdleGenerators": "assignment/capacity",
    "MaxParallelRequestsPerMarketExceeded": "assignment/capacity", "CannotAssignExpiredTasks": "expiry-boundary",
    "ReductionRequestNotValid": "unstake/one-block", "OnlyExpiredAsksCanBeCancelled": "cancel/only-after-expiry",
    "InvalidGeneratorStatePerMarket": "exit/immediate-when-idle", "ShouldBeInCreateState": "expiry-boundary",
}
SETUP_REFUSED = {("join_market", "CannotBeMoreThanDeclaredCompute"): "compute/sum-of-allocations",
                 ("create_ask", "CannotBeZero"): "asks/reward-and-inputs-nonzero",
                 ("create_ask", "CannotAssignExpiredTasks"): "pre-state/expired-ask"}
# the first accepted operation of these kinds names a difference in token movements / stake / ask states
BALANCE_RULE = {"slash_missed_deadline": "slashing/whole-penalty-to-caller", "discard_task": "slashing/discard-to-treasury",
                "submit_proof": "price/prover-paid-quote", "create_ask": "fees/charged-at-creation",
                "cancel_ask": "fees/charged-at-creation", "withdraw_stake": "unstake/one-block"}
STAKE_RULE = {"slash_missed_deadline": "slashing/whole-penalty-to-caller", "discard_task": "slashing/discard-to-treasury",
              "withdraw_stake": "unstake/one-block", "leave_market": "deregistration"}
ASK_RULE = {"slash_missed_deadline": "slashing/whole-penalty-to-caller", "discard_task": "slashing/discard-to-treasury",
            "cancel_ask": "cancel/only-after-expiry", "submit_proof": "price/prover-paid-quote"}
CHAIN_TO_DESIGN_ASK = {"CREATE": {"UNASSIGNED"}, "UNASSIGNED": {"UNASSIGNED", "EXPIRED"}, "ASSIGNED": {"ASSIGNED"},
                       "DEADLINE_CROSSED": {"ASSIGNED", "DEADLINE_CROSSED"},
                       "COMPLETE": {"COMPLETE", "CANCELLED", "EXPIRED", "INVALID_INPUTS", "DEADLINE_CROSSED"}}


class Unreplayable(Exception):
    def __init__(self, rule: str, detail: str, at: Optional[int] = None):
        super().__init__(detail)
        self.rule, self.detail, self.at = rule, detail, at


@attrs.frozen
class Divergence:
    case: str
    rule: str  # a RULES key, or "agrees"
    detail: str = ""
    op_index: Optional[int] = None
    op: str = ""


def _i(v) -> int:
    return int(v)


def _pre_state_rule(pre: dict) -> None:
    r = pre.get("restaking", {})
    if r.get("backing") or r.get("slashes") or r.get("locked") or r.get("vault_chain", {}).get("vaults") \
            or r.get("bridge", {}).get("in_flight"):
        raise Unreplayable("pre-state/restaked-stake", "vaults, restaked backing or bridge messages in the pre-state")
    if pre.get("withdrawals"):
        raise Unreplayable("pre-state/pending-withdrawal", "a timed stake withdrawal is pending")
    if len(pre["config"]["stake_tokens"]) != 1 or any(len(p["stake"]) > 1 for p in pre["provers"].values()):
        raise Unreplayable("pre-state/multi-token-stake", "stake in more than one token")
    for ask_id, ask in pre["asks"].items():
        if ask["state"] not in ("UNASSIGNED", "ASSIGNED"):
            raise Unreplayable("pre-state/terminal-ask", f"ask {ask_id} is {ask['state']}")
        if ask.get("private_inputs"):
            raise Unreplayable("no-counterpart/private-inputs", f"ask {ask_id} has private inputs")


def _op(name: str, **args) -> dict:
    def enc(v):
        if isinstance(v, bool):
            return v
        if isinstance(v, int):
            return str(v)
        if isinstance(v, bytes):
            return "0x" + v.hex()
        if isinstance(v, list):
            return [enc(x) for x in v]
        return v
    return {"op": name, "args": {k: enc(v) for k, v in args.items()}}


def _relay(sender: str, ask_ids: list[int], provers: list[str], valid: bool) -> dict:
    acls = [b""] * len(ask_ids)
    signature = sign_hash(ENGINE if valid else NOT_ENGINE, assignment_hash(ask_ids, provers, acls))
    return _op("relay_batch_assign_tasks", sender=sender, ask_ids=ask_ids, provers=provers, acls=acls, signature=signature)


class Translation:
    """A design case as a deployed_native genesis, set-up and operations (block = second + shift)."""

    def __init__(self, case: dict):
        pre = case["pre_state"]
        _pre_state_rule(pre)
        self.pre, self.case = pre, case
        cfg = pre["config"]
        self.stake_token = cfg["stake_tokens"][0]
        self.payment_token = cfg["payment_token"]
        self.treasury = cfg["treasury"]
        setup, self.exits, assigned = self._setup_ops(pre)
        base = min([_i(pre["time"])] + [_i(a["assignment"]["assigned_at"]) for a in pre["asks"].values() if a["assignment"]])
        self.shift = max(0, len(setup) + 100 + SETUP_MARGIN - base)
        if any(a["assignment"] for a in pre["asks"].values()) and self.exits:
            base_gap = _i(pre["time"]) - max(_i(a["assignment"]["assigned_at"]) for a in pre["asks"].values() if a["assignment"])
            self.shift += max(0, len(self.exits) - base_gap)
        self.genesis_block = base + self.shift - len(setup) - 100 - SETUP_MARGIN
        self.config = {"payment_token": self.payment_token, "staking_token": self.stake_token,
                       "treasury": self.treasury, "admin": "admin",
                       "market_creation_cost": cfg["market_creation_fee"], "genesis_block": str(self.genesis_block)}
        self.setup = setup
        self.assigned = assigned

    def _setup_ops(self, pre: dict):
        ops, minted = [], Counter()
        for market in sorted(pre["markets"].values(), key=lambda m: _i(m["id"])):
            minted[(market["owner"], self.payment_token)] += _i(pre["config"]["market_creation_fee"])
        for ask in pre["asks"].values():
            minted[(ask["requester"], self.payment_token)] += _i(ask["max_price"])
        for prover in pre["provers"].values():
            minted[(prover["address"], self.stake_token)] += sum(_i(v) for v in prover["stake"].values())
        for account, tokens in pre["balances"].items():
            for token, amount in tokens.items():
                minted[(account, token)] += _i(amount)
        for (account, token), amount in sorted(minted.items()):
            if amount and token in (self.payment_token, self.stake_token):
                ops.append(_op("mint", account=account, token=token, amount=amount))
        ops += [_op("set_matching_engine_image", sender="admin", image=ENGINE_IMAGE),
                _op("verify_matching_engine", sender="admin", key=ENGINE, image=ENGINE_IMAGE)]
        for market in sorted(pre["markets"].values(), key=lambda m: _i(m["id"])):
            ops.append(self._market(market["owner"], market["verifier_id"], market["slash_amount"]))
        ops.append("activation")
        for prover in sorted(pre["provers"].values(), key=lambda p: p["address"]):
            ops.append(_op("register_prover", sender=prover["address"], reward_address=prover["reward_address"],
                           declared_compute=_i(prover["declared_compute"]),
                           initial_stake=sum(_i(v) for v in prover["stake"].values()), data=b"prover"))
        exits = []
        for market_id, members in sorted(pre["memberships"].items(), key=lambda kv: _i(kv[0])):
            for prover, m in sorted(members.items()):
                q = m["quote"] or {"compute_per_request": "1", "price": "0", "proposed_time": "1"}
                ops.append(_op("join_market", sender=prover, market_id=_i(market_id), compute_per_request=_i(q["compute_per_request"]),
                               price=_i(q["price"]), proposed_time=_i(q["proposed_time"])))
                if m.get("exit_requested"):
                    exits.append(_op("request_market_exit", sender=prover, market_id=_i(market_id)))
        for ask in sorted(pre["asks"].values(), key=lambda a: _i(a["id"])):
            ops.append(("ask", ask))
        assigned: dict[int, list] = {}
        for ask in pre["asks"].values():
            if ask["assignment"]:
                assigned.setdefault(_i(ask["assignment"]["assigned_at"]), []).append(ask)
        return ops, exits, assigned

    def _market(self, sender: str, verifier_id: str, slash_amount: dict) -> dict:
        return _op("create_market", sender=sender, metadata=b"market", verifier_id=verifier_id,
                   penalty=_i(slash_amount.get(self.stake_token, "0")), prover_image="public", ivs_image=IVS_IMAGE)

    def ask_op(self, ask: dict, sender: str) -> dict:
        return _op("create_ask", sender=sender, market_id=_i(ask["market_id"]), reward=_i(ask["max_price"]),
                   expiry=_i(ask["expiry"]) + self.shift, proof_time=_i(ask["proof_time"]), refund_address=sender,
                   prover_data=bytes.fromhex(ask["public_inputs"][2:]))

    def design_op(self, state_pre: dict, op: dict) -> dict:
        """The deployed_native operation doing the design operation's job (Unreplayable if none)."""
        name, a = op["op"], op["args"]
        if name in NO_COUNTERPART:
            raise Unreplayable(NO_COUNTERPART[name], f"{name} has no contract counterpart")
        if name == "advance_time":
            return _op("advance_blocks", blocks=_i(a["seconds"]))
        if name == "mint":
            if a["token"] not in (self.payment_token, self.stake_token) and op["expect"]["ok"]:
                raise Unreplayable("no-counterpart/other-token", f"token {a['token']}")
            return _op("mint", account=a["account"], token=a["token"], amount=_i(a["amount"]))
        if name == "create_market":
            return self._market(a["sender"], a["verifier_id"], a["slash_amount"])
        if name == "register_prover":
            return _op("register_prover", sender=a["sender"], reward_address=a["reward_address"],
                       declared_compute=_i(a["declared_compute"]), initial_stake=0, data=b"prover")
        if name in ("deposit_stake", "request_stake_withdrawal", "withdraw_stake") and a["token"] != self.stake_token:
            raise Unreplayable("no-counterpart/other-token", f"{name} in {a['token']}")
        if name == "deposit_stake":
            return _op("deposit_stake", sender=a["sender"], prover=a["sender"], amount=_i(a["amount"]))
        if name == "request_stake_withdrawal":
            return _op("request_stake_withdrawal", sender=a["sender"], amount=_i(a["amount"]))
        if name == "withdraw_stake":
            return _op("withdraw_stake", sender=a["sender"], to=a["sender"])
        if name == "join_market":
            return _op("join_market", sender=a["sender"], market_id=_i(a["market_id"]), compute_per_request=_i(a["compute_per_request"]),
                       price=_i(a["price"]), proposed_time=_i(a["proposed_time"]))
        if name in ("request_market_exit", "leave_market"):
            return _op(name, sender=a["sender"], market_id=_i(a["market_id"]))
        if name == "create_ask":
            if a.get("private_inputs"):
                raise Unreplayable("no-counterpart/private-inputs", "an ask with private inputs")
            return self.ask_op({**a, "public_inputs": a["public_inputs"]}, a["sender"])
        if name in ("cancel_ask", "discard_task", "submit_proof"):
            return _op(name, **{k: (_i(v) if k == "ask_id" else v) for k, v in a.items()})
        if name == "slash_missed_deadline":
            return _op(name, sender=a["sender"], ask_id=_i(a["ask_id"]), reward_address=a["sender"])
        if name == "assign_task":
            market = state_pre["markets"].get(state_pre["asks"].get(a["ask_id"], {}).get("market_id", "-1"), {})
            key = market.get("engine_key") or ""
            message = assignment_message(_i(market.get("id", 0)), _i(a["ask_id"]), a["prover"], _i(a["price"]))
            valid = verify_signature(key, message, bytes.fromhex(a["signature"][2:]))
            return _relay(a["sender"], [_i(a["ask_id"])], [a["prover"]], valid)
        raise Unreplayable("no-counterpart/" + name, f"{name} is not translated")


class _Session:
    """An in-process adapter session with the runner's `request(message, timeout)` shape."""

    def __init__(self, session):
        self.session = session

    def request(self, message: dict, timeout: float = 0) -> dict:
        return self.session.handle(message)


def _must(adapter, op: dict) -> None:
    answer = adapter.request({"cmd": "apply", "op": op}, 30)
    if not answer.get("ok"):
        code = answer.get("error_code", answer.get("error"))
        raise Unreplayable(SETUP_REFUSED.get((op["op"], code), "rejected-on-chain"),
                           f"rebuilding the pre-state: {op['op']} refused on chain: {code}")


def _advance_to(adapter, head: int, target_head: int) -> int:
    if target_head > head:
        _must(adapter, _op("advance_blocks", blocks=target_head - head))
        return target_head
    return head


def build_pre_state(adapter, t: Translation) -> int:
    """Genesis and set-up on the adapter; returns the head block (design pre-state time + shift - 1)."""
    answer = adapter.request({"cmd": "genesis", "fork": "deployed_native", "config": t.config}, 60)
    if not answer.get("ok"):
        raise Unreplayable("pre-state/multi-token-stake", f"genesis refused: {answer.get('error')}")
    head = t.genesis_block
    for op in t.setup:
        if op == "activation":
            head = _advance_to(adapter, head, head + 100)
            continue
        if isinstance(op, tuple):
            op = t.ask_op(op[1], op[1]["requester"])
        _must(adapter, op)
        head += 1
    for at in sorted(t.assigned):
        asks = sorted(t.assigned[at], key=lambda a: _i(a["id"]))
        head = _advance_to(adapter, head, at + t.shift - 1)
        _must(adapter, _relay("relayer", [_i(a["id"]) for a in asks], [a["assignment"]["prover"] for a in asks], True))
        head += 1
    for op in t.exits:  # after the assignments: a prover asked to leave keeps its tasks
        _must(adapter, op)
        head += 1
    return _advance_to(adapter, head, _i(t.pre["time"]) + t.shift - 1)


def _entitlements(design: dict) -> dict:
    """Design: account -> token -> balance (the treasury's fees included)."""
    out = {a: {k: _i(v) for k, v in tokens.items()} for a, tokens in design["balances"].items()}
    treasury = out.setdefault(design["config"]["treasury"], {})
    for token, amount in design.get("treasury", {}).items():
        treasury[token] = treasury.get(token, 0) + _i(amount)
    return out


def _chain_entitlements(projection: dict, payment_token: str) -> dict:
    out = {a: {k: _i(v) for k, v in tokens.items()} for a, tokens in projection["balances"].items()}
    for account, amount in projection["claimable"].items():
        out.setdefault(account, {})[payment_token] = out.get(account, {}).get(payment_token, 0) + _i(amount)
    return out


def _delta(before: dict, after: dict) -> dict:
    out = {}
    for account in set(before) | set(after):
        for token in set(before.get(account, {})) | set(after.get(account, {})):
            d = after.get(account, {}).get(token, 0) - before.get(account, {}).get(token, 0)
            if d:
                out[(account, token)] = d
    return out


def _stake(state: dict, chain: bool) -> dict:
    if chain:
        return {p: _i(g["total_stake"]) for p, g in state["provers"].items()}
    return {p: sum(_i(v) for v in g["stake"].values()) for p, g in state["provers"].items()}


def replay_case(adapter, name: str, case: dict) -> Divergence:
    """Replay one design case on a deployed_native adapter and classify it."""
    try:
        t = Translation(case)
        head = build_pre_state(adapter, t)
        before = adapter.request({"cmd": "state"}, 60)["state"]
        accepted = []
        for i, op in enumerate(case["operations"]):
            if not op["expect"]["ok"] and op["expect"]["error_code"] in DECODING_ERRORS:
                continue  # the design cannot decode it: no transaction carries it
            try:
                chain_op = t.design_op(case["pre_state"], op)
            except Unreplayable as exc:
                exc.at = i
                raise
            except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
                raise Unreplayable("untranslatable", f"{op['op']} arguments: {type(exc).__name__}: {exc}", i) from None
            answer = adapter.request({"cmd": "apply", "op": chain_op}, 60)
            expect = op["expect"]
            if expect["ok"] and not answer.get("ok"):
                code = answer.get("error_code", "?")
                return Divergence(name, REJECTED_ON_CHAIN.get(code, "rejected-on-chain"), f"design accepts; chain reverts {code}", i, op["op"])
            if not expect["ok"] and answer.get("ok"):
                rule = ACCEPTED_ON_CHAIN.get((op["op"], expect["error_code"]), "accepted-on-chain")
                return Divergence(name, rule, f"design rejects {expect['error_code']}; chain accepts", i, op["op"])
            if answer.get("ok"):
                accepted.append((i, op["op"]))
        after = adapter.request({"cmd": "state"}, 60)["state"]
    except Unreplayable as exc:
        return Divergence(name, exc.rule, exc.detail, exc.at, case["operations"][exc.at]["op"] if exc.at is not None else "")
    design_moves = _delta(_entitlements(case["pre_state"]), _entitlements(case["post_state"]))
    chain_moves = _delta(_chain_entitlements(before, t.payment_token), _chain_entitlements(after, t.payment_token))
    def first(rules: dict, fallback: str):
        i, name = next(((i, n) for i, n in accepted if n in rules), (None, ""))
        return rules.get(name, fallback), i, name

    if design_moves != chain_moves:
        keys = sorted(set(design_moves) | set(chain_moves))
        detail = "; ".join(f"{a} {tok}: design {design_moves.get((a, tok), 0):+d}, chain {chain_moves.get((a, tok), 0):+d}"
                           for a, tok in keys if design_moves.get((a, tok), 0) != chain_moves.get((a, tok), 0))
        rule, at, op_name = first(BALANCE_RULE, "balances-differ")
        return Divergence(name, rule, detail, at, op_name)
    d_stake = {p: v - _stake(case["pre_state"], False).get(p, 0) for p, v in _stake(case["post_state"], False).items()}
    c_stake = {p: v - _stake(before, True).get(p, 0) for p, v in _stake(after, True).items()}
    if {k: v for k, v in d_stake.items() if v} != {k: v for k, v in c_stake.items() if v}:
        rule, at, op_name = first(STAKE_RULE, "stake-differs")
        return Divergence(name, rule, f"stake moves: design {d_stake}, chain {c_stake}", at, op_name)
    for ask_id, ask in after["asks"].items():
        design_state = case["post_state"]["asks"].get(ask_id, {}).get("state")
        if design_state not in CHAIN_TO_DESIGN_ASK.get(ask["state"], set()):
            rule, at, op_name = first(ASK_RULE, "ask-state-differs")
            return Divergence(name, rule, f"ask {ask_id}: design {design_state}, chain {ask['state']}", at, op_name)
    return Divergence(name, "agrees")


@attrs.frozen
class DivergenceReport:
    vectors_dir: str
    results: tuple

    def counts(self) -> Counter:
        return Counter(r.rule for r in self.results)


def divergence_report(vectors_dir: Path, adapter=None, build=None, select=None) -> DivergenceReport:
    """Replay every design case under `vectors_dir` (cases with a pre_state) on `adapter`
    (default: the EVM adapter in process, on `build`)."""
    if adapter is None:
        from reference.evm.adapter import EvmSession
        from reference.evm.compile import compile_kalypso

        adapter = _Session(EvmSession(build or compile_kalypso()))
    results = []
    for case in load_cases(Path(vectors_dir)):
        if "pre_state" not in case.data or "operations" not in case.data or (select and select not in case.name):
            continue
        results.append(replay_case(adapter, case.name, case.data))
    return DivergenceReport(str(vectors_dir), tuple(results))


def render_markdown(report: DivergenceReport, command: str) -> str:
    counts = report.counts()
    total = len(report.results)
    lines = [
        "# Design vs deployed: divergence report",
        "",
        f"Generated by `{command}`: every `design` case with a pre-state ({total}) replayed on the "
        "`master-66d489f` bytecode through the EVM adapter (reference/evm/diverge.py) and classified by the "
        "first rule it meets. Rules are listed with what the contracts do; rows are computed, never edited.",
        "",
        "| rule | cases | what the deployed contracts do |",
        "|---|---:|---|",
    ]
    for rule, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"| `{rule}` | {n} | {RULES.get(rule, 'the design and the bytecode agree on outcomes, token movements, stake and ask states')} |")
    lines += ["", "## Cases", "", "| case | rule | operation | detail |", "|---|---|---|---|"]
    for r in sorted(report.results, key=lambda r: (r.rule == "agrees", r.rule, r.case)):
        if r.rule == "agrees":
            continue
        op = f"#{r.op_index} `{r.op}`" if r.op_index is not None else ""
        lines.append(f"| `{r.case}` | `{r.rule}` | {op} | {r.detail.replace('|', '/')} |")
    agree = sorted(r.case for r in report.results if r.rule == "agrees")
    lines += ["", f"Cases that agree ({len(agree)}): " + (", ".join(f"`{c}`" for c in agree) or "none") + "."]
    return "\n".join(lines) + "\n"
