"""Generated mutants of `spec/`: an AST mutator over every module of the package, not a hand-picked list.

Every module of `spec/` (the design fork, the wire format, the matching protocols and the deployed
forks) is parsed; its units are its functions, the methods of its classes (`Class.method`) and its
module-level code (`<toplevel>`: constants, tables, class bodies and defaults). Each mutation point
gives one mutant: a comparison operator flipped (`<` / `<=`, `>` / `>=`, `==` / `!=`, `in` / `not
in`, `is` / `is not`), an arithmetic operator swapped (`+` / `-`, `*` / `//`), `and` / `or` swapped, a
`not` dropped, an integer constant moved by one, `min` / `max` swapped. String constants are not
mutated; a point inside an f-string (an error message) makes a message-only mutant, counted apart.
A mutant is named `gen:<module>:<unit>:<k>` (the k-th point of the unit, in AST walk order), so the
same names denote the same mutants on every run. The mutant is the whole module recompiled with that
one change (`mutated_module`), imported in place of the original in a fresh process
(`reference.conformance.fastsuite`), as a file-level mutator would: code that runs at import time
(decorators, field factories, tables) is mutated too.
"""
from __future__ import annotations

import ast
import copy
import functools
import importlib.util
import pkgutil
import random
from pathlib import Path
from typing import Iterable, Optional

import attrs

from reference.conformance.equivalents import EQUIVALENT

SPEC_DIR = Path(__file__).resolve().parents[2] / "spec"
TOPLEVEL = "<toplevel>"


def _all_modules() -> tuple:
    found = ["spec"] + [m.name for m in pkgutil.walk_packages([str(SPEC_DIR)], "spec.")]
    return tuple(sorted(found))


ALL_MODULES = _all_modules()
"""Every module of `spec/`, packages included."""
DEFAULT_MODULES = ALL_MODULES
COMPARE_FLIP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
                ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}
BINOP_SWAP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.FloorDiv, ast.FloorDiv: ast.Mult}
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
MESSAGE_UNITS = {
    ("spec.codec", "_short"): "shortens a value quoted in an error message; its result goes into messages only",
}
"""Units whose result only goes into error messages: their mutants are message-only, like a point
inside an f-string (errors are compared by code; the vectors hold no message)."""


@attrs.frozen
class GeneratedMutant:
    name: str
    module: str
    function: str  # the unit: a function, `Class.method` or `<toplevel>`
    description: str
    source: str  # the mutated unit (the function's source; for `<toplevel>`, the mutated statement)
    kind: str = "behaviour"  # "message": the point lies inside an error message (an f-string); "equivalent": argued
    reason: str = ""  # why an equivalent mutant behaves as the spec

    def mutated_sources(self) -> dict[str, str]:
        return {self.function: self.source}


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


def module_path(module_name: str) -> Path:
    found = importlib.util.find_spec(module_name)
    if found is None or not found.origin:
        raise ValueError(f"{module_name}: not a module of spec/")
    return Path(found.origin)


@functools.lru_cache(maxsize=None)
def _module_source(module_name: str) -> str:
    return module_path(module_name).read_text()


def module_tree(module_name: str) -> ast.Module:
    return ast.parse(_module_source(module_name), str(module_path(module_name)))


def _units(tree: ast.Module) -> list[tuple[str, tuple]]:
    """(unit name, path of child indexes from the module to its node) for every function and method, in source order;
    functions nested in a function belong to it."""
    out = []

    def visit(node, prefix, path):
        for i, child in enumerate(ast.iter_child_nodes(node)):
            if isinstance(child, FUNCTIONS):
                out.append((prefix + child.name, path + (i,)))
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.", path + (i,))
            elif isinstance(child, ast.stmt):
                visit(child, prefix, path + (i,))

    visit(tree, "", ())
    return out


def _node_at(tree: ast.AST, path: tuple) -> ast.AST:
    node = tree
    for i in path:
        node = list(ast.iter_child_nodes(node))[i]
    return node


def _excluded_toplevel(tree: ast.Module) -> set:
    """Nodes that are not module-level behaviour: function bodies (their own units) and annotations."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, FUNCTIONS):
            out.update(id(n) for n in ast.walk(node))
        elif isinstance(node, ast.AnnAssign):
            out.update(id(n) for n in ast.walk(node.annotation))
    return out


def _unit_points(tree: ast.Module, unit: str, path: Optional[tuple]) -> tuple[ast.AST, list]:
    """The unit's root node and its points (numbered as in the unit's own source)."""
    if unit == TOPLEVEL:
        excluded = _excluded_toplevel(tree)
        return tree, [(n, what) for n, what in _points(tree) if id(n) not in excluded]
    node = _node_at(tree, path)
    return node, _points(node)


def _mutate_in_place(root: ast.AST, node: ast.AST, what: str, line: int) -> str:
    """Mutate `node` (under `root`) and describe the change."""
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
        for parent in ast.walk(root):
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
    return f"line {line}: {desc}"


def _first_line(unit_node: ast.AST) -> int:
    """The unit's first line as `inspect.getsource` starts it (its first decorator)."""
    return min([unit_node.lineno] + [d.lineno for d in getattr(unit_node, "decorator_list", [])])


