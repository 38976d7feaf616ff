"""The fast suite that judges a generated mutant of `spec/`: each mutant in its own forked process,
its module imported from the mutated code, the cheapest killers first, stopped at the first kill.

Killers per module (`suite_for`): the vectors of every fork whose rules run the module (the
design's for the design modules and the wire format, each deployed fork's own for its package; a
design module a deployed fork imports is judged by that fork's vectors too) replayed in process on
the reference session, then the targeted test files of its family (`TESTS`), run by pytest in the
mutant's process. Order: the killer that killed this mutant last time (the result cache), then the
killers that killed other mutants of the same unit and module (most kills first), then the rest. A
mutant that hangs past its timeout or blows its memory limit is killed (the runner would report it).

The parent imports every third-party library once; a child drops `spec`, `reference`,
`properties` and the tests from `sys.modules`, installs a finder that serves the mutated module,
and imports them afresh: about 0.3 s per mutant before the first case.
"""
from __future__ import annotations

import collections
import functools
import hashlib
import importlib.abc
import importlib.machinery
import json
import os
import resource
import select
import signal
import sys
import time
from pathlib import Path
from typing import Callable, Iterable, Optional

import attrs

from reference.conformance.cases import VECTORS_ROOT, load_cases
from reference.conformance.generated import SPEC_DIR, GeneratedMutant, mutated_module
from reference.conformance.mutation import MutantResult, MutationReport

ROOT = SPEC_DIR.parent
CACHE = ROOT / ".cache" / "mutation-generated.json"
FORKS = ("design", "deployed_native", "deployed_restaking")
TESTS = {
    "design": ("tests/spec/test_edges_spec.py", "tests/hostile/test_hostile_spec.py", "tests/restaking/test_restaking_spec.py",
               "tests/matching/test_matching_signatures.py"),
    "wire": ("tests/spec/test_edges_wire.py", "tests/hostile/test_hostile_codec.py"),
    "matching": ("tests/matching/test_matching_protocols.py", "tests/matching/test_matching_adapter.py",
                 "tests/matching/test_matching_differential.py"),
    "deployed_native": ("tests/forks/test_deployed_native_findings.py", "tests/forks/test_deployed_native_vectors.py",
                        "tests/forks/test_deployed_native_edges.py"),
    "deployed_restaking": ("tests/forks/test_deployed_restaking.py", "tests/forks/test_deployed_restaking_escape.py",
                           "tests/forks/test_deployed_restaking_config.py", "tests/forks/test_deployed_restaking_l1veto.py",
                           "tests/forks/test_deployed_restaking_fixes.py"),
}
"""The targeted fast tests of each family, run after the vectors (documented in docs/mutation-generated.md)."""
MODULE_TESTS = {"spec.adapter": ("tests/spec/test_edges_bounds.py",),
                "spec.jsonsafe": ("tests/spec/test_edges_jsonsafe.py", "tests/spec/test_edges_bounds.py"),
                "spec.wellformed": ("tests/spec/test_edges_wellformed.py",)}
"""Tests only some modules' mutants need (the 64 MiB bounds read 128 MiB: not for every survivor)."""
WIRE = ("spec.codec", "spec.wellformed", "spec.jsonsafe", "spec.adapter", "spec.forks", "spec")
MEMORY_LIMIT = 4 * 2**30
FRESH = ("spec", "reference", "properties", "kalypso", "tests", "test_", "conftest")


@attrs.frozen
class Suite:
    family: str
    forks: tuple  # whose vectors judge the module
    tests: tuple  # test files, after the vectors


def family_of(module: str) -> str:
    if module.startswith("spec.matching"):
        return "matching"
    if module.startswith("spec.deployed_restaking"):
        return "deployed_restaking"
    if module.startswith("spec.deployed_native"):
        return "deployed_native"
    return "wire" if module in WIRE else "design"


def _imports(module: str) -> set:
    """The spec modules `module` imports, directly (from its source)."""
    import ast

    from reference.conformance.generated import module_tree

    out = set()
    for node in ast.walk(module_tree(module)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("spec"):
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("spec"))
    return out


