"""Write the deployed_native vectors: one case per scenario, byte-identically
(`vectors/deployed_native/<module>/<operation>/<name>.json`)."""
from __future__ import annotations

import shutil
from pathlib import Path

from reference.conformance.cases import VECTORS_ROOT, spec_version, write_json
from reference.conformance.scenarios.base import Scenario
from reference.conformance.scenarios.deployed_native import SCENARIOS
from spec.deployed_native.operations import OPERATIONS
from spec.deployed_native.transition import PROCESSORS

FORK_DIR = VECTORS_ROOT / "deployed_native"


def module_of(operation: str) -> str:
    processor = PROCESSORS.get(OPERATIONS.get(operation))
    return "transition" if processor is None else processor.__module__.rsplit(".", 1)[-1]


def case_of(s: Scenario) -> dict:
    """Run the scenario (its own assertions included) and return its case."""
    return s.build().case(s.description, spec_version())


def case_path(root: Path, s: Scenario) -> Path:
    return root / module_of(s.operation) / s.operation / f"{s.name}.json"


def generate(root: Path = FORK_DIR) -> int:
    """Rewrite every case under `root` (the findings directory is left alone); returns the count."""
    root = Path(root)
    for child in root.iterdir() if root.exists() else ():
        if child.is_dir() and child.name != "findings":
            shutil.rmtree(child)
    for s in SCENARIOS:
        write_json(case_path(root, s), case_of(s))
    return len(SCENARIOS)
