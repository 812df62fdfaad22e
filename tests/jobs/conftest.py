"""Real Redis and real RQ workers, started by the tests as processes.

The shared Redis on 127.0.0.1:6379 is used through a database number of its own, emptied before
and after. Tests that stop Redis start a server of their own on another port. In CI
(CASEWORK_REQUIRE_REDIS=1, set by .ci/run) an unreachable Redis fails the run instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from redis import Redis

from casework.jobs.dispatch import Dispatcher

REDIS_URL = os.environ.get("CASEWORK_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
REQUIRE_REDIS = os.environ.get("CASEWORK_REQUIRE_REDIS") == "1"
VENV_BIN = Path(sys.executable).parent


def wait_for(condition, *, seconds: float = 30, every: float = 0.1, what: str = "the condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def redis_url():
    try:
        connection = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        connection.ping()
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "not available"
        message = f"Redis at {REDIS_URL} is not reachable: {exc}"
        if REQUIRE_REDIS:
            pytest.fail(message + " (CASEWORK_REQUIRE_REDIS=1)")
        pytest.skip(message + " (set CASEWORK_REQUIRE_REDIS=1, as .ci/run does, to fail instead)")
    connection.flushdb()
    yield REDIS_URL
    connection.flushdb()


def on_redis(runtime, url: str) -> None:
    """Make `runtime` hand its jobs to RQ at `url`."""
    runtime.settings = runtime.settings.with_(redis_url=url, jobs="auto")
    runtime.jobs = Dispatcher(runtime, mode="rq")


class WorkerProcess:
    """`casework worker` running against the test database and a Redis."""

    def __init__(self, runtime, redis: str, tmp_path: Path, *extra: str) -> None:
        env = {**os.environ, "CASEWORK_DATABASE_URL": str(runtime.engine.url.render_as_string(hide_password=False)),
               "CASEWORK_REDIS_URL": redis, "CASEWORK_INSTANCE_DIR": str(tmp_path),
               "CASEWORK_SECRET_KEY": runtime.settings.secret_key, "CASEWORK_SWEEP_SECONDS": "86400"}
        self.log = tmp_path / f"worker-{time.monotonic_ns()}.log"
        self.process = subprocess.Popen([str(VENV_BIN / "casework"), "worker", *extra], env=env,
                                        stdout=self.log.open("w"), stderr=subprocess.STDOUT)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def start_worker(runtime, tmp_path):
    started: list[WorkerProcess] = []

    def start(redis: str, *extra: str) -> WorkerProcess:
        worker = WorkerProcess(runtime, redis, tmp_path, *extra)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server of this test's own, on a free port, that the test may stop and start."""
    from tests.serving.conftest import free_port

    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not installed (apt-get install redis-server)"
        if REQUIRE_REDIS:
            pytest.fail(message + " (CASEWORK_REQUIRE_REDIS=1)")
        pytest.skip(message + " (set CASEWORK_REQUIRE_REDIS=1, as .ci/run does, to fail instead)")
    port = free_port()

    class OwnRedis:
        url = f"redis://127.0.0.1:{port}/0"
        process = None

        def start(self):
            self.process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                             "--appendonly", "no", "--dir", str(tmp_path)],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_for(lambda: _pings(self.url), what="Redis to start")

        def stop(self):
            self.process.terminate()
            self.process.wait(timeout=10)

    server = OwnRedis()
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


def _pings(url: str) -> bool:
    try:
        return Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except Exception:  # noqa: BLE001
        return False
