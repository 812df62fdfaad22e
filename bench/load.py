"""Driving the app with wrk (from Debian's package) and reading its figures back."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "wrk" / "requests.lua"


@dataclass(frozen=True)
class Figures:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    failed: int
    socket_errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {"requests": self.requests, "seconds": round(self.seconds, 1), "per_second": round(self.per_second, 1),
                "p50_ms": self.p50_ms, "p95_ms": self.p95_ms, "p99_ms": self.p99_ms, "max_ms": self.max_ms,
                "failed": self.failed, "socket_errors": self.socket_errors}


def write_requests(path: Path, lines: list[tuple[str, str, str | None]]) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for method, target, body in lines:
            out.write(f"{method}\t{target}\t{body or ''}\n")
    return path


def run_wrk(port: int, requests: Path, token: str, *, connections: int, seconds: int, order: str,
            threads: int = 2) -> Figures:
    """wrk with `connections` clients for `seconds`; its latency figures and failures."""
    threads = min(threads, connections)
    env = dict(os.environ, BENCH_REQUESTS=str(requests), BENCH_TOKEN=token, BENCH_THREADS=str(threads),
               BENCH_ORDER=order)
    done = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
                           "-s", str(SCRIPT), f"http://127.0.0.1:{port}"],
                          env=env, capture_output=True, text=True, check=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith("BENCH "))
    raw = json.loads(line.removeprefix("BENCH "))
    return Figures(requests=raw["requests"], seconds=raw["duration_us"] / 1e6, p50_ms=raw["p50_us"] / 1000,
                   p95_ms=raw["p95_us"] / 1000, p99_ms=raw["p99_us"] / 1000, max_ms=raw["max_us"] / 1000,
                   failed=raw["failed"], socket_errors=raw["socket_errors"])


def pgbench_tps(dsn_database: str, *, clients: int, seconds: int, scale: int = 20) -> float:
    """`pgbench -N` (TPC-B without the contended updates): what the database itself can write here."""
    base = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
    exists = subprocess.run(["psql", *base, "-d", "postgres", "-tAc",
                             f"SELECT 1 FROM pg_database WHERE datname = '{dsn_database}'"],
                            capture_output=True, text=True, check=True).stdout.strip()
    if not exists:
        subprocess.run(["createdb", *base, dsn_database], check=True)
        subprocess.run(["pgbench", *base, "-i", "-q", "-s", str(scale), dsn_database], check=True,
                       capture_output=True)
    done = subprocess.run(["pgbench", *base, "-N", "-c", str(clients), "-j", "2", "-T", str(seconds), "-n",
                           dsn_database], capture_output=True, text=True, check=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith("tps ="))
    return float(line.split()[2])
