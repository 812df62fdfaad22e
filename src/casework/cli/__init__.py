"""The `casework` command, for operators and scripts (one module per group of commands)."""

from casework.cli import audit, calendar, jobs, org, plans, reports, serve, setup, workflows  # noqa: F401 - each registers its commands
from casework.cli.base import main

__all__ = ["main"]
