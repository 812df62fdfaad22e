"""Households: registering one, finding them in a user's scope, reading one masked or in full.

A household is in a user's scope when its village is — or its assistance officer's unit is, so an
officer sees the households they help; outside it, a household is not found. ID numbers and phones
are masked for everyone and in every list. A leader or auditor over the household's village may
read one household in full, and each such read is written to the access log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, literal, or_, select
from sqlalchemy.orm import Session

from casework.db import utcnow
from casework.errors import BadRequest, Conflict, Forbidden, NotFound, Unprocessable
from casework.households import categories, checks
from casework.households.models import Household
from casework.personal_data import DataKey
from casework.trail import access_log
from casework.units.models import Unit
from casework.users.models import User
from casework.users.scope import can_see, has_role, unit_filter
from casework.vocabulary import Role, UnitKind

# What the access log says happened.
READ_FULL = "household.read_full"
CREATED = "household.create"
IMPORTED = "household.import"

ID_NUMBER, PHONE = "id_number", "phone"
PERSONAL = (ID_NUMBER, PHONE)
# Each personal field's ciphertext is bound to its column: a token copied elsewhere does not open.
_CONTEXT = {ID_NUMBER: "household.id_number", PHONE: "household.phone"}
# The fields people set on a household, by the API or a register.
FIELDS = ("number", "head_name", ID_NUMBER, PHONE, "village_id", "size", "category", "officer_id")
# Each in the one form it is stored and indexed in, however it was typed.
_NORMAL = {ID_NUMBER: checks.id_number, PHONE: checks.phone}


def personal(*, key: DataKey, household: Household) -> dict[str, str | None]:
    """The household's ID number and phone in clear (for a full read, or to compare on import)."""
    found: dict[str, str | None] = {}
    for kind in PERSONAL:
        sealed = getattr(household, f"{kind}_sealed")
        found[kind] = key.decrypt(sealed, context=_CONTEXT[kind]) if sealed else None
    return found


def fields_of(*, key: DataKey, household: Household) -> dict[str, Any]:
    """Every field people set, as it stands now, personal data in clear: for comparing, not showing."""
    return {**{name: getattr(household, name) for name in FIELDS if name not in PERSONAL},
            **personal(key=key, household=household)}


def apply(*, key: DataKey, household: Household, changes: dict[str, Any], actor_id: int | None) -> None:
    """Set the given fields (already checked); ID numbers and phones are sealed and indexed."""
    for name, value in changes.items():
        if name in PERSONAL:
            setattr(household, f"{name}_sealed", key.encrypt(value, context=_CONTEXT[name]) if value else None)
            setattr(household, f"{name}_index", key.blind_index(name, value) if value else None)
        else:
            setattr(household, name, value)
    household.updated_by, household.updated_at = actor_id, utcnow()


# who may do what ------------------------------------------------------------------------------

def may_see(*, session: Session, user: User, household: Household) -> bool:
    village = session.get(Unit, household.village_id)
    officer = session.get(Unit, household.officer_id) if household.officer_id else None
    return can_see(user, village) or (officer is not None and can_see(user, officer))


def may_register(user: User, village: Unit) -> bool:
    """Leaders and admins over a village register its households."""
    return has_role(user, village, Role.LEADER.value) or has_role(user, village, Role.ADMIN.value)


def may_read_full(user: User, village: Unit) -> bool:
    """Leaders and auditors over the household's village read its personal data in full."""
    return has_role(user, village, Role.LEADER.value) or has_role(user, village, Role.AUDITOR.value)


def _scope(user: User) -> ColumnElement[bool]:
    units = select(Unit.id).where(unit_filter(user))
    return or_(Household.village_id.in_(units), Household.officer_id.in_(units))


# finding --------------------------------------------------------------------------------------

def visible(*, session: Session, user: User, household_id: int) -> Household:
    """The household if it is in the user's scope; not found otherwise (never forbidden)."""
    household = session.get(Household, household_id) if household_id else None
    if household is None or not may_see(session=session, user=user, household=household):
        raise NotFound("household_not_found", ref=household_id)
    return household


