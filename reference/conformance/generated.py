"""Generated mutants of `spec/`: an AST mutator, not a hand-picked list.

Every function of the chosen spec modules is parsed, and each mutation point gives one mutant:
a comparison operator flipped (`<` / `<=`, `>` / `>=`, `==` / `!=`, `in` / `not in`, `is` /
`is not`), an arithmetic operator swapped (`+` / `-`, `*` / `//`), `and` / `or` swapped, a `not`
dropped, an integer constant moved by one, `min` / `max` swapped. String constants (messages and
field names of errors) are not mutated: a message-only change is no behaviour change, so such
mutants are left out rather than counted as survivors. A mutant is named
`gen:<module>:<function>:<k>` (the k-th point of the function, in AST walk order), so the same
names denote the same mutants on every run; it runs behind the mutant adapter like the named
mutants (`reference.conformance.mutants.install`).
"""
from __future__ import annotations

import ast
import copy
import importlib
import inspect
import random
import textwrap
from typing import Iterable, Optional

import attrs

DEFAULT_MODULES = (
    "spec.tokens", "spec.clock", "spec.markets", "spec.provers", "spec.asks", "spec.tasks", "spec.slashing",
    "spec.engine", "spec.restaked_stake", "spec.restaking", "spec.bridge", "spec.relay",
    "spec.epochs", "spec.signing", "spec.operations", "spec.transition", "spec.env", "spec.types", "spec.errors", "spec.events",
)
"""Every module of `spec/` whose functions `spec.apply` runs (the design fork's transitions,
signatures, epochs, names, the stand-in verifier, `require`) or that decodes its operations'
fields (`spec.operations`). Not here: the wire format (`spec.codec`,
`spec.wellformed`, `spec.jsonsafe`: checked by the conformance runner's own tests), the matching
protocols (`spec.matching`: the engine's, not the chain's; `tests/matching`), the deployed forks
(their own vectors) and methods of containers."""
COMPARE_FLIP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
                ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}
BINOP_SWAP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.FloorDiv, ast.FloorDiv: ast.Mult}


@attrs.frozen
class GeneratedMutant:
    name: str
    module: str
    function: str
    description: str
    source: str
    kind: str = "behaviour"  # "message": the point lies inside an error message (an f-string); "equivalent": argued below
    reason: str = ""  # why an equivalent mutant behaves as the spec on every state spec.apply can reach

    def mutated_sources(self) -> dict[str, str]:
        return {self.function: self.source}


