"""Scenarios of `spec.restaked_stake`: restaking parameters and resent slash requests."""
from __future__ import annotations

from properties.fixtures import CAROL, GOVERNOR, MALLORY, RESTAKING_ARGS, restaking_config
from properties.world import World, assigned_task, restaked_market, restaked_task, slash_requested
from reference.conformance.scenarios.design.common import RESTAKED, assign
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


@scenario("set_restaking_parameters", "KEY_SAFETY_RULE", requires=RESTAKED + ("slash_missed_deadline",))
def set_restaking_parameters_break_unresolved_slash():
    """A slashed task's request may still be on the bridge (its backing is released): a bridge bound
    under which its delivery would clear the veto window too late is refused (1200 + 1 + 600 + 200 > 2000)."""
    return slash_requested().state, [_set_parameters(bridge_delay_max=600)]


@scenario("set_restaking_parameters", requires=RESTAKED + ("slash_missed_deadline",))
def set_restaking_parameters_unresolved_slash_at_its_bound():
    """The same with the bound at the rule's equality (1200 + 1 + 599 + 200 = 2000): accepted."""
    return slash_requested().state, [_set_parameters(bridge_delay_max=599)]


@scenario("assign_task", "KEY_SAFETY_RULE", requires=RESTAKED + ("set_restaking_parameters",))
def assign_task_restaked_rule_after_veto_bound_lowered():
    """The escape through a parameter change, refused: the snapshot of 1000 holds vault v1 (epoch
    1000, veto 200); the governor lowers the accepted veto window to 100. A deadline of 1700 meets
    the rule under the new bound (1700 + 1 + 150 + 100 <= 2000) but not under the bounds the
    snapshot was sent under (1700 + 1 + 150 + 200 > 2000): its slash would clear v1's veto window
    after the stake stopped being slashable."""
    w = restaked_market()
    w.ask(proof_time=600)
    return w.state, [_set_parameters(veto_duration=100), assign()]


@scenario("assign_task", "KEY_SAFETY_RULE", requires=RESTAKED + ("set_restaking_parameters",))
def assign_task_restaked_rule_after_epoch_bound_raised():
    """The same escape through a longer accepted epoch (1300): v1 still holds stake captured at 1000
    slashable only until 2000, so the snapshot's bound (epoch 1000) decides, not the new one."""
    w = restaked_market()
    w.ask(proof_time=600)
    return w.state, [_set_parameters(epoch_duration=1_300), assign()]


@scenario("assign_task", requires=RESTAKED + ("set_restaking_parameters",))
def assign_task_restaked_rule_after_parameter_change_at_its_bound():
    """After the veto bound is lowered, the snapshot still backs a deadline at its own bound:
    1649 + 1 + 150 + 200 = 1000 + 1000."""
    w = restaked_market()
    w.ask(proof_time=549)
    return w.state, [_set_parameters(veto_duration=100), assign()]


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
