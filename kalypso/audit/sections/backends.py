"""Fast backends: each MSM/NTT backend of `reference.fast.get_backend` other than the reference one,
diffed against the reference backend on seeded random inputs (a backend that cannot run here,
e.g. GPU without CUDA, is reported not available with its reason)."""
from __future__ import annotations

import random
import time

from kalypso.audit.model import Check, SectionOutput, Status, section

AREA = "Fast MSM / NTT backends"


def differential(reference, backend, msm_size: int, log_ntt: int, seed: int) -> list[str]:
    """Where `backend` differs from `reference` on seeded inputs (empty: it agrees)."""
    from py_ecc.optimized_bn128 import G1, G2, eq, multiply

    from reference.zk.field import R

    rng = random.Random(f"{seed}/backends")
    problems = []
    scalars = [rng.randrange(R) for _ in range(msm_size)]
    scalars[:2] = [0, R - 1][: len(scalars[:2])]
    g1 = [multiply(G1, rng.randrange(1, R)) for _ in range(msm_size)]
    if not eq(backend.msm_g1(g1, scalars), reference.msm_g1(g1, scalars)):
        problems.append(f"msm_g1 differs at n={msm_size}")
    g2 = [multiply(G2, rng.randrange(1, R)) for _ in range(max(1, msm_size // 16))]
    if not eq(backend.msm_g2(g2, scalars[: len(g2)]), reference.msm_g2(g2, scalars[: len(g2)])):
        problems.append(f"msm_g2 differs at n={len(g2)}")
    values = [rng.randrange(R) for _ in range(2**log_ntt)]
    shift = rng.randrange(2, R)
    for name, args in (("ntt", (values,)), ("intt", (values,)), ("coset_ntt", (values, shift)), ("coset_intt", (values, shift))):
        if list(getattr(backend, name)(*args)) != list(getattr(reference, name)(*args)):
            problems.append(f"{name} differs at n=2^{log_ntt}")
    return problems


@section("backends", AREA, cost=3, budgets={
    "quick": {"msm": 16, "log_ntt": 6},
    "default": {"msm": 256, "log_ntt": 12},
    "thorough": {"msm": 2048, "log_ntt": 16},
})
def backends(ctx) -> SectionOutput:
    from reference.fast import BACKEND_NAMES, get_backend
    from reference.zk.backend import BackendUnavailable

    names = [n for n in BACKEND_NAMES if n != "reference"]
    reference = get_backend("reference")
    checks = []
    for i, name in enumerate(names):
        ctx.progress(f"{name} vs reference", completed=i, total=len(names))
        label = f"{name}: MSM (G1, G2), NTT, inverse and coset NTT equal the reference"
        start = time.perf_counter()
        try:
            backend = get_backend(name)
        except BackendUnavailable as why:
            checks.append(Check(label, Status.NOT_AVAILABLE, detail=str(why)))
            continue
        problems = differential(reference, backend, ctx.budget["msm"], ctx.budget["log_ntt"], ctx.seed)
        checks.append(Check(label, Status.FAIL if problems else Status.PASS, count=ctx.budget["msm"],
                            seconds=time.perf_counter() - start, seed=ctx.seed,
                            detail=f"MSM n={ctx.budget['msm']}, NTT n=2^{ctx.budget['log_ntt']}",
                            trace="\n".join(problems) or None))
    ctx.progress("done", completed=len(names), total=len(names))
    return SectionOutput(checks=tuple(checks))
