"""Scenarios of `spec.restaked_stake`: restaking parameters and resent slash requests."""
from __future__ import annotations

from properties.fixtures import CAROL, GOVERNOR, MALLORY, RESTAKING_ARGS, restaking_config
from properties.world import World, assigned_task, restaked_task, slash_requested
from reference.conformance.scenarios.design.common import RESTAKED
from reference.conformance.scenarios.design.registry import scenario
from spec import operations as ops


def _set_parameters(sender=GOVERNOR, **params):
    """SetRestakingParameters of `RESTAKING_ARGS`, fields overridden by `params`."""
    return ops.SetRestakingParameters(sender, **{**RESTAKING_ARGS, **params})


@scenario("set_restaking_parameters")
def set_restaking_parameters_ok():
    """The governor replaces the restaking parameters."""
    return World(restaking_config()).state, [_set_parameters(epoch_duration=2_000, offset=0, veto_duration=0)]


@scenario("set_restaking_parameters", requires=RESTAKED)
def set_restaking_parameters_rule_at_its_bound():
    """New parameters are accepted if every restaked task in flight still meets the key safety rule,
    here with equality: deadline 1200 + 1 + 599 + 200 = capture 1000 + 1000."""
    return restaked_task().state, [_set_parameters(bridge_delay_max=599)]


@scenario("set_restaking_parameters", "KEY_SAFETY_RULE", requires=RESTAKED)
def set_restaking_parameters_break_task_in_flight():
    """Parameters under which a restaked task in flight would break the key safety rule are refused."""
    return restaked_task().state, [_set_parameters(bridge_delay_max=600)]


@scenario("set_restaking_parameters", "KEY_SAFETY_RULE")
def set_restaking_parameters_no_room():
    """Parameters that leave no proof time restaked stake could back are refused."""
    return World(restaking_config()).state, [_set_parameters(epoch_duration=401)]


@scenario("set_restaking_parameters", "NOT_GOVERNOR")
def set_restaking_parameters_not_governor():
    """Only the governor sets restaking parameters."""
    return World(restaking_config()).state, [_set_parameters(sender=MALLORY)]


@scenario("set_restaking_parameters", "INVALID_RESTAKING_PARAMETER")
def set_restaking_parameters_zero_epoch():
    """Epoch length is > 0."""
    return World(restaking_config()).state, [_set_parameters(epoch_length=0)]


@scenario("set_restaking_parameters", "INVALID_RESTAKING_PARAMETER")
def set_restaking_parameters_negative_offset():
    """The confirmation offset is >= 0."""
    return World(restaking_config()).state, [_set_parameters(offset=-1)]


@scenario("resend_slash_request", requires=RESTAKED + ("drop_message",))
def resend_slash_request_after_drop():
    """Anyone sends an unresolved slash request again (e.g. after the bridge lost it)."""
    w = slash_requested()
    w.do(ops.DropMessage(w.message()))
    return w.state, [ops.ResendSlashRequest(CAROL, 0), ops.DeliverMessage(w.message() + 1)]


@scenario("resend_slash_request", "NO_RESTAKED_SLASH")
def resend_slash_request_native_task():
    """A task backed only by native stake has no restaked slash to resend."""
    w = assigned_task(restaking_config())
    w.wait_until(w.deadline() + 1)
    return w.do(ops.SlashMissedDeadline(MALLORY, 0)).state, [ops.ResendSlashRequest(CAROL, 0)]
