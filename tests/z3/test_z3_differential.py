"""The Z3 encoding agrees with the executable spec: on Hypothesis-driven concrete states (built
with real spec operations) and operations, evaluating the encoding gives the spec's outcome:
accepted or rejected with the same error class, and the same post-state."""
from collections import Counter

import attrs
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import spec
from properties import strategies as strat
from properties.fixtures import PUBLIC_INPUTS, attest
from properties.z3.concrete import Universe, abstract_state
from properties.z3.model import Bounds
from properties.z3.proofs import OPERATION_NAMES, evaluate
from spec import operations as ops
from spec.env import stand_in_proof
from spec.errors import SpecError
from spec.provers import free_stake
from spec.signing import assignment_message, invalid_inputs_message, sign
from spec.types import AskState

BOUNDS = Bounds(accounts=len(strat.ACCOUNTS) + len(strat.PROVERS), markets=4, asks=8, stake_tokens=1)
UNIVERSE = Universe(accounts=strat.ACCOUNTS + tuple(p + "-rewards" for p in strat.PROVERS))
EXAMPLES_PER_CASE = 13
TWO_STAKE_TOKENS = ("POND", "EIGEN")
TRIES = 16


def _fits(state: spec.State) -> bool:
    """Room for one more market and ask inside the bounds."""
    return state.next_market_id < BOUNDS.markets and state.next_ask_id < BOUNDS.asks


def _try(state, op):
    try:
        post, _ = spec.apply(state, op)
    except SpecError:
        return state
    return post if _fits(post) else state


def _assignment_candidates(state: spec.State) -> list:
    """(ask, prover, quote) for each unassigned ask and quoting member of its market with the
    quote's price within max_price (the spec decides whether compute and stake fit)."""
    return [
        (ask, membership.prover, membership.quote)
        for _, ask in sorted(state.asks.items()) if ask.state == AskState.UNASSIGNED
        for (market_id, _), membership in sorted(state.memberships.items())
        if market_id == ask.market_id and membership.quote is not None and membership.quote.price <= ask.max_price
    ]


def _accepted_assignments(state: spec.State) -> list:
    return [c for c in _assignment_candidates(state) if _try(state, _signed(state, *c, c[2].price)) is not state]


@st.composite
def signed_assignment(draw, state: spec.State):
    """An engine-signed assignment of an unassigned ask to a quoting member, at a price between
    the quote and max_price; one the spec accepts at the quote's price where there is one."""
    candidates = _assignment_candidates(state)
    if not candidates:
        return draw(strat.assign_task(state))
    ask, prover, quote = draw(st.sampled_from(_accepted_assignments(state) or candidates))
    return _signed(state, ask, prover, quote, draw(st.integers(quote.price, ask.max_price)))


def _fresh_ask(state: spec.State, market_id: int) -> ops.CreateAsk:
    """An ask in `market_id` by the best-funded requester, open for 600 s."""
    requester = max(strat.REQUESTERS, key=lambda a: state.balances.get((a, state.config.payment_token), 0))
    return ops.CreateAsk(requester, market_id, 100, state.time + 600, 100, 0, PUBLIC_INPUTS[0])


def room_for_an_assignment(state: spec.State) -> spec.State:
    """The state, or one built from it by spec operations, in which some assignment is accepted:
    a fresh ask in each market in turn (a quoting member may already have room), then each
    registered prover joining a market it is not in with a quote. Derandomized draws move with
    unrelated source changes, so the accepted case of assign_task is built, not drawn."""
    if _accepted_assignments(state):
        return state
    joins = [ops.JoinMarket(p, m, 0, 1, 1) for m in sorted(state.markets) for p in sorted(state.provers)
             if (m, p) not in state.memberships]
    for join in [None, *joins]:
        built = state if join is None else _try(state, join)
        for market_id in sorted(state.markets) if join is None else [join.market_id]:
            candidate = _try(built, _fresh_ask(built, market_id))
            if _accepted_assignments(candidate):
                return candidate
    return state


def _ready_withdrawals(state: spec.State) -> list:
    return [ops.WithdrawStake(*key) for key, w in sorted(state.withdrawals.items()) if w.available_at <= state.time
            if _try(state, ops.WithdrawStake(*key)) is not state]


