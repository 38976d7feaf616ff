"""A real Dask cluster on 127.0.0.1 for the campaign tests: a `dask scheduler` process and
`dask worker` processes (one thread each, no nanny, so a killed worker stays dead), every one
started in its own process group, bounded in time and always torn down."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
START_TIMEOUT = 60.0
ROOT = Path(__file__).resolve().parents[2]


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


class Cluster:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.file = tmp / "scheduler.json"
        self.procs: list[subprocess.Popen] = []
        self.workers: list[subprocess.Popen] = []
        self.scheduler = self._spawn([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
                                      "--no-dashboard", "--scheduler-file", str(self.file)], "scheduler")
        deadline = time.monotonic() + START_TIMEOUT
        while not (self.file.exists() and self.file.stat().st_size):
            if time.monotonic() > deadline or self.scheduler.poll() is not None:
                raise RuntimeError(f"dask scheduler did not start: {(tmp / 'scheduler.log').read_text()[-2000:]}")
            time.sleep(0.2)
        self.address = json.loads(self.file.read_text())["address"]

    def _spawn(self, argv, name, cwd=ROOT, env=None) -> subprocess.Popen:
        log = (self.tmp / f"{name}.log").open("ab")
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def add_worker(self, cwd=ROOT, env=None, nthreads: int = 1) -> subprocess.Popen:
        worker = self._spawn([str(BIN / "dask"), "worker", self.address, "--nthreads", str(nthreads), "--no-nanny",
                              "--no-dashboard", "--host", "127.0.0.1", "--death-timeout", "60"],
                             f"worker{len(self.procs)}", cwd, env)
        self.workers.append(worker)
        return worker

    def alive_workers(self) -> list[subprocess.Popen]:
        return [w for w in self.workers if w.poll() is None]

    def ensure_workers(self, n: int) -> None:
        """`n` worker processes alive and connected to the scheduler."""
        from distributed import Client

        while len(self.alive_workers()) < n:
            self.add_worker()
        with Client(self.address, timeout=START_TIMEOUT, set_as_default=False) as client:
            deadline = time.monotonic() + START_TIMEOUT
            while len(client.scheduler_info(n_workers=-1)["workers"]) != n:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{n} workers did not join")
                time.sleep(0.2)

    def kill_busy_worker(self, want=lambda keys: bool(keys)) -> tuple[str, list[str], float]:
        """SIGKILL a worker process that holds tasks (`want(its task keys)`): its address, those keys
        and the time it was dead by."""
        from distributed import Client

        with Client(self.address, timeout=START_TIMEOUT, set_as_default=False) as client:
            pids = {pid: address for address, pid in client.run(os.getpid).items()}
            processing = client.processing()
        for worker in self.alive_workers():
            address = pids.get(worker.pid)
            keys = [str(k) for k in processing.get(address, ())]
            if address and want(keys):
                self.kill(worker)
                return address, keys, time.time()
        raise AssertionError(f"no worker holds tasks to kill it with: {processing}")

    def kill(self, worker: subprocess.Popen) -> None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)

    def close(self) -> None:
        for proc in reversed(self.procs):
            _stop(proc)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = Cluster(tmp_path_factory.mktemp("dask"))
    try:
        yield c
    finally:
        c.close()
