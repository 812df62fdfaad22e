"""Where one request's time goes: one gunicorn worker on the bench dataset, four clients, py-spy.

    .venv/bin/python bench/profile.py fire|get|list [--seconds 15] [--cases 1000000]

Needs the dataset `scripts/bench` builds and py-spy (`.venv/bin/pip install py-spy`). Prints wrk's
figures, the worker's CPU time per request, and the functions the samples were in (inclusive and
self), with the dispatch thread's share apart.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "src")]

from bench import dataset, load, servers  # noqa: E402
from bench.run import ADMIN_URL, REDIS_URL, rows  # noqa: E402


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _requests(kind: str, url: str) -> list[tuple[str, str, str | None]]:
    if kind == "fire":
        cases = rows(url, "SELECT id, version FROM cases WHERE state <> 'dismissed' ORDER BY id DESC LIMIT 50000")
        body = '{{"event":"note","version":{},"comment":"压测:已入户核查"}}'
        return [("POST", f"/api/v1/cases/{i}/events", body.format(v)) for i, v in cases]
    if kind == "get":
        return [("GET", f"/api/v1/cases/{i}", None) for (i,) in rows(url, "SELECT id FROM cases ORDER BY random() LIMIT 20000")]
    return [("GET", "/api/v1/cases?limit=50", None)]


def _report(raw: Path, top: int) -> None:
    inclusive, own, dispatch, total = collections.Counter(), collections.Counter(), collections.Counter(), 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames, n = stack.split(";"), int(count)
        total += n
        own[frames[-1]] += n
        for frame in set(frames[1:]):
            inclusive[frame] += n
            if "casework-dispatch" in frames[0]:
                dispatch[frame] += n
    for title, counter in (("inclusive", inclusive), ("self", own), ("dispatch thread", dispatch)):
        print(f"--- {title}")
        for frame, n in counter.most_common(top):
            print(f"{100 * n / total:5.1f}% {frame}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["fire", "get", "list"])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{dataset.database_name(args.cases)}"
    work = Path(tempfile.mkdtemp(prefix="casework-profile-"))
    env = servers.environment(CASEWORK_DATABASE_URL=url, CASEWORK_REDIS_URL=REDIS_URL, CASEWORK_INSTANCE_DIR=str(work),
                              CASEWORK_SECRET_KEY="bench-secret", CASEWORK_TOKEN_TTL="86400")
    with servers.gunicorn(env, workers=1, threads=1, log=work / "gunicorn.log") as (port, pid):
        token = servers.token(port, "county_leader", dataset.PASSWORD)
        worker = int(Path(f"/proc/{pid}/task/{pid}/children").read_text().split()[0])
        requests = load.write_requests(work / "requests.txt", _requests(args.kind, url))
        before = _cpu_ticks(worker)
        spy = subprocess.Popen([str(servers.BIN / "py-spy"), "record", "-p", str(worker), "-r", "100", "-d",
                                str(args.seconds), "--nonblocking", "--threads", "-f", "raw", "-o", str(work / "raw.txt")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        order = "stride" if args.kind == "fire" else "random"  # an event per case: no lost locks
        figures = load.run_wrk(port, requests, token, connections=4, seconds=args.seconds, order=order)
        spy.wait()
        ticks = _cpu_ticks(worker) - before
    print(json.dumps(figures.as_dict()))
    per_request = ticks * 1000 / os.sysconf("SC_CLK_TCK") / max(figures.requests, 1)
    print(f"worker CPU per request: {per_request:.2f} ms")
    _report(work / "raw.txt", args.top)


if __name__ == "__main__":
    main()
