"""The household register in (/imports/households): upload it, see for every row whether it would
create, update (naming the columns, never the values of an ID number or phone) or leave a household
— or every problem, row by row — before anything is written, then commit. The API's importer
(households/import_register.py), all or nothing, its commit on the access log."""

from __future__ import annotations

from flask import request

from casework import personal_data
from casework.errors import CaseworkError, Unprocessable
from casework.households import import_register as registers
from casework.households.register import MAX_BYTES
from casework.i18n import translate
from casework.tables import TableRefused
from casework.web.context import client_address, commit, current_user, db, runtime
from casework.web.pages import held_files
from casework.web.pages.blueprint import bp
from casework.web.pages.errors import said_plainly
from casework.web.pages.render import language, page
from casework.web.request_shape import takes_files
from casework.web.rules import LEADS, rule
from casework.web.rules import page as on_page

PREVIEW, COMMIT = "preview", "commit"
ROWS_SHOWN = 500  # a village's register; a county's is counted, and its first rows shown


@bp.route("/imports/households", methods=["GET", "POST"])
@rule(on_page(LEADS))
@takes_files
def register_import():
    """The form; what each row of an uploaded register would do (or its problems); the commit."""
    if request.method == "GET":
        return page("import_register.html", active="imports")
    me = current_user()
    step = request.form.get("step", PREVIEW)
    try:
        if step == COMMIT:
            sha = request.form.get("sha256", "")
            data = held_files.take(me.id, sha)
        else:
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                raise Unprocessable("invalid_field", field="file", reason_code="page_file_missing")
            data = upload.stream.read(MAX_BYTES + 1)
            sha = held_files.keep(me.id, data)
        result = registers.import_register(session=db(), key=personal_data.load(runtime().settings.data_key_path),
                                           data=data, actor=me, commit=step == COMMIT, address=client_address())
        if step == COMMIT:
            commit()
            held_files.drop(me.id, sha)
    except TableRefused as refused:
        db().rollback()
        return page("import_register.html", refused.status, active="imports", problem=refused.message(language()),
                    problems=refused.public_details(language())["problems"])
    except CaseworkError as refused:
        db().rollback()
        return page("import_register.html", refused.status, active="imports", problem=said_plainly(refused))
    counts = {action: result.count(action) for action in (registers.CREATE, registers.UPDATE, registers.UNCHANGED)}
    warnings = [translate(w.code, language(), w.details) for w in result.warnings]
    return page("import_register_result.html", active="imports", result=result, counts=counts, sha=sha,
                rows=result.rows[:ROWS_SHOWN], more=max(0, len(result.rows) - ROWS_SHOWN), warnings=warnings,
                committed=result.committed)
