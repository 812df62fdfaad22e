from flask_smorest import Blueprint

from casework.audit.verify import verify_all
from casework.audit.schemas import VerifyOut
from casework.web.context import current_user, db
from casework.web.rules import AUDITS, rule

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="The tamper-evident record")


@blp.route("/verify", methods=["GET"])
@rule(AUDITS)
@blp.response(200, VerifyOut)
def verify():
    """Recompute the hash chain of every case in your scope and name the first event that does not match."""
    return verify_all(session=db(), user=current_user())
