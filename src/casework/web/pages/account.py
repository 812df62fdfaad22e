"""Signing in and out, changing one's password, and choosing the language.

Sign-in is the API's (`web.signing_in.check_password`: the attempt committed before the password is
checked, every failure in the access log); what it gives is a session cookie rather than a token.
Forms are posted as multipart/form-data, like uploads (`takes_files`), so the JSON API's body
checks step aside for them.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import redirect, request, session, url_for
from marshmallow import ValidationError

from casework.errors import CaseworkError, TooManyRequests, Unauthorized, Unprocessable
from casework.i18n import LANGUAGES
from casework.trail import access_log
from casework.users import service as users
from casework.users import signin
from casework.users.schemas import PasswordChange, TokenRequest
from casework.validation_messages import localise
from casework.web.context import client_address, commit, current_user, db, runtime
from casework.web.signing_in import check_password
from casework.web.pages.blueprint import bp
from casework.web.pages.render import came_from, language, page, safe_next, t
from casework.web.pages.signed_in import LANGUAGE, forget, remember, user_from_session
from casework.web.request_shape import takes_files
from casework.web.rules import OWN_PASSWORD, PUBLIC, rule
from casework.web.rules import page as on_page


def _field_messages(error: ValidationError) -> dict[str, str]:
    localised = localise(error.messages, language())
    return {name: " ".join(problems) if isinstance(problems, list) else str(problems)
            for name, problems in localised.items()}


@bp.route("/sign-in", methods=["GET", "POST"])
@rule(on_page(PUBLIC))
@takes_files
def sign_in():
    """The sign-in form; signing in starts a session and goes back where the person was headed."""
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        try:
            user_from_session(runtime(), db())
            return redirect(target)
        except Unauthorized:
            return page("sign_in.html", next=target, expired=request.args.get("expired") == "1")
    username = request.form.get("username", "")
    try:
        body = TokenRequest().load({"username": username, "password": request.form.get("password", "")})
    except ValidationError as invalid:
        return page("sign_in.html", 422, next=target, username=username, fields=_field_messages(invalid))
    try:
        user = check_password(body["username"], body["password"])
    except CaseworkError as refused:
        return page("sign_in.html", refused.status, next=target, username=username,
                    error=refused.message(language()))
    remember(user)
    if user.must_change_password:
        return redirect(url_for(".change_password") + "?" + urlencode({"next": target}), 303)
    return redirect(target, 303)


@bp.route("/sign-out", methods=["POST"])
@rule(on_page(OWN_PASSWORD))
@takes_files
def sign_out():
    """End the session."""
    forget()
    return redirect(url_for(".sign_in"), 303)


def _password_page(status: int = 200, **context):
    return page("password.html", status, policy=runtime().settings.password_policy, **context)


@bp.route("/password", methods=["GET", "POST"])
@rule(on_page(OWN_PASSWORD))
@takes_files
def change_password():
    """Change one's own password; a user whose password breaks the rules comes here first."""
    target = safe_next(request.values.get("next"))
    me = current_user()
    if request.method == "GET":
        return _password_page(next=target, required=me.must_change_password)
    form = {name: request.form.get(name, "") for name in ("old_password", "new_password")}
    try:
        body = PasswordChange().load(form)
    except ValidationError as invalid:
        return _password_page(422, next=target, required=me.must_change_password,
                              fields=_field_messages(invalid))
    if request.form.get("new_password_again", "") != body["new_password"]:
        return _password_page(422, next=target, required=me.must_change_password,
                              fields={"new_password_again": t("page_password_mismatch")})
    try:
        attempt = signin.begin(session=db(), username=me.username)
        commit()  # guessing the old password is limited like signing in
        user = signin.finish(session=db(), attempt=attempt, password=body["old_password"])
        if body["new_password"] == body["old_password"]:
            raise Unprocessable("invalid_field", field="new_password", reason_code="password_unchanged")
        users.set_password(session=db(), user=user, password=body["new_password"], actor_id=user.id,
                           policy=runtime().settings.password_policy)
    except (Unauthorized, Unprocessable, TooManyRequests) as refused:
        db().rollback()
        fields, error = {}, None
        if isinstance(refused, Unauthorized):
            fields["old_password"] = t("old_password_wrong")
        elif isinstance(refused, Unprocessable):
            details = refused.public_details(language())
            # The rules name the new password `password`; the form calls it new_password.
            name = "new_password" if details.get("field") in ("password", "new_password") else "old_password"
            fields[name] = details.get("reason") or refused.message(language())
        else:
            error = refused.message(language())
        # A wrong old password is a field of this form to correct (422), as in the API.
        status = 422 if isinstance(refused, Unauthorized) else refused.status
        return _password_page(status, next=target, required=me.must_change_password, fields=fields, error=error)
    access_log.record(session=db(), action=access_log.PASSWORD_CHANGED, actor_id=user.id, address=client_address(),
                      username=user.username)
    commit()
    remember(user)  # the old session's generation is void now; this one carries the new
    return redirect(target, 303)


@bp.route("/language", methods=["POST"])
@rule(on_page(PUBLIC))
@takes_files
def choose_language():
    """Read the pages in Chinese or English from now on."""
    chosen = request.form.get("lang")
    if chosen in LANGUAGES:
        session[LANGUAGE] = chosen
    return redirect(safe_next(request.form.get("next"), came_from()), 303)
