"""Work plans into inspection items, for operators: a preview, then --commit."""

from __future__ import annotations

from pathlib import Path

import click

from casework.cli.base import language, main, open_runtime, refusals


@main.group(help="Work plans (工作方案).")
def plans() -> None:
    pass


@plans.command("import", help="Read a plan (.docx or text) into a campaign's items; a preview unless --commit.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--campaign", "campaign_code", required=True, help="the campaign's code")
@click.option("--commit", is_flag=True, help="create and update the items (default: only show what would change)")
def plans_import(file: Path, campaign_code: str, commit: bool) -> None:
    from casework.campaigns import plan_import, service
    from casework.i18n import translate

    runtime = open_runtime()
    with refusals(), runtime.transaction() as session:
        campaign = service.by_code(session=session, code=campaign_code)
        with file.open("rb") as stream:
            text = plan_import.read_plan_file(stream, limit=5 * 1024 * 1024)
        result = plan_import.import_plan(session=session, campaign=campaign, text=text, commit=commit)
        for outcome in result.items:
            plan = outcome.plan
            deadline = f"  期限 {plan['default_deadline']}" if plan["default_deadline"] else ""
            click.echo(f"{outcome.action:<12} {outcome.code:<12} {plan['title']}{deadline}")
            click.echo(f"{'':13}责任单位: {'、'.join(plan['responsible']) or '—'}")
            for difference in outcome.differences:
                click.echo(f"{'':13}{difference['field']}: {difference['current']!r} → plan {difference['plan']!r}")
        for warning in result.warnings:
            click.echo(f"WARNING {translate(warning.code, language(), warning.details)}", err=True)
        made = sum(o.action in ("create", "update") for o in result.items)
        click.echo(f"{'done' if commit else 'preview'}: {len(result.items)} item(s), {made} to create or update, "
                   f"{len(result.warnings)} warning(s){'' if commit else '; run again with --commit to import'}")
