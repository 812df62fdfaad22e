"""Workflow definitions: checking files and listing stored versions."""

from __future__ import annotations

from pathlib import Path

import click

from casework.cli.base import fail, main, open_runtime, sync_or_fail
from casework.config import Settings
from casework.workflows.definition import InvalidWorkflow, load_file, load_folder


@main.group(help="Workflow definitions.")
def workflows() -> None:
    pass


@workflows.command("check", help="Validate definition files (default: the workflows folder).")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def workflows_check(paths: tuple[Path, ...]) -> None:
    errors = []
    checked = 0
    for path in paths or (Settings.from_env().workflows_dir,):
        if path.is_dir():
            definitions, problems = load_folder(path)
            checked += len(definitions)
            errors.extend(problems)
        else:
            try:
                load_file(path)
                checked += 1
            except InvalidWorkflow as exc:
                errors.extend(exc.errors)
    for error in errors:
        click.echo(str(error), err=True)
    if errors:
        fail(f"{len(errors)} problem(s) found", 1)
    click.echo(f"{checked} workflow(s) OK")


@workflows.command("list", help="Show stored workflow keys, versions and content hashes.")
def workflows_list() -> None:
    from casework.workflows import registry

    runtime = open_runtime()
    sync_or_fail(runtime)
    with runtime.transaction() as session:
        for row in registry.versions(session=session):
            status = " (retired)" if row.retired else ""
            click.echo(f"{row.key:<12} v{row.version:<4} {row.content_hash[:16]}  {row.created_at:%Y-%m-%d %H:%M}{status}")
