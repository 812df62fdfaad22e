"""Importing a household register: every row checked first, then all of it or nothing.

A dry run (the default) answers what each row would do — create, update or leave unchanged — and
which columns an update changes (never the values of an ID number or phone). Rows are matched to
households by number (户编号): importing a register again updates those households and creates
none twice. A column left out of the register changes nothing; an empty cell in a column that is
there clears that field. Any problem anywhere refuses the whole register, listing each by row and
column.

`actor` is the person importing (villages and officers must be in their scope, and they must lead
or administer each village they register households in); None is the operator at the command
line, who reaches the whole tree.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.households import categories, checks
from casework.households.models import Household
from casework.households.register import HEADERS, read_register, refused
from casework.households.service import ID_NUMBER, IMPORTED, PHONE, apply, fields_of, may_register, may_see
from casework.personal_data import DataKey
from casework.tables import Problem
from casework.trail import access_log
from casework.units.models import Unit
from casework.users.models import User
from casework.users.scope import can_see
from casework.vocabulary import UnitKind

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
_CHUNK = 500  # ids per IN (…): well within every backend's limit on bound parameters


@dataclass
class RowOutcome:
    row: int
    number: str
    head_name: str
    village: str
    action: str  # create | update | unchanged
    changes: list[dict[str, str]] = field(default_factory=list)  # [{field, column}] an update changes
    household_id: int | None = None


@dataclass
class RegisterWarning:
    code: str
    details: dict[str, Any]


@dataclass
class ImportResult:
    committed: bool
    sha256: str
    rows: list[RowOutcome]
    warnings: list[RegisterWarning]

    def count(self, action: str) -> int:
        return sum(outcome.action == action for outcome in self.rows)


def _text(value: Any) -> str | None:
    """A cell as text: numbers without a trailing .0, dates as YYYY-MM-DD; None when blank."""
    if value is None:
        return None
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, date):  # a datetime is a date too
        return value.isoformat()
    text = str(value).strip()
    return text or None


class _Units:
    """The villages and assistance officers a register may name, by code or name, in reach."""

    def __init__(self, session: Session, actor: User | None) -> None:
        self.by_kind: dict[str, dict[str, list[Unit]]] = {UnitKind.VILLAGE: {}, UnitKind.ASSISTANCE_OFFICER: {}}
        for unit in session.scalars(select(Unit).where(Unit.kind.in_(list(self.by_kind))).order_by(Unit.id)):
            if actor is not None and not can_see(actor, unit):
                continue  # outside the importer's scope it is as if it did not exist
            names = self.by_kind[unit.kind]
            names.setdefault(unit.code, []).append(unit)
            name = self._key(unit.name)
            if name != unit.code:
                names.setdefault(name, []).append(unit)
        self.by_id = {u.id: u for names in self.by_kind.values() for units in names.values() for u in units}

    @staticmethod
    def _key(text: str) -> str:
        return unicodedata.normalize("NFKC", text).strip()

    def find(self, kind: str, text: str) -> list[Unit]:
        return self.by_kind[kind].get(text) or self.by_kind[kind].get(self._key(text)) or []


def _checked(problems: list[Problem], row: int, name: str, check, value):
    try:
        return check(value)
    except checks.Refused as refused:
        problems.append(Problem(row, name, refused.code, refused.params))
        return None


def _size(value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    return checks.size(value)


def _id_number(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # Excel kept only 15 significant digits of it: the last ones are gone.
        raise checks.Refused("id_number_as_number")
    return checks.id_number(_text(value) or "")


def _unit(units: _Units, kind: str, text: str, missing: str):
    found = units.find(kind, text)
    if not found:
        raise checks.Refused(missing, value=text)
    if len(found) > 1:
        raise checks.Refused("register_unit_ambiguous", value=text)
    return found[0]


class _Rows:
    """Each row's fields, checked; what is wrong goes to `problems`."""

    def __init__(self, units: _Units, actor: User | None, fields: list[str]) -> None:
        self.units, self.actor, self.fields = units, actor, fields
        self.problems: list[Problem] = []
        self._may_register: dict[int, bool] = {}

    def registrable(self, village: Unit) -> bool:
        if self.actor is None:
            return True
        if village.id not in self._may_register:
            self._may_register[village.id] = may_register(self.actor, village)
        return self._may_register[village.id]

    def clean(self, row: int, cells: dict[str, Any]) -> dict[str, Any] | None:
        problems, before = self.problems, len(self.problems)
        values: dict[str, Any] = {}
        for name in self.fields:
            raw = cells.get(name)
            text = _text(raw)
            if text is None:
                if name in ("number", "head_name", "village"):
                    problems.append(Problem(row, name, "text_empty"))
                else:
                    values[{"village": "village_id", "officer": "officer_id"}.get(name, name)] = None
                continue
            if name == "number":
                values["number"] = _checked(problems, row, name, checks.number, text)
            elif name == "head_name":
                values["head_name"] = _checked(problems, row, name, checks.name, text)
            elif name == ID_NUMBER:
                values[ID_NUMBER] = _checked(problems, row, name, _id_number, raw)
            elif name == PHONE:
                values[PHONE] = _checked(problems, row, name, checks.phone, text)
            elif name == "size":
                values["size"] = _checked(problems, row, name, _size, raw)
            elif name == "category":
                values["category"] = categories.parse(text)
                if values["category"] is None:
                    problems.append(Problem(row, name, "household_category_unknown",
                                            {"choices": categories.choices()}))
            elif name == "village":
                village = _checked(problems, row, name, lambda t: _unit(self.units, UnitKind.VILLAGE, t,
                                                                       "register_village_unknown"), text)
                if village is not None and not self.registrable(village):
                    problems.append(Problem(row, name, "household_village_not_yours"))
                values["village_id"] = village.id if village is not None else None
            elif name == "officer":
                officer = _checked(problems, row, name, lambda t: _unit(
                    self.units, UnitKind.ASSISTANCE_OFFICER, t, "register_officer_unknown"), text)
                values["officer_id"] = officer.id if officer is not None else None
        return values if len(problems) == before else None


