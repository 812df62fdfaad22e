import hashlib
import io

from flask import request, send_file
from flask_smorest import Blueprint

from casework import household_cases, personal_data
from casework.households import import_register as registers
from casework.households import service, template
from casework.households.register import MAX_BYTES
from casework.households.schemas import (
    HouseholdCreate, HouseholdDetail, HouseholdList, HouseholdListArgs, HouseholdOut, HouseholdReadArgs, RegisterFile,
    RegisterForm, RegisterReport, RegisterUpload,
)
from casework.i18n import translate
from casework.web import paging
from casework.web.context import client_address, commit, current_user, db, runtime
from casework.web.errors import language
from casework.web.idempotency import idempotent, uploaded_file_sha256
from casework.web.request_shape import takes_files
from casework.web.rules import LEADS, SIGNED_IN, rule

blp = Blueprint("households", __name__, url_prefix="/api/v1",
                description="Households (帮扶对象): personal data masked, full reads recorded; the register import")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blp.after_request
def _never_cached(response):
    # Names, and for some readers ID numbers: no proxy or browser cache keeps them.
    response.headers["Cache-Control"] = "no-store"
    return response


def _key() -> personal_data.DataKey:
    return personal_data.load(runtime().settings.data_key_path)


@blp.route("/households", methods=["GET"])
@rule(SIGNED_IN)
@blp.arguments(HouseholdListArgs, location="query")
@blp.response(200, HouseholdList)
def list_households(args):
    """Households in your scope by number, ID numbers and phones masked; `id_number` and `phone`
    find one exactly. Follow `next_cursor`."""
    filters = service.HouseholdFilters(**{name: args.get(name) for name in
                                          ("unit_id", "category", "number", "q", "id_number", "phone")})
    bound_to = {"filters": filters.__dict__, "user": current_user().id}
    after = paging.decode(args.get("cursor"), bound_to)
    rows, last = service.list_households(session=db(), user=current_user(), key=_key(), filters=filters,
                                         limit=args["limit"], after=after)
    return {"items": service.describe_page(session=db(), key=_key(), households=rows),
            "next_cursor": paging.encode(last, bound_to) if last else None}


@blp.route("/households", methods=["POST"])
@rule(LEADS)
@idempotent
@blp.arguments(HouseholdCreate)
@blp.response(201, HouseholdOut)
def create_household(body):
    """Register one household in a village you lead or administer (shown masked)."""
    household = service.create(session=db(), actor=current_user(), key=_key(), address=client_address(), **body)
    commit()
    return service.read(session=db(), user=current_user(), key=_key(), household_id=household.id)


@blp.route("/households/<id:household_id>", methods=["GET"])
@rule(SIGNED_IN)
@blp.arguments(HouseholdReadArgs, location="query")
@blp.response(200, HouseholdDetail)
def get_household(args, household_id):
    """One household with its cases. `?full=1`: the ID number and phone in full, for leaders and
    auditors over its village (403 for others), and the read is recorded in the access log."""
    shown = service.read(session=db(), user=current_user(), key=_key(), household_id=household_id,
                         full=args["full"], address=client_address())
    if args["full"]:
        commit()
    shown["cases"] = household_cases.of_household(session=db(), user=current_user(), household_id=household_id)
    return shown


def register_fingerprint() -> str:
    """For a register, "the same request" is the same file and the same commit flag."""
    flag = (request.form.get("commit") or "false").strip().lower()
    return hashlib.sha256(f"{uploaded_file_sha256()}:{flag}".encode()).hexdigest()


@blp.route("/imports/households", methods=["POST"])
@rule(LEADS)
@takes_files
@idempotent(fingerprint=register_fingerprint)
@blp.arguments(RegisterForm, location="form")
@blp.arguments(RegisterFile, location="files")
@blp.doc(requestBody={"content": {"multipart/form-data": {"schema": RegisterUpload}}})
@blp.response(200, RegisterReport)
def import_register(form, files):
    """Import a household register (花名册, .xlsx or .csv, at most 20 MB): every row is checked and
    any problem refuses it all (422, `details.problems`: row, column, message). Without `commit`
    a report of what each row would do; with it, the households are created or updated by number."""
    data = files["file"].stream.read(MAX_BYTES + 1)
    result = registers.import_register(session=db(), key=_key(), data=data, actor=current_user(),
                                       commit=form["commit"], address=client_address())
    if form["commit"]:
        commit()
    return {"committed": result.committed, "sha256": result.sha256, "rows": len(result.rows),
            "created": result.count(registers.CREATE), "updated": result.count(registers.UPDATE),
            "unchanged": result.count(registers.UNCHANGED), "items": result.rows,
            "warnings": [{"code": w.code, "message": translate(w.code, language(), w.details), "details": w.details}
                         for w in result.warnings]}


@blp.route("/imports/households/template.xlsx", methods=["GET"])
@rule(SIGNED_IN)
@blp.response(200, description="the register template (Excel), listing the villages and officers in your scope")
def register_template():
    """The register template to fill in and import."""
    content = template.build(session=db(), user=current_user())
    return send_file(io.BytesIO(content), mimetype=XLSX, as_attachment=True, download_name=template.FILENAME)
