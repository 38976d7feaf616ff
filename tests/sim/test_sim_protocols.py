"""The market simulator: every protocol runs through the spec, deterministically, and each
protocol's mechanism shows in what it measures."""
import pytest

from properties import invariants
from reference.sim import PROTOCOLS, Scenario, ScenarioError, Simulation, simulate
from reference.sim.metrics import percentile
from spec.types import AskState

SMALL = dict(asks=60, provers=9)


def checked_run(scenario):
    failures = []

    def observe(pre, op, post, events):
        failures.extend(invariants.transition_violations(pre, op, post, events))

    sim = Simulation(scenario, observer=observe)
    result = sim.run()
    return sim, result, failures + invariants.state_violations(sim.chain.state)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_every_action_is_accepted_by_the_spec_and_keeps_the_invariants(protocol):
    sim, result, violations = checked_run(Scenario(protocol=protocol, coalition=0.25, **SMALL))
    assert violations == []
    assert result.spec_rejections == 0, result.rejections
    assert result.asks == 60 and result.completed > 30
    assert all(sim.chain.state.asks[i].state not in (AskState.UNASSIGNED, AskState.ASSIGNED) for i in sim.records)
    assert result.completed + result.expired + result.slashed == result.asks


def test_same_seed_same_result_and_seed_matters():
    scenario = Scenario(protocol="orderbook", **SMALL)
    assert simulate(scenario) == simulate(scenario)
    assert simulate(scenario) != simulate(Scenario(protocol="orderbook", seed=2, **SMALL))


def test_race_pays_max_price_and_wastes_the_losers_work():
    race = simulate(Scenario(protocol="proof_race", **SMALL))
    book = simulate(Scenario(protocol="orderbook", **SMALL))
    assert race.price_ratio == 1.0
    assert book.price_ratio < 1.0
    assert race.wasted > 0.3 > book.wasted


def test_auction_delays_matching_by_its_window_and_orderbook_matches_on_arrival():
    auction = simulate(Scenario(protocol="sealed_bid_auction", auction_window=10, **SMALL))
    book = simulate(Scenario(protocol="orderbook", **SMALL))
    assert auction.mean_match_delay >= 10
    assert book.mean_match_delay < auction.mean_match_delay


def test_auction_pays_the_second_lowest_bid_within_max_price():
    sim = Simulation(Scenario(protocol="sealed_bid_auction", **SMALL))
    sim.run()
    done = [r for r in sim.records.values() if r.outcome == AskState.COMPLETE]
    assert done
    for record in done:
        winner_cost = sim.agents[record.prover].profile.cost(sim.scenario.work)
        assert winner_cost <= record.price <= record.plan.max_price


def test_orderbook_assigns_what_spec_matching_ranks_first_on_the_engine_view():
    from reference.sim.protocols import engine_view
    from spec.matching.orderbook import best_quote

    sim = Simulation(Scenario(protocol="orderbook", **SMALL))
    market = sim.market_ids[0]
    matching = sim.matching[market]
    matching.on_arrival = lambda ask_id: None
    sim.now = sim.plans[0].time
    sim.chain.advance_to(sim.now)
    sim._arrive(0)
    expected = best_quote(engine_view(sim, market), sim.chain.state.asks[0], sim.scenario.seed)
    assert expected is not None
    assert matching.try_match(0)
    assert (sim.records[0].prover, sim.records[0].price) == (expected.prover, expected.price)
    assert sim.chain.state.asks[0].assignment.prover == expected.prover


def test_a_coalition_censors_round_robin_but_not_a_race():
    rr = [simulate(Scenario(protocol="round_robin", coalition=c, **SMALL)) for c in (0.0, 0.5)]
    race = simulate(Scenario(protocol="proof_race", coalition=0.5, **SMALL))
    assert rr[1].censored > rr[0].censored
    assert rr[1].coalition_slashed > 0
    assert race.censored < rr[1].censored and race.coalition_slashed == 0


def test_auto_cancel_reposts_quotes_and_split_capacity_registers_two_identities():
    common = dict(protocol="orderbook", markets=2, burst_period=300, slot_choices=(2, 4), **SMALL)
    pooled = Simulation(Scenario(pooled=True, **common))
    split = Simulation(Scenario(pooled=False, **common))
    assert len(pooled.agents) == 9 and len(split.agents) == 18
    assert pooled.run().requotes > 0
    assert split.run().requotes == 0


@pytest.mark.parametrize("field, value", [("protocol", "lottery"), ("coalition", 1.0), ("load", 0.0),
                                          ("markets", 3), ("race_width", 0), ("dutch_floor", 1.0),
                                          ("auction_window", 1), ("dutch_duration", 0), ("requesters", 0),
                                          ("asks", 0), ("provers", 0)])
def test_bad_parameters_are_named(field, value):
    with pytest.raises(ScenarioError) as error:
        Simulation(Scenario(**{field: value}))
    assert error.value.field == field


def test_split_capacity_needs_even_slots():
    with pytest.raises(ScenarioError, match="slot_choices"):
        Simulation(Scenario(markets=2, pooled=False, slot_choices=(1, 2)))


def test_percentile_is_nearest_rank():
    assert percentile([], 99) == 0.0
    assert percentile(list(range(1, 101)), 99) == 99.0
    assert percentile([5, 1, 3], 50) == 3.0