@functools.lru_cache(maxsize=None)
def _closure(roots: tuple) -> frozenset:
    from reference.conformance.generated import ALL_MODULES

    seen, todo = set(), [r for r in roots]
    while todo:
        m = todo.pop()
        if m in seen or m not in ALL_MODULES:
            continue
        seen.add(m)
        todo.extend(_imports(m))
    return frozenset(seen)


@functools.lru_cache(maxsize=None)
def suite_for(module: str) -> Suite:
    """The vectors and tests that judge `module`'s mutants."""
    from reference.conformance.generated import ALL_MODULES

    family = family_of(module)
    package = {f: [m for m in ALL_MODULES if m.startswith(f"spec.{f}")] for f in FORKS[1:]}
    runs = {"design": family in ("design", "wire"),
            "deployed_native": module in _closure(tuple(package["deployed_native"])) or module in WIRE,
            "deployed_restaking": module in _closure(tuple(package["deployed_restaking"])) or module in WIRE}
    tests = TESTS[family] + (TESTS["wire"] if family == "design" else ()) + MODULE_TESTS.get(module, ())
    return Suite(family, tuple(f for f in FORKS if runs[f] and family != "matching"), tests)


def spec_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted(SPEC_DIR.rglob("*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


class _MutantFinder(importlib.abc.MetaPathFinder):
    """Serves the mutated code for one module; every other import goes on as usual."""

    def __init__(self, module: str, code):
        self.module, self.code = module, code

    def find_spec(self, fullname, path, target=None):
        if fullname != self.module:
            return None
        found = importlib.machinery.PathFinder.find_spec(fullname, path)
        if found is None:
            return None
        code = self.code

        class Loader(importlib.machinery.SourceFileLoader):
            def get_code(self, name):
                return code

        found.loader = Loader(fullname, found.origin)
        return found


def _fresh_imports(module: Optional[str], code) -> None:
    if str(ROOT) not in sys.path:  # the tests import the project from its root, as pytest run there does
        sys.path.insert(0, str(ROOT))
    tests = str(ROOT / "tests") + os.sep
    for name, mod in list(sys.modules.items()):
        # a test package with an __init__ (tests/forks) is imported under its own name (`forks.test_...`): found by its file
        if name.split(".")[0] in FRESH or name.startswith(FRESH) or (getattr(mod, "__file__", None) or "").startswith(tests):
            del sys.modules[name]
    if module:
        sys.meta_path.insert(0, _MutantFinder(module, code))


def _pytest_args(*extra) -> list:
    return ["-q", "-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:randomly", "-o", "addopts=", "-m", "not slow",
            "--rootdir", str(ROOT), *extra]


def _run_tests(nodeids: list) -> Optional[str]:
    """The first failing test of `nodeids`, run in this order by pytest in this process, or None."""
    import pytest

    failed: list = []

    class Watch:
        @staticmethod
        def pytest_runtest_logreport(report):
            if report.failed and not failed:
                failed.append(report.nodeid)

        @staticmethod
        def pytest_collectreport(report):
            if report.failed and not failed:
                failed.append(f"{report.nodeid} (collection)")

    code = pytest.main(_pytest_args("-x", *nodeids), plugins=[Watch()])
    if not failed and code not in (0, 5):
        failed.append(f"{nodeids[0]} (pytest exit {int(code)})")
    return failed[0] if failed else None


def _install(name: Optional[str], module: Optional[str], code) -> str:
    """Install the mutant in this process: its function's code swapped in place where it can be
    (every holder, the collected tests included, sees it), else the whole module imported afresh."""
    if name is None:
        return "none"
    from reference.conformance.mutants import StaleMutant, install

    try:
        if _makes_functions(name):
            raise StaleMutant(f"{name}: its unit defines functions (closures made at import keep the original code)")
        install(name)
        return "swap"
    except StaleMutant:
        _fresh_imports(module, code)
        return "fresh"


def _makes_functions(name: str) -> bool:
    """The mutated unit defines a function inside it (a factory such as `_same_length`, whose closures
    were made when the module was imported): swapping the unit's code would not reach them."""
    import ast

    from reference.conformance.generated import find

    m = find(name) if name.startswith("gen:") else None
    if m is None:
        return False
    unit = ast.parse(m.source).body[0]
    return any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) for n in ast.walk(unit) if n is not unit)