_OFF_PATH = "not on spec.apply's path: "
EQUIVALENT = {
    # name: (the change it makes, why it is equivalent); docs/mutation-generated.md states the same.
    # A stored change that no longer matches the mutant (the spec moved) voids the argument.
    "gen:spec.tokens:balance_of:0": ("line 2: 0 -> 1", _OFF_PATH + "`balance_of` is a reading helper no transition calls"),
    "gen:spec.restaking:operator_stake_at:1": (
        "line 3: 0 -> 1", "the default share is read only for an operator without shares in the vault, and the one caller "
        "on the path (`slash_vault`, via `receive_slash_request`) first requires the operator to hold shares"),
    **{f"gen:spec.restaking:snapshot_entries:{k}": (change, _OFF_PATH + "`snapshot_entries` only feeds `snapshot_parts`, the "
                                                     "honest transmitter's helper used by tests and the machines")
       for k, change in enumerate(("line 9: And -> Or", "line 9: In -> NotIn", "line 9: Gt -> GtE", "line 9: 0 -> 1"))},
    "gen:spec.restaking:process_vault_deposit:0": (
        "line 5: Gt -> GtE", "a deposit of 0 mints 0 shares (`_to_shares(0, ..) = 0`), so the next check refuses it with "
        "the same code and field (INVALID_AMOUNT, amount)"),
    "gen:spec.restaking:process_vault_deposit:1": (
        "line 8: Gt -> GtE", "a vault's active stake never exceeds its active shares (deposits mint at least their amount "
        "while stake <= shares, withdrawals redeem at most their shares, slashes only lower the stake), so a deposit of "
        "amount >= 1 mints >= 1 share and the guard never fires on a reachable state"),
    **{f"gen:spec.restaking:process_vault_withdraw:{k}": (change, "a withdrawal's claim is 0 exactly when its amount is: "
                                                            "`claim = amount * (bucket_shares + 1) // (bucket + 1)` and a bucket never holds "
                                                            "more than its shares, so `amount > 0` decides alone")
       for k, change in ((5, "line 12: And -> Or"), (10, "line 12: Gt -> GtE"), (11, "line 12: Gt -> GtE"))},
    "gen:spec.restaking:process_vault_claim:5": (
        "line 9: 0 -> 1", "a claim of > 0 shares (checked just before) lies in a bucket with at least that many shares, "
        "so the bucket's share entry is present and the default is never read"),
    "gen:spec.restaking:slash_vault:14": (
        "line 15: Sub -> Add", "a cut is below its part whenever a rounding unit is left (taken < pool), so "
        "`part - cut > 0` and `part + cut > 0` both say `part > 0`; when taken = pool no unit is left and the loop stops first"),
    "gen:spec.restaked_stake:latest_complete_capture:1": (
        "line 2: 1 -> 2", "the default (no complete snapshot) is compared with a capture already required to be >= 0: "
        "-1 and -2 both let every capture through"),
    **{f"gen:spec.epochs:{name}": (change, _OFF_PATH + f"`{name.split(':')[0]}` is a helper of the machines and the simulator; no transition calls it")
       for name, change in (("epoch_start:0", "line 2: Add -> Sub"), ("epoch_start:1", "line 2: Mult -> FloorDiv"),
                            ("protocol_epoch:0", "line 3: 0 -> 1"))},
    **{f"gen:spec.signing:high_s:{k}": (change, _OFF_PATH + "`high_s` builds the other encoding of a signature for tests "
                                                "and scenarios (the vectors hold its output); no transition calls it")
       for k, change in enumerate(("line 5: Add -> Sub", "line 5: Add -> Sub", "line 4: 64 -> 65", "line 4: 32 -> 33",
                                   "line 5: 32 -> 33", "line 4: 32 -> 33", "line 4: 64 -> 65", "line 5: Sub -> Add", "line 5: 1 -> 2"))},
    "gen:spec.signing:verify_signature:6": (
        "line 4: Lt -> LtE", "a signature with s = 0 lets through the range check but recovers to no key (secp256k1 "
        "refuses a zero s), so it is refused either way"),
    "gen:spec.operations:_snapshot_entries:0": (
        "line 3: Or -> And", "operations reach `spec.apply` decoded by `spec.codec`, which only builds entries from a list "
        "of three-element lists: the outer shape check cannot fail behind it (the per-entry name check still runs)"),
    "gen:spec.restaked_stake:receive_snapshot_part:33": (
        "line 39: Gt -> GtE", "the entry this keeps in addition (the incomplete snapshot of the completing capture) is "
        "overwritten by the completed snapshot on the next line"),
}


