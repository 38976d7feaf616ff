"""The AST mutator over spec/: deterministic names, mutants rebuilt from their names, every
mutant compiles, message-only mutants are classified apart; two known mutants behave as the
vectors say (one killed, one killed by the vector added for it)."""
from pathlib import Path

from reference.conformance.generated import find, generated_mutants, sample
from reference.conformance.mutation import mutation_score

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "design"


def test_generated_mutants_are_deterministic_and_rebuilt_from_their_names():
    first, second = generated_mutants(("spec.tasks", "spec.slashing")), generated_mutants(("spec.tasks", "spec.slashing"))
    assert [m.name for m in first] == [m.name for m in second] and len(first) > 30
    for m in sample(first, 5, 1):
        assert find(m.name).source == m.source
        compile(m.source, m.name, "exec")


def test_every_operator_kind_is_generated():
    descriptions = " ".join(m.description for m in generated_mutants())
    for change in ("Lt -> LtE", "Gt -> GtE", "Eq -> NotEq", "Add -> Sub", "And -> Or", "not dropped", "min -> max", "0 -> 1"):
        assert change in descriptions, change


def test_generated_mutants_run_behind_the_adapter():
    names = [m.name for m in generated_mutants(("spec.slashing",)) if "Gt -> GtE" in m.description][:1]
    report = mutation_score(names, VECTORS, jobs=1, check_baseline=False)
    assert [r.status for r in report.results] == ["killed"]


def test_every_equivalence_argument_names_its_mutant():
    """An argument for an equivalent mutant holds for one change: if the spec moved and the mutant
    at that name now makes another change, the argument is void (and the audit fails)."""
    from reference.conformance.generated import EQUIVALENT, stale_arguments

    every = generated_mutants()
    assert stale_arguments(every) == []
    argued = [m for m in every if m.kind == "equivalent"]
    assert len(argued) == len(EQUIVALENT) and all(m.reason for m in argued)


def test_the_generator_covers_every_module_spec_apply_runs():
    """Every spec module with a function that runs under `spec.apply` while the design scenarios
    replay is mutated (methods of containers aside: the generator mutates module functions)."""
    import sys

    import spec
    import spec.transition
    from reference.conformance.generated import DEFAULT_MODULES
    from reference.conformance.scenarios.design import SCENARIOS
    from spec.codec import decode_op
    from spec.errors import SpecError

    seen, depth, target = set(), [0], spec.transition.apply.__code__

    def profile(frame, event, arg):
        if event == "call":
            depth[0] += frame.f_code is target
            name = frame.f_globals.get("__name__", "")
            if depth[0] and name.startswith("spec.") and frame.f_code.co_name not in ("__init__", "__attrs_post_init__"):
                seen.add(name)
        elif event == "return" and frame.f_code is target:
            depth[0] -= 1

    for sc in SCENARIOS:
        if not sc.available(spec.OPERATIONS):
            continue
        state, operations = sc.build()
        sys.setprofile(profile)
        try:
            for op in operations:
                try:
                    state, _ = spec.apply(state, decode_op(op) if isinstance(op, dict) else op)
                except SpecError:
                    pass
        finally:
            sys.setprofile(None)
    methods_only = {"spec.containers", "spec.restaking_state"}
    assert "spec.restaking" in seen and "spec.signing" in seen
    assert seen - methods_only <= set(DEFAULT_MODULES), sorted(seen - methods_only - set(DEFAULT_MODULES))


def test_new_edge_vectors_kill_their_mutants():
    """A few of the mutants the edge scenarios were written for (vault chain, snapshots, bridge
    bound, a validator captured by an attrs class) are killed."""
    names = ["gen:spec.restaking:slash_vault:6", "gen:spec.restaked_stake:encumbered:7", "gen:spec.bridge:process_reorder_messages:2",
             "gen:spec.operations:_int:0"]
    report = mutation_score(names, VECTORS, jobs=1, check_baseline=False)
    assert [r.status for r in report.results] == ["killed"] * len(names), [(r.name, r.status) for r in report.results]
