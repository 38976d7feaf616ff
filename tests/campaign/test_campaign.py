"""Campaign results without a cluster: resume after an interruption, corrupt lines skipped and
reported, bad input (budget, parameters, scheduler, files) answered by one error naming it."""
from __future__ import annotations

import json

import pytest

from kalypso.cli import main
from reference.campaign import engine, store
from reference.campaign.report import summarize, write_report
from reference.campaign.tasks import Budget, CampaignError, parse_budget

SEED = 11
PARAMS = {"asks": 30, "provers": 8, "loads": [0.6], "coalitions": [0.0, 0.25]}


def merged(out):
    return json.loads((out / store.MERGED).read_text())


def test_budgets_parse_or_name_the_argument():
    assert parse_budget("12") == Budget(count=12)
    assert parse_budget("90s") == Budget(seconds=90) and parse_budget("2m") == Budget(seconds=120)
    for bad in ("0", "ten", "5d", "-3", "1.5"):
        with pytest.raises(CampaignError) as error:
            parse_budget(bad)
        assert error.value.field == "--budget"


def test_an_interrupted_campaign_resumes_to_the_uninterrupted_result(tmp_path):
    whole = engine.run_campaign("sweep", Budget(count=5), SEED, tmp_path / "whole", params=PARAMS, serial=True)
    assert whole.complete and whole.new == 5
    seen = []

    def stop(line):
        seen.append(line)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        engine.run_campaign("sweep", Budget(count=5), SEED, tmp_path / "cut", params=PARAMS, serial=True, on_result=stop)
    assert len(merged(tmp_path / "cut")) == 2
    again = engine.run_campaign("sweep", Budget(count=5), SEED, tmp_path / "cut", params=PARAMS, serial=True)
    assert again.new == 3 and again.done == 5 and again.complete
    assert merged(tmp_path / "cut") == merged(tmp_path / "whole")
    rerun = engine.run_campaign("sweep", Budget(count=5), SEED, tmp_path / "cut", params=PARAMS, serial=True)
    assert rerun.new == 0 and merged(tmp_path / "cut") == merged(tmp_path / "whole")
    lines = (tmp_path / "cut" / store.RESULTS).read_text().splitlines()
    assert len(lines) == 5 and len({json.loads(line)["key"] for line in lines}) == 5


def test_corrupt_and_repeated_lines_are_reported_and_never_merged(tmp_path):
    out = tmp_path / "c"
    engine.run_campaign("sweep", Budget(count=3), SEED, out, params=PARAMS, serial=True)
    good = (out / store.RESULTS).read_text().splitlines()
    forged = json.loads(good[1])
    forged["result"] = {"coverage": [], "finding": {"rule": "forged"}}
    stranger = json.loads(good[2])
    stranger["meta"]["version"] = "0.0.0+another"
    (out / store.RESULTS).write_text("\n".join([good[0], "{not json", json.dumps(forged), '{"key": "x"}', "\x00\xff",
                                                json.dumps(dict(forged, kind="machines")), json.dumps(stranger), good[2]]) + "\n")
    loaded = store.load_results(out, "sweep", store.read_manifest(out)["version"])
    assert [line["key"] for line in loaded.lines] == [json.loads(good[0])["key"], forged["key"], json.loads(good[2])["key"]]
    assert len(loaded.skipped) == 5 and any("'0.0.0+another'" in s for s in loaded.skipped)
    assert any("not JSON" in s for s in loaded.skipped) and any("missing" in s for s in loaded.skipped)
    assert any("kind 'machines'" in s for s in loaded.skipped)
    again = engine.run_campaign("sweep", Budget(count=3), SEED, out, params=PARAMS, serial=True)
    assert again.new == 0 and len(again.skipped) == 5
    assert [f["rule"] for f in summarize(out).findings] == ["forged"]  # the first line of a key is the one kept
    text = (write_report(out)[0]).read_text()
    assert "Skipped lines" in text and ":2: not JSON" in text


