"""The conformance runner: replays vector cases against an implementation behind an adapter.

An adapter is a subprocess speaking JSON lines (docs/conformance.md). One adapter process serves
every case; if it crashes, hangs past the per-case timeout or prints something that is not a JSON
object, the case fails with a clear message, the adapter is restarted and the run goes on.
"""
from __future__ import annotations

import collections
import json
import os
import queue
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

import attrs

from reference.conformance.cases import FORMAT_VERSION, VECTORS_DIR, CaseFile, load_cases

REFERENCE_ADAPTER = (sys.executable, "-m", "spec.adapter")
DEFAULT_TIMEOUT = 10.0
_EOF = object()


class AdapterError(Exception):
    """The adapter failed as a process: `kind` is crash, timeout or garbage."""

    kind = "adapter"


class AdapterCrashed(AdapterError):
    kind = "crash"


class AdapterTimeout(AdapterError):
    kind = "timeout"


class AdapterGarbage(AdapterError):
    kind = "garbage"


class AdapterStartError(Exception):
    """The adapter command cannot be started at all."""


def adapter_argv(command: str | Sequence[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else list(command)


class SubprocessAdapter:
    """A running adapter process; `request` sends one JSON line and reads one back."""

    def __init__(self, command: str | Sequence[str], env: Optional[dict] = None, cwd: Optional[Path] = None):
        self.argv = adapter_argv(command)
        self.env = env
        self.cwd = cwd
        self.proc: Optional[subprocess.Popen] = None
        self.restarts = 0
        self.stderr_tail: collections.deque = collections.deque(maxlen=20)

    def start(self) -> None:
        try:
            self.proc = subprocess.Popen(
                self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                bufsize=1, env=self.env, cwd=self.cwd, start_new_session=True,
            )
        except OSError as exc:
            raise AdapterStartError(f"cannot start adapter {shlex.join(self.argv)}: {exc}") from None
        self.lines: queue.Queue = queue.Queue()
        self.stderr_tail = collections.deque(maxlen=20)
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines.put), daemon=True).start()
        self.stderr_pump = threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr_tail.append), daemon=True)
        self.stderr_pump.start()

    @staticmethod
    def _pump(stream, sink) -> None:
        try:
            for line in stream:
                sink(line)
        except (OSError, ValueError):
            pass
        sink(_EOF)

    def restart(self) -> None:
        self.stop()
        self.restarts += 1
        self.start()

    def stop(self) -> None:
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        try:
            proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()

    def _stderr(self) -> str:
        tail = "".join(line for line in self.stderr_tail if line is not _EOF).strip()
        return f"; stderr: {tail[-400:]}" if tail else ""

    def request(self, message: dict, timeout: float) -> dict:
        if self.proc is None:
            self.start()
        try:
            self.proc.stdin.write(json.dumps(message) + "\n")
            self.proc.stdin.flush()
        except (OSError, ValueError):
            raise AdapterCrashed(f"adapter closed its input (exit code {self.proc.poll()}){self._stderr()}") from None
        try:
            line = self.lines.get(timeout=max(timeout, 0.001))
        except queue.Empty:
            raise AdapterTimeout(f"no answer to {message['cmd']!r} within the case timeout") from None
        if line is _EOF:
            try:
                code = self.proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                code = None
            self.stderr_pump.join(timeout=1)
            raise AdapterCrashed(f"adapter exited (code {code}) while answering {message['cmd']!r}{self._stderr()}")
        try:
            response = json.loads(line)
        except json.JSONDecodeError:
            raise AdapterGarbage(f"adapter printed a line that is not JSON: {line.strip()[:200]!r}") from None
        if not isinstance(response, dict):
            raise AdapterGarbage(f"adapter printed JSON that is not an object: {line.strip()[:200]!r}")
        return response

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


class InProcessAdapter:
    """The reference session called directly (no subprocess): the runner's self-replay."""

    restarts = 0

    def __init__(self, session_factory: Optional[Callable] = None):
        from spec.adapter import Session

        self.factory = session_factory or Session
        self.session = self.factory()

    def request(self, message: dict, timeout: float) -> dict:
        return json.loads(json.dumps(self.session.handle(json.loads(json.dumps(message)))))

    def restart(self) -> None:
        self.session = self.factory()

    def stop(self) -> None:
        pass


@attrs.frozen
class CaseResult:
    """One case: `kind` is pass, mismatch, protocol (a malformed answer), format (a case format
    this runner does not read) or an adapter failure (crash, timeout, garbage); `path` locates
    the first difference in the case's JSON."""

    name: str
    kind: str
    message: str = ""
    path: str = ""
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.kind == "pass"


@attrs.frozen
class ConformanceReport:
    adapter: str
    vectors_dir: str
    results: tuple
    seconds: float
    restarts: int

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def failed(self) -> int:
        return self.total - self.passed

    @property
    def failures(self) -> list:
        return [r for r in self.results if not r.passed]

    @property
    def pass_rate(self) -> float:
        return self.passed / self.total if self.total else 0.0

    @property
    def counts(self) -> dict:
        return dict(collections.Counter(r.kind for r in self.results))

    @property
    def ok(self) -> bool:
        return self.total > 0 and self.failed == 0


class _Mismatch(Exception):
    def __init__(self, kind: str, path: str, message: str):
        super().__init__(message)
        self.kind, self.path, self.message = kind, path, message


def _show(value) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 160 else text[:157] + "..."


