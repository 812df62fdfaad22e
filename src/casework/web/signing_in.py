"""Checking a password at sign-in, for the API's token and the pages' session alike."""

from __future__ import annotations

from casework.errors import CaseworkError
from casework.trail import access_log
from casework.users import signin
from casework.web.context import client_address, commit, db, runtime


def check_password(username: str, password: str):
    """The user, if the password is right; otherwise the refusal is raised.

    The attempt is counted and committed before the password is checked, whatever happens next,
    and every success and failure goes to the access log with the address it came from.
    """
    try:
        attempt = signin.begin(session=db(), username=username)
        commit()
        user = signin.finish(session=db(), attempt=attempt, password=password,
                             policy=runtime().settings.password_policy)
    except CaseworkError as refused:
        db().rollback()
        access_log.record(session=db(), action=access_log.SIGN_IN_FAILED, actor_id=None, address=client_address(),
                          username=username, detail={"code": refused.code}, target_type="user",
                          target_id=signin.user_id_of(session=db(), username=username))
        commit()
        raise
    access_log.record(session=db(), action=access_log.SIGN_IN, actor_id=user.id, address=client_address(),
                      username=user.username)
    commit()
    return user
