"""Findings in from a spreadsheet, and the list of sources they name, for operators."""

from __future__ import annotations

from pathlib import Path

import click

from casework.cli.base import fail, language, main, open_runtime, refusals


@main.group(help="Cases (整改事项): findings in from a spreadsheet, and where findings come from.")
def cases() -> None:
    pass


@cases.command("import", help="Open a case for each row of a findings list (问题清单, .xlsx or .csv); a report "
                              "unless --commit. Any problem refuses the whole file, listing each by row and column.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--campaign", "campaign_code", required=True, help="the campaign's code")
@click.option("--as", "username", required=True,
              help="the leader the cases are opened by (their scope limits the units rows may name)")
@click.option("--commit", is_flag=True, help="open the cases (default: only check the file)")
def cases_import(file: Path, campaign_code: str, username: str, commit: bool) -> None:
    from casework.campaigns import service as campaigns
    from casework.cases import findings_import
    from casework.tables import TableRefused
    from casework.users import service as users

    runtime = open_runtime()
    shown = language()
    with refusals():
        try:
            with runtime.transaction() as session:
                actor = users.by_username(session=session, username=username)
                if actor is None or not actor.is_active:
                    fail(f"no active user {username!r}", 2)
                campaign = campaigns.visible(session=session, user=actor, campaign_id=campaigns.by_code(
                    session=session, code=campaign_code).id)
                with file.open("rb") as stream:
                    data = stream.read(findings_import.LAYOUT.max_bytes + 1)
                report = findings_import.import_findings(session=session, actor=actor, campaign=campaign, data=data,
                                                         commit=commit)
        except TableRefused as refusal:
            for problem in refusal.public_details(shown)["problems"]:
                click.echo(f"row {problem['row']:>6}  {problem['column']}: {problem['message']}", err=True)
            if len(refusal.problems) > refusal.MAX_SHOWN:
                click.echo(f"… {len(refusal.problems) - refusal.MAX_SHOWN} more", err=True)
            raise
    for finding in report.preview:
        click.echo(f"row {finding.row:>6}  {finding.title}  ({finding.village or '—'}, {finding.deadline or '—'})")
    if report.rows > len(report.preview):
        click.echo(f"… {report.rows - len(report.preview)} more")
    if commit:
        click.echo(f"done: {report.created} case(s) opened in {campaign_code}")
    else:
        click.echo(f"checked: {report.rows} row(s), no problem; run again with --commit to open the cases")


@cases.command("sources", help="List where findings may come from (问题来源), or add one with --add.")
@click.option("--add", "name", help="a source to add to the list")
def cases_sources(name: str | None) -> None:
    from casework.cases import sources

    runtime = open_runtime()
    with refusals(), runtime.transaction() as session:
        if name:
            sources.add(session=session, name=name, actor_id=None)
        for source in sources.every_source(session=session):
            click.echo(source)
