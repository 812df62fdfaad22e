"""Household registers (花名册), for operators: the template, and an import previewed before --commit.

The operator at the command line reaches the whole unit tree; the API's import is limited to the
caller's scope.
"""

from __future__ import annotations

from pathlib import Path

import click

from casework.cli.base import fail, language, main, open_runtime, refusals


@main.group(help="Households (帮扶对象) and their register.")
def households() -> None:
    pass


@households.command("import", help="Read a household register (.xlsx or .csv); a report unless --commit. "
                                   "Any problem refuses the whole file, listing each by row and column.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--commit", is_flag=True, help="create and update the households (default: only report)")
def households_import(file: Path, commit: bool) -> None:
    from casework import personal_data
    from casework.households import import_register as registers
    from casework.households.register import MAX_BYTES
    from casework.i18n import translate
    from casework.tables import TableRefused

    runtime = open_runtime()
    shown = language()
    try:
        key = personal_data.load(runtime.settings.data_key_path)
    except personal_data.KeyProblem as exc:
        fail(f"the data key cannot be used: {exc}", 2)
    with refusals():
        try:
            with runtime.transaction() as session:
                with file.open("rb") as stream:
                    data = stream.read(MAX_BYTES + 1)
                result = registers.import_register(session=session, key=key, data=data, actor=None, commit=commit)
        except TableRefused as refusal:
            for problem in refusal.public_details(shown)["problems"]:
                click.echo(f"row {problem['row']:>5}  {problem['column']}: {problem['message']}", err=True)
            if len(refusal.problems) > refusal.MAX_SHOWN:
                click.echo(f"… {len(refusal.problems) - refusal.MAX_SHOWN} more", err=True)
            raise
    for outcome in result.rows:
        changes = "、".join(change["column"] for change in outcome.changes)
        click.echo(f"{outcome.action:<10} row {outcome.row:>5}  {outcome.number:<16} {outcome.head_name}  "
                   f"{outcome.village}{f'  ({changes})' if changes else ''}")
    for warning in result.warnings:
        click.echo(f"WARNING {translate(warning.code, shown, warning.details)}", err=True)
    counts = {action: result.count(action) for action in (registers.CREATE, registers.UPDATE, registers.UNCHANGED)}
    if commit:
        click.echo(f"done: {len(result.rows)} row(s): {counts['create']} created, {counts['update']} updated, "
                   f"{counts['unchanged']} unchanged")
    else:
        click.echo(f"preview: {len(result.rows)} row(s): {counts['create']} to create, {counts['update']} to update, "
                   f"{counts['unchanged']} unchanged; run again with --commit to import")


@households.command("template", help="Write the register template (Excel), listing every village and officer.")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def households_template(out: Path) -> None:
    from casework.households import template

    runtime = open_runtime()
    with runtime.transaction() as session:
        out.write_bytes(template.build(session=session, user=None))
    click.echo(f"template written: {out}")