def _judge(name, module: Optional[str], code, killers: list, cases: dict, timeout: float, items: dict) -> dict:
    """In the mutant's process: install it, run the killers in order, stop at the first kill."""
    mode = _install(name, module, code)
    from reference.conformance.runner import InProcessAdapter, replay_case
    run, i = 0, 0
    kind, key = "case", ""
    try:
        while i < len(killers):
            kind, key = killers[i]
            if kind == "case":
                run, i = run + 1, i + 1
                result = replay_case(InProcessAdapter(), cases[key], timeout)
                if not result.passed:
                    return {"status": "killed", "killed_by": key, "reason": result.message[:300], "run": run}
                continue
            batch = []
            while i < len(killers) and killers[i][0] == "test":
                batch.append(killers[i][1])
                i += 1
            run += len(batch)
            failed = _run_tests(batch) if mode == "fresh" else _run_items(batch, items)
            if failed:
                return {"status": "killed", "killed_by": failed.split(" ")[0], "reason": failed, "run": run}
    except BaseException as exc:  # noqa: BLE001 - a mutant that breaks the import or the runner is killed
        return {"status": "killed", "killed_by": key if kind == "case" else "crash",
                "reason": f"{type(exc).__name__}: {str(exc)[:200]}", "run": run}
    return {"status": "survived", "killed_by": "", "reason": "", "run": run}


def _run_items(nodeids: list, items: dict) -> Optional[str]:
    """The first failing test of `nodeids`, run on the items the parent collected, or None."""
    from _pytest.runner import runtestprotocol

    for nodeid in nodeids:
        reports = runtestprotocol(items[nodeid], log=False, nextitem=None)
        if any(r.failed for r in reports):
            return nodeid
    return None


def _child(write_fd: int, name, module, code, killers, cases, timeout, items, job=None) -> None:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        out = job() if job else _judge(name, module, code, killers, cases, timeout, items)
    except BaseException as exc:  # noqa: BLE001
        out = {"status": "killed", "killed_by": "crash", "reason": f"{type(exc).__name__}: {exc}"[:300], "run": 0}
    os.write(write_fd, json.dumps(out).encode())
    os.close(write_fd)
    os._exit(0)


class _Ranking:
    """Killers that killed mutants of a unit / of a module, most kills first."""

    def __init__(self):
        self.counts: dict = collections.defaultdict(collections.Counter)

    def note(self, mutant: GeneratedMutant, killer: tuple) -> None:
        self.counts[(mutant.module, mutant.function)][killer] += 1
        self.counts[mutant.module][killer] += 1

    def order(self, mutant: GeneratedMutant, everything: list, first: Optional[tuple]) -> list:
        ranked = [k for k, _ in self.counts[(mutant.module, mutant.function)].most_common()]
        ranked += [k for k, _ in self.counts[mutant.module].most_common(30)]
        out, seen = [], set()
        for k in ([first] if first else []) + ranked + everything:
            if k in everything and k not in seen:
                seen.add(k)
                out.append(k)
        return out


def _killer_of(result: dict, suite_killers: list) -> Optional[tuple]:
    by = result.get("killed_by", "")
    return next((k for k in suite_killers if k[1] == by), None)


VECTORS_CACHE = CACHE.with_name("mutation-generated-vectors.json")


