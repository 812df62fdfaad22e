"""What users look like on the wire (never their password hash)."""

from marshmallow import Schema, fields, validate

from casework.limits import DISPLAY_NAME_MAX
from casework.schema_fields import Id, Text
from casework.users.mobile import masked as masked_mobile
from casework.vocabulary import ROLES

# A mobile as people type it (spaces, dashes, +86 …), before it is cut down to 11 digits.
MOBILE_TYPED_MAX = 24
MOBILE_NOTE = "the mainland mobile group robots @mention this person by (never a household's phone)"


class MembershipIn(Schema):
    unit_id = Id(required=True)
    role = fields.String(required=True, validate=validate.OneOf(sorted(ROLES)))


class MembershipOut(Schema):
    unit_id = fields.Integer()
    unit_code = fields.Function(lambda m: m.unit.code)
    role = fields.String()


class UserCreate(Schema):
    username = Text(required=True, min_length=2, max_length=64)
    password = Text(required=True, min_length=1, max_length=200, load_only=True,
                    metadata={"description": "at least 10 characters and 3 of: upper, lower, digits, symbols"})
    display_name = Text(max_length=DISPLAY_NAME_MAX, names=True)
    memberships = fields.List(fields.Nested(MembershipIn), required=True, validate=validate.Length(min=1, max=50))
    mobile = Text(max_length=MOBILE_TYPED_MAX, load_only=True, metadata={"description": MOBILE_NOTE})


class UserUpdate(Schema):
    display_name = Text(min_length=1, max_length=DISPLAY_NAME_MAX, names=True)
    is_active = fields.Boolean(metadata={"description": "false disables the user and voids their tokens"})
    password = Text(min_length=1, max_length=200, load_only=True)
    mobile = Text(max_length=MOBILE_TYPED_MAX, allow_none=True, load_only=True,
                  metadata={"description": MOBILE_NOTE + "; null clears it"})


class UserOut(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    is_active = fields.Boolean()
    memberships = fields.List(fields.Nested(MembershipOut))
    mobile = fields.Function(lambda user: masked_mobile(user.mobile), allow_none=True,
                             metadata={"description": "only its last four digits: *******5678"})


class UserList(Schema):
    items = fields.List(fields.Nested(UserOut))
    next_cursor = fields.String(allow_none=True)


class TokenRequest(Schema):
    username = Text(required=True, min_length=1, max_length=64)
    password = Text(required=True, min_length=1, max_length=200)


class TokenOut(Schema):
    token = fields.String()
    expires_at = fields.DateTime()
    must_change_password = fields.Boolean(
        metadata={"description": "true: the password breaks the rules; POST /auth/password before anything else"})
    user = fields.Nested(UserOut)


class PasswordChange(Schema):
    old_password = Text(required=True, min_length=1, max_length=200, load_only=True)
    new_password = Text(required=True, min_length=1, max_length=200, load_only=True)


class MembershipsIn(Schema):
    memberships = fields.List(fields.Nested(MembershipIn), required=True, validate=validate.Length(min=1, max=50),
                              metadata={"description": "every (unit, role) the user is to hold; the rest are revoked"})


class StrandedCase(Schema):
    id = fields.Integer()
    number = fields.String()
    title = fields.String()


class UserAfterChange(UserOut):
    stranded_cases = fields.List(fields.Nested(StrandedCase), metadata={
        "description": "their open cases at units they can no longer work: hand them over (POST …/hand-over)"})