def room_for_a_withdrawal(state: spec.State) -> spec.State:
    """The state, or one built from it by spec operations, in which a withdrawal is accepted: a prover with free
    stake in some token requests 1 of it, then time passes to the request's `available_at`. As for assign_task,
    the accepted case is built, not drawn (which states a derandomized draw reaches moves with the process's
    history)."""
    if _ready_withdrawals(state):
        return state
    for token in state.config.stake_tokens:
        for _, prover in sorted(state.provers.items()):
            if free_stake(state, prover, token) <= 0:
                continue
            requested = _try(state, ops.RequestStakeWithdrawal(prover.address, token, 1))
            request = requested.withdrawals.get((prover.address, token))
            if requested is state or request is None:
                continue
            ready = _try(requested, ops.AdvanceTime(max(0, request.available_at - requested.time)))
            if _ready_withdrawals(ready):
                return ready
    return state


def _assigned(state: spec.State) -> spec.State:
    """The state after one more accepted assignment (`room_for_an_assignment`), or the state if none is possible."""
    state = room_for_an_assignment(state)
    accepted = _accepted_assignments(state)
    return _try(state, _signed(state, *accepted[0], accepted[0][2].price)) if accepted else state


def room_for_a_slash(state: spec.State) -> spec.State:
    """The state, or one built from it by spec operations, with an assigned task past its deadline (what
    slash_missed_deadline needs): a task assigned if there is none (`_assigned`), then time past the latest
    deadline."""
    if not any(a.state == AskState.ASSIGNED for a in state.asks.values()):
        state = _assigned(state)
    deadlines = [a.assignment.deadline for a in state.asks.values() if a.state == AskState.ASSIGNED]
    if not deadlines or max(deadlines) < state.time:
        return state
    return _try(state, ops.AdvanceTime(max(deadlines) + 1 - state.time))


def _live_tasks(state: spec.State) -> list:
    return sorted(a.id for a in state.asks.values() if a.state == AskState.ASSIGNED and state.time <= a.assignment.deadline)


def room_for_a_live_task(state: spec.State) -> spec.State:
    """The state, or one built from it by spec operations, with an assigned task before its deadline (what
    submit_proof, submit_invalid_inputs and discard_task need): an assignment if there is none."""
    return state if _live_tasks(state) else _assigned(state)


def _free_memberships(state: spec.State) -> list:
    return sorted((m, p) for m in state.markets for p in state.provers if (m, p) not in state.memberships)


def room_for_a_membership(state: spec.State) -> spec.State:
    """The state, or one built from it, with a registered prover outside some market (what join_market needs):
    an unregistered account of the universe registers if every prover is in every market."""
    for account in strat.ACCOUNTS:
        if _free_memberships(state):
            break
        if account not in state.provers:
            state = _try(state, ops.RegisterProver(account, account, 1))
    return state


def room_for_an_open_ask(state: spec.State) -> spec.State:
    """The state, or one built from it, with an unassigned ask (what cancel_ask needs): a fresh ask in each
    market if there is none."""
    if not any(a.state == AskState.UNASSIGNED for a in state.asks.values()):
        for market_id in sorted(state.markets):
            state = _try(state, _fresh_ask(state, market_id))
    return state


def room_for_an_expiry(state: spec.State) -> spec.State:
    """The state, or one built from it, with an unassigned ask past its expiry (what expire_ask needs): a fresh
    ask if there is none open (`room_for_an_open_ask`), then time past the latest expiry."""
    state = room_for_an_open_ask(state)
    expiries = [a.expiry for a in state.asks.values() if a.state == AskState.UNASSIGNED]
    if not expiries or max(expiries) < state.time:
        return state
    return _try(state, ops.AdvanceTime(max(expiries) + 1 - state.time))


ROOM = {
    "assign_task": room_for_an_assignment,
    "withdraw_stake": room_for_a_withdrawal,
    "slash_missed_deadline": room_for_a_slash,
    "expire_ask": room_for_an_expiry,
    "submit_proof": room_for_a_live_task,
    "submit_invalid_inputs": room_for_a_live_task,
    "discard_task": room_for_a_live_task,
    "join_market": room_for_a_membership,
    "cancel_ask": room_for_an_open_ask,
}


def _signed(state: spec.State, ask, prover: str, quote, price: int) -> ops.AssignTask:
    secret = strat.SECRET_OF_KEY[state.markets[ask.market_id].engine_key]
    return ops.AssignTask(prover, ask.id, prover, price, sign(secret, assignment_message(ask.market_id, ask.id, prover, price)))


@st.composite
def withdrawal_request(draw, state: spec.State):
    """A request to withdraw part of a prover's free stake, if any prover has some."""
    token = state.config.stake_tokens[0]
    free = [(p.address, free_stake(state, p, token)) for _, p in sorted(state.provers.items()) if free_stake(state, p, token) > 0]
    if not free:
        return draw(strat.request_stake_withdrawal(state))
    address, available = draw(st.sampled_from(free))
    return ops.RequestStakeWithdrawal(address, token, draw(st.integers(1, available)))