def test_the_cli_names_a_corrupt_manifest_a_results_directory_and_bad_params(tmp_path, capsys):
    out = tmp_path / "c"
    out.mkdir()
    (out / store.MANIFEST).write_text("{garbage")
    assert main(["campaign", "sweep", "--budget", "2", "--serial", "--no-progress", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: CampaignError [{out / store.MANIFEST}]: corrupt campaign manifest")
    assert len(err.strip().splitlines()) == 1
    other = tmp_path / "d"
    other.mkdir()
    (other / store.RESULTS).mkdir()
    assert main(["campaign", "sweep", "--budget", "2", "--serial", "--no-progress", "--out", str(other)]) == 2
    assert f"error: CampaignError [{other / store.RESULTS}]: is not a regular file" in capsys.readouterr().err
    assert main(["campaign", "sweep", "--budget", "2", "--serial", "--no-progress", "--out", str(tmp_path / "e"),
                 "--param", "colour=3"]) == 2
    assert "[--param colour]: the sweep kind has no parameter 'colour'" in capsys.readouterr().err
    assert main(["campaign", "sweep", "--budget", "1", "--serial", "--no-progress", "--out", str(tmp_path / "e"),
                 "--param", "asks=30"]) == 0
    capsys.readouterr()
    assert main(["campaign", "sweep", "--budget", "1", "--serial", "--no-progress", "--out", str(tmp_path / "e"),
                 "--param", "asks=31"]) == 2
    err = capsys.readouterr().err  # same directory, other parameters: refused, not mixed
    assert f"[{tmp_path / 'e' / store.MANIFEST}]: this directory holds a campaign with params" in err


def test_an_unreachable_scheduler_is_one_error_naming_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(engine, "CONNECT_TIMEOUT", 2.0)
    assert main(["campaign", "sweep", "--budget", "2", "--no-progress", "--out", str(tmp_path / "u"),
                 "--scheduler", "tcp://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert "error: CampaignError [--scheduler tcp://127.0.0.1:9]: unreachable" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err


def test_the_differential_kind_refuses_to_run_without_contracts(tmp_path, capsys):
    missing = tmp_path / "no-contracts"
    assert main(["campaign", "differential", "--budget", "2", "--serial", "--no-progress", "--out", str(tmp_path / "d"),
                 "--param", f"contracts={json.dumps(str(missing))}"]) == 2
    err = capsys.readouterr().err
    assert "error: CampaignError [differential]: needs the Kalypso contracts" in err and str(missing) in err
    assert not (tmp_path / "d" / store.RESULTS).exists()


def test_a_serial_cli_run_writes_the_report(tmp_path, capsys):
    out = tmp_path / "m"
    assert main(["campaign", "machines", "--budget", "3", "--serial", "--no-progress", "--out", str(out),
                 "--param", "examples=2", "--param", "steps=10"]) == 0
    assert "machines: 3 results (3 new" in capsys.readouterr().out
    for name in ("report.md", "report.html", "coverage.png", store.MERGED):
        assert (out / name).stat().st_size > 0
    assert "Throughput per worker" in (out / "report.md").read_text()


def test_a_duration_budget_stops_in_time_and_a_count_budget_finishes_the_rest(tmp_path):
    out = tmp_path / "t"
    params = dict(PARAMS, asks=60)
    timed = engine.run_campaign("sweep", parse_budget("1s"), SEED, out, params=params, serial=True)
    assert timed.seconds < 10 and not timed.complete and timed.done >= 1
    done = timed.done
    counted = engine.run_campaign("sweep", Budget(count=done + 2), SEED, out, params=params, serial=True)
    assert counted.new == 2 and counted.complete
    assert [r["index"] for r in merged(out)] == list(range(done + 2))


def test_bad_arguments_are_one_typed_line(tmp_path, capsys):
    for argv, field in ((["--budget", "0"], "[--budget]"), (["--budget", "3", "--workers", "0"], "--workers"),
                        (["--budget", "3", "--param", "novalue"], "[--param]")):
        assert main(["campaign", "sweep", "--serial", "--no-progress", "--out", str(tmp_path / "x"), *argv]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and field in err and len(err.strip().splitlines()) == 1, err
    assert main(["campaign", "nope", "--budget", "3"]) == 2
    assert "nope" in capsys.readouterr().err


def test_a_mutant_that_crashes_the_spec_is_killed_by_the_traces():
    from reference.campaign.kinds import mutation

    params = dict(mutation.KIND.defaults)
    mutation.precheck(params)  # the unmutated spec passes both checks
    task = next(t for t in mutation.tasks(0, params) if t.key == "named:join_unknown_market")
    result = mutation.run(task.payload, params)
    assert result["status"] == "killed" and result["vectors"]["status"] == "killed"
    assert result["traces"]["status"] == "killed" and "the spec crashed" in result["traces"]["by"] and "KeyError" in result["traces"]["by"]


def test_mutant_tasks_cover_every_source_in_order():
    from reference.campaign.kinds import mutation
    from reference.campaign.mutants import MUTANT_SOURCES

    keys = [t.key for t in mutation.tasks(0, mutation.KIND.defaults)]
    assert len(keys) == len(set(keys)) == sum(len(source()) for source in MUTANT_SOURCES.values())
    assert keys[0].startswith("named:") and keys[-1].startswith("generated:gen:spec.")
    assert [k.split(":")[0] for k in keys] == sorted((k.split(":")[0] for k in keys), key=list(MUTANT_SOURCES).index)


def test_overlong_deep_and_mistyped_lines_are_skipped_in_bounded_memory(tmp_path, monkeypatch, capsys):
    out = tmp_path / "c"
    engine.run_campaign("sweep", Budget(count=2), SEED, out, params=PARAMS, serial=True)
    good = (out / store.RESULTS).read_text().splitlines()
    import sys

    depth = sys.getrecursionlimit() + 100  # deeper than the C parser could go
    monkeypatch.setattr(store, "MAX_LINE", 2 * depth)
    bad_meta = json.loads(good[1])
    bad_meta["meta"]["finished"] = "yesterday"
    bad_cover = json.loads(good[1])
    bad_cover["result"]["coverage"] = 5
    huge = "x" * (3 * store.MAX_LINE)  # read through in pieces, never held whole
    (out / store.RESULTS).write_text("\n".join([good[0], huge, "[" * depth, json.dumps(bad_meta), json.dumps(bad_cover),
                                                good[1]]) + "\n")
    loaded = store.load_results(out, "sweep")
    assert [line["key"] for line in loaded.lines] == [json.loads(good[0])["key"], json.loads(good[1])["key"]]
    assert [s.split(": ", 1)[0].rsplit(":", 1)[1] for s in loaded.skipped] == ["2", "3", "4", "5"]
    assert "longer than" in loaded.skipped[0] and "nested" in loaded.skipped[1]
    assert "meta needs" in loaded.skipped[2] and "coverage must be a list" in loaded.skipped[3]
    # the CLI says so, line by line, and still merges and reports the good ones
    assert main(["campaign", "sweep", "--budget", "2", "--seed", str(SEED), "--serial", "--no-progress", "--out", str(out)] +
                [f"--param={k}={json.dumps(v)}" for k, v in PARAMS.items()]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("kalypso campaign: skipped a corrupt line: ") == 4 and "Traceback" not in captured.err
    assert [r["key"] for r in merged(out)] == [json.loads(g)["key"] for g in good]


def test_a_result_from_other_code_stops_the_campaign_naming_the_worker(tmp_path, monkeypatch):
    real = engine.execute

    def stranger(kind_name, task, params):
        line = real(kind_name, task, params)
        line["meta"]["version"] = "0.0.0+elsewhere"
        return line

    monkeypatch.setattr(engine, "execute", stranger)
    with pytest.raises(CampaignError) as error:
        engine.run_campaign("sweep", Budget(count=2), SEED, tmp_path / "v", params=PARAMS, serial=True)
    assert error.value.field.startswith("worker serial:") and "0.0.0+elsewhere" in error.value.rule
    assert merged(tmp_path / "v") == [] and not store.load_results(tmp_path / "v", "sweep").lines


def test_a_worker_without_the_contracts_is_refused_by_name(tmp_path, monkeypatch):
    from reference.campaign.kinds import differential

    import attrs

    here = attrs.evolve(differential.KIND, precheck=lambda params: None)  # as if this process had them, the worker not
    monkeypatch.setattr(engine, "get_kind", lambda name: here)
    with pytest.raises(CampaignError) as error:
        engine.run_campaign("differential", Budget(count=1), SEED, tmp_path / "d", serial=True,
                            params={"contracts": str(tmp_path / "none")})
    assert error.value.field.startswith("worker serial:") and "missing on this worker" in error.value.rule
    assert not store.load_results(tmp_path / "d", "differential").lines


def test_batches_grow_to_the_target_and_shrink_at_the_end():
    assert engine.batch_size(None, 100, 2) == 1  # no timing yet
    assert engine.batch_size(0.05, None, 2) == int(engine.BATCH_SECONDS / 0.05)
    assert engine.batch_size(0.0001, None, 2) == engine.MAX_BATCH
    assert engine.batch_size(5.0, None, 2) == 1  # long tasks go one by one
    assert engine.batch_size(0.05, 12, 2) == 3 and engine.batch_size(0.05, 3, 2) == 1  # the rest shared by 2 x slots
