"""Scenarios of `spec.clock`: advancing time."""
from __future__ import annotations

from properties.world import World
from reference.conformance.scenarios.design.registry import scenario
from spec import operations as ops


@scenario("advance_time", check=lambda pre, post: post.time == pre.time + 3_600)
def advance_time_one_second():
    """The clock moves forward by the given seconds."""
    return World().state, [ops.AdvanceTime(1), ops.AdvanceTime(3_599)]


@scenario("advance_time", "INVALID_TIME_STEP")
def advance_time_zero():
    """Time only moves forward."""
    return World().state, [ops.AdvanceTime(0)]


@scenario("advance_time", "INVALID_TIME_STEP")
def advance_time_backwards():
    """Time never moves back."""
    return World().state, [ops.AdvanceTime(-1)]
