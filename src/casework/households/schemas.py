"""What households and register imports look like on the wire."""

from marshmallow import Schema, fields, validate

from casework.households import checks
from casework.households.categories import CATEGORIES
from casework.limits import CURSOR_MAX, DEFAULT_PAGE, MAX_PAGE, SEARCH_MAX
from casework.schema_fields import Id, Text

_PERSONAL_MAX = 40  # an ID number or phone as people type them, spaces and +86 included


class HouseholdCreate(Schema):
    number = Text(required=True, min_length=1, max_length=checks.NUMBER_MAX,
                  metadata={"description": "户编号: letters, digits and -_. (re-imports match on it)"})
    head_name = Text(required=True, min_length=1, max_length=checks.NAME_MAX, names=True)
    id_number = Text(max_length=_PERSONAL_MAX, metadata={"description": "18 characters, GB 11643 check digit"})
    phone = Text(max_length=_PERSONAL_MAX, metadata={"description": "a mobile, or a landline with its area code"})
    village_id = Id(required=True, metadata={"description": "a unit of kind village you lead or administer"})
    size = fields.Integer(strict=True, validate=validate.Range(min=1, max=checks.SIZE_MAX))
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    officer_id = Id(metadata={"description": "a unit of kind assistance_officer (帮扶责任人)"})


class UnitRef(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class HouseholdOut(Schema):
    id = fields.Integer()
    number = fields.String()
    head_name = fields.String()
    id_number = fields.String(allow_none=True, metadata={
        "description": "masked (all but the last four) unless personal_data is full"})
    phone = fields.String(allow_none=True, metadata={"description": "masked unless personal_data is full"})
    personal_data = fields.String(metadata={"description": "masked, or full (leaders and auditors, ?full=1)"})
    village = fields.Nested(UnitRef)
    size = fields.Integer(allow_none=True)
    category = fields.String(allow_none=True)
    category_label = fields.String(allow_none=True)
    officer = fields.Nested(UnitRef, allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class CaseRef(Schema):
    id = fields.Integer()
    number = fields.String()
    title = fields.String()
    state = fields.String()


class HouseholdDetail(HouseholdOut):
    cases = fields.List(fields.Nested(CaseRef), metadata={"description": "the household's cases in your scope"})


class HouseholdList(Schema):
    items = fields.List(fields.Nested(HouseholdOut))
    next_cursor = fields.String(allow_none=True)


class HouseholdListArgs(Schema):
    unit_id = Id(strict=False, metadata={"description": "households of this unit's villages (or officers) and below"})
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    number = Text(max_length=checks.NUMBER_MAX, metadata={"description": "exactly this household number"})
    q = Text(max_length=SEARCH_MAX, metadata={"description": "text in the head's name or the number"})
    id_number = Text(max_length=_PERSONAL_MAX, metadata={"description": "exactly this ID number"})
    phone = Text(max_length=_PERSONAL_MAX, metadata={"description": "exactly this phone"})
    limit = fields.Integer(validate=validate.Range(min=1, max=MAX_PAGE), load_default=DEFAULT_PAGE)
    cursor = fields.String(validate=validate.Length(max=CURSOR_MAX))


class HouseholdReadArgs(Schema):
    full = fields.Boolean(load_default=False, metadata={
        "description": "ID number and phone in full (leaders and auditors over the village; recorded)"})


class RegisterForm(Schema):
    commit = fields.Boolean(load_default=False, metadata={"description": "write (default: only report)"})


class RegisterFile(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary",
                                               "description": ".xlsx (also .xls, .ods) or .csv, at most 20 MB"})


class RegisterUpload(RegisterForm, RegisterFile):
    """The multipart body as a whole (for the API's documentation)."""


class ChangeOut(Schema):
    field = fields.String()
    column = fields.String()


class RowOut(Schema):
    row = fields.Integer()
    number = fields.String()
    head_name = fields.String()
    village = fields.String()
    action = fields.String(metadata={"description": "create, update or unchanged"})
    changes = fields.List(fields.Nested(ChangeOut), metadata={"description": "the columns an update changes"})
    household_id = fields.Integer(allow_none=True)


class RegisterWarningOut(Schema):
    code = fields.String()
    message = fields.String()
    details = fields.Dict()


class RegisterReport(Schema):
    committed = fields.Boolean()
    sha256 = fields.String()
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    items = fields.List(fields.Nested(RowOut))
    warnings = fields.List(fields.Nested(RegisterWarningOut))
