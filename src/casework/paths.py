"""Where the shipped data folders are, in a source checkout and after `pip install .`."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    # A source checkout (editable install, tests) keeps the folder at the repository's top;
    # a wheel carries a copy under casework/_bundled.
    for candidate in (_PACKAGE.parent.parent / name, _PACKAGE / "_bundled" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cannot find the {name}/ folder next to the casework package")


def migrations_dir() -> Path:
    """The Alembic script folder."""
    return _find("migrations")


def workflows_dir() -> Path:
    """The folder of shipped workflow definitions."""
    return _find("workflows")


def repository_file(relative: str) -> Path:
    """A file of the source checkout (for developer commands such as `casework openapi`)."""
    return _PACKAGE.parent.parent / relative


def sample_plan() -> Path:
    """The township work plan the demo campaign is built from (a real one, as users bring them)."""
    return _PACKAGE / "samples" / "inspection-plan.txt"
