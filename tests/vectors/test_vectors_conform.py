"""The conformance runner: the reference adapter passes every case through one subprocess; a
crashing, hanging, garbage-printing or wrong adapter fails exactly the affected cases, with a
clear message, and the run goes on."""
import shutil
import sys
from pathlib import Path

import pytest

from kalypso.cli import main
from reference.conformance.cases import VECTORS_DIR, case_paths
from reference.conformance.runner import REFERENCE_ADAPTER, AdapterStartError, first_difference, run_conformance

FAKE = Path(__file__).with_name("fake_adapter.py")
CASES = ("clock/advance_time/zero", "tokens/mint/payment_token", "tokens/mint/zero")


@pytest.fixture()
def three_cases(tmp_path):
    for name in CASES:
        target = tmp_path / f"{name}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(VECTORS_DIR / f"{name}.json", target)
    return tmp_path


def fake(mode):
    return [sys.executable, str(FAKE), mode]


def test_reference_adapter_passes_every_case():
    report = run_conformance(REFERENCE_ADAPTER, VECTORS_DIR)
    assert report.total == len(case_paths(VECTORS_DIR)) >= 300
    assert report.failures == [] and report.ok
    assert report.restarts == 0


def test_crashing_adapter_is_restarted(three_cases):
    report = run_conformance(fake("crash"), three_cases)
    assert [r.kind for r in report.results] == ["pass", "crash", "pass"]
    assert "exited (code 3)" in report.results[1].message and "crashing on purpose" in report.results[1].message
    assert report.restarts == 1


def test_hanging_adapter_times_out(three_cases):
    report = run_conformance(fake("hang"), three_cases, timeout=1.0)
    assert [r.kind for r in report.results] == ["pass", "timeout", "pass"]
    assert report.results[1].seconds < 5


def test_garbage_is_reported_and_the_run_continues(three_cases):
    report = run_conformance(fake("garbage"), three_cases)
    assert [r.kind for r in report.results] == ["pass", "garbage", "pass"]
    assert "not JSON: '<html>not json</html>'" in report.results[1].message


def test_wrong_error_code_is_a_mismatch_with_its_path(three_cases):
    report = run_conformance(fake("wrong"), three_cases)
    assert [r.kind for r in report.results] == ["mismatch", "pass", "mismatch"]
    assert report.results[0].path == "$.operations[0].expect.error_code"
    assert 'expected "INVALID_TIME_STEP", got "SOMETHING_ELSE"' in report.results[0].message


def test_answer_of_wrong_shape_is_a_protocol_failure(three_cases):
    report = run_conformance(fake("shape"), three_cases)
    assert [r.kind for r in report.results] == ["protocol"] * 3
    assert 'answer {"result": "fine"} is neither' in report.results[0].message
    assert report.restarts == 0


def test_unknown_format_and_unreadable_cases_are_refused(three_cases):
    path = three_cases / "tokens" / "mint" / "zero.json"
    path.write_text(path.read_text().replace('"format_version": 1', '"format_version": 2'))
    (three_cases / "clock" / "advance_time" / "zero.json").write_text("{not json")
    report = run_conformance(REFERENCE_ADAPTER, three_cases)
    assert [r.kind for r in report.results] == ["format", "pass", "format"]
    assert report.results[0].message.startswith("$: not JSON")
    assert report.results[2].path == "$.format_version"


def test_missing_adapter_is_a_clear_error(three_cases):
    with pytest.raises(AdapterStartError, match="cannot start adapter"):
        run_conformance(["/nonexistent/adapter"], three_cases)


def test_cli_exit_status_and_diff(three_cases, capsys):
    assert main(["conform", "--adapter", " ".join(fake("wrong")), "--vectors", str(three_cases)]) == 1
    out = capsys.readouterr().out
    assert "SOMETHING_ELSE" in out and "1/3 cases passed" in out
    assert main(["conform", "--vectors", str(three_cases)]) == 0


def test_first_difference_names_the_path():
    expected = {"a": [{"b": "1"}, {"c": "2"}], "d": "x"}
    assert first_difference(expected, expected) is None
    assert first_difference(expected, {"a": [{"b": "1"}, {"c": "3"}], "d": "x"})[0] == "$.a[1].c"
    assert first_difference(expected, {"a": [{"b": "1"}], "d": "x"})[0] == "$.a[1]"
    assert first_difference(expected, {"a": [{"b": "1"}, {"c": "2"}]})[1] == '$.d: expected "x", missing'
    assert first_difference({"n": "1"}, {"n": 1})[1] == '$.n: expected "1", got 1'