def backwards(state: spec.State):
    return st.builds(ops.AdvanceTime, st.integers(-5, 0))


def strategy_for(name: str):
    return strat.OPERATION_STRATEGIES[name]


@st.composite
def scenarios(draw, name: str, want: str, configs=strat.configs()):
    """A reachable state and one more operation of kind `name`. The state: funded accounts, a
    bootstrap (each prover's registration, stake or quote sometimes left out), stake in every
    stake token, some engine attestations and prover keys, asks, signed
    assignments, withdrawal requests, time passing, then random operations; the operation: the
    first of up to `TRIES` drawn that the spec accepts (`want` "accepted") or rejects ("rejected")."""
    state = spec.genesis(draw(configs, label="config"))
    amount = draw(st.integers(2_000, 5_000), label="mint")
    for account in strat.ACCOUNTS:
        for token in state.config.tokens:
            state = _try(state, ops.Mint(account, token, amount))
    for op in draw(strat.bootstrap(state), label="bootstrap"):
        optional = isinstance(op, (ops.RegisterProver, ops.DepositStake, ops.JoinMarket))
        if not optional or draw(st.integers(0, 5), label="drop") < 5:
            state = _try(state, op)
    for prover in strat.PROVERS:
        for token in state.config.stake_tokens[1:]:
            state = _try(state, ops.DepositStake(prover, token, draw(st.integers(50, 600), label="stake")))
    for market_id in sorted(state.markets):
        if draw(st.booleans(), label="attest"):
            state = _try(state, ops.AttestEngine(state.markets[market_id].owner, market_id, bytes(32),
                                                 attest(bytes(32), state.markets[market_id].engine_key)))
    for prover in strat.PROVERS:
        if draw(st.booleans(), label="prover key"):
            state = _try(state, ops.RegisterProverKey(prover, strat.ENGINE_KEYS[1]))
    for _ in range(draw(st.integers(1, 4), label="asks")):
        state = _try(state, draw(strat.create_ask(state), label="ask"))
    for _ in range(draw(st.integers(1, 3), label="assignments")):
        state = _try(state, draw(signed_assignment(state), label="assignment"))
    for _ in range(draw(st.integers(0, 2), label="withdrawals")):
        state = _try(state, draw(withdrawal_request(state), label="withdrawal"))
    for _ in range(draw(st.integers(0, 2), label="waits")):
        state = _try(state, draw(strat.advance_time(state), label="wait"))
    for _ in range(draw(st.integers(0, 6), label="steps")):
        kind = draw(st.sampled_from(OPERATION_NAMES), label="step kind")
        state = _try(state, draw(strategy_for(kind)(state), label="op"))
    if want == "accepted" and name in ROOM:  # the rarest accepted cases are built when the draw has none
        state = ROOM[name](state)
    for _ in range(TRIES):
        build = DIRECTED.get((name, want)) or strategy_for(name)
        op = draw(build(state), label="last")
        if (_try(state, op) is not state) == (want == "accepted"):
            break
    return state, op


@st.composite
def pending_withdrawal(draw, state: spec.State):
    """Withdraw a pending request, a ready one if there is any."""
    ready = sorted(key for key, w in state.withdrawals.items() if w.available_at <= state.time)
    pending = ready or sorted(state.withdrawals)
    if not pending:
        return draw(strat.withdraw_stake(state))
    return ops.WithdrawStake(*draw(st.sampled_from(pending)))


@st.composite
def new_membership(draw, state: spec.State):
    """A registered prover joins a market it is not in, with a quote within its compute."""
    options = _free_memberships(state)
    if not options:
        return draw(strat.join_market(state))
    market_id, prover = draw(st.sampled_from(options))
    compute = draw(st.integers(1, max(1, state.provers[prover].declared_compute)))
    return ops.JoinMarket(prover, market_id, draw(st.integers(0, 200)), draw(st.integers(1, 100)), compute)


@st.composite
def new_prover(draw, state: spec.State):
    """An account of the universe not registered yet (a requester, if every prover is) registers with compute > 0."""
    unregistered = [a for a in strat.ACCOUNTS if a not in state.provers]
    if not unregistered:
        return draw(strat.register_prover(state))
    return ops.RegisterProver(draw(strat.pick(unregistered)), draw(strat.pick(strat.ACCOUNTS)), draw(st.integers(1, 12)))


