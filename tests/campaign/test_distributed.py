"""Campaigns on a real Dask cluster (a `dask scheduler` and two `dask worker` processes on
127.0.0.1): killing a worker mid-run loses nothing and changes nothing, a resumed campaign merges
to the same result as an uninterrupted one, and a worker from other code is refused by name."""
from __future__ import annotations

import json
import shutil

import pytest

from reference.campaign import store
from reference.campaign.engine import run_campaign
from reference.evm.compile import missing_reason as evm_missing
from reference.campaign.tasks import Budget, CampaignError

from .conftest import ROOT

SEED = 7
SMALL = {
    "machines": (6, {"examples": 2, "steps": 20}),
    "sweep": (6, {"asks": 30, "provers": 8, "loads": [0.6], "coalitions": [0.0, 0.25]}),
    "mutation": (4, {"traces": 2, "steps": 20}),
    "differential": (4, {"steps": 12}),
}


def merged(out) -> list:
    return json.loads((out / store.MERGED).read_text())


def _skip_without_evm(kind):
    if kind == "differential" and evm_missing():
        pytest.skip(f"the differential kind needs the contracts and the npm toolchain: {evm_missing()}")


def _indices(keys) -> set[int]:
    """The task indices of the engine's Dask keys `campaign-KIND-VERSION-START+COUNT`."""
    out = set()
    for key in keys:
        start, count = key.rsplit("-", 1)[1].split("+")
        out.update(range(int(start), int(start) + int(count)))
    return out


@pytest.mark.parametrize("kind", sorted(SMALL))
def test_killed_worker_gives_the_serial_results(cluster, tmp_path, kind):
    _skip_without_evm(kind)
    count, params = SMALL[kind]
    serial = run_campaign(kind, Budget(count=count), SEED, tmp_path / "serial", params=params, serial=True)
    assert serial.complete and serial.done == count
    cluster.ensure_workers(2)
    seen, killed = [], []

    def kill_after_first(line):
        seen.append(line)
        if len(seen) == 1:
            killed.append(cluster.kill_busy_worker())  # a worker holding tasks, killed mid-run

    run = run_campaign(kind, Budget(count=count), SEED, tmp_path / "dist", scheduler=cluster.address, params=params,
                       on_result=kill_after_first)
    assert run.complete and run.new == count and len(seen) == count
    assert merged(tmp_path / "dist") == merged(tmp_path / "serial")
    assert all(line["meta"]["worker"].startswith("tcp://127.0.0.1:") for line in seen)
    victim, held, dead_by = killed[0]
    assert all(line["meta"]["finished"] < dead_by for line in seen if line["meta"]["worker"] == victim)


def test_a_worker_killed_mid_batch_has_the_whole_batch_rerun(cluster, tmp_path, monkeypatch):
    from reference.campaign import engine

    monkeypatch.setattr(engine, "BATCH_SECONDS", 60.0)  # batches of several tasks
    count, params = 16, dict(SMALL["sweep"][1], asks=150)  # tasks long enough that a held batch is still running when killed
    run_campaign("sweep", Budget(count=count), SEED, tmp_path / "serial", params=params, serial=True)
    cluster.ensure_workers(2)
    seen, killed = [], []

    def kill_mid_batch(line):
        seen.append(line)
        if not killed:
            try:
                killed.append(cluster.kill_busy_worker(lambda keys: any(not k.endswith("+1") for k in keys)))
            except AssertionError:
                pass  # no batch of several in flight yet: try at the next result

    run = run_campaign("sweep", Budget(count=count), SEED, tmp_path / "dist", scheduler=cluster.address, params=params,
                       on_result=kill_mid_batch)
    assert killed, "a worker was killed while it held a batch of several tasks"
    assert run.complete and run.new == count and sorted(line["index"] for line in seen) == list(range(count))
    assert merged(tmp_path / "dist") == merged(tmp_path / "serial")
    victim, held, dead_by = killed[0]
    assert all(line["meta"]["finished"] < dead_by for line in seen if line["meta"]["worker"] == victim)
    assert [line["meta"]["worker"] != victim for line in seen if line["index"] in _indices(held)] == [True] * len(_indices(held))


