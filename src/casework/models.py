"""Every table, imported in one place so the metadata is complete (Alembic, tests)."""

from casework.audit.models import VerificationRun
from casework.campaigns.models import Campaign, InspectionItem
from casework.cases.models import Case, CaseSource
from casework.channels.models import Channel, ChannelBucket, Delivery, DeliveryAttempt, DeliveryItem
from casework.closure.models import ClosurePack
from casework.db import Base
from casework.deadlines.models import WorkdayOverride
from casework.evidence.models import Evidence, PhashBand, ReuseFlag
from casework.households.models import Household
from casework.idempotency.models import IdempotencyRecord
from casework.jobs.models import Schedule
from casework.notifications.models import DeadlineStep, Notification
from casework.outbox.models import OutboxMessage
from casework.trail.models import AccessLogEntry, AdminLogEntry, CaseEvent, ChainHead, Checkpoint, CheckpointEntry
from casework.units.models import Unit
from casework.users.models import Membership, User
from casework.workflows.models import WorkflowVersion

__all__ = [
    "AccessLogEntry", "AdminLogEntry", "Base", "Campaign", "Case", "CaseEvent", "CaseSource", "ChainHead", "Channel",
    "ChannelBucket", "Checkpoint", "Delivery", "DeliveryAttempt", "DeliveryItem",
    "CheckpointEntry", "ClosurePack", "DeadlineStep", "Evidence", "Household", "IdempotencyRecord", "InspectionItem",
    "Membership", "Notification", "OutboxMessage", "PhashBand", "ReuseFlag", "Schedule", "Unit", "User", "VerificationRun",
    "WorkdayOverride", "WorkflowVersion",
]
