"""The evidence kinds workflows may require, with the labels people see."""

from enum import StrEnum


class EvidenceKind(StrEnum):
    PHOTO = "photo"
    SIGNED_ACK = "signed_ack"
    MEETING_MINUTES = "meeting_minutes"
    LEDGER = "ledger"
    DOCUMENT = "document"


LABELS = {
    EvidenceKind.PHOTO: "照片",
    EvidenceKind.SIGNED_ACK: "签字确认单",
    EvidenceKind.MEETING_MINUTES: "会议记录",
    EvidenceKind.LEDGER: "台账",
    EvidenceKind.DOCUMENT: "其他材料",
}
