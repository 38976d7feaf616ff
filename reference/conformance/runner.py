"""The conformance runner: replays vector cases against an implementation behind an adapter.

An adapter is a subprocess speaking JSON lines (docs/conformance.md). One adapter process serves
every case; if it crashes, hangs past the per-case timeout or prints something that is not a JSON
object, the case fails with a clear message, the adapter is restarted and the run goes on.
"""
from __future__ import annotations

import collections
import json
import math
import os
import select
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
from spec import jsonsafe
from spec.errors import BadArgument, MalformedJSON

REFERENCE_ADAPTER = (sys.executable, "-m", "spec.adapter")
DEFAULT_TIMEOUT = 10.0


class AdapterError(Exception):
    """The adapter failed as a process: `kind` is crash, timeout, garbage or too_large."""

    kind = "adapter"


class AdapterCrashed(AdapterError):
    kind = "crash"


class AdapterTimeout(AdapterError):
    kind = "timeout"


class AdapterGarbage(AdapterError):
    kind = "garbage"


class AdapterOutputTooLarge(AdapterError):
    kind = "too_large"


class AdapterStartError(BadArgument):
    """The adapter command cannot be started at all."""

    def __init__(self, rule: str):
        super().__init__("--adapter", rule)


MAX_ANSWER_BYTES = 64 * 2**20
STDERR_TAIL_BYTES = 4096
_CHUNK = 1 << 16


def check_timeout(timeout: float, field: str = "--timeout") -> float:
    """A per-case timeout: a finite number of seconds > 0 (nan and inf would disable it)."""
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not math.isfinite(timeout) or timeout <= 0:
        raise BadArgument(field, f"must be a finite number of seconds > 0, got {timeout!r}")
    return float(timeout)


def adapter_argv(command: str | Sequence[str]) -> list[str]:
    try:
        argv = shlex.split(command) if isinstance(command, str) else list(command)
    except ValueError as exc:
        raise AdapterStartError(f"cannot parse the adapter command: {exc}") from None
    if not argv or not all(isinstance(a, str) and a and "\0" not in a for a in argv):
        raise AdapterStartError("the adapter command is empty (or has an empty or NUL-holding word)")
    return argv


class SubprocessAdapter:
    """A running adapter process; `request` sends one JSON line and reads one back.

    Bounded in time and memory whatever the adapter does: its input is written without blocking
    (an adapter that does not read times out instead of hanging the runner); its answer is read
    up to `max_answer_bytes` (more is `too_large`) and parsed with `spec.jsonsafe` (too deep, a
    huge integer or invalid UTF-8 is `garbage`); stderr keeps only its tail. The adapter runs in
    its own process group, killed whole when it stops, so no child it spawned outlives it."""

    def __init__(self, command: str | Sequence[str], env: Optional[dict] = None, cwd: Optional[Path] = None,
                 max_answer_bytes: int = MAX_ANSWER_BYTES):
        self.argv = adapter_argv(command)
        self.env = env
        self.cwd = cwd
        self.max_answer_bytes = max_answer_bytes
        self.proc: Optional[subprocess.Popen] = None
        self.restarts = 0
        self.stderr_tail = bytearray()
        self.buffer = bytearray()

    def start(self) -> None:
        try:
            self.proc = subprocess.Popen(
                self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0,
                env=self.env, cwd=self.cwd, start_new_session=True,
            )
        except (OSError, ValueError, TypeError) as exc:
            raise AdapterStartError(f"cannot start adapter {shlex.join(self.argv)}: {exc}") from None
        os.set_blocking(self.proc.stdin.fileno(), False)
        self.buffer = bytearray()
        self.stderr_tail = bytearray()
        self.stderr_pump = threading.Thread(target=self._drain_stderr, args=(self.proc.stderr, self.stderr_tail), daemon=True)
        self.stderr_pump.start()

    @staticmethod
    def _drain_stderr(stream, tail: bytearray) -> None:
        """Read stderr to its end, keeping the last STDERR_TAIL_BYTES (so a chatty adapter never blocks)."""
        try:
            while chunk := stream.read(_CHUNK):
                tail += chunk
                del tail[:-STDERR_TAIL_BYTES]
        except (OSError, ValueError):
            pass

    def restart(self) -> None:
        self.stop()
        self.restarts += 1
        self.start()

    def stop(self) -> None:
        """Close the adapter's input, give it a moment to exit, then kill its whole process group."""
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
            pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()
        for stream in (proc.stdout, proc.stderr):
            try:
                stream.close()
            except OSError:
                pass

    def _stderr(self) -> str:
        tail = bytes(self.stderr_tail).decode("utf-8", "replace").strip()
        return f"; stderr: {tail[-400:]}" if tail else ""

    def _exit_code(self) -> Optional[int]:
        try:
            return self.proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            return None

    def _send(self, data: bytes, deadline: float, what: str) -> None:
        fd = self.proc.stdin.fileno()
        view = memoryview(data)
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AdapterTimeout(f"adapter did not read the {what!r} request ({len(data)} bytes) within the case timeout")
            try:
                _, ready, _ = select.select([], [fd], [], remaining)
                if ready:
                    view = view[os.write(fd, view):]
            except BlockingIOError:
                continue
            except (BrokenPipeError, ConnectionResetError, OSError):
                raise AdapterCrashed(f"adapter closed its input (exit code {self._exit_code()}){self._stderr()}") from None

    def _receive_line(self, deadline: float, what: str) -> bytes:
        fd = self.proc.stdout.fileno()
        while True:
            newline = self.buffer.find(b"\n")
            if newline >= 0:
                line = bytes(self.buffer[:newline])
                del self.buffer[:newline + 1]
                return line
            if len(self.buffer) > self.max_answer_bytes:
                raise AdapterOutputTooLarge(f"answer to {what!r} is over {self.max_answer_bytes} bytes (output too large)")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AdapterTimeout(f"no answer to {what!r} within the case timeout")
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(fd, _CHUNK)
            if not chunk:
                code = self._exit_code()
                self.stderr_pump.join(timeout=1)
                if code is None:
                    raise AdapterCrashed(f"adapter closed its output while answering {what!r} (still running){self._stderr()}")
                raise AdapterCrashed(f"adapter exited (code {code}) while answering {what!r}{self._stderr()}")
            self.buffer += chunk

    def unsolicited_output(self) -> int:
        """Bytes the adapter printed that no request asked for (read so far, or readable now)."""
        if self.proc is None:
            return 0
        try:
            ready, _, _ = select.select([self.proc.stdout.fileno()], [], [], 0)
        except (OSError, ValueError):
            ready = []
        return len(self.buffer.strip()) + (1 if ready else 0)

    def request(self, message: dict, timeout: float) -> dict:
        if self.proc is None:
            self.start()
        what = message.get("cmd", "?")
        deadline = time.monotonic() + max(timeout, 0.001)
        if self.buffer.strip():
            raise AdapterGarbage(f"adapter printed output no request asked for before {what!r}: {bytes(self.buffer[:200])!r}")
        self._send((json.dumps(message) + "\n").encode("utf-8", "surrogatepass"), deadline, what)
        line = self._receive_line(deadline, what)
        try:
            response = jsonsafe.loads(line, "answer", max_bytes=self.max_answer_bytes, surrogates=True)
        except MalformedJSON as exc:
            raise AdapterGarbage(f"adapter printed a line that is not JSON: {_clip(line)!r} ({exc.rule})") from None
        if not isinstance(response, dict):
            raise AdapterGarbage(f"adapter printed JSON that is not an object: {_clip(line)!r}")
        return response

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


