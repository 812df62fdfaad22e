"""The working-day calendar's overrides, for operators."""

from __future__ import annotations

import click

from casework.cli.base import main, open_runtime, refusals


@main.group(help="Working days (工作日): the official calendar plus this install's overrides.")
def calendar() -> None:
    pass


@calendar.command("set", help="Make DAY (YYYY-MM-DD) a working day or a day off here.")
@click.argument("day")
@click.option("--workday/--holiday", "is_workday", required=True)
@click.option("--note", default="", help="why (shown to admins)")
def calendar_set(day: str, is_workday: bool, note: str) -> None:
    from casework.deadlines import calendar as work_calendar

    runtime = open_runtime()
    with refusals(), runtime.transaction() as session:
        override = work_calendar.set_day(session=session, day=day, is_workday=is_workday, note=note)
        click.echo(f"{override.day}: {'working day' if is_workday else 'day off'}")


@calendar.command("list", help="The overrides, oldest first.")
def calendar_list() -> None:
    from casework.deadlines import calendar as work_calendar

    runtime = open_runtime()
    with runtime.transaction() as session:
        for override in work_calendar.overrides(session=session):
            click.echo(f"{override.day}  {'working day' if override.is_workday else 'day off':<12} {override.note}")
