from flask_smorest import Blueprint

from casework.users import signin
from casework.users.schemas import TokenOut, TokenRequest
from casework.web import auth
from casework.web.context import commit, db, runtime
from casework.web.rules import PUBLIC, rule

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Sign in")


@blp.route("/token", methods=["POST"])
@rule(PUBLIC)
@blp.doc(security=[])
@blp.arguments(TokenRequest)
@blp.response(200, TokenOut)
def token(body):
    """Exchange a username and password for a bearer token.

    Repeated failures make that user wait, doubling each time (429 with Retry-After).
    """
    attempt = signin.begin(session=db(), username=body["username"])
    commit()  # the attempt counts before the password is checked, whatever happens next
    user = signin.finish(session=db(), attempt=attempt, password=body["password"])
    commit()
    value, expires_at = auth.issue_token(runtime(), user)
    return {"token": value, "expires_at": expires_at, "user": user}