def _clip(line: bytes) -> str:
    return line.strip()[:200].decode("utf-8", "replace")


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


def case_shape_error(data) -> Optional[tuple[str, str]]:
    """`(path, message)` for the first place a case is not of the case format, or None (a case
    that is not cannot be replayed: it fails as `format`, the run goes on)."""
    if "genesis" in data:
        if not isinstance(data["genesis"], dict) or not isinstance(data["genesis"].get("config", {}), (dict, type(None))):
            return "$.genesis", "$.genesis: must be an object {config: ...}"
    elif not isinstance(data.get("pre_state"), dict):
        return "$.pre_state", "$.pre_state: must be an object (a state)"
    if not isinstance(data.get("post_state"), dict):
        return "$.post_state", "$.post_state: must be an object (a state)"
    if not isinstance(data.get("operations"), list):
        return "$.operations", "$.operations: must be a list"
    for i, step in enumerate(data["operations"]):
        path = f"$.operations[{i}]"
        if not isinstance(step, dict) or not {"op", "args", "expect"} <= set(step):
            return path, f"{path}: must be an object with op, args and expect"
        expect = step["expect"]
        if not isinstance(expect, dict) or not isinstance(expect.get("ok"), bool):
            return f"{path}.expect", f"{path}.expect: must be an object with ok true or false"
        if expect["ok"] and not isinstance(expect.get("events"), list):
            return f"{path}.expect.events", f"{path}.expect.events: an accepted step lists its events"
        if not expect["ok"] and not isinstance(expect.get("error_code"), str):
            return f"{path}.expect.error_code", f"{path}.expect.error_code: a rejected step names its error code"
    return None


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
                          f"the case has {_show(data.get('format_version'))}", "$.format_version")
    shape = case_shape_error(data)
    if shape:
        return CaseResult(case.name, "format", shape[1], shape[0])
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
    timeout = check_timeout(timeout)
    start = time.perf_counter()
    results = []
    for case in cases:
        t0 = time.perf_counter()
        try:
            result = replay_case(adapter, case, timeout)
            extra = getattr(adapter, "unsolicited_output", lambda: 0)()
            if extra:
                if result.passed:
                    result = CaseResult(case.name, "garbage", "adapter printed more than one line per request", "",
                                        time.perf_counter() - t0)
                adapter.restart()
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
                    progress: Optional[Callable] = None, select: Optional[Callable[[str], bool]] = None,
                    max_answer_bytes: int = MAX_ANSWER_BYTES) -> ConformanceReport:
    """Replay every case under `vectors_dir` against the adapter command (one process for all
    cases, restarted after a crash, a hang or garbage). `select` filters cases by name."""
    timeout = check_timeout(timeout)
    cases = [c for c in load_cases(vectors_dir) if select is None or select(c.name)]
    name = adapter_cmd if isinstance(adapter_cmd, str) else shlex.join(adapter_cmd)
    with SubprocessAdapter(adapter_cmd, env=env, max_answer_bytes=max_answer_bytes) as adapter:
        return run_cases(adapter, cases, name, vectors_dir, timeout, stop_at_first_failure, progress)
