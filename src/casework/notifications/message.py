"""What a notification about a case says: its number, title, village and deadline."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from casework.cases.models import Case


def case_params(*, session: Session, case: Case) -> dict[str, Any]:
    """The parameters every case message fills in."""
    return {"number": case.number, "title": case.title, "village": f"({case.village})" if case.village else "",
            "deadline": case.deadline.isoformat() if case.deadline else "", "case_id": case.id}
