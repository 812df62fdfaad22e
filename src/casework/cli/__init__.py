"""The `casework` command, for operators and scripts (one module per group of commands)."""

from casework.cli import (  # noqa: F401 - each registers its commands
    audit, calendar, cases, channels, households, jobs, org, plans, reports, serve, setup, workflows,
)
from casework.cli.base import main

__all__ = ["main"]
