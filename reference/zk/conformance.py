"""Backend conformance: replay vectors/zk/msm.json and ntt.json through any ``Backend``.

``backend_mismatches(backend)`` returns one line per case where the backend's answer differs
from the committed vector (empty list: conformant). Every backend must pass it bit for bit.
"""
from __future__ import annotations

import json
from pathlib import Path

from reference.zk.backend import Backend
from reference.zk.curve import g1_from_affine, g1_to_affine, g2_from_affine, g2_to_affine
from reference.zk.vectors import DEFAULT_OUTDIR


def _ints(values) -> list[int]:
    return [int(v) for v in values]


def backend_mismatches(backend: Backend, vectors_dir: Path | str = DEFAULT_OUTDIR) -> list[str]:
    """Cases of msm.json and ntt.json on which ``backend`` disagrees with the vectors."""
    vectors_dir = Path(vectors_dir)
    out = []
    for i, case in enumerate(json.loads((vectors_dir / "ntt.json").read_text())["cases"]):
        fn = getattr(backend, case["op"])
        args = [_ints(case["input"])] + ([int(case["shift"])] if "shift" in case else [])
        try:
            got = [int(v) for v in fn(*args)]
        except Exception as exc:  # a backend failure is a mismatch to report, not a crash
            out.append(f"ntt.json case {i} ({case['op']}, n={len(args[0])}): raised {type(exc).__name__}: {exc}")
            continue
        if got != _ints(case["expected"]):
            out.append(f"ntt.json case {i} ({case['op']}, n={len(args[0])}): wrong result")
    for i, case in enumerate(json.loads((vectors_dir / "msm.json").read_text())["cases"]):
        scalars = _ints(case["scalars"])
        if case["group"] == "g1":
            points = [g1_from_affine(*_ints(p)) for p in case["points"]]
            call, encode = backend.msm_g1, lambda p: [str(v) for v in g1_to_affine(p)]
        else:
            points = [g2_from_affine(tuple(_ints(p[0])), tuple(_ints(p[1])), subgroup=False) for p in case["points"]]
            call, encode = backend.msm_g2, lambda p: [[str(v) for v in c] for c in g2_to_affine(p)]
        try:
            got = encode(call(points, scalars))
        except Exception as exc:  # a backend failure is a mismatch to report, not a crash
            out.append(f"msm.json case {i} ({case['group']}, {case['label']}): raised {type(exc).__name__}: {exc}")
            continue
        if got != case["expected"]:
            out.append(f"msm.json case {i} ({case['group']}, {case['label']}): wrong result")
    return out
