"""The house's shape, read from the code's own imports: every arrow runs one way
(spec <- properties <- reference <- kalypso, tests on top), no import cycle anywhere, and no
source file over 600 lines. Imports inside functions count: a lazy import is still a dependency."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("spec", "properties", "reference", "kalypso", "tests")
MAX_LINES = 600


def modules() -> dict[str, Path]:
    """Dotted module name -> file, for every Python file of the layers (a package is its __init__)."""
    found = {}
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The module of the tree that `name` (a module, or a name inside one) is, or None (outside)."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of the tree that `module` imports (`from p import m` of a submodule counts as m)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        targets |= {t for t in (_resolve(n, known) for n in names) if t and t != module}
    return targets


def graph() -> dict[str, set[str]]:
    known = modules()
    return {m: imports_of(m, path, known) for m, path in known.items()}


def layer(module: str) -> int:
    return LAYERS.index(module.split(".")[0])


def upward_imports(edges: dict[str, set[str]]) -> list[str]:
    return sorted(f"{m} -> {t}" for m, targets in edges.items() for t in targets if layer(t) > layer(m))


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_graph_sees_the_known_arrows():
    edges = graph()
    assert "spec.errors" in edges["spec.transition"] or "spec.errors" in edges["spec"]
    assert "kalypso.audit.registry" in edges["kalypso.audit.runner"]
    assert "reference.fast.cpu" in edges["reference.fast"]  # an import inside a function counts


def test_no_upward_import():
    assert upward_imports(graph()) == []


def test_no_import_cycle():
    assert cycles(graph()) == []


def test_the_checks_would_catch_an_upward_import_and_a_cycle():
    edges = {"spec.a": {"reference.b"}, "reference.b": {"reference.c"}, "reference.c": {"reference.b"}, "kalypso.d": set()}
    assert upward_imports(edges) == ["spec.a -> reference.b"]
    assert cycles(edges) == [["reference.b", "reference.c"]]


def test_relative_imports_are_resolved(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from .a import x\n")
    (package / "a.py").write_text("from . import b\nfrom .b import y\n")
    known = {"reference.pkg": package / "__init__.py", "reference.pkg.a": package / "a.py", "reference.pkg.b": package / "b.py"}
    (package / "b.py").write_text("")
    assert imports_of("reference.pkg", known["reference.pkg"], known) == {"reference.pkg.a"}
    assert imports_of("reference.pkg.a", known["reference.pkg.a"], known) == {"reference.pkg.b"}


def test_no_source_file_over_600_lines():
    long = {str(path.relative_to(ROOT)): n for path in modules().values()
            if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}