def test_resumed_distributed_campaign_merges_like_an_uninterrupted_one(cluster, tmp_path):
    count, params = SMALL["sweep"]
    run_campaign("sweep", Budget(count=count), SEED, tmp_path / "whole", params=params, serial=True)
    cluster.ensure_workers(2)

    def stop_after_two(line, seen=[]):
        seen.append(line)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_campaign("sweep", Budget(count=count), SEED, tmp_path / "cut", scheduler=cluster.address, params=params,
                     on_result=stop_after_two)
    with (tmp_path / "cut" / store.RESULTS).open("a") as f:
        f.write('{"key": "torn')  # a line cut by the kill
    assert len(store.load_results(tmp_path / "cut", "sweep").lines) == 2
    resumed = run_campaign("sweep", Budget(count=count), SEED, tmp_path / "cut", scheduler=cluster.address, params=params)
    assert resumed.new == count - 2 and resumed.complete
    assert len(resumed.skipped) == 1 and "not JSON" in resumed.skipped[0]
    assert merged(tmp_path / "cut") == merged(tmp_path / "whole")


def test_a_worker_from_other_code_is_refused_by_name(tmp_path):
    from .conftest import Cluster

    tree = tmp_path / "other"
    for package in ("spec", "properties", "reference", "kalypso"):
        shutil.copytree(ROOT / package, tree / package, ignore=shutil.ignore_patterns("__pycache__"))
    with (tree / "spec" / "__init__.py").open("a") as f:
        f.write("\n# a different tree\n")
    import os

    env = dict(os.environ, PYTHONPATH=str(tree))
    other = Cluster(tmp_path)
    try:
        other.add_worker(cwd=tree, env=env)
        with pytest.raises(CampaignError) as error:
            run_campaign("sweep", Budget(count=2), SEED, tmp_path / "out", scheduler=other.address, params=SMALL["sweep"][1])
        assert error.value.field.startswith("worker tcp://127.0.0.1:") and "version" in str(error.value)
        assert not (tmp_path / "out" / store.RESULTS).exists() or not store.load_results(tmp_path / "out", "sweep").lines
    finally:
        other.close()


def test_machines_refuse_a_multithreaded_worker(tmp_path):
    from .conftest import Cluster

    other = Cluster(tmp_path)
    try:
        other.add_worker(nthreads=2)
        with pytest.raises(CampaignError) as error:
            run_campaign("machines", Budget(count=1), SEED, tmp_path / "out", scheduler=other.address,
                         params=SMALL["machines"][1])
        assert error.value.field.startswith("worker tcp://127.0.0.1:") and "--nthreads 1" in error.value.rule
    finally:
        other.close()


def test_a_scheduler_without_workers_is_one_error_naming_it(tmp_path, monkeypatch, capsys):
    from kalypso.cli import main
    from reference.campaign import engine

    from .conftest import Cluster

    monkeypatch.setattr(engine, "WORKER_WAIT", 2.0)
    empty = Cluster(tmp_path)
    try:
        assert main(["campaign", "sweep", "--budget", "2", "--no-progress", "--out", str(tmp_path / "o"),
                     "--scheduler", empty.address]) == 2
    finally:
        empty.close()
    err = capsys.readouterr().err
    assert err.startswith(f"error: CampaignError [--scheduler {empty.address}]: no worker joined within 2s")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not store.load_results(tmp_path / "o", "sweep").lines


def _profiling(dask_worker) -> bool:
    return "profile" in dask_worker.periodic_callbacks


def test_a_local_cluster_has_quiet_workers_and_gives_the_serial_results(tmp_path):
    from distributed import Client

    from reference.campaign.engine import local_cluster

    with local_cluster(1) as cluster, Client(cluster, set_as_default=False) as client:
        assert list(client.run(_profiling).values()) == [False]  # LOCAL_CONFIG reached the worker process
    count, params = SMALL["sweep"]
    run_campaign("sweep", Budget(count=count), SEED, tmp_path / "serial", params=params, serial=True)
    local = run_campaign("sweep", Budget(count=count), SEED, tmp_path / "local", params=params, workers=1)
    assert local.complete and local.workers == 1
    assert merged(tmp_path / "local") == merged(tmp_path / "serial")
