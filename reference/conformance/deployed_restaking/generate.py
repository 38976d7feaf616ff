"""Write the deployed_restaking vectors: one case per scenario, byte-identically
(`vectors/deployed_restaking/<module>/<operation>/<name>.json`)."""
from __future__ import annotations

import shutil
from pathlib import Path

from reference.conformance.cases import VECTORS_ROOT, spec_version, write_json
from reference.conformance.scenarios.base import Scenario
from reference.conformance.scenarios.deployed_restaking import SCENARIOS
from spec.deployed_restaking.operations import OPERATIONS
from spec.deployed_restaking.transition import PROCESSORS

FORK_DIR = VECTORS_ROOT / "deployed_restaking"


def module_of(operation: str) -> str:
    processor = PROCESSORS.get(OPERATIONS.get(operation))
    module = processor.__module__.rsplit(".", 1)[-1] if processor else "transition"
    return "tokens" if module == "tokens" else module


def case_path(root: Path, s: Scenario) -> Path:
    return root / module_of(s.operation) / s.operation / f"{s.name}.json"


def generate(root: Path = FORK_DIR) -> int:
    """Rewrite every case under `root` (the findings directory is left alone); returns the count."""
    root = Path(root)
    for child in root.iterdir() if root.exists() else ():
        if child.is_dir() and child.name != "findings":
            shutil.rmtree(child)
    for s in SCENARIOS:
        write_json(case_path(root, s), s.build().case(s.description, spec_version()))
    return len(SCENARIOS)


if __name__ == "__main__":
    print(generate(), "cases")