def by_number(*, session: Session, number: str, user: User | None = None) -> Household:
    """The household with this number (户编号); with `user`, only if it is in their scope.
    Not found otherwise."""
    household = session.scalars(select(Household).where(Household.number == number.strip())).first()
    if household is None or (user is not None and not may_see(session=session, user=user, household=household)):
        raise NotFound("household_not_found", ref=number)
    return household


@dataclass(frozen=True)
class HouseholdFilters:
    unit_id: int | None = None
    category: str | None = None
    number: str | None = None
    q: str | None = None
    id_number: str | None = None
    phone: str | None = None


def _searched(kind: str, value: str) -> str:
    try:
        return _NORMAL[kind](value)
    except checks.Refused as refused:
        raise Unprocessable("invalid_field", field=kind, reason_code=refused.code, **refused.params) from None


def list_households(*, session: Session, user: User, key: DataKey, filters: HouseholdFilters, limit: int,
                    after: list[Any] | None) -> tuple[list[Household], list[Any] | None]:
    """One page of the households in the user's scope, by number, and the keys to go on after
    (None at the end). An ID number or phone is found by its blind index, exactly."""
    query = select(Household).where(_scope(user))
    if filters.unit_id:
        top = session.get(Unit, filters.unit_id)
        # A unit outside the caller's scope simply matches nothing (no hint that it exists).
        under = select(Unit.id).where(Unit.path.startswith(top.path, autoescape=True)) if top else None
        query = query.where(or_(Household.village_id.in_(under), Household.officer_id.in_(under))
                            if under is not None else literal(False))
    if filters.category:
        query = query.where(Household.category == filters.category)
    if filters.number:
        query = query.where(Household.number == filters.number.strip())
    if filters.q:
        query = query.where(or_(Household.head_name.icontains(filters.q, autoescape=True),
                                Household.number.icontains(filters.q, autoescape=True)))
    if filters.id_number:
        query = query.where(Household.id_number_index == key.blind_index(ID_NUMBER, _searched(ID_NUMBER,
                                                                                              filters.id_number)))
    if filters.phone:
        query = query.where(Household.phone_index == key.blind_index(PHONE, _searched(PHONE, filters.phone)))
    if after is not None:
        if len(after) != 2 or not isinstance(after[0], str) or not isinstance(after[1], int):
            raise BadRequest("bad_cursor")
        query = query.where(or_(Household.number > after[0], and_(Household.number == after[0],
                                                                   Household.id > after[1])))
    rows = list(session.scalars(query.order_by(Household.number, Household.id).limit(limit + 1)))
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, [rows[-1].number, rows[-1].id]


# showing --------------------------------------------------------------------------------------

def _unit_ref(unit: Unit | None) -> dict[str, Any] | None:
    return {"id": unit.id, "code": unit.code, "name": unit.name} if unit else None


def describe(*, household: Household, key: DataKey, units: dict[int, Unit], full: bool = False) -> dict[str, Any]:
    """The household as the API shows it: ID number and phone masked unless `full`."""
    clear = personal(key=key, household=household)
    return {
        "id": household.id, "number": household.number, "head_name": household.head_name,
        "id_number": clear[ID_NUMBER] if full else checks.mask(clear[ID_NUMBER]),
        "phone": clear[PHONE] if full else checks.mask(clear[PHONE]),
        "personal_data": "full" if full else "masked",
        "village": _unit_ref(units.get(household.village_id)),
        "size": household.size, "category": household.category, "category_label": categories.label(household.category),
        "officer": _unit_ref(units.get(household.officer_id)) if household.officer_id else None,
        "created_at": household.created_at, "updated_at": household.updated_at,
    }


def describe_page(*, session: Session, key: DataKey, households: list[Household]) -> list[dict[str, Any]]:
    """A list's households, masked, with their villages and officers looked up in one query."""
    ids = {h.village_id for h in households} | {h.officer_id for h in households if h.officer_id}
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(ids)))} if ids else {}
    return [describe(household=h, key=key, units=units) for h in households]


