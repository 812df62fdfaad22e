"""Setting an install up: the schema, campaigns and the demo."""

from __future__ import annotations

from datetime import date

import click

from casework.cli.base import fail, main, open_runtime, refusals, sync_or_fail
from casework.config import Settings


@main.group(help="The database schema.")
def db() -> None:
    pass


@db.command("upgrade", help="Apply the migrations to the configured database.")
def db_upgrade() -> None:
    from casework.db import safe_url
    from casework.migrate import upgrade

    settings = Settings.from_env()
    upgrade(settings.database_url)
    click.echo(f"database is up to date: {safe_url(settings.database_url)}")


@main.group(help="Campaigns (排查整改行动).")
def campaigns() -> None:
    pass


@campaigns.command("create", help="Open a campaign; CODE prefixes its case numbers (QS → QS-2026-0001).")
@click.argument("code")
@click.argument("name")
@click.option("--leader-unit", "leader_code", required=True, help="code of the leading unit")
@click.option("--starts", "starts_on", required=True, type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--ends", "ends_on", type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--timezone", help="IANA zone (default CASEWORK_TIMEZONE)")
def campaigns_create(code: str, name: str, leader_code: str, starts_on, ends_on, timezone: str | None) -> None:
    from casework.campaigns import service
    from casework.units import service as units

    runtime = open_runtime()
    with refusals(), runtime.transaction() as session:
        leader = units.by_code(session=session, code=leader_code)
        campaign = service.create(session=session, name=name, code=code, starts_on=starts_on.date(),
                                  ends_on=ends_on.date() if ends_on else None, leader_unit=leader,
                                  timezone=timezone or runtime.settings.timezone)
        click.echo(f"campaign {campaign.code} (id {campaign.id}) created, led by {leader.code}")


@main.command(help="Load the demo campaign (after `db upgrade`).")
@click.option("--password", envvar="CASEWORK_DEMO_PASSWORD", default="Casework-2026",
              show_default=True, help="password of every demo user")
def demo(password: str) -> None:
    from casework import demo as demo_data

    runtime = open_runtime()
    sync_or_fail(runtime)
    with refusals(), runtime.transaction() as session:
        loaded = demo_data.load(session=session, password=password, today=date.today(), storage=runtime.storage,
                                work_dir=runtime.settings.storage_dir)
    if not loaded:
        click.echo("the demo campaign is already loaded")
        return
    click.echo(f"demo loaded: township QS, 13 villages, {loaded} cases; users (password "
               f"{password!r}): " + ", ".join(u[0] for u in demo_data.DEMO_USERS))


__all__ = ["fail"]
