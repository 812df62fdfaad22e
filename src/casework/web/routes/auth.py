from flask_smorest import Blueprint

from casework.errors import CaseworkError
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
    try:
        user = auth.login(session=db(), username=body["username"], password=body["password"])
    except CaseworkError:
        commit()  # the failure count must stick even though the request fails
        raise
    commit()
    value, expires_at = auth.issue_token(runtime(), user)
    return {"token": value, "expires_at": expires_at, "user": user}