def _points(tree: ast.AST) -> list[tuple[ast.AST, str]]:
    """(node, what) for every mutation point, in walk order."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in COMPARE_FLIP:
                    out.append((node, f"compare:{i}"))
        elif isinstance(node, ast.BinOp) and type(node.op) in BINOP_SWAP:
            out.append((node, "binop"))
        elif isinstance(node, ast.BoolOp):
            out.append((node, "boolop"))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            out.append((node, "not"))
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            out.append((node, "int"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("min", "max"):
            out.append((node, "minmax"))
    return out


def _mutate(tree: ast.AST, k: int) -> tuple[ast.AST, str]:
    """A copy of `tree` with its k-th mutation point mutated, and a description."""
    tree = copy.deepcopy(tree)
    node, what = _points(tree)[k]
    line = getattr(node, "lineno", 0)
    if what.startswith("compare:"):
        i = int(what.split(":")[1])
        old = type(node.ops[i])
        node.ops[i] = COMPARE_FLIP[old]()
        desc = f"{old.__name__} -> {COMPARE_FLIP[old].__name__}"
    elif what == "binop":
        old = type(node.op)
        node.op = BINOP_SWAP[old]()
        desc = f"{old.__name__} -> {BINOP_SWAP[old].__name__}"
    elif what == "boolop":
        old = type(node.op)
        node.op = ast.Or() if old is ast.And else ast.And()
        desc = f"{old.__name__} -> {'Or' if old is ast.And else 'And'}"
    elif what == "not":
        replacement = node.operand
        for parent in ast.walk(tree):
            for field, value in ast.iter_fields(parent):
                if value is node:
                    setattr(parent, field, replacement)
                elif isinstance(value, list):
                    for j, item in enumerate(value):
                        if item is node:
                            value[j] = replacement
        desc = "not dropped"
    elif what == "int":
        desc = f"{node.value} -> {node.value + 1}"
        node.value = node.value + 1
    else:
        old = node.func.id
        node.func.id = "max" if old == "min" else "min"
        desc = f"{old} -> {node.func.id}"
    return tree, f"line {line}: {desc}"


def _functions(module_name: str) -> list[tuple[str, str]]:
    module = importlib.import_module(module_name)
    found = [(name, fn) for name, fn in vars(module).items() if inspect.isfunction(fn) and fn.__module__ == module_name]
    return [(name, textwrap.dedent(inspect.getsource(fn))) for name, fn in sorted(found, key=lambda x: x[1].__code__.co_firstlineno)]


def generated_mutants(modules: Iterable[str] = DEFAULT_MODULES) -> list[GeneratedMutant]:
    """Every generated mutant of `modules`, in a fixed order."""
    out = []
    for module_name in modules:
        for function, source in _functions(module_name):
            tree = ast.parse(source)
            body = tree.body[0]
            # decorators and the docstring are no behaviour: mutate the body after the docstring
            for k in range(len(_points(tree))):
                node, _ = _points(tree)[k]
                if _in_docstring_or_decorator(body, node):
                    continue
                mutated, desc = _mutate(tree, k)
                name = f"gen:{module_name}:{function}:{k}"
                kind, reason = ("message", "") if _in_fstring(tree, node) else _classify(name, desc)
                out.append(GeneratedMutant(name, module_name, function, f"{module_name}.{function} {desc}", ast.unparse(mutated),
                                           kind, reason))
    return out


def _classify(name: str, change: str) -> tuple[str, str]:
    """("equivalent", why) where the mutant is argued equivalent and the argument still names its change."""
    argued = EQUIVALENT.get(name)
    if argued is not None and argued[0] == change:
        return "equivalent", argued[1]
    return "behaviour", ""


def stale_arguments(mutants: Iterable[GeneratedMutant]) -> list[str]:
    """Arguments of EQUIVALENT that no longer name their mutant's change (the spec moved)."""
    argued = {m.name for m in mutants if m.kind == "equivalent"}
    return sorted(set(EQUIVALENT) - argued)


def _in_docstring_or_decorator(body, node) -> bool:
    for decorator in getattr(body, "decorator_list", []):
        if any(n is node for n in ast.walk(decorator)):
            return True
    return False


def _in_fstring(tree, node) -> bool:
    return any(any(n is node for n in ast.walk(j)) for j in ast.walk(tree) if isinstance(j, ast.JoinedStr))


def find(name: str) -> Optional[GeneratedMutant]:
    """The generated mutant called `name` (gen:<module>:<function>:<k>)."""
    _, module_name, function, k = name.split(":")
    for source_function, source in _functions(module_name):
        if source_function == function:
            tree = ast.parse(source)
            mutated, desc = _mutate(tree, int(k))
            return GeneratedMutant(name, module_name, function, f"{module_name}.{function} {desc}", ast.unparse(mutated))
    return None


def sample(mutants: list, count: Optional[int], seed: int) -> list:
    """`count` mutants drawn with `seed` (all of them when count is None), in their order."""
    if count is None or count >= len(mutants):
        return mutants
    chosen = set(random.Random(seed).sample(range(len(mutants)), count))
    return [m for i, m in enumerate(mutants) if i in chosen]


