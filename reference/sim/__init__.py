"""Market simulator: a discrete-event simulation of requesters and heterogeneous provers under
each matching protocol, every protocol action applied through `spec.apply`."""
from reference.sim.agents import ProverProfile, ScenarioError, make_provers
from reference.sim.metrics import RunResult
from reference.sim.simulation import PROTOCOLS, Scenario, Simulation


def simulate(scenario: Scenario, observer=None) -> RunResult:
    """Run one scenario to completion (every ask terminal) and summarise it."""
    return Simulation(scenario, observer=observer).run()


__all__ = ["PROTOCOLS", "ProverProfile", "RunResult", "Scenario", "ScenarioError", "Simulation", "make_provers", "simulate"]