def _on_a_live_task(build, otherwise):
    """A strategy: `build(state, ask)` for a drawn task still before its deadline; `otherwise(state)` if none."""
    @st.composite
    def strategy(draw, state: spec.State):
        tasks = _live_tasks(state)
        if not tasks:
            return draw(otherwise(state))
        return build(state, state.asks[draw(st.sampled_from(tasks))])
    return strategy


def _invalid_inputs(state: spec.State, ask) -> ops.SubmitInvalidInputs:
    secret = strat.SECRET_OF_KEY[state.markets[ask.market_id].engine_key]
    signature = sign(secret, invalid_inputs_message(ask.market_id, ask.id, ask.assignment.prover))
    return ops.SubmitInvalidInputs(ask.assignment.prover, ask.id, signature)


# The assigned prover, on a task still before its deadline: discards it, proves it, or submits the engine's
# statement that its inputs are invalid.
discard = _on_a_live_task(lambda state, ask: ops.DiscardTask(ask.assignment.prover, ask.id), strat.discard_task)
valid_proof = _on_a_live_task(lambda state, ask: ops.SubmitProof(ask.assignment.prover, ask.id, stand_in_proof(ask.public_inputs)),
                              strat.submit_proof)
invalid_inputs_statement = _on_a_live_task(_invalid_inputs, strat.submit_invalid_inputs)


@st.composite
def cancel_open_ask(draw, state: spec.State):
    """The requester cancels one of its unassigned asks, if there is one."""
    open_asks = sorted((a.requester, a.id) for a in state.asks.values() if a.state == AskState.UNASSIGNED)
    if not open_asks:
        return draw(strat.cancel_ask(state))
    return ops.CancelAsk(*draw(st.sampled_from(open_asks)))


DIRECTED = {
    ("assign_task", "accepted"): signed_assignment,
    ("advance_time", "rejected"): backwards,
    ("withdraw_stake", "accepted"): pending_withdrawal,
    ("join_market", "accepted"): new_membership,
    ("register_prover", "accepted"): new_prover,
    ("discard_task", "accepted"): discard,
    ("submit_invalid_inputs", "accepted"): invalid_inputs_statement,
    ("submit_proof", "accepted"): valid_proof,
    ("cancel_ask", "accepted"): cancel_open_ask,
}


def _agree(name: str, want: str, examples: int, bounds: Bounds, configs=strat.configs()) -> Counter:
    outcomes = Counter()

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(scenarios(name, want, configs))
    def check(case):
        state, op = case
        error, post = evaluate(state, op, UNIVERSE, bounds)
        try:
            expected, _ = spec.apply(state, op)
            expected_error = None
        except SpecError as exc:
            expected, expected_error = state, type(exc)
        assert error is expected_error, f"{op}: encoding says {error and error.code}, spec {expected_error and expected_error.code}"
        assert post == abstract_state(expected, UNIVERSE, bounds), f"{op}: post-states differ"
        outcomes["accepted" if error is None else "rejected"] += 1

    check()
    assert sum(outcomes.values()) >= examples
    return outcomes


@pytest.mark.parametrize("want", ("accepted", "rejected"))
@pytest.mark.parametrize("name", OPERATION_NAMES)
def test_encoding_agrees_with_spec(name, want):
    outcomes = _agree(name, want, EXAMPLES_PER_CASE, BOUNDS)
    assert outcomes[want], f"{name}: {dict(outcomes)}"


@pytest.mark.parametrize("name", OPERATION_NAMES)
def test_encoding_agrees_with_spec_on_two_stake_tokens(name):
    configs = strat.configs().map(lambda c: attrs.evolve(c, stake_tokens=TWO_STAKE_TOKENS))
    outcomes = _agree(name, "accepted", 8, attrs.evolve(BOUNDS, stake_tokens=2), configs)
    assert outcomes["accepted"], f"{name}: {dict(outcomes)}"


def test_default_run_has_500_examples():
    assert EXAMPLES_PER_CASE * len(OPERATION_NAMES) * 2 >= 500


def test_a_withdrawal_is_built_where_none_is_ready():
    """From a state with stake and no request, `room_for_a_withdrawal` reaches one the spec accepts."""
    state = spec.genesis(spec.Config())
    prover, token = strat.PROVERS[0], state.config.stake_tokens[0]
    for op in (ops.Mint(prover, token, 1_000), ops.RegisterProver(prover, prover, 10), ops.DepositStake(prover, token, 500)):
        state, _ = spec.apply(state, op)
    assert not _ready_withdrawals(state)
    built = room_for_a_withdrawal(state)
    assert _ready_withdrawals(built) == [ops.WithdrawStake(prover, token)]
    spec.apply(built, ops.WithdrawStake(prover, token))