def _copy_with(root: ast.AST, node: ast.AST) -> tuple[ast.AST, ast.AST]:
    """A deep copy of `root` and the copy of `node` in it (walk order is the same in both)."""
    index = next(i for i, n in enumerate(ast.walk(root)) if n is node)
    copied = copy.deepcopy(root)
    return copied, next(n for i, n in enumerate(ast.walk(copied)) if i == index)


def _build(tree: ast.Module, unit: str, root: ast.AST, node: ast.AST, what: str, whole: bool = False) -> tuple[ast.AST, str]:
    """(the mutated unit, or the whole mutated module if `whole`; the description) for one point."""
    if unit == TOPLEVEL:
        line = getattr(node, "lineno", 0)
        shown_root = tree if whole else next(s for s in tree.body if any(n is node for n in ast.walk(s)))
    else:
        line = getattr(node, "lineno", 0) - _first_line(root) + 1
        shown_root = tree if whole else root
    copied, target = _copy_with(shown_root, node)
    return copied, _mutate_in_place(copied, target, what, line)


def _unit_list(module_name: str) -> list[tuple[str, Optional[tuple]]]:
    return _units(module_tree(module_name)) + [(TOPLEVEL, None)]


def generated_mutants(modules: Iterable[str] = DEFAULT_MODULES) -> list[GeneratedMutant]:
    """Every generated mutant of `modules`, in a fixed order."""
    return [m for module_name in modules for m in _module_mutants(module_name)]


@functools.lru_cache(maxsize=None)
def _module_mutants(module_name: str) -> tuple:
    out = []
    tree = module_tree(module_name)
    for unit, path in _unit_list(module_name):
        root, points = _unit_points(tree, unit, path)
        in_message = {id(n) for j in ast.walk(root) if isinstance(j, ast.JoinedStr) for n in ast.walk(j)}
        in_decorator = {id(n) for d in getattr(root, "decorator_list", []) for n in ast.walk(d)}
        for k, (node, what) in enumerate(points):
            if id(node) in in_decorator:
                continue
            out.append(_mutant(module_name, unit, k, tree, root, node, what, id(node) in in_message))
    return tuple(out)


def _mutant(module_name, unit, k, tree, root, node, what, message: bool) -> GeneratedMutant:
    mutated, desc = _build(tree, unit, root, node, what)
    name = f"gen:{module_name}:{unit}:{k}"
    message = message or (module_name, unit) in MESSAGE_UNITS
    kind, reason = ("message", MESSAGE_UNITS.get((module_name, unit), "")) if message else _classify(name, desc)
    return GeneratedMutant(name, module_name, unit, f"{module_name}.{unit} {desc}", ast.unparse(mutated), kind, reason)


def _locate(name: str) -> tuple:
    _, module_name, unit, k = name.split(":")
    paths = dict(_unit_list(module_name))
    if unit not in paths:
        raise ValueError(f"{name}: {module_name} has no unit {unit}")
    tree = module_tree(module_name)
    root, points = _unit_points(tree, unit, paths[unit])
    node, what = points[int(k)]
    return module_name, unit, int(k), tree, root, node, what


def mutated_module(name: str) -> tuple[str, object]:
    """(module name, code object of the whole module with the mutant's one change)."""
    module_name, unit, _, tree, root, node, what = _locate(name)
    mutated, _ = _build(tree, unit, root, node, what, whole=True)
    return module_name, compile(mutated, str(module_path(module_name)), "exec", dont_inherit=True)


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


def find(name: str) -> Optional[GeneratedMutant]:
    """The generated mutant called `name` (gen:<module>:<unit>:<k>), or None if there is none."""
    try:
        module_name, unit, k, tree, root, node, what = _locate(name)
    except (ValueError, IndexError):
        return None
    message = any(any(n is node for n in ast.walk(j)) for j in ast.walk(root) if isinstance(j, ast.JoinedStr))
    return _mutant(module_name, unit, k, tree, root, node, what, message)


def sample(mutants: list, count: Optional[int], seed: int) -> list:
    """`count` mutants drawn with `seed` (all of them when count is None), in their order."""
    if count is None or count >= len(mutants):
        return mutants
    chosen = set(random.Random(seed).sample(range(len(mutants)), count))
    return [m for i, m in enumerate(mutants) if i in chosen]