def read(*, session: Session, user: User, key: DataKey, household_id: int, full: bool = False,
         address: str | None = None) -> dict[str, Any]:
    """One household, masked; `full`: its ID number and phone in clear, recorded in the access log.

    Checked in this order: a full read by someone who is neither leader nor auditor anywhere is
    forbidden; a household outside the user's scope is not found; a full read by someone who is not
    a leader or auditor over its village is forbidden.
    """
    wanted = {Role.LEADER.value, Role.AUDITOR.value}
    if full and not user.roles() & wanted:
        raise Forbidden("household_full_forbidden")
    household = visible(session=session, user=user, household_id=household_id)
    village = session.get(Unit, household.village_id)
    if full and not may_read_full(user, village):
        raise Forbidden("household_full_forbidden")
    if full:
        # Which fields were read and by whom; never the values themselves.
        access_log.record(session=session, action=READ_FULL, actor_id=user.id, address=address,
                          target_type="household", target_id=household.id,
                          detail={"number": household.number, "fields": list(PERSONAL)})
    units = {village.id: village}
    if household.officer_id:
        units[household.officer_id] = session.get(Unit, household.officer_id)
    return describe(household=household, key=key, units=units, full=full)


# registering one ------------------------------------------------------------------------------

def _checked(field: str, check, value):
    try:
        return check(value)
    except checks.Refused as refused:
        raise Unprocessable("invalid_field", field=field, reason_code=refused.code, **refused.params) from None


def _village(session: Session, user: User, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None or not can_see(user, unit):
        raise NotFound("unit_not_found", ref=unit_id)
    if unit.kind != UnitKind.VILLAGE:
        raise Unprocessable("invalid_field", field="village_id", reason_code="unit_not_village")
    return unit


def _officer(session: Session, user: User, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None or not can_see(user, unit):
        raise NotFound("unit_not_found", ref=unit_id)
    if unit.kind != UnitKind.ASSISTANCE_OFFICER:
        raise Unprocessable("invalid_field", field="officer_id", reason_code="unit_not_assistance_officer")
    return unit


def create(*, session: Session, actor: User, key: DataKey, number: str, head_name: str, village_id: int,
           id_number: str | None = None, phone: str | None = None, size: int | None = None,
           category: str | None = None, officer_id: int | None = None, address: str | None = None) -> Household:
    """Register one household in a village the actor leads or administers."""
    village = _village(session, actor, village_id)
    if not may_register(actor, village):
        raise Forbidden("household_village_not_yours")
    officer = _officer(session, actor, officer_id) if officer_id is not None else None
    fields: dict[str, Any] = {
        "number": _checked("number", checks.number, number),
        "head_name": _checked("head_name", checks.name, head_name),
        ID_NUMBER: _checked(ID_NUMBER, checks.id_number, id_number) if id_number else None,
        PHONE: _checked(PHONE, checks.phone, phone) if phone else None,
        "village_id": village.id,
        "size": _checked("size", checks.size, size) if size is not None else None,
        "category": None, "officer_id": officer.id if officer else None,
    }
    if category is not None:
        fields["category"] = categories.parse(category)
        if fields["category"] is None:
            raise Unprocessable("invalid_field", field="category", reason_code="household_category_unknown",
                                choices=categories.choices())
    if session.scalars(select(Household.id).where(Household.number == fields["number"])).first():
        raise Conflict("household_number_exists", number=fields["number"])
    if fields[ID_NUMBER] and session.scalars(select(Household.id).where(
            Household.id_number_index == key.blind_index(ID_NUMBER, fields[ID_NUMBER]))).first():
        raise Conflict("id_number_taken")
    household = Household(created_by=actor.id)
    apply(key=key, household=household, changes=fields, actor_id=actor.id)
    session.add(household)
    session.flush()
    access_log.record(session=session, action=CREATED, actor_id=actor.id, address=address,
                      target_type="household", target_id=household.id, detail={"number": household.number})
    return household
