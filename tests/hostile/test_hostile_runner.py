"""Regressions at the conformance runner (issue list, by number): whatever an adapter does, the
affected case fails with a labelled kind, within the case timeout and a memory bound, the run goes
on, and no process the adapter started outlives the run; malformed vector files fail as
`format`; `kalypso conform` refuses bad arguments with a typed error and exit 2."""
import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from kalypso.cli import main
from reference.conformance.cases import VECTORS_DIR, run_case, write_json
from reference.conformance.runner import REFERENCE_ADAPTER, run_conformance
from spec import operations as ops
from spec.containers import genesis

BAD = Path(__file__).with_name("bad_adapter.py")
CASES = ("clock/advance_time/zero", "tokens/mint/payment_token", "tokens/mint/zero")


def bad(mode, *extra):
    return [sys.executable, str(BAD), mode, *extra]


@pytest.fixture()
def three_cases(tmp_path):
    for name in CASES:
        target = tmp_path / "v" / f"{name}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(VECTORS_DIR / f"{name}.json", target)
    return tmp_path / "v"


def kinds(report):
    return [r.kind for r in report.results]


@pytest.mark.parametrize("mode,kind", [
    ("hang", "timeout"), ("crash", "crash"), ("exit0", "crash"), ("close", "crash"), ("garbage", "garbage"), ("shape", "garbage"),
    ("deep", "garbage"), ("bignum", "garbage"), ("surrogate", "protocol"), ("late", "timeout"), ("huge", "too_large"),
    ("flood", "garbage"),
])
def test_d06_d07_each_misbehaviour_fails_one_case_with_its_label(three_cases, mode, kind):
    start = time.monotonic()
    report = run_conformance(bad(mode), three_cases, timeout=1.5, max_answer_bytes=2**20)
    assert kinds(report) == ["pass", kind, "pass"], [r.message for r in report.results]
    assert time.monotonic() - start < 20
    assert report.results[1].message


def test_d07_chatty_stderr_does_not_block(three_cases):
    report = run_conformance(bad("stderr"), three_cases, timeout=5)
    assert kinds(report) == ["pass", "pass", "pass"]


def test_d01_an_adapter_that_does_not_read_times_out_on_a_large_request(tmp_path):
    """A pre-state larger than any pipe buffer: the write used to block forever."""
    state = genesis()
    case = run_case("many accounts", state, [ops.Mint(f"account-{i:05}", "USDC", 1) for i in range(1)])
    case["pre_state"]["supply"] = {"USDC": str(4_000)}
    case["pre_state"]["balances"] = {f"account-{i:05}": {"USDC": "1"} for i in range(4_000)}
    assert len(json.dumps(case)) > 130_000
    write_json(tmp_path / "tokens" / "mint" / "big.json", case)
    start = time.monotonic()
    report = run_conformance(bad("noread"), tmp_path, timeout=1.0)
    assert kinds(report) == ["timeout"] and "did not read" in report.results[0].message
    assert time.monotonic() - start < 10


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except OSError:
        return True


def test_d15_the_adapters_children_do_not_outlive_the_run(three_cases, tmp_path):
    pid_file = tmp_path / "child.pid"
    report = run_conformance(bad("child", str(pid_file)), three_cases, timeout=5)
    assert kinds(report) == ["pass", "pass", "pass"]
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)


@pytest.mark.parametrize("content", [
    "[]", "{}", '{"format_version": 1}', '{"format_version": 1, "pre_state": {}, "operations": "x", "post_state": {}}',
    '{"format_version": 1, "pre_state": {}, "operations": [1], "post_state": {}}',
    '{"format_version": 1, "pre_state": {}, "operations": [{"op": "mint", "args": {}, "expect": {"ok": "yes"}}], "post_state": {}}',
    '{"format_version": 1, "pre_state": {}, "operations": [{"op": [1], "args": {}, "expect": {"ok": false}}], "post_state": {}}',
    "[" * 100_000, '{"format_version": 1e999}', "\udcff",
])
def test_d08_malformed_case_files_fail_as_format(three_cases, content):
    (three_cases / "tokens" / "mint" / "zero.json").write_bytes(content.encode("utf-8", "surrogateescape"))
    report = run_conformance(REFERENCE_ADAPTER, three_cases)
    assert kinds(report) == ["pass", "pass", "format"]


def test_d08_directories_and_broken_links_where_a_case_should_be(three_cases):
    (three_cases / "tokens" / "mint" / "adir.json").mkdir()
    (three_cases / "tokens" / "mint" / "broken.json").symlink_to(three_cases / "nowhere")
    report = run_conformance(REFERENCE_ADAPTER, three_cases)
    assert sorted(kinds(report)) == ["format", "format", "pass", "pass", "pass"]


def _cli(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.err


@pytest.mark.parametrize("timeout", ["nan", "inf", "-inf", "0", "-1", "x", "1e400"])
def test_d01_conform_refuses_timeouts_that_disable_it(three_cases, capsys, timeout):
    code, err = _cli(capsys, "conform", "--vectors", str(three_cases), "--timeout", timeout)
    assert code == 2 and err.startswith("error: UsageError [--timeout]:")


def test_d01_the_runner_refuses_non_finite_timeouts_too(three_cases):
    from spec.errors import BadArgument

    for timeout in (float("nan"), float("inf"), 0, -1):
        with pytest.raises(BadArgument):
            run_conformance(REFERENCE_ADAPTER, three_cases, timeout=timeout)


@pytest.mark.parametrize("argv,field", [
    (("--adapter", ""), "--adapter"), (("--adapter", "'"), "--adapter"), (("--adapter", "/nonexistent/adapter"), "--adapter"),
    (("--json", "/nonexistent-dir/report.json"), "--json"), (("--json", "/"), "--json"), (("--vectors", "/nonexistent"), "--vectors"),
    (("--select", "no-such-case"), "--vectors"),
])
def test_d15_conform_bad_arguments_are_typed(three_cases, capsys, argv, field):
    code, err = _cli(capsys, "conform", "--vectors", str(three_cases), *argv)
    assert code == 2 and err.startswith("error: ") and f"[{field}]" in err, err


def test_d15_conform_unwritable_json_is_refused_before_the_run(three_cases, capsys):
    """/proc refuses new files to every user, root included."""
    code, err = _cli(capsys, "conform", "--vectors", str(three_cases), "--json", "/proc/kalypso-report.json")
    assert code == 2 and "[--json]" in err
