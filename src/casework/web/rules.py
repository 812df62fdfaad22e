"""Who may call which route: one place defines the rules, each route names its rule beside itself.

    @blp.route("/cases", methods=["POST"])
    @rule(WORKS_CASES)
    def open_case(...): ...

A route without a rule makes the app refuse to start. Rules decide only *whether* the caller may
use the route; which objects they see is decided by scope in the services (404 outside it).
Pages declare the same rules through `page(...)`: they authenticate from the signed session cookie
instead of a bearer token, and their error handlers send a person who is not signed in to sign in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from flask import Flask, g, request

from casework.errors import Forbidden
from casework.vocabulary import Role
from casework.web import auth
from casework.web.context import db, runtime
from casework.web.pages.signed_in import user_from_session


@dataclass(frozen=True)
class Rule:
    name: str
    signed_in: bool = True
    check: Callable[[Any], bool] = lambda user: True
    # Usable before a password that breaks the rules has been changed (only changing it is).
    while_password_expired: bool = False
    # A page: the user comes from the session cookie, not from an Authorization header.
    via_session: bool = False


def _has(*roles: Role) -> Callable[[Any], bool]:
    wanted = {r.value for r in roles}
    return lambda user: bool(user.roles() & wanted)


PUBLIC = Rule("public", signed_in=False)
SIGNED_IN = Rule("signed_in")
OWN_PASSWORD = Rule("own_password", while_password_expired=True)
ADMIN = Rule("admin", check=_has(Role.ADMIN))
WORKS_CASES = Rule("works_cases", check=_has(Role.LEADER, Role.UNIT))
LEADS = Rule("leads", check=_has(Role.LEADER, Role.ADMIN))
AUDITS = Rule("audits", check=_has(Role.AUDITOR, Role.ADMIN))
ASSIGNS = Rule("assigns", check=_has(Role.LEADER))
OVERSEES = Rule("oversees", check=_has(Role.LEADER, Role.AUDITOR, Role.ADMIN))
IMPORTS = Rule("imports", check=_has(Role.LEADER, Role.ADMIN, Role.UNIT))


def page(which: Rule) -> Rule:
    """The same rule for a page, which authenticates from the session cookie."""
    return replace(which, name=f"page:{which.name}", via_session=True)


# Endpoints that flask and flask-smorest add themselves: the docs and the spec are public.
_BUILTIN_PUBLIC = {"api-docs.openapi_json", "api-docs.openapi_swagger_ui", "swagger_static"}


def rule(which: Rule):
    """Declare the rule of the route below."""

    def mark(view):
        view.casework_rule = which
        return view

    return mark


def rule_of(app: Flask, endpoint: str) -> Rule | None:
    if endpoint in _BUILTIN_PUBLIC:
        return PUBLIC
    view = app.view_functions.get(endpoint)
    return getattr(view, "casework_rule", None)


def enforce() -> None:
    """before_request: authenticate when the rule needs it and apply the rule."""
    from flask import current_app

    if request.endpoint is None:  # 404/405: let the error handlers answer
        return
    which = rule_of(current_app, request.endpoint)
    if which is None:
        raise RuntimeError(f"route {request.endpoint} declares no rule")
    if not which.signed_in:
        return
    if which.via_session:
        g.user = user_from_session(runtime(), db())
    else:
        g.user = auth.user_from_request(runtime(), db())
    if g.user.must_change_password and not which.while_password_expired:
        raise Forbidden("password_change_required")
    if not which.check(g.user):
        raise Forbidden("forbidden")


def check_every_route_has_a_rule(app: Flask) -> None:
    missing = sorted(e for e in app.view_functions if rule_of(app, e) is None)
    if missing:
        raise RuntimeError(f"routes without an access rule: {', '.join(missing)}")
