"""Running the service: the web app, workers, and the committed OpenAPI document."""

from __future__ import annotations

from pathlib import Path

import click

from casework.cli.base import fail, main


def _app():
    from casework.migrate import SchemaOutOfDate
    from casework.web.app import create_app
    from casework.workflows.definition import InvalidWorkflow

    try:
        return create_app()
    except InvalidWorkflow as exc:
        fail(f"workflow definitions are invalid:\n{exc}", 1)
    except SchemaOutOfDate as exc:
        fail(str(exc), 2)


@main.command(help="Run the web app with waitress (gunicorn for production: see the README).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              help="requests served at once")
@click.option("--debug", is_flag=True, help="Flask's development server with the debugger instead (never in production)")
def serve(host: str, port: int, threads: int, debug: bool) -> None:
    app = _app()
    if debug:
        app.run(host=host, port=port, debug=True)
        return
    from casework.jobs.loop import BackgroundLoop
    from casework.web.serving import serve_with_waitress

    # Without Redis, reminders, escalations and checkpoints run on this process's own timer.
    BackgroundLoop(app.extensions["casework"]).start()
    serve_with_waitress(app, host=host, port=port, threads=threads)


@main.command(help="Write the OpenAPI document (default api/openapi.json); --check fails if it differs.")
@click.option("--output", type=click.Path(path_type=Path), default=None)
@click.option("--check", is_flag=True, help="compare instead of writing")
def openapi(output: Path | None, check: bool) -> None:
    from casework.paths import repository_file
    from casework.web.spec import render

    output = output or repository_file("api/openapi.json")
    text = render(_app())
    if check:
        if not output.exists() or output.read_text(encoding="utf-8") != text:
            fail(f"{output} differs from the code's spec; run `casework openapi` and commit it", 1)
        click.echo(f"{output} matches the code")
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}")
