"""Units and users, for an operator working without the API."""

from __future__ import annotations

import os

import click

from casework.cli.base import fail, main, open_runtime, refusals
from casework.vocabulary import ROLES


@main.group(help="Responsible units.")
def units() -> None:
    pass


@units.command("create", help="Add a unit; --parent names its parent by code (only the first unit, the root, has none).")
@click.argument("name")
@click.option("--kind", required=True, help="township, office, village, work_team or assistance_officer")
@click.option("--code", help="stable code (generated when left out)")
@click.option("--parent", "parent_code", help="code of the parent unit")
def units_create(name: str, kind: str, code: str | None, parent_code: str | None) -> None:
    from casework.units import service

    runtime = open_runtime()
    with refusals(), runtime.transaction() as session:
        parent = service.by_code(session=session, code=parent_code) if parent_code else None
        unit = service.create(session=session, name=name, kind=kind, parent=parent, code=code)
        click.echo(f"unit {unit.code} (id {unit.id}) created")


@units.command("list", help="The unit tree, one unit a line, indented by depth.")
def units_list() -> None:
    from casework.units import service

    runtime = open_runtime()
    with runtime.transaction() as session:
        for unit in service.every_unit(session=session):
            depth = unit.path.count("/") - 2
            click.echo(f"{'  ' * depth}{unit.code:<12} {unit.kind:<18} {unit.name}")


@main.group(help="Users and their roles.")
def users() -> None:
    pass


@users.command("create", help="Add a user with a role in a unit (the root unit when --unit is left out).")
@click.argument("username")
@click.option("--password", help="beware shell history; else CASEWORK_PASSWORD, else a prompt")
@click.option("--role", required=True, type=click.Choice(sorted(ROLES)))
@click.option("--unit", "unit_code", help="code of the unit the role is held in")
@click.option("--display-name", help="the name people see")
def users_create(username: str, password: str | None, role: str, unit_code: str | None,
                 display_name: str | None) -> None:
    from casework.units import service as unit_service
    from casework.users import service

    password = password or os.environ.get("CASEWORK_PASSWORD")
    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    runtime = open_runtime()
    with refusals(), runtime.transaction() as session:
        if unit_code:
            unit = unit_service.by_code(session=session, code=unit_code)
        else:
            # The very first admin of an empty install gets a root to stand on.
            unit = unit_service.root(session=session) or unit_service.create(
                session=session, name="Root", kind="township", code="ROOT")
        user = service.create(session=session, username=username, password=password,
                              display_name=display_name, memberships=[(unit, role)],
                              policy=runtime.settings.password_policy)
        click.echo(f"user {user.username} (id {user.id}) created: {role} at {unit.code}")


@users.command("list", help="Every user with their roles.")
def users_list() -> None:
    from casework.users import service

    runtime = open_runtime()
    with runtime.transaction() as session:
        for user in service.every_user(session=session):
            roles = ", ".join(f"{m.role}@{m.unit.code}" for m in user.memberships)
            status = "" if user.is_active else "  (disabled)"
            click.echo(f"{user.username:<16} {user.display_name:<20} {roles}{status}")


@users.command("mobile", help="Set the mobile group robots @mention a user by (an official's, never a "
                              "household's); --clear removes it.")
@click.argument("username")
@click.argument("mobile", required=False)
@click.option("--clear", is_flag=True, help="remove the user's mobile")
def users_mobile(username: str, mobile: str | None, clear: bool) -> None:
    from casework.users import service
    from casework.users.mobile import masked

    if bool(mobile) == clear:
        fail("give a mobile number, or --clear", 2)
    runtime = open_runtime()
    with refusals(), runtime.transaction() as session:
        user = service.by_username(session=session, username=username)
        if user is None:
            fail(f"no user {username!r}", 2)
        service.set_mobile(session=session, user=user, mobile=None if clear else mobile)
        click.echo(f"user {user.username}: mobile {masked(user.mobile) or 'cleared'}")


__all__ = ["fail"]
