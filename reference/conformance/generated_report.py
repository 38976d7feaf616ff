"""docs/mutation-generated.md: the fast suite's score on the generated mutants of all of `spec/`,
per module, the survivors, and every mutant counted apart (argued equivalent, message-only)."""
from __future__ import annotations

import collections

from reference.conformance.fastsuite import MODULE_TESTS, TESTS, suite_for
from reference.conformance.generated import ALL_MODULES


def _per_module(report, mutants: list) -> dict:
    """{module: Counter} of each mutant's kind, a behavioural one's by its status (killed, survived, not run)."""
    status = {r.name: r.status for r in report.results}
    per_module: dict = collections.defaultdict(collections.Counter)
    for m in mutants:
        per_module[m.module][m.kind if m.kind != "behaviour" else status.get(m.name, "not run")] += 1
    return per_module


def render_generated_markdown(report, mutants: list, command: str) -> str:
    counts = {kind: sum(m.kind == kind for m in mutants) for kind in ("behaviour", "equivalent", "message")}
    per_module = _per_module(report, mutants)
    counted = len(report.killed) + len(report.survivors)
    lines = [
        "# Generated mutants of `spec/`", "",
        "The hand-written mutants of [mutation.md](mutation.md) were chosen by the people who wrote the vectors. These",
        "are not: `reference/conformance/generated.py` walks the AST of **every module of `spec/`** (the design fork,",
        "the wire format `spec.codec`/`spec.wellformed`/`spec.jsonsafe`, the adapter and fork registry, the matching",
        "protocols `spec.matching`, and the deployed forks `spec.deployed_native`/`spec.deployed_restaking`): every",
        "function, every method of a class (`Class.method`) and the module-level code (`<toplevel>`: constants, tables,",
        "class bodies and field defaults). Each mutation point makes one mutant: a comparison flipped",
        "(`<`/`<=`, `>`/`>=`, `==`/`!=`, `in`/`not in`, `is`/`is not`), `+`/`-` and `*`/`//` swapped, `and`/`or`",
        "swapped, a `not` dropped, an integer constant moved by one, `min`/`max` swapped.", "",
        "Each mutant is the whole module recompiled with its one change and imported in place of the original in a",
        "fresh forked process (`reference/conformance/fastsuite.py`), as a file-level mutator would (code run at import",
        "time is mutated too). It is judged by its module's fast suite, cheapest killers first, stopped at the first",
        "kill: the vectors of every fork whose rules run the module, replayed in process on the reference session,",
        "then the targeted test files of its family. A mutant that hangs or exhausts its memory limit is killed.", "",
        "| family | vectors | targeted tests (after the vectors) |", "|---|---|---|",
    ]
    examples = {"design": "spec.tasks", "wire": "spec.codec", "matching": "spec.matching.auction",
                "deployed_native": "spec.deployed_native.tasks", "deployed_restaking": "spec.deployed_restaking.bids"}
    for family, tests in TESTS.items():
        suite = suite_for(examples[family])
        forks = ", ".join(f"`vectors/{f}`" for f in suite.forks) or "none (the engine's, not the chain's)"
        lines.append(f"| {family} | {forks} | " + ", ".join(f"`{t}`" for t in suite.tests) + " |")
    lines += [
        "", "(A design module that a deployed fork imports is also judged by that fork's vectors.)", "",
        "Tests run for one module's mutants only, after its family's:", "",
        "| module | its own tests (after the family's) |", "|---|---|",
        *(f"| `{module}` | " + ", ".join(f"`{t}`" for t in tests) + " |" for module, tests in MODULE_TESTS.items()), "",
        f"Command: `{command}` ({report.jobs} process{'es' if report.jobs > 1 else ''}, {report.seconds:.0f} s wall, "
        f"{len(report.results)} mutants judged; a result is reused from `.cache/mutation-generated.json` while the",
        "spec, the module's whole suite of case and test files and the judging code are unchanged).", "",
        *([f"**Partial run: {counted} of {counts['behaviour']} behavioural mutants judged** (the rest are counted under "
           "`not judged` below; the score is over the judged ones only).", ""] if counted < counts["behaviour"] else []),
        f"**Score on generated behavioural mutants: {len(report.killed)} killed of {counted} = {report.score:.1%}.** Counted",
        f"apart: {counts['equivalent']} argued equivalent (below, each tied to its exact change) and {counts['message']}",
        "message-only (a mutation point inside an error message).", "",
        "The vectors' own score on these mutants, without the tests, is in [mutation-vectors.md](mutation-vectors.md)",
        "(`--vectors-only`).", "",
        "`kalypso audit` runs a seeded sample of the behavioural mutants through the same fast suite (all of them with",
        "`--budget thorough`) and reports the score and the survivors; an argument whose mutant's change no longer",
        "matches (the spec moved under it) fails the audit.", "",
        "## Survivors", "",
    ]
    if report.survivors:
        lines += ["| mutant | change |", "|---|---|"] + [f"| `{r.name}` | {r.description} |" for r in report.survivors]
    else:
        lines.append("None.")
    lines += ["", "## Mutants per module", "", "| module | killed | survived | equivalent | message-only | not judged |",
              "|---|---|---|---|---|---|"]
    for module in sorted(per_module, key=ALL_MODULES.index):
        c = per_module[module]
        lines.append(f"| `{module}` | {c['killed']} | {c['survived']} | {c['equivalent']} | {c['message']} | {c['not run']} |")
    total = collections.Counter()
    for c in per_module.values():
        total.update(c)
    lines.append(f"| **all of spec/** | {total['killed']} | {total['survived']} | {total['equivalent']} | {total['message']} | "
                 f"{total['not run']} |")
    lines += ["", "## Equivalent", "", "Each argument is stored with the change it is about (`reference/conformance/equivalents.py`).", "",
              "| mutant | change | why it behaves as the spec |", "|---|---|---|"]
    lines += [f"| `{m.name}` | {m.description.split(' ', 1)[1]} | {m.reason} |" for m in mutants if m.kind == "equivalent"]
    lines += ["", "## Message-only", "", "| mutant | change |", "|---|---|"]
    lines += [f"| `{m.name}` | {m.description.split(' ', 1)[1]} |" for m in mutants if m.kind == "message"]
    return "\n".join(lines) + "\n"


