"""Background work, for operators: workers, what failed, what waits."""

from __future__ import annotations

import click

from casework.cli.base import fail, main, open_runtime
from casework.config import Settings


@main.command(help="Run an RQ worker for background jobs (needs CASEWORK_REDIS_URL); run several, anywhere.")
@click.option("--burst", is_flag=True, help="stop once the queues are empty")
def worker(burst: bool) -> None:
    from casework.jobs.worker import run_worker

    settings = Settings.from_env()
    if not settings.redis_url:
        fail("CASEWORK_REDIS_URL is not set: without Redis, jobs run inside the web process", 2)
    open_runtime().close()  # the schema must be current before any job runs
    run_worker(settings, burst=burst)


@main.group(help="Background jobs: failures, retries, health.")
def jobs() -> None:
    pass


@jobs.command("failed", help="Jobs that failed for good, with their error.")
def jobs_failed() -> None:
    from casework.jobs import health

    runtime = open_runtime()
    found = health.failed(runtime)
    for job in found:
        click.echo(f"{job.id:<16} {job.description:<36} {job.error}")
    if not found:
        click.echo("no failed jobs")


@jobs.command("requeue", help="Put failed jobs back on their queue: by id, or --all.")
@click.argument("ids", nargs=-1)
@click.option("--all", "every", is_flag=True, help="every failed job")
def jobs_requeue(ids: tuple[str, ...], every: bool) -> None:
    from casework.jobs import health

    if not ids and not every:
        fail("name the jobs to requeue (see `casework jobs failed`), or give --all", 2)
    runtime = open_runtime()
    click.echo(f"{health.requeue(runtime, None if every else list(ids))} job(s) requeued")


@jobs.command("status", help="Queues, workers, work waiting to be handed out, and the periodic schedule.")
def jobs_status() -> None:
    from casework.jobs import health

    runtime = open_runtime()
    for line in health.status_lines(runtime):
        click.echo(line)
