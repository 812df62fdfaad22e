"""The `casework` command, for operators and scripts."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from casework.config import Settings
from casework.errors import CaseworkError
from casework.workflows.definition import InvalidWorkflow, load_file, load_folder


def _runtime():
    from casework.migrate import SchemaOutOfDate, require_current
    from casework.runtime import Runtime

    runtime = Runtime.open(Settings.from_env())
    try:
        require_current(runtime.engine)
    except SchemaOutOfDate as exc:
        _fail(str(exc), 2)
    return runtime


def _fail(message: str, code: int = 1) -> None:
    click.echo(message, err=True)
    sys.exit(code)


@click.group(help="Casework: rectification cases that move through versioned workflows.")
def main() -> None:
    pass


# --- db -------------------------------------------------------------------------------------
@main.group(help="The database schema.")
def db() -> None:
    pass


@db.command("upgrade", help="Apply the migrations to the configured database.")
def db_upgrade() -> None:
    from casework.migrate import upgrade

    settings = Settings.from_env()
    upgrade(settings.database_url)
    click.echo(f"database is up to date: {_safe_url(settings.database_url)}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# --- units and users ------------------------------------------------------------------------
@main.group(help="Responsible units.")
def units() -> None:
    pass


@units.command("create", help="Add a unit; --parent names its parent by code.")
@click.argument("name")
@click.option("--kind", required=True, help="township, office, village, work_team or assistance_officer")
@click.option("--code", help="stable code (generated when left out)")
@click.option("--parent", "parent_code", help="code of the parent unit")
def units_create(name: str, kind: str, code: str | None, parent_code: str | None) -> None:
    from casework.units import service

    runtime = _runtime()
    try:
        with runtime.transaction() as session:
            parent = service.by_code(session=session, code=parent_code) if parent_code else None
            unit = service.create(session=session, name=name, kind=kind, parent=parent, code=code)
            click.echo(f"unit {unit.code} (id {unit.id}) created")
    except CaseworkError as exc:
        _fail(exc.message("en"), 2)


@main.group(help="Users and their roles.")
def users() -> None:
    pass


@users.command("create", help="Add a user with a role in a unit (the root unit when --unit is left out).")
@click.argument("username")
@click.option("--password", help="beware shell history; else CASEWORK_PASSWORD, else a prompt")
@click.option("--role", required=True, type=click.Choice(["admin", "leader", "unit", "auditor"]))
@click.option("--unit", "unit_code", help="code of the unit the role is held in")
@click.option("--display-name", help="the name people see")
def users_create(username: str, password: str | None, role: str, unit_code: str | None,
                 display_name: str | None) -> None:
    from sqlalchemy import select

    from casework.units import service as unit_service
    from casework.units.models import Unit
    from casework.users import service

    password = password or os.environ.get("CASEWORK_PASSWORD")
    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    runtime = _runtime()
    try:
        with runtime.transaction() as session:
            if unit_code:
                unit = unit_service.by_code(session=session, code=unit_code)
            else:
                unit = session.scalars(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id)).first()
                if unit is None:
                    unit = unit_service.create(session=session, name="Root", kind="township", code="ROOT")
            user = service.create(session=session, username=username, password=password,
                                  display_name=display_name, memberships=[(unit, role)])
            click.echo(f"user {user.username} (id {user.id}) created: {role} at {unit.code}")
    except CaseworkError as exc:
        _fail(exc.message("en"), 2)


# --- workflows ------------------------------------------------------------------------------
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
        _fail(f"{len(errors)} problem(s) found", 1)
    click.echo(f"{checked} workflow(s) OK")


@workflows.command("list", help="Show stored workflow keys, versions and content hashes.")
def workflows_list() -> None:
    from casework.workflows import registry

    runtime = _runtime()
    _sync_or_fail(runtime)
    with runtime.transaction() as session:
        for row in registry.versions(session=session):
            status = " (retired)" if row.retired else ""
            click.echo(f"{row.key:<12} v{row.version:<4} {row.content_hash[:16]}  {row.created_at:%Y-%m-%d %H:%M}{status}")


def _sync_or_fail(runtime) -> None:
    try:
        runtime.sync_workflows()
    except InvalidWorkflow as exc:
        _fail(f"workflow definitions are invalid:\n{exc}", 1)


# --- audit ----------------------------------------------------------------------------------
@main.group(help="The tamper-evident record.")
def audit() -> None:
    pass


@audit.command("verify", help="Recompute every case's hash chain; exit 1 naming the first bad event.")
def audit_verify() -> None:
    from casework.audit.verify import verify_all

    runtime = _runtime()
    with runtime.transaction() as session:
        result = verify_all(session=session)
    if not result.ok:
        bad = result.first_bad
        _fail(f"AUDIT FAILED: case {bad.number} (id {bad.case_id}) event {bad.seq}: {bad.reason}", 1)
    click.echo(f"audit OK: {result.cases} case(s), {result.checked} event(s) checked")


# --- demo, serve, worker --------------------------------------------------------------------
@main.command(help="Load the demo campaign (after `db upgrade`).")
@click.option("--password", envvar="CASEWORK_DEMO_PASSWORD", default="casework-demo",
              show_default=True, help="password of every demo user")
def demo(password: str) -> None:
    from casework import demo as demo_data

    runtime = _runtime()
    _sync_or_fail(runtime)
    with runtime.transaction() as session:
        loaded = demo_data.load(session=session, password=password)
    if not loaded:
        click.echo("the demo campaign is already loaded")
        return
    click.echo("demo loaded: township QS, 13 villages, 8 cases; users (password "
               f"{password!r}): " + ", ".join(u[0] for u in demo_data.DEMO_USERS))


@main.command(help="Run the web app (development server; use api/wsgi.py with gunicorn in production).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    from casework.web.app import create_app

    from casework.migrate import SchemaOutOfDate

    try:
        app = create_app()
    except InvalidWorkflow as exc:
        _fail(f"workflow definitions are invalid:\n{exc}", 1)
    except SchemaOutOfDate as exc:
        _fail(str(exc), 2)
    app.run(host=host, port=port)


@main.command(help="Write the OpenAPI document (default api/openapi.json); --check fails if it differs.")
@click.option("--output", type=click.Path(path_type=Path), default=None)
@click.option("--check", is_flag=True, help="compare instead of writing")
def openapi(output: Path | None, check: bool) -> None:
    from casework.paths import repository_file
    from casework.web.app import create_app
    from casework.web.spec import render

    output = output or repository_file("api/openapi.json")
    text = render(create_app())
    if check:
        if not output.exists() or output.read_text(encoding="utf-8") != text:
            _fail(f"{output} differs from the code's spec; run `casework openapi` and commit it", 1)
        click.echo(f"{output} matches the code")
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}")


@main.command(help="Run an RQ worker for background jobs (needs CASEWORK_REDIS_URL).")
def worker() -> None:
    from casework.jobs.worker import run_worker

    settings = Settings.from_env()
    if not settings.redis_url:
        _fail("CASEWORK_REDIS_URL is not set: without Redis, jobs run inside the web process", 2)
    run_worker(settings)


if __name__ == "__main__":
    main()
