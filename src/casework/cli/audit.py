"""The tamper-evident record, for operators and auditors."""

from __future__ import annotations

import os
import sys
import time

import click

from casework.cli.base import fail, language, main, open_runtime


@main.group(help="The tamper-evident record.")
def audit() -> None:
    pass


class _Progress:
    """On a terminal, one line that counts up; in a log, a line at each tenth of the way."""

    def __init__(self) -> None:
        self.started, self.shown = time.monotonic(), -1

    def __call__(self, done: int, total: int) -> None:
        rate = done / max(time.monotonic() - self.started, 1e-9)
        line = f"checked {done}/{total} cases ({done * 100 // max(total, 1)}%, {rate:,.0f} cases/s)"
        if sys.stderr.isatty():
            click.echo(f"\r{line}", err=True, nl=done >= total)
        elif done * 10 // max(total, 1) > self.shown:
            self.shown = done * 10 // max(total, 1)
            click.echo(line, err=True)


@audit.command("verify", help="Recompute every chain, row and checkpoint; exit 1 listing each finding.")
@click.option("--processes", type=click.IntRange(0, 64), default=0, show_default=True,
              help="Processes checking cases (PostgreSQL); 0: one per core.")
def audit_verify(processes: int) -> None:
    from casework.audit.parallel import verify_all_parallel
    from casework.audit.verify import verify_all

    runtime = open_runtime()
    on_postgres = runtime.engine.dialect.name == "postgresql"
    processes = (processes or os.cpu_count() or 1) if on_postgres else 1
    key_path = runtime.settings.checkpoint_key_path
    with runtime.snapshot() as session:
        if processes > 1:
            result = verify_all_parallel(session=session, url=runtime.settings.database_url, processes=processes,
                                         key_path=key_path, progress=_Progress())
        else:
            result = verify_all(session=session, key_path=key_path, progress=_Progress())
    if not result.ok:
        for finding in result.findings:
            click.echo(f"AUDIT FAILED: {finding.line(language())}", err=True)
        fail(f"{len(result.findings)} finding(s); {result.cases} case(s), {result.checked} event(s) checked", 1)
    click.echo(f"audit OK: {result.cases} case(s), {result.checked} event(s) checked")


@audit.command("checkpoint", help="Write a signed checkpoint of every case changed since the last one (run it from cron).")
def audit_checkpoint() -> None:
    from casework.audit import checkpoints

    runtime = open_runtime()
    with runtime.transaction() as session:
        made = checkpoints.make(session=session, key_path=runtime.settings.checkpoint_key_path)
    for finding in made.findings:
        click.echo(f"NOT CHECKPOINTED: {finding.line(language())}", err=True)
    if made.checkpoint is None:
        click.echo("nothing changed since the last checkpoint")
    else:
        click.echo(f"checkpoint {made.checkpoint.seq}: {made.checkpoint.entry_count} case(s), "
                   f"hash {made.checkpoint.hash[:16]}…, key {made.checkpoint.key_id}")
    if made.findings:
        fail(f"{len(made.findings)} case(s) no longer extend their last checkpoint", 1)