def first_difference(expected, actual, path: str = "$") -> Optional[tuple[str, str]]:
    """`(path, message)` for the first place `actual` differs from `expected`, or None."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual)):
            sub = f"{path}.{key}"
            if key not in actual:
                return sub, f"{sub}: expected {_show(expected[key])}, missing"
            if key not in expected:
                return sub, f"{sub}: unexpected {_show(actual[key])}"
            found = first_difference(expected[key], actual[key], sub)
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        for i, (e, a) in enumerate(zip(expected, actual)):
            found = first_difference(e, a, f"{path}[{i}]")
            if found:
                return found
        if len(expected) != len(actual):
            i = min(len(expected), len(actual))
            extra = f"expected {_show(expected[i])}, missing" if len(expected) > i else f"unexpected {_show(actual[i])}"
            return f"{path}[{i}]", f"{path}[{i}]: {extra} (expected {len(expected)} items, got {len(actual)})"
        return None
    if type(expected) is not type(actual) or expected != actual:
        return path, f"{path}: expected {_show(expected)}, got {_show(actual)}"
    return None


def _apply_response(response: dict, path: str) -> dict:
    """The part of an apply answer that is compared; a malformed answer is a protocol failure."""
    if response.get("ok") is True and isinstance(response.get("events"), list):
        return {"ok": True, "events": response["events"]}
    if response.get("ok") is False and isinstance(response.get("error_code"), str):
        return {"ok": False, "error_code": response["error_code"]}
    raise _Mismatch("protocol", path, f"{path}: answer {_show(response)} is neither "
                    '{"ok":true,"events":[...]} nor {"ok":false,"error_code":...}')


def replay_case(adapter, case: CaseFile, timeout: float = DEFAULT_TIMEOUT) -> CaseResult:
    """Load the pre-state, apply each operation comparing the answer with `expect`, then compare
    the final state with `post_state`. Adapter failures propagate as `AdapterError`."""
    start = time.perf_counter()
    deadline = start + timeout

    def ask(message):
        return adapter.request(message, deadline - time.perf_counter())

    data = case.data
    if "unreadable" in data:
        return CaseResult(case.name, "format", f"$: {data['unreadable']}", "$")
    if data.get("format_version") != FORMAT_VERSION:
        return CaseResult(case.name, "format", f"$.format_version: this runner reads format {FORMAT_VERSION}, "
                          f"the case has {data.get('format_version')!r}", "$.format_version")
    try:
        if "genesis" in data:  # a fork case built from genesis (docs/conformance.md)
            loaded = ask({"cmd": "genesis", "fork": data.get("fork"), "config": data["genesis"].get("config")})
            if loaded.get("ok") is not True:
                raise _Mismatch("protocol", "$.genesis", f"$.genesis: adapter did not start it: {_show(loaded)}")
        else:
            loaded = ask({"cmd": "load", "state": data["pre_state"]})
            if loaded.get("ok") is not True:
                raise _Mismatch("protocol", "$.pre_state", f"$.pre_state: adapter did not load it: {_show(loaded)}")
        for i, step in enumerate(data["operations"]):
            path = f"$.operations[{i}].expect"
            got = _apply_response(ask({"cmd": "apply", "op": {"op": step["op"], "args": step["args"]}}), path)
            if got["ok"] != step["expect"]["ok"]:
                wanted = "accepted" if step["expect"]["ok"] else f"rejected with {step['expect']['error_code']}"
                outcome = f"accepted with events {_show(got['events'])}" if got["ok"] else f"rejected with {got['error_code']}"
                raise _Mismatch("mismatch", f"{path}.ok", f"{step['op']}: {path}.ok: expected {wanted}, got {outcome}")
            found = first_difference(step["expect"], got, path)
            if found:
                raise _Mismatch("mismatch", found[0], f"{step['op']}: {found[1]}")
        answer = ask({"cmd": "state"})
        if not isinstance(answer.get("state"), dict):
            raise _Mismatch("protocol", "$.post_state", f"$.post_state: answer to state is {_show(answer)}")
        found = first_difference(data["post_state"], answer["state"], "$.post_state")
        if found:
            raise _Mismatch("mismatch", found[0], found[1])
    except _Mismatch as m:
        return CaseResult(case.name, m.kind, m.message, m.path, time.perf_counter() - start)
    return CaseResult(case.name, "pass", seconds=time.perf_counter() - start)


def run_cases(adapter, cases, adapter_name: str, vectors_dir, timeout: float = DEFAULT_TIMEOUT,
              stop_at_first_failure: bool = False, progress: Optional[Callable] = None) -> ConformanceReport:
    """Replay `cases` one after the other on `adapter`, restarting it after any adapter failure."""
    start = time.perf_counter()
    results = []
    for case in cases:
        t0 = time.perf_counter()
        try:
            result = replay_case(adapter, case, timeout)
        except AdapterError as error:
            result = CaseResult(case.name, error.kind, str(error), "", time.perf_counter() - t0)
            adapter.restart()
        results.append(result)
        if progress:
            progress(result)
        if stop_at_first_failure and not result.passed:
            break
    return ConformanceReport(adapter_name, str(vectors_dir), tuple(results), time.perf_counter() - start, adapter.restarts)


def run_conformance(adapter_cmd: str | Sequence[str] = REFERENCE_ADAPTER, vectors_dir: Path = VECTORS_DIR,
                    timeout: float = DEFAULT_TIMEOUT, stop_at_first_failure: bool = False, env: Optional[dict] = None,
                    progress: Optional[Callable] = None, select: Optional[Callable[[str], bool]] = None) -> ConformanceReport:
    """Replay every case under `vectors_dir` against the adapter command (one process for all
    cases, restarted after a crash, a hang or garbage). `select` filters cases by name."""
    cases = [c for c in load_cases(vectors_dir) if select is None or select(c.name)]
    name = adapter_cmd if isinstance(adapter_cmd, str) else shlex.join(adapter_cmd)
    with SubprocessAdapter(adapter_cmd, env=env) as adapter:
        return run_cases(adapter, cases, name, vectors_dir, timeout, stop_at_first_failure, progress)
