"""The words every layer shares: roles, unit kinds, evidence kinds, qualified roles.

A leaf module: it imports nothing of the project, so the workflow engine, the models, the web and
the jobs can all use it without depending on one another.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    LEADER = "leader"
    UNIT = "unit"
    AUDITOR = "auditor"


class UnitKind(StrEnum):
    TOWNSHIP = "township"  # 镇
    OFFICE = "office"  # 站/办
    VILLAGE = "village"  # 村(社区)
    WORK_TEAM = "work_team"  # 驻村工作队
    ASSISTANCE_OFFICER = "assistance_officer"  # 帮扶责任人


class EvidenceKind(StrEnum):
    PHOTO = "photo"
    SIGNED_ACK = "signed_ack"
    MEETING_MINUTES = "meeting_minutes"
    LEDGER = "ledger"
    DOCUMENT = "document"


# What people read for each evidence kind (佐证资料的类别).
EVIDENCE_LABELS: dict[str, str] = {
    EvidenceKind.PHOTO: "照片",
    EvidenceKind.SIGNED_ACK: "签字确认单",
    EvidenceKind.MEETING_MINUTES: "会议记录",
    EvidenceKind.LEDGER: "台账",
    EvidenceKind.DOCUMENT: "其他材料",
}

ROLES = frozenset(r.value for r in Role)
# Roles held at a unit that also hold over every unit below it. A `unit` role does not: the
# village clerk sees the village work team's cases but does not work them — the team does.
REACHES_DOWN = frozenset({Role.ADMIN.value, Role.LEADER.value, Role.AUDITOR.value})
UNIT_KINDS = frozenset(k.value for k in UnitKind)
EVIDENCE_KINDS = frozenset(k.value for k in EvidenceKind)


@dataclass(frozen=True)
class RoleSpec:
    """A role, optionally qualified by the kind of unit the membership sits in (leader@township)."""

    role: str
    unit_kind: str | None = None

    @classmethod
    def parse(cls, text: str) -> "RoleSpec":
        role, _, kind = text.partition("@")
        return cls(role, kind or None)

    def __str__(self) -> str:
        return f"{self.role}@{self.unit_kind}" if self.unit_kind else self.role
