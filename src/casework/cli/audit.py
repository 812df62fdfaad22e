"""The tamper-evident record, for operators and auditors."""

from __future__ import annotations

import sys

import click

from casework.cli.base import fail, language, main, open_runtime


@main.group(help="The tamper-evident record.")
def audit() -> None:
    pass


def _progress(done: int, total: int) -> None:
    # On a terminal, one line that counts up; in a log, nothing until the end.
    if sys.stderr.isatty():
        click.echo(f"\rchecked {done}/{total} cases", err=True, nl=done >= total)


@audit.command("verify", help="Recompute every chain, row and checkpoint; exit 1 listing each finding.")
def audit_verify() -> None:
    from casework.audit.verify import verify_all

    runtime = open_runtime()
    with runtime.snapshot() as session:
        result = verify_all(session=session, key_path=runtime.settings.checkpoint_key_path, progress=_progress)
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
