"""The app behind real servers: `casework serve` (waitress) and gunicorn, started as processes.

What only a real server shows (chunked bodies, over-long request lines, limits enforced while
reading) is tested through raw HTTP against both.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_listening(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}: {process.stderr.read()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start listening")


@pytest.fixture(scope="module")
def instance(tmp_path_factory) -> dict[str, str]:
    """An instance folder with a migrated SQLite database and the demo loaded."""
    folder = tmp_path_factory.mktemp("served")
    env = {**os.environ, "CASEWORK_INSTANCE_DIR": str(folder), "CASEWORK_DATABASE_URL": "",
           "CASEWORK_REDIS_URL": ""}
    for args in (("db", "upgrade"), ("demo",)):
        subprocess.run([str(VENV_BIN / "casework"), *args], env=env, check=True, capture_output=True)
    return env


@pytest.fixture(scope="module", params=["waitress", "gunicorn"])
def server(request, instance) -> str:
    """The base URL of the app served by `casework serve` or by gunicorn."""
    port = free_port()
    if request.param == "waitress":
        command = [str(VENV_BIN / "casework"), "serve", "--port", str(port), "--threads", "4"]
    else:
        command = [str(VENV_BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "casework.web.wsgi:app"]
    process = subprocess.Popen(command, env=instance, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_listening(port, process)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
