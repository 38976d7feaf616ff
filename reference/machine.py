"""The machine a report or benchmark ran on: CPU count and model, Python, load, commit, date.

One home for the description every report states (the audit report, docs/benchmarks.md and each
bench section), so that figures always come with the machine they were measured on.
"""
from __future__ import annotations

import os
import platform
import subprocess
from datetime import datetime, timezone
from pathlib import Path


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo where there is one)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> tuple[float, float, float]:
    """The 1-, 5- and 15-minute load averages (NaN where the platform has none)."""
    return os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3


def git_commit() -> str:
    """The short hash of the checked-out commit, or "unknown" outside a git checkout."""
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def describe() -> str:
    """One line for a benchmark: CPU count and model, Python, the load averages at the start."""
    load = " / ".join(f"{x:.1f}" for x in load_average())
    return f"{os.cpu_count()} CPUs ({cpu_model()}), Python {platform.python_version()}, load average at start {load}"


def machine() -> dict[str, str]:
    """date (UTC), cpus, cpu, python and commit, as strings for a report header."""
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": str(os.cpu_count()),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "commit": git_commit(),
    }