def _existing(session: Session, column, wanted: list[str]) -> list[Household]:
    found: list[Household] = []
    for start in range(0, len(wanted), _CHUNK):
        found += session.scalars(select(Household).where(column.in_(wanted[start:start + _CHUNK])))
    return found


def import_register(*, session: Session, key: DataKey, data: bytes, actor: User | None, commit: bool,
                    address: str | None = None) -> ImportResult:
    """Check every row of the register in `data`; with `commit`, create and update the households.
    TableRefused (nothing written) when any row has a problem."""
    table = read_register(data)
    units = _Units(session, actor)
    rows = _Rows(units, actor, table.fields)
    cleaned: list[tuple[int, dict[str, Any]]] = []
    first_row_of: dict[tuple[str, str], int] = {}
    for row, cells in table.rows:
        values = rows.clean(row, cells)
        if values is None:
            continue
        for name, code in (("number", "register_number_twice"), (ID_NUMBER, "register_id_number_twice")):
            if values.get(name):
                seen = first_row_of.setdefault((name, values[name]), row)
                if seen != row:
                    rows.problems.append(Problem(row, name, code, {"row": seen}))
        cleaned.append((row, values))

    numbers = [values["number"] for _, values in cleaned]
    existing = {h.number: h for h in _existing(session, Household.number, numbers)}
    indexes = {key.blind_index(ID_NUMBER, v[ID_NUMBER]): (row, v["number"]) for row, v in cleaned if v.get(ID_NUMBER)}
    for holder in _existing(session, Household.id_number_index, list(indexes)):
        row, number = indexes[holder.id_number_index]
        if holder.number != number:
            rows.problems.append(Problem(row, ID_NUMBER, "id_number_taken"))
    for row, values in cleaned:
        household = existing.get(values["number"])
        if household is None or actor is None:
            continue
        if not may_see(session=session, user=actor, household=household):
            rows.problems.append(Problem(row, "number", "household_number_taken"))
        elif not rows.registrable(session.get(Unit, household.village_id)):
            rows.problems.append(Problem(row, "village", "household_village_not_yours"))
    if rows.problems:
        raise refused(rows.problems)

    outcomes: list[RowOutcome] = []
    written: list[tuple[RowOutcome, Household]] = []
    for row, values in cleaned:
        household = existing.get(values["number"])
        village = units.by_id[values["village_id"]]
        # 户编号, 户主姓名 and 村(社区) are required columns: every checked row has them.
        outcome = RowOutcome(row, values["number"], values["head_name"], village.name, CREATE)
        if household is not None:
            now = fields_of(key=key, household=household)
            changed = [name for name, value in values.items() if now[name] != value]
            outcome.household_id = household.id
            outcome.action = UPDATE if changed else UNCHANGED
            outcome.changes = [{"field": name, "column": _column(name)} for name in changed]
            values = {name: values[name] for name in changed}
        outcomes.append(outcome)
        if commit and outcome.action != UNCHANGED:
            if household is None:
                household = Household(created_by=actor.id if actor else None)
                session.add(household)
            apply(key=key, household=household, changes=values, actor_id=actor.id if actor else None)
            written.append((outcome, household))
    result = ImportResult(committed=commit, sha256=hashlib.sha256(data).hexdigest(), rows=outcomes,
                          warnings=[RegisterWarning("register_column_ignored", {"column": name})
                                    for name in table.ignored])
    if commit:
        session.flush()
        for outcome, household in written:
            outcome.household_id = household.id
        access_log.record(session=session, action=IMPORTED, actor_id=actor.id if actor else None, address=address,
                          detail={"sha256": result.sha256, "rows": len(outcomes), "created": result.count(CREATE),
                                  "updated": result.count(UPDATE)})
    return result


def _column(name: str) -> str:
    return HEADERS[{"village_id": "village", "officer_id": "officer"}.get(name, name)]
