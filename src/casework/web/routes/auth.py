from flask_smorest import Blueprint

from casework.errors import Unauthorized, Unprocessable
from casework.trail import access_log
from casework.users import service as users
from casework.users import signin
from casework.users.schemas import PasswordChange, TokenOut, TokenRequest
from casework.web import auth
from casework.web.context import client_address, commit, current_user, db, runtime
from casework.web.signing_in import check_password
from casework.web.rules import OWN_PASSWORD, PUBLIC, rule

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Sign in")


def _token_for(user) -> dict:
    value, expires_at = auth.issue_token(runtime(), user)
    return {"token": value, "expires_at": expires_at, "must_change_password": user.must_change_password,
            "user": user}


@blp.route("/token", methods=["POST"])
@rule(PUBLIC)
@blp.doc(security=[])
@blp.arguments(TokenRequest)
@blp.response(200, TokenOut)
def token(body):
    """Exchange a username and password for a bearer token.

    Repeated failures make that user wait, doubling each time (429 with Retry-After). Every
    attempt is in the access log with the address it came from.
    """
    user = check_password(body["username"], body["password"])
    return _token_for(user)


@blp.route("/password", methods=["POST"])
@rule(OWN_PASSWORD)
@blp.arguments(PasswordChange)
@blp.response(200, TokenOut)
def change_password(body):
    """Change your own password (the old one, then a new one that meets the rules).

    Every token issued before stops working: the answer carries a new one.
    """
    me = current_user()
    attempt = signin.begin(session=db(), username=me.username)
    commit()  # guessing the old password is limited like signing in
    try:
        user = signin.finish(session=db(), attempt=attempt, password=body["old_password"])
    except Unauthorized:
        raise Unprocessable("invalid_field", field="old_password", reason_code="old_password_wrong")
    if body["new_password"] == body["old_password"]:
        raise Unprocessable("invalid_field", field="new_password", reason_code="password_unchanged")
    users.set_password(session=db(), user=user, password=body["new_password"], actor_id=user.id,
                       policy=runtime().settings.password_policy)
    access_log.record(session=db(), action=access_log.PASSWORD_CHANGED, actor_id=user.id, address=client_address(),
                      username=user.username)
    commit()
    return _token_for(user)