def judge_mutants(mutants: list, jobs: int = 1, timeout: float = 120.0, cache: Optional[Path] = CACHE,
                  progress: Optional[Callable[[MutantResult], None]] = None, check_baseline: bool = True,
                  vectors_only: bool = False) -> MutationReport:
    """Judge every mutant with its module's fast suite, `jobs` processes at a time (1 or 2 on a
    shared machine). The tests are collected once, in this process, by a pytest session that then
    hands its run loop to the mutants: a mutant's process runs the collected items directly. Killed
    and surviving results are reused from `cache` while the spec, the module's whole suite (case and test files)
    and the judging code are unchanged. With `vectors_only`, the suites hold the vectors alone (the vectors'
    own score; its results are kept apart, in `VECTORS_CACHE` when `cache` is the default)."""
    start = time.perf_counter()
    cases = {}
    for fork in FORKS:
        for case in load_cases(VECTORS_ROOT / fork):
            cases[f"{fork}/{case.name}"] = case
    suites = {module: suite_for(module) for module in {m.module for m in mutants}}
    if vectors_only:
        suites = {module: attrs.evolve(suite, tests=()) for module, suite in suites.items()}
        cache = VECTORS_CACHE if cache == CACHE else cache
    files = sorted({f for s in suites.values() for f in s.tests})
    if not files:
        return _loop(mutants, jobs, timeout, cache, progress, check_baseline, start, cases, suites, {})
    import pytest

    held: dict = {}

    class Host:
        @staticmethod
        def pytest_runtestloop(session):
            held["report"] = _loop(mutants, jobs, timeout, cache, progress, check_baseline, start, cases, suites,
                                   {item.nodeid: item for item in session.items})
            return True

    pytest.main(_pytest_args("-s", *files), plugins=[Host()])
    if "report" not in held:
        raise RuntimeError(f"the tests of the fast suite did not collect: {files}")
    return held["report"]


def _loop(mutants, jobs, timeout, cache, progress, check_baseline, start, cases, suites, items) -> MutationReport:
    killers = {mod: [("case", c) for f in s.forks for c in cases if c.startswith(f + "/")] +
               sorted((("test", t) for t in items if t.split("::")[0] in s.tests), key=lambda k: s.tests.index(k[1].split("::")[0]))
               for mod, s in suites.items()}
    digest = spec_hash()
    stored = _load_cache(cache, digest)
    judging = _judging_code_key()
    suites_key = {mod: _baseline_key(digest, ks) + judging for mod, ks in killers.items()}
    if check_baseline:
        every = sorted({k for ks in killers.values() for k in ks if k[0] == "case"}) + \
            sorted({k for ks in killers.values() for k in ks if k[0] == "test"})
        key = _baseline_key(digest, every)
        if key not in _load_baselines(cache, digest):
            base = _spawn(None, None, None, every, cases, timeout * 10, items)
            out = next(iter(_wait({base: (None, time.perf_counter())}, timeout * 20).values()))
            if out["status"] != "survived":
                return MutationReport((), len(cases), time.perf_counter() - start, jobs, False,
                                      f"{out['killed_by']}: {out['reason']}")
            _save_cache(cache, digest, {}, baseline=key)
    ranking, results, pending = _Ranking(), {}, list(mutants)
    running: dict = {}

    def record(m, out):
        """Keep a judged result, rank its killer for the mutants that follow, report it."""
        results[m.name] = out
        k = _killer_of(out, killers[m.module])
        if k:
            ranking.note(m, k)
        if progress:
            progress(_result(m, out))

    while pending or running:
        while pending and len(running) < max(1, jobs):
            m = pending.pop(0)
            hit = stored.get(m.name)
            # a result stands while the spec, the module's whole suite (the killer's file among them) and the
            # judging code do: a killer's outcome can hang on files beside its own (a test that counts the
            # vectors), and a kill cached while those moved was no kill. A changed suite re-runs the old killer
            # first, which is cheap.
            if hit and hit["source"] == _digest(m) and hit.get("suite") == suites_key[m.module]:
                record(m, hit)
                continue
            first = _killer_of(hit, killers[m.module]) if hit else None
            order = ranking.order(m, killers[m.module], first)
            module, code = mutated_module(m.name)
            running[_spawn(m.name, module, code, order, cases, timeout, items)] = (m, time.perf_counter())
        if not running:
            continue
        done = _wait(running, timeout)
        for handle, out in done.items():
            m, t0 = running.pop(handle)
            out = {**out, "seconds": time.perf_counter() - t0, "source": _digest(m), "suite": suites_key[m.module]}
            record(m, out)
            if len(results) % 10 == 0:  # an interrupted run keeps what it judged
                _save_cache(cache, digest, results)
    _save_cache(cache, digest, results)
    ordered = tuple(_result(m, results[m.name]) for m in mutants)
    return MutationReport(ordered, len(cases), time.perf_counter() - start, jobs, True)


