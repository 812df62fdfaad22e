"""Starting the app the way it runs in production (gunicorn on PostgreSQL, waitress on SQLite),
waiting until it answers, signing in, and reading what its processes used."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the server did not answer within a minute")


@contextmanager
def _serving(command: list[str], port: int, env: dict[str, str], log: Path):
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log.open("a"), stderr=subprocess.STDOUT)
    try:
        _wait(port, process)
        yield port, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def gunicorn(env: dict[str, str], *, workers: int, threads: int, log: Path):
    """The app under gunicorn; as a context, (port, the master's pid)."""
    port = free_port()
    command = [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
               "--backlog", "2048"]
    if threads > 1:
        command += ["-k", "gthread", "--threads", str(threads)]
    return _serving([*command, "casework.web.wsgi:app"], port, env, log)


def waitress(env: dict[str, str], *, log: Path):
    """`casework serve` (waitress), the embedded default; as a context, (port, pid)."""
    port = free_port()
    return _serving([str(BIN / "casework"), "serve", "--port", str(port)], port, env, log)


def token(port: int, username: str, password: str) -> str:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/auth/token", method="POST",
                                     data=json.dumps({"username": username, "password": password}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)["token"]


def get_json(port: int, path: str, bearer: str):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {bearer}"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.load(answer)


def peak_rss_mib(master_pid: int) -> float:
    """The largest peak resident size among the server's processes (the master and its workers)."""
    pids = [master_pid]
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    peaks = []
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks, default=0.0)


def environment(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEWORK_")}
    env.update(values)
    env["PYTHONPATH"] = str(ROOT / "src")
    return env
