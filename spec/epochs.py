"""Epochs: time divided into fixed-length epochs counted from a start time.

The protocol's epochs start at time 0 and last `Config.restaking.epoch_length`; a vault's start
at its creation and last its `epoch_duration`.
"""
from __future__ import annotations

from spec.containers import State


def epoch_at(time: int, start: int, length: int) -> int:
    """The index of the epoch holding `time` (epoch 0 is [start, start + length))."""
    return (time - start) // length


def epoch_start(epoch: int, start: int, length: int) -> int:
    return start + epoch * length


def protocol_epoch(state: State) -> int:
    """The protocol's current epoch on the market chain."""
    return epoch_at(state.time, 0, state.config.restaking.epoch_length)


def is_epoch_start(time: int, length: int) -> bool:
    """Snapshots are captured at the start of a protocol epoch."""
    return time % length == 0
