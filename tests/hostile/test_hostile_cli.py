"""Regressions at the command line (issue list, by number): every command refuses bad paths and
values with one typed line, `error: <TypedError> [field]: message`, exit 2, and no traceback.
Run as real processes: a crash of the interpreter (a segfault) must show as what it is."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

KALYPSO = [sys.executable, "-m", "kalypso"]


def kalypso(*argv, cwd=None, timeout=120):
    env = {**os.environ, "KALYPSO_TRACEBACK": ""}
    return subprocess.run([*KALYPSO, *argv], capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env)


def typed_refusal(done, field=None):
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith("error: ") and "]: " in line, line
    if field is not None:
        assert f"[{field}]" in line, line


@pytest.fixture(scope="module")
def deep(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    return path


@pytest.mark.parametrize("step", ["verify", "export-market", "prove-inputs", "setup"])
def test_d03_zk_commands_refuse_deep_json_without_crashing(deep, tmp_path, step):
    argv = {
        "verify": ["zk", "verify", "--vk", str(deep), "--public", str(deep), "--proof", str(deep)],
        "export-market": ["zk", "export", "market", "--public", str(deep), "--proof", str(deep)],
        "prove-inputs": ["zk", "prove", str(deep), "--zkey", str(deep), "--inputs", str(deep), "--seed", "s", "--out", str(tmp_path)],
        "setup": ["zk", "setup", str(deep), "--seed", "s", "--out", str(tmp_path)],
    }[step]
    done = kalypso(*argv)
    assert done.returncode != -11 and done.returncode != 139
    typed_refusal(done, str(deep))


@pytest.mark.parametrize("argv,field", [
    (("vectors", "check", "--vectors", "/nonexistent"), "--vectors"),
    (("vectors", "coverage", "--vectors", "/nonexistent"), "--vectors"),
    (("vectors", "generate", "--traces", "-1", "--out", "OUT"), "--traces"),
    (("vectors", "generate", "--steps", "0", "--out", "OUT"), "--steps"),
    (("vectors", "generate", "--out", "/proc/kalypso-vectors"), "--out"),
    (("vectors", "mutation", "--jobs", "0"), "--jobs"),
    (("vectors", "mutation", "--mutant", "no-such-mutant", "--out", "OUT"), "--mutant"),
    (("audit", "--only", ""), "--only"),
    (("audit", "--only", "no-such-section"), "--only"),
    (("simulate", "--asks", "-5"), "--asks"),
    (("simulate", "--out", "/proc/kalypso-sim.md"), "--out"),
    (("conform", "--timeout", "nan"), "--timeout"),
    (("prove", "--invariant", "I99"), "--invariant"),
    (("nonsense",), "COMMAND"),
    ((), "COMMAND"),
])
def test_d17_bad_paths_and_values_are_typed(argv, field, tmp_path):
    argv = [str(tmp_path / "out") if a == "OUT" else a for a in argv]
    typed_refusal(kalypso(*argv), field)


def test_d08_vectors_check_reports_a_malformed_case_without_a_traceback(tmp_path):
    import shutil

    from reference.conformance.cases import VECTORS_DIR

    shutil.copytree(VECTORS_DIR, tmp_path / "v")
    case = next((tmp_path / "v" / "tokens" / "mint").glob("*.json"))
    case.write_text('{"format_version": 1, "operations": [{"op": [1]}]}')
    (tmp_path / "v" / "tokens" / "mint" / "dir.json").mkdir()
    done = kalypso("vectors", "check", "--vectors", str(tmp_path / "v"), timeout=300)
    assert "Traceback" not in done.stdout + done.stderr
    assert done.returncode == 1 and "schema" in done.stdout


def test_a_bug_is_not_a_traceback_either():
    """An unexpected exception is reported in one line with exit 3 (a bug), not as bad input."""
    code = ("import sys; from kalypso import cli\n"
            "cli.build_parser = lambda: (_ for _ in ()).throw(KeyError('boom'))\n"
            "sys.exit(cli.main([]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 3 and "Traceback" not in done.stderr and done.stderr.startswith("error: InternalError [KeyError]")