def _digest(m: GeneratedMutant) -> str:
    return hashlib.sha256(f"{m.description}\n{m.source}".encode()).hexdigest()[:16]


def _killer_sha(killed_by: str) -> str:
    """The content hash of a killer's file (a case file or a test file), for the suite and baseline keys."""
    fork, _, rest = killed_by.partition("/")
    if fork in FORKS and rest:
        return _sha(VECTORS_ROOT / fork / f"{rest}.json")
    path = ROOT / killed_by.split("::")[0].split(" ")[0]
    return _sha(path) if killed_by else ""


def _result(m: GeneratedMutant, out: dict) -> MutantResult:
    return MutantResult(m.name, m.description, out["status"], out.get("killed_by", ""), out.get("reason", ""),
                        out.get("run", 0), out.get("seconds", 0.0))


def _spawn(name, module, code, killers, cases, timeout, items) -> tuple:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(write_fd, name, module, code, killers, cases, timeout, items)
    os.close(write_fd)
    return pid, read_fd


def _wait(running: dict, timeout: float) -> dict:
    """Results of the processes that finish first (at least one), killing any running past `timeout`."""
    out: dict = {}
    while not out:
        fds = {h[1]: h for h in running}
        ready, _, _ = select.select(list(fds), [], [], 1.0)
        for fd in ready:
            h = fds[fd]
            data = b""
            while chunk := os.read(fd, 1 << 16):
                data += chunk
            os.close(fd)
            os.waitpid(h[0], 0)
            out[h] = json.loads(data) if data else {"status": "killed", "killed_by": "crash", "reason": "no answer", "run": 0}
        now = time.perf_counter()
        for h, (_, began) in running.items():
            if h not in out and now - began > timeout:
                os.kill(h[0], signal.SIGKILL)
                os.waitpid(h[0], 0)
                os.close(h[1])
                out[h] = {"status": "killed", "killed_by": "timeout", "reason": f"no result in {timeout:.0f} s", "run": 0}
    return out


def _judging_code_key() -> str:
    """The judging code itself: this module, the mutant maker and the in-place installer (a cached
    result is part of a module's suite key, with the spec and its case and test files)."""
    judging = "".join(_sha(ROOT / "reference" / "conformance" / f) for f in ("fastsuite.py", "generated.py", "mutants.py"))
    return hashlib.sha256(judging.encode()).hexdigest()[:16]


def _baseline_key(digest: str, killers: list) -> str:
    """The unmutated spec passed exactly these killers (spec, case files and test files unchanged)."""
    files = sorted({k[1].split("::")[0] for k in killers if k[0] == "test"})
    parts = [digest] + [f"{k[1]}={_killer_sha(k[1])}" for k in killers if k[0] == "case"] + [f"{f}={_sha(ROOT / f)}" for f in files]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _read(cache: Optional[Path], digest: str) -> dict:
    if cache is None or not cache.is_file():
        return {}
    try:
        data = json.loads(cache.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("spec") == digest else {}


def _load_cache(cache: Optional[Path], digest: str) -> dict:
    return _read(cache, digest).get("results", {})


def _load_baselines(cache: Optional[Path], digest: str) -> list:
    return _read(cache, digest).get("baselines", [])


def _save_cache(cache: Optional[Path], digest: str, results: dict, baseline: Optional[str] = None) -> None:
    if cache is None:
        return
    old = _read(cache, digest)
    data = {"spec": digest, "results": {**old.get("results", {}), **results},
            "baselines": old.get("baselines", []) + ([baseline] if baseline else [])}
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, sort_keys=True))
    tmp.replace(cache)
