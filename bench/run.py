"""The benchmark at county scale: `scripts/bench` (see bench/README.md for what each figure means).

Builds (once, then kept) a PostgreSQL database of a million cases and ~5M chained events, runs
`pgbench -N` for the database's own ceiling, starts the app under gunicorn and drives it with wrk:
events fired by 32 clients, case lists and single cases read by 8; times `casework audit verify`
over every event; then the embedded default (SQLite, waitress) with 16 clients firing events.
Writes bench/results.json and bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, text

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "src")]

from bench import dataset, load, servers  # noqa: E402
from bench.targets import judge, markdown  # noqa: E402

ADMIN_URL = os.environ.get("CASEWORK_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("CASEWORK_BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def schema_head() -> str:
    from alembic.script import ScriptDirectory

    from casework.migrate import alembic_config

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=30, help="how long each load runs")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (1: sync workers)")
    parser.add_argument("--sqlite-cases", type=int, default=20_000)
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--skip", action="append", default=[], choices=["pgbench", "fire", "reads", "verify", "sqlite"])
    args = parser.parse_args()
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="casework-bench-"))
    results: dict = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine(),
                     "cases": args.cases, "seconds_per_load": args.seconds,
                     "server": {"gunicorn_workers": args.workers, "threads": args.threads}}

    name = dataset.database_name(args.cases)
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    if dataset.exists(ADMIN_URL, name):
        log(f"using the dataset in database {name}")
        dataset.bring_up_to_date(url, log)
    else:
        log(f"building {args.cases:,} cases in database {name} (kept for later runs)")
        dataset.build(ADMIN_URL, name, args.cases, log)
    results["events"] = count(url, "SELECT count(*) FROM case_events")
    log(f"{args.cases:,} cases, {results['events']:,} events")

    if "pgbench" not in args.skip:
        log("pgbench -N -c 32")
        results["pgbench_tps"] = load.pgbench_tps("casework_bench_pgbench", clients=32, seconds=args.seconds)
        log(f"  {results['pgbench_tps']:.0f} tps")

    env = servers.environment(CASEWORK_DATABASE_URL=url, CASEWORK_REDIS_URL=REDIS_URL, CASEWORK_INSTANCE_DIR=str(work),
                              CASEWORK_SECRET_KEY="bench-secret", CASEWORK_TOKEN_TTL="86400")
    with servers.gunicorn(env, workers=args.workers, threads=args.threads, log=work / "gunicorn.log") as (port, pid):
        leader = servers.token(port, "county_leader", dataset.PASSWORD)
        if "fire" not in args.skip:
            results["fire"] = fire_events(port, url, leader, work, connections=32, seconds=args.seconds)
        if "reads" not in args.skip:
            results.update(reads(port, url, leader, work, seconds=args.seconds))
        results["web_peak_rss_mib"] = round(servers.peak_rss_mib(pid), 1)
    flush_redis()

    if "verify" not in args.skip:
        results["verify"] = verify(env, results["events"])
    if "sqlite" not in args.skip:
        results["sqlite"] = sqlite_fire(args.sqlite_cases, seconds=args.seconds)

    results["targets"] = judge(results)
    results["elapsed_s"] = round(time.monotonic() - started)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    (args.out / "RESULTS.md").write_text(markdown(results))
    log(f"done in {results['elapsed_s']} s: {args.out / 'results.json'}, {args.out / 'RESULTS.md'}")
    print(markdown(results))


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = int(Path("/proc/meminfo").read_text().split()[1]) // 1024 // 1024
    postgres = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAc", "SHOW server_version"],
                              capture_output=True, text=True).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": memory, "postgresql": postgres,
            "python": platform.python_version()}


def count(url: str, query: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        value = conn.execute(text(query)).scalar_one()
    engine.dispose()
    return value


def rows(url: str, query: str, **params) -> list:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(text(query), params).all()
    engine.dispose()
    return found


def fire_events(port: int, url: str, token: str, work: Path, *, connections: int, seconds: int) -> dict:
    """`note` events, each on a case of its own (so none loses its optimistic lock to another)."""
    cases = rows(url, "SELECT id, version FROM cases WHERE state <> 'dismissed' ORDER BY id DESC LIMIT 200000")
    body = '{{"event":"note","version":{},"comment":"压测:已入户核查"}}'
    requests = load.write_requests(work / "fire.txt", [("POST", f"/api/v1/cases/{case_id}/events", body.format(version))
                                                       for case_id, version in cases])
    log(f"firing events with {connections} clients for {seconds} s")
    figures = load.run_wrk(port, requests, token, connections=connections, seconds=seconds, order="stride")
    log(f"  {figures.per_second:.0f} events/s, p50 {figures.p50_ms:.1f} ms, p99 {figures.p99_ms:.1f} ms, "
        f"{figures.failed} failed")
    return figures.as_dict()


LISTS = {
    # name → query string (the township leader over the whole county sees all the cases)
    "newest": "limit=50",
    "state": "state=rectifying&limit=50",
    "overdue": "overdue=true&limit=50",
    "by deadline": "sort=deadline&limit=50",
    "campaign": "campaign_id={campaign}&limit=50",
    "township": "unit_id={township}&limit=50",
    "assignee": "assignee_id={assignee}&limit=50",
    "state+township+campaign": "state=rectifying&unit_id={township}&campaign_id={campaign}&limit=50",
    "overdue+campaign": "overdue=true&campaign_id={campaign}&limit=50",
    "state+assignee": "state=rectifying&assignee_id={assignee}&limit=50",
    "overdue+township+by deadline": "overdue=true&unit_id={township}&sort=deadline&limit=50",
}
SEARCHES = {"q 2 characters (危房)": "q=%E5%8D%B1%E6%88%BF&limit=50",
            "q 3 characters (饮水安)": "q=%E9%A5%AE%E6%B0%B4%E5%AE%89&limit=50"}


def reads(port: int, url: str, token: str, work: Path, *, seconds: int) -> dict:
    """Lists (first pages and pages deeper by cursor) and single cases, 8 clients each."""
    values = {"campaign": rows(url, "SELECT id FROM campaigns ORDER BY id LIMIT 1")[0][0],
              "township": rows(url, "SELECT id FROM units WHERE kind = 'township' ORDER BY id LIMIT 1")[0][0],
              "assignee": rows(url, "SELECT assignee_id FROM cases WHERE assignee_id IS NOT NULL LIMIT 1")[0][0]}
    each: dict[str, dict] = {}
    paths = []
    for name, query in LISTS.items():
        path = "/api/v1/cases?" + query.format(**values)
        timings, page = [], path
        for _ in range(4):  # the first page and three more by cursor: every one a request people make
            begun = time.perf_counter()
            answer = servers.get_json(port, page, token)
            timings.append((time.perf_counter() - begun) * 1000)
            paths.append(page)
            if not answer["next_cursor"]:
                break
            page = f"{path}&cursor={answer['next_cursor']}"
        for _ in range(5):
            begun = time.perf_counter()
            servers.get_json(port, path, token)
            timings.append((time.perf_counter() - begun) * 1000)
        each[name] = {"one_client_median_ms": round(sorted(timings)[len(timings) // 2], 1),
                      "one_client_max_ms": round(max(timings), 1)}
    log(f"case lists ({len(paths)} pages of {len(LISTS)} kinds) with 8 clients")
    lists = load.run_wrk(port, load.write_requests(work / "lists.txt", [("GET", p, None) for p in paths]), token,
                         connections=8, seconds=seconds, order="random")
    log(f"  p95 {lists.p95_ms:.1f} ms, {lists.per_second:.0f}/s, {lists.failed} failed")

    ids = [r[0] for r in rows(url, "SELECT id FROM cases ORDER BY random() LIMIT 20000")]
    log("single cases with 8 clients")
    single = load.run_wrk(port, load.write_requests(work / "cases.txt", [("GET", f"/api/v1/cases/{i}", None) for i in ids]),
                          token, connections=8, seconds=seconds, order="random")
    log(f"  p95 {single.p95_ms:.1f} ms, {single.per_second:.0f}/s, {single.failed} failed")

    searches = {}
    for name, query in SEARCHES.items():
        figures = load.run_wrk(port, load.write_requests(work / "search.txt", [("GET", "/api/v1/cases?" + query, None)]),
                               token, connections=1, seconds=max(5, seconds // 3), order="random", threads=1)
        searches[name] = figures.as_dict()
        log(f"  {name}: p95 {figures.p95_ms:.0f} ms")
    return {"lists": lists.as_dict(), "list_kinds": each, "single_case": single.as_dict(), "search": searches}


def flush_redis() -> None:
    from redis import Redis

    Redis.from_url(REDIS_URL).flushdb()  # the jobs the events queued: no worker ran in the bench


def verify(env: dict[str, str], events: int) -> dict:
    """`casework audit verify` over every event: time, peak memory, and that it passes."""
    log(f"casework audit verify over {events:,} events")
    begun = time.perf_counter()
    # Through a small parent of its own, so the peak is that of verify and its processes alone
    # (this process's other children, the web server, were larger).
    measure = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[2:]).returncode; "
               "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
               "sys.exit(code)")
    peak_file = Path(tempfile.mkstemp(prefix="casework-verify-rss-")[1])
    done = subprocess.run([sys.executable, "-c", measure, str(peak_file), str(servers.BIN / "casework"), "audit",
                           "verify"], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - begun
    peak = int(peak_file.read_text() or 0) / 1024
    last = (done.stdout.strip().splitlines() or [""])[-1]
    log(f"  {elapsed:.0f} s, {elapsed / events * 1e6:.1f} µs an event, peak {peak:.0f} MiB: {last}")
    return {"seconds": round(elapsed, 1), "us_per_event": round(elapsed / events * 1e6, 2),
            "peak_rss_mib": round(peak, 1), "ok": done.returncode == 0, "said": last,
            "progress_lines": done.stderr.count("\n")}


def sqlite_fire(cases: int, *, seconds: int) -> dict:
    """The embedded default: SQLite under `casework serve`, 16 clients firing events."""
    folder = Path(tempfile.gettempdir()) / f"casework-bench-sqlite-{cases}-{schema_head()}"
    url = f"sqlite:///{folder / 'casework.db'}"
    if not (folder / "ready").exists():
        log(f"building {cases:,} cases on SQLite in {folder}")
        dataset.build_sqlite(folder, url, cases, log)
        (folder / "ready").write_text("")
    env = servers.environment(CASEWORK_INSTANCE_DIR=str(folder), CASEWORK_SECRET_KEY="bench-secret")
    with servers.waitress(env, log=folder / "serve.log") as (port, pid):
        token = servers.token(port, "county_leader", dataset.PASSWORD)
        cases_now = rows(url, "SELECT id, version FROM cases WHERE state <> 'dismissed' ORDER BY id DESC LIMIT 50000")
        body = '{{"event":"note","version":{},"comment":"压测:已入户核查"}}'
        requests = load.write_requests(folder / "fire.txt", [("POST", f"/api/v1/cases/{i}/events", body.format(v))
                                                             for i, v in cases_now])
        log("SQLite: firing events with 16 clients")
        figures = load.run_wrk(port, requests, token, connections=16, seconds=seconds, order="stride")
        peak = servers.peak_rss_mib(pid)
    log(f"  {figures.per_second:.0f} events/s, p99 {figures.p99_ms:.0f} ms, max {figures.max_ms:.0f} ms")
    return {**figures.as_dict(), "peak_rss_mib": round(peak, 1)}


if __name__ == "__main__":
    main()
