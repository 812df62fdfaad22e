"""What evidence looks like on the wire."""

from marshmallow import Schema, fields, validate

from casework.limits import REASON_MAX
from casework.schema_fields import Text
from casework.vocabulary import EVIDENCE_KINDS, EVIDENCE_LABELS


class UploadForm(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(sorted(EVIDENCE_KINDS)),
                         metadata={"description": "photo, signed_ack, meeting_minutes, ledger, document"})
    note = Text(max_length=REASON_MAX)


class UploadFile(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary",
                                               "description": "the original file (photos are never re-encoded)"})


class WithdrawIn(Schema):
    reason = Text(required=True, min_length=1, max_length=REASON_MAX)


class ReuseOut(Schema):
    kind = fields.String(metadata={"description": "same_bytes, near_duplicate (a resized or re-encoded copy), "
                                                  "old_photo (taken long before the case was opened)"})
    distance = fields.Integer(allow_none=True, metadata={"description": "perceptual hash bits apart"})
    other_case_number = fields.String(allow_none=True)
    other_evidence_id = fields.Integer(allow_none=True)


class GpsOut(Schema):
    lat = fields.Float()
    lon = fields.Float()


class EvidenceOut(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    kind = fields.String()
    kind_label = fields.Function(lambda e: EVIDENCE_LABELS.get(e.kind, e.kind))
    filename = fields.String()
    note = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.Integer()
    uploaded_at = fields.DateTime()
    taken_at = fields.DateTime(allow_none=True, metadata={"description": "when the photo says it was taken (EXIF)"})
    gps = fields.Function(lambda e: {"lat": e.gps_lat, "lon": e.gps_lon} if e.gps_lat is not None else None,
                          metadata={"description": "where the photo says it was taken (WGS-84)"})
    camera = fields.String(allow_none=True)
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    has_thumbnail = fields.Function(lambda e: e.thumbnail_sha256 is not None)
    withdrawn_at = fields.DateTime(allow_none=True)
    withdraw_reason = fields.String(allow_none=True)
    reuse = fields.Function(lambda e: getattr(e, "reuse", []), metadata={"description": "reuse flags"})


class EvidenceList(Schema):
    items = fields.List(fields.Nested(EvidenceOut))
    next_cursor = fields.String(allow_none=True)


class PackArgs(Schema):
    format = fields.String(validate=validate.OneOf(["pdf", "zip"]), load_default="pdf")
