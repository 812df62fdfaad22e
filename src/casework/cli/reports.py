"""The ledger and the numbers, for operators and scripts (every case of the install)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from casework.cli.base import main, open_runtime, refusals


@main.group(help="The rectification ledger (整改台账).")
def ledger() -> None:
    pass


@ledger.command("export", help="Write the ledger of every case (or one campaign's) as xlsx or csv.")
@click.option("--campaign", "campaign_code", help="only this campaign's cases")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True)
def ledger_export(campaign_code: str | None, fmt: str, output: Path) -> None:
    from casework.campaigns import service as campaigns
    from casework.cases.queries import CaseFilters
    from casework.reports import ledger as writer

    runtime = open_runtime()
    with refusals(), runtime.snapshot() as session:
        campaign_id = campaigns.by_code(session=session, code=campaign_code).id if campaign_code else None
        title = writer.title_of(session=session, campaign_id=campaign_id, scope="全部单位", on=date.today())
        source = writer.rows(session=session, user=None, filters=CaseFilters(campaign_id=campaign_id))
        if fmt == "xlsx":
            count = writer.write_xlsx(source=source, path=output, title=title)
        else:
            with output.open("w", encoding="utf-8", newline="") as out:
                count = writer.write_csv(source=source, out=out, title=title)
    click.echo(f"wrote {count} row(s) to {output}")


@main.command(help="The numbers: by state, unit and village, overdue, completion rate (as JSON).")
@click.option("--campaign", "campaign_code", required=True, help="the campaign's code")
def stats(campaign_code: str) -> None:
    import dataclasses

    from casework.campaigns import service as campaigns
    from casework.reports.stats import compute

    runtime = open_runtime()
    with refusals(), runtime.snapshot() as session:
        campaign = campaigns.by_code(session=session, code=campaign_code)
        numbers = compute(session=session, user=None, campaign_id=campaign.id)
    click.echo(json.dumps(dataclasses.asdict(numbers), ensure_ascii=False, indent=2, default=str))