def render_vectors_only_markdown(report, mutants: list, command: str) -> str:
    """docs/mutation-vectors.md: the committed vectors' own score on the same generated mutants (no tests)."""
    per_module = _per_module(report, mutants)
    counted = len(report.killed) + len(report.survivors)
    lines = [
        "# The vectors' own score on the generated mutants", "",
        "The mutants of [mutation-generated.md](mutation-generated.md) (behavioural ones; equivalent and message-only",
        "are counted apart there), each judged by the committed vectors alone: every vector of every fork whose rules",
        "run the mutated module, replayed in process on the reference session, and no test. A mutant the vectors miss",
        "is one an implementer diffing against the vectors would not be told about; the tests of the full suite kill",
        "the rest. Modules of the matching engine have no chain vectors (their vectors are the engine's).", "",
        f"Command: `{command}` ({report.jobs} process{'es' if report.jobs > 1 else ''}, {report.seconds:.0f} s wall).", "",
        f"**The vectors alone kill {len(report.killed)} of {counted} behavioural mutants = {report.score:.1%}.**", "",
        "| module | killed by the vectors | missed | share killed |", "|---|---:|---:|---:|",
    ]
    for module in sorted(per_module, key=ALL_MODULES.index):
        c = per_module[module]
        n = c["killed"] + c["survived"]
        if not n + c["not run"]:  # equivalent and message-only mutants alone: not the vectors' to kill
            continue
        lines.append(f"| `{module}` | {c['killed']} | {c['survived']} | " + (f"{c['killed'] / n:.0%}" if n else "—") + " |")
    return "\n".join(lines) + "\n"
