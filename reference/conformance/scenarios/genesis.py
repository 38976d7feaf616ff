"""The recording half of a genesis-based scenario world (the deployed forks): every case is built
from genesis by operations, so it replays on the contracts. `do(op, expect)` applies and records a
step and fails loudly when the outcome is not the one the scenario is written to show; `case`
writes the vector with the fork's on-chain projection as its post-state."""
from __future__ import annotations

from typing import Callable, ClassVar

from spec.codec import encode_event
from spec.errors import SpecError
from spec.forks import get_fork


class ScenarioError(AssertionError):
    """A step did not end the way the scenario says."""


class GenesisRecorder:
    """Mixed into a fork's attrs `World` (fields `config`, `env`, `state`, `steps`), which names its
    `FORK` and that fork's `encode_config`."""

    FORK: ClassVar[str]
    encode_config: ClassVar[Callable]

    def __attrs_post_init__(self):
        if self.state is None:
            self.state = get_fork(self.FORK).genesis(self.config)

    def do(self, op, expect: str = "ok") -> list:
        """Apply `op` (an operation or its raw JSON), record the step; its outcome must be `expect`."""
        fork = get_fork(self.FORK)
        data = op if isinstance(op, dict) else fork.encode_op(op)
        try:
            self.state, events = fork.apply(self.state, fork.decode_op(data), self.env)
            outcome, result = "ok", {"ok": True, "events": [encode_event(e) for e in events]}
        except SpecError as error:
            outcome, result, events = error.code, {"ok": False, "error_code": error.code}, []
        self.steps.append({**data, "expect": result})
        if outcome != expect:
            raise ScenarioError(f"{data['op']}: expected {expect}, got {outcome}")
        return events

    def case(self, description: str, spec_version: str) -> dict:
        return {
            "format_version": 1,
            "spec_version": spec_version,
            "fork": self.FORK,
            "description": description,
            "genesis": {"config": type(self).encode_config(self.config)},
            "operations": list(self.steps),
            "post_state": get_fork(self.FORK).view(self.state),
        }
