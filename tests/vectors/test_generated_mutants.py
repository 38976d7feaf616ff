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


def test_the_generator_covers_every_module_of_spec():
    """Every .py file under spec/ (found on disk, not through the generator) is a module of the
    generator, and every one with a mutation point has mutants: functions, methods and module-level
    code alike."""
    from reference.conformance.generated import ALL_MODULES, DEFAULT_MODULES, TOPLEVEL

    root = Path(__file__).resolve().parents[2]
    on_disk = {".".join(p.relative_to(root).with_suffix("").parts).removesuffix(".__init__") for p in (root / "spec").rglob("*.py")}
    assert set(ALL_MODULES) == on_disk and set(DEFAULT_MODULES) == on_disk
    every = generated_mutants()
    mutated = {m.module for m in every}
    assert {"spec.codec", "spec.wellformed", "spec.jsonsafe", "spec.matching.auction", "spec.deployed_native.tasks",
            "spec.deployed_restaking.bids", "spec.restaking_state"} <= mutated
    units = {m.function for m in every}
    assert TOPLEVEL in units and any("." in u for u in units), "methods and module-level code are mutated"


def test_the_fast_suite_kills_a_mutant_of_every_family():
    """One mutant per family, each judged by its own suite: design vectors, the wire format, a
    deployed fork's own vectors, the matching tests; a method and a module-level constant too."""
    from reference.conformance.fastsuite import judge_mutants

    names = ["gen:spec.slashing:slash_task:1", "gen:spec.codec:_int:0", "gen:spec.deployed_native.tasks:process_submit_proof:0",
             "gen:spec.deployed_restaking.bids:process_submit_proof:0", "gen:spec.restaking_state:Snapshot.complete:0", "gen:spec.restaking_state:<toplevel>:16"]
    mutants = [find(n) for n in names]
    assert all(m is not None and m.kind == "behaviour" for m in mutants), names
    report = judge_mutants(mutants, jobs=1, cache=None, check_baseline=False)
    assert [r.status for r in report.results] == ["killed"] * len(names), [(r.name, r.status) for r in report.results]
    assert report.results[2].killed_by.startswith("deployed_native/")
    assert report.results[3].killed_by.startswith("deployed_restaking/")


def test_a_module_level_mutant_is_imported_mutated():
    """A module-level constant is part of the mutant: the whole module is recompiled with the change."""
    from reference.conformance.generated import TOPLEVEL, mutated_module

    m = next(m for m in generated_mutants(("spec.deployed_native.uint",)) if m.function == TOPLEVEL)
    module, code = mutated_module(m.name)
    namespace: dict = {"__name__": module}
    exec(code, namespace)
    import spec.deployed_native.uint as original

    changed = [k for k, v in namespace.items() if isinstance(v, int) and getattr(original, k, v) != v]
    assert changed, m.description


def test_new_edge_vectors_kill_their_mutants():
    """A few of the mutants the edge scenarios were written for (vault chain, snapshots, bridge
    bound, a validator captured by an attrs class) are killed."""
    names = ["gen:spec.restaking:slash_vault:6", "gen:spec.restaked_stake:encumbered:7", "gen:spec.bridge:process_reorder_messages:2",
             "gen:spec.operations:_int:0"]
    report = mutation_score(names, VECTORS, jobs=1, check_baseline=False)
    assert [r.status for r in report.results] == ["killed"] * len(names), [(r.name, r.status) for r in report.results]


def test_closure_factories_and_forks_test_modules_see_the_mutant():
    """Two ways a mutant once hid from its killers: a unit that makes closures at import
    (operations._same_length, whose checks attrs holds) must be imported mutated, not swapped; and a
    module-level mutant must reach tests/forks modules (imported as `forks.*`) that import spec at
    module level (test_deployed_restaking_l1veto)."""
    from reference.conformance.fastsuite import judge_mutants

    names = ["gen:spec.deployed_restaking.operations:_same_length:1", "gen:spec.deployed_restaking.l1veto:<toplevel>:1"]
    report = judge_mutants([find(n) for n in names], jobs=1, cache=None, check_baseline=False)
    assert [r.status for r in report.results] == ["killed", "killed"], [(r.name, r.status) for r in report.results]
    assert report.results[1].killed_by.startswith("tests/forks/test_deployed_restaking_l1veto.py")


def test_a_default_argument_s_mutant_reaches_a_function_imported_before_the_swap():
    """A mutant of a default value (sealed_bid_auction's seed 0 -> 1) once hid from tests that had
    imported the function: the swap gave the original its mutated code but kept its defaults."""
    import subprocess
    import sys

    code = ("from spec.matching import sealed_bid_auction as f\n"
            "from reference.conformance.mutants import install\n"
            "install('gen:spec.matching.auction:sealed_bid_auction:0')\n"
            "print(f.__defaults__[0])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "1", out.stderr[-2000:]


def test_the_vectors_own_score_leaves_the_tests_out():
    """`vectors_only` judges with the vectors alone: a vector kills a restaking mutant; a matching
    mutant (the engine's rules, no vectors) that the tests kill survives."""
    from reference.conformance.fastsuite import judge_mutants

    names = ["gen:spec.restaking:slash_vault:6", "gen:spec.matching.auction:sealed_bid_auction:0"]
    report = judge_mutants([find(n) for n in names], jobs=1, cache=None, check_baseline=False, vectors_only=True)
    assert [r.status for r in report.results] == ["killed", "survived"], [(r.name, r.status) for r in report.results]
    assert report.results[0].killed_by.split("/")[0] in ("design", "deployed_native", "deployed_restaking")
    from reference.conformance.generated_report import render_vectors_only_markdown

    text = render_vectors_only_markdown(report, [find(n) for n in names], "cmd")
    assert "**The vectors alone kill 1 of 2 behavioural mutants = 50.0%.**" in text
    assert "| `spec.restaking` | 1 | 0 | 100% |" in text and "| `spec.matching.auction` | 0 | 1 | 0% |" in text
