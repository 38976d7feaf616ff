"""One mutant in its own process (a mutant patches the spec in place, so it never runs in a
campaign worker): `python -m reference.campaign.mutant_process --source S --mutant NAME adapter`
serves the mutated spec as a conformance adapter; `... traces --count N --steps K --seed X`
prints, as one JSON line, the first invariant violation on the seeded random traces run on the
mutated spec, or null."""
from __future__ import annotations

import argparse
import json
import sys


def check_traces(count: int, steps: int, seed: int):
    """The first violation of a design invariant (properties.invariants) on the random traces, or
    None; a spec that raises anything but a SpecError (a mutant can make it crash) is a violation too."""
    import spec
    from properties.invariants import atomicity, snapshot, state_violations, transition_violations
    from reference.conformance.traces import random_traces
    from spec.errors import SpecError

    try:
        traces = random_traces(count, steps, seed)  # drawn on the mutated spec
    except Exception as exc:  # noqa: BLE001 - the mutated spec crashed while the traces were drawn
        return f"the spec crashed while the traces were drawn: {type(exc).__name__}: {exc}"[:400]
    for t, (pre, operations) in enumerate(traces):
        state = pre
        for s, op in enumerate(operations):
            before = snapshot(state)
            try:
                post, events = spec.apply(state, op)
            except SpecError:
                found = atomicity(before, state)
            except Exception as exc:  # noqa: BLE001 - the mutated spec crashed: that is what this check reports
                found = [f"the spec crashed: {type(exc).__name__}: {exc}"]
            else:
                found = transition_violations(state, op, post, events) + state_violations(post)
                state = post
            if found:
                return f"trace {t} step {s} ({op.name}): {found[0]}"[:400]
    return None


def main(argv=None) -> int:
    from reference.campaign.mutants import MUTANT_SOURCES

    parser = argparse.ArgumentParser(prog="python -m reference.campaign.mutant_process")
    parser.add_argument("--source", required=True, choices=sorted(MUTANT_SOURCES))
    parser.add_argument("--mutant", required=True)
    parser.add_argument("check", choices=("adapter", "traces"))
    parser.add_argument("--count", type=int, default=4)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    mutants = MUTANT_SOURCES[args.source]()
    if args.mutant not in mutants:
        print(f"--mutant: no mutant {args.mutant!r} in source {args.source}", file=sys.stderr)
        return 2
    try:
        mutants[args.mutant].install()
    except Exception as exc:  # a stale mutant: its edit no longer applies to the spec
        print(f"stale mutant: {exc}", file=sys.stderr)
        return 3
    if args.check == "adapter":
        import spec.adapter

        spec.adapter.serve()
        return 0
    print(json.dumps({"violation": check_traces(args.count, args.steps, args.seed)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
