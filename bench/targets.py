"""The figures the bench is held to, each judged met or not, and the table people read."""

from __future__ import annotations

from typing import Any


def _get(results: dict, *path: str) -> Any:
    value: Any = results
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def judge(results: dict) -> list[dict]:
    """Each target: what it is, the figure measured, the bound, and whether it is met."""
    fire = _get(results, "fire", "per_second")
    pgbench = results.get("pgbench_tps")
    ratio = round(fire / pgbench, 3) if fire and pgbench else None
    rows = [
        ("event firing over HTTP, 32 clients ÷ pgbench -N", ratio, ">=", 0.10, ""),
        ("p99 latency of event firing at 32 clients", _get(results, "fire", "p99_ms"), "<=", 60, "ms"),
        ("case list (50 rows, up to 3 filters, any page), p95, 8 clients", _get(results, "lists", "p95_ms"), "<=", 20,
         "ms"),
        ("one case with allowed_events, p95, 8 clients", _get(results, "single_case", "p95_ms"), "<=", 10, "ms"),
        ("audit verify, per event", _get(results, "verify", "us_per_event"), "<=", 20, "µs"),
        ("embedded default (SQLite), 16 clients firing events, p99", _get(results, "sqlite", "p99_ms"), "<=", 200,
         "ms"),
        ("embedded default (SQLite), slowest request", _get(results, "sqlite", "max_ms"), "<=", 1000, "ms"),
    ]
    judged = []
    for name, value, sense, bound, unit in rows:
        met = None if value is None else (value >= bound if sense == ">=" else value <= bound)
        judged.append({"figure": name, "measured": value, "target": f"{sense.replace('>=', '≥').replace('<=', '≤')} "
                                                                    f"{bound}{(' ' + unit) if unit else ''}",
                       "unit": unit, "met": met})
    return judged


def markdown(results: dict) -> str:
    machine = results["machine"]
    lines = [
        f"Measured {results['when']} on {machine['cores']} cores ({machine['cpu']}), {machine['memory_gib']} GiB, "
        f"PostgreSQL {machine['postgresql']}, Python {machine['python']}; {results['cases']:,} cases, "
        f"{results.get('events', 0):,} events; gunicorn {results['server']['gunicorn_workers']} workers × "
        f"{results['server']['threads']} thread(s); {results['seconds_per_load']} s a load.",
        "",
        "| figure | measured | target | met |",
        "| --- | --- | --- | --- |",
    ]
    for target in results.get("targets", []):
        value = target["measured"]
        shown = "—" if value is None else f"{value:g}{(' ' + target['unit']) if target['unit'] else ''}"
        met = {True: "yes", False: "**no**", None: "not run"}[target["met"]]
        lines.append(f"| {target['figure']} | {shown} | {target['target']} | {met} |")
    extra = [
        ("pgbench -N -c 32", results.get("pgbench_tps"), "tps"),
        ("events fired over HTTP, 32 clients", _get(results, "fire", "per_second"), "/s"),
        ("event firing p50", _get(results, "fire", "p50_ms"), "ms"),
        ("case lists, 8 clients", _get(results, "lists", "per_second"), "/s"),
        ("single case p50", _get(results, "single_case", "p50_ms"), "ms"),
        ("peak RSS of a web process under load", results.get("web_peak_rss_mib"), "MiB"),
        ("audit verify, end to end", _get(results, "verify", "seconds"), "s"),
        ("audit verify, peak RSS", _get(results, "verify", "peak_rss_mib"), "MiB"),
        ("SQLite events/s, 16 clients", _get(results, "sqlite", "per_second"), "/s"),
    ]
    lines += ["", "| also measured | |", "| --- | --- |"]
    lines += [f"| {name} | {value:g} {unit} |" for name, value, unit in extra if value is not None]
    for name, figures in (results.get("search") or {}).items():
        lines.append(f"| text search {name}, one client, p95 | {figures['p95_ms']:g} ms |")
    kinds = results.get("list_kinds") or {}
    if kinds:
        lines += ["", "| case list, one client | median | slowest |", "| --- | --- | --- |"]
        lines += [f"| {name} | {v['one_client_median_ms']:g} ms | {v['one_client_max_ms']:g} ms |"
                  for name, v in kinds.items()]
    return "\n".join(lines) + "\n"