def render_generated_markdown(report, mutants: list, command: str) -> str:
    """docs/mutation-generated.md: the vectors' score on the generated mutants, the survivors, and
    every mutant counted apart (argued equivalent, message-only) with why."""
    counts = {kind: sum(m.kind == kind for m in mutants) for kind in ("behaviour", "equivalent", "message")}
    modules = sorted({m.module for m in mutants}, key=lambda name: DEFAULT_MODULES.index(name) if name in DEFAULT_MODULES else 99)
    lines = [
        "# Generated mutants of `spec/`", "",
        "The hand-written mutants of [mutation.md](mutation.md) were chosen by the people who wrote the vectors. These",
        "are not: `reference/conformance/generated.py` walks the AST of every function of the modules `spec.apply` runs",
        "(" + ", ".join(f"`{m}`" for m in modules) + ") and makes one mutant per mutation point:",
        "a comparison flipped (`<`/`<=`, `>`/`>=`, `==`/`!=`, `in`/`not in`, `is`/`is not`), `+`/`-` and `*`/`//` swapped,",
        "`and`/`or` swapped, a `not` dropped, an integer constant moved by one, `min`/`max` swapped. Each runs behind",
        "the mutant adapter (its code swapped into the function object, so an attrs validator that captured the",
        "function runs the mutant too) and the design vectors are replayed until one fails (killed) or all pass",
        "(survived). `tests/vectors/test_generated_mutants.py` checks that the modules cover every spec module whose",
        "functions run under `spec.apply`. Not mutated: the wire format (`spec.codec`, `spec.wellformed`,",
        "`spec.jsonsafe`), the matching protocols (`spec.matching`, the engine's and not the chain's), the deployed",
        "forks (their own vectors) and methods of containers (`Snapshot.complete`, `Snapshot.stakes`).", "",
        f"Command: `{command}` ({report.jobs} processes, {report.seconds:.0f} s, {report.cases} cases).", "",
        f"**Vectors' score on generated mutants: {len(report.killed)} killed of {len(report.killed) + len(report.survivors)} "
        f"behavioural mutants = {report.score:.1%}.** Counted apart: {counts['equivalent']} argued equivalent with respect",
        f"to `spec.apply` (below) and {counts['message']} message-only (a mutation point inside an error message).", "",
        "`kalypso audit` runs a seeded sample of the behavioural mutants (40 by default, all with `--budget thorough`)",
        "and reports the score, the survivors and the equivalents; an argument whose mutant's change no longer matches",
        "(the spec moved under it) fails the audit.", "",
        "Errors: the vectors compare error codes, not the field an error names. The case format holds no field (an",
        "implementation on the EVM reports a custom error, which maps to a code; a field name would have to be",
        "invented per implementation and would fail conformance for no behavioural reason), and no generated mutant",
        "needs it: where a mutant only moved an error to another check, a boundary vector now reaches a state where",
        "the other check passes (e.g. a zero epoch on an instant vault, whose veto window 0 is valid).", "",
        "## Survivors", "",
    ]
    if report.survivors:
        lines += ["| mutant | change |", "|---|---|"] + [f"| `{r.name}` | {r.description} |" for r in report.survivors]
    else:
        lines.append("None.")
    lines += ["", "## Equivalent with respect to `spec.apply`", "",
              "Each argument is stored with the change it is about (`EQUIVALENT` in `generated.py`).", "",
              "| mutant | change | why it behaves as the spec |", "|---|---|---|"]
    lines += [f"| `{m.name}` | {m.description.split(' ', 1)[1]} | {m.reason} |" for m in mutants if m.kind == "equivalent"]
    lines += ["", "## Message-only", "", "| mutant | change |", "|---|---|"]
    lines += [f"| `{m.name}` | {m.description.split(' ', 1)[1]} |" for m in mutants if m.kind == "message"]
    return "\n".join(lines) + "\n"
