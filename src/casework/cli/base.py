"""The `casework` command group and what its commands share: settings, the runtime, failing well."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from casework.config import Settings
from casework.errors import CaseworkError
from casework.i18n import pick_language


def language() -> str:
    """The operator's language, from the locale: Chinese for zh_*, English otherwise."""
    tag = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return "zh" if tag.lower().startswith("zh") else pick_language("en")


def fail(message: str, code: int = 1) -> None:
    click.echo(message, err=True)
    sys.exit(code)


def open_runtime():
    """The runtime of the configured install, after checking its schema is current."""
    from casework.migrate import SchemaOutOfDate, require_current
    from casework.runtime import Runtime

    runtime = Runtime.open(Settings.from_env())
    try:
        require_current(runtime.engine)
    except SchemaOutOfDate as exc:
        fail(str(exc), 2)
    return runtime


@contextmanager
def refusals() -> Iterator[None]:
    """A domain refusal becomes its message on stderr and exit status 2."""
    try:
        yield
    except CaseworkError as exc:
        fail(exc.message(language()), 2)


def sync_or_fail(runtime) -> None:
    from casework.workflows.definition import InvalidWorkflow

    try:
        runtime.sync_workflows()
    except InvalidWorkflow as exc:
        fail(f"workflow definitions are invalid:\n{exc}", 1)


@click.group(help="Casework: rectification cases that move through versioned workflows.")
def main() -> None:
    pass
