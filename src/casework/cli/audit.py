"""The tamper-evident record, for operators and auditors."""

from __future__ import annotations

import click

from casework.cli.base import fail, main, open_runtime


@main.group(help="The tamper-evident record.")
def audit() -> None:
    pass


@audit.command("verify", help="Recompute every case's hash chain; exit 1 naming the first bad event.")
def audit_verify() -> None:
    from casework.audit.verify import verify_all

    runtime = open_runtime()
    with runtime.transaction() as session:
        result = verify_all(session=session)
    if not result.ok:
        bad = result.first_bad
        fail(f"AUDIT FAILED: case {bad.number} (id {bad.case_id}) event {bad.seq}: {bad.reason}", 1)
    click.echo(f"audit OK: {result.cases} case(s), {result.checked} event(s) checked")
