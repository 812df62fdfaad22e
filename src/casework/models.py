"""Every table, imported in one place so the metadata is complete (Alembic, tests)."""

from casework.trail.models import AdminLogEntry, CaseEvent
from casework.campaigns.models import Campaign, InspectionItem
from casework.cases.models import Case
from casework.db import Base
from casework.evidence.models import Evidence
from casework.idempotency.models import IdempotencyRecord
from casework.outbox.models import OutboxMessage
from casework.units.models import Unit
from casework.users.models import Membership, User
from casework.workflows.models import WorkflowVersion

__all__ = [
    "AdminLogEntry", "Base", "Campaign", "Case", "CaseEvent", "Evidence", "IdempotencyRecord",
    "InspectionItem", "Membership", "OutboxMessage", "Unit", "User", "WorkflowVersion",
]
