"""Importing and exporting the org tree, users and households as CSV or JSON.

An import is checked as a whole before anything is written: one bad row and nothing applies,
and the errors name the rows (CSV: the spreadsheet line, the header being line 1; JSON: the
1-based position). Rows are matched by their natural key (unit code, username, household code),
so importing the same file twice changes nothing the second time.
"""

import csv
import io
import json
import re
from dataclasses import dataclass, field

from sqlalchemy import select

from .. import audit, inputguard, uow
from ..auth import passwords
from ..errors import InvalidInput
from ..extensions import db
from ..models import Household, OrgUnit, Role, User
from ..models.org import GRID_TYPES, KINDS, LEVELS
from . import people, tree

FIELDS = {
    "org_units": ("code", "name_zh", "name_en", "level", "type", "parent", "grid_type", "duty"),
    "users": ("username", "name", "phone", "roles", "active", "password"),
    "households": ("code", "org_unit", "address", "head_name", "phone", "id_number", "members",
                   "elderly_alone", "hardship", "disability", "notes"),
}
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
PHONE = re.compile(r"^[0-9+\-() ]{5,20}$")
ID_NUMBER = re.compile(r"^[0-9]{17}[0-9Xx]$")
TRUE = {"1", "true", "yes", "y", "是", "t"}
FALSE = {"0", "false", "no", "n", "否", "f", ""}


@dataclass
class Report:
    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0
    errors: list = field(default_factory=list)


# --- parsing -----------------------------------------------------------------------------------
def parse(content: bytes, fmt: str) -> tuple[list[dict], int]:
    """Rows as dicts of strings, and the number the first row is reported as."""
    text = content.decode("utf-8-sig")
    if problem := inputguard.text_problem(text):
        raise InvalidInput(f"the file was refused: it {problem}", {"file": [problem]})
    if fmt == "json":
        data = inputguard.parse_json(text)
        if problems := inputguard.json_problems(data):
            raise InvalidInput("the file was refused", {"file": [m for ms in problems.values() for m in ms]})
        if isinstance(data, dict) and "rows" in data:
            data = data["rows"]
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise InvalidInput("JSON import must be a list of objects", {"file": ["expected a list of objects"]})
        return [{k: "" if v is None else v for k, v in row.items()} for row in data], 1
    reader = csv.DictReader(io.StringIO(text))
    return [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in reader], 2


def _text(row: dict, key: str) -> str:
    value = row.get(key, "")
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


def _bool(row: dict, key: str, errors: list, default: bool = False) -> bool:
    value = row.get(key, "")
    if isinstance(value, bool):
        return value
    text = _text(row, key).lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return default if text == "" else False
    errors.append((key, f"{value!r} is not yes/no"))
    return default


# --- org units -----------------------------------------------------------------------------------
def _check_unit(row: dict, known: dict[str, dict], existing: dict[str, OrgUnit]) -> list[tuple[str, str]]:
    errors = []
    code, level, kind = _text(row, "code"), _text(row, "level"), _text(row, "type") or "area"
    parent, grid_type = _text(row, "parent"), _text(row, "grid_type")
    if not CODE.match(code):
        errors.append(("code", "1 to 64 letters, digits, '.', '_' or '-'"))
    if not _text(row, "name_zh"):
        errors.append(("name_zh", "required"))
    if level not in LEVELS:
        errors.append(("level", f"one of {', '.join(LEVELS)}"))
    if kind not in KINDS:
        errors.append(("type", f"one of {', '.join(KINDS)}"))
    if grid_type and (grid_type not in GRID_TYPES or level != "grid"):
        errors.append(("grid_type", f"only grids have a grid type: {', '.join(GRID_TYPES)}"))
    if parent and parent not in known and parent not in existing:
        errors.append(("parent", f"unknown org unit {parent!r}"))
    if not parent and level != "county":
        errors.append(("parent", "only a county may have no parent"))
    parent_level = (known.get(parent) or {}).get("level") or getattr(existing.get(parent), "level", None)
    ranked = parent_level in LEVELS and level in LEVELS
    if kind == "area" and ranked and LEVELS.index(level) <= LEVELS.index(parent_level):
        errors.append(("level", f"a {level} cannot sit under a {parent_level}"))
    return errors


def _unit_order(rows: list[dict]) -> list[dict] | None:
    """Rows sorted parents first; None when the parents form a cycle."""
    by_code = {_text(r, "code"): r for r in rows}
    ordered, done, visiting = [], set(), set()

    def visit(code):
        if code in done or code not in by_code:
            return True
        if code in visiting:
            return False
        visiting.add(code)
        if not visit(_text(by_code[code], "parent")):
            return False
        visiting.discard(code)
        done.add(code)
        ordered.append(by_code[code])
        return True

    return ordered if all(visit(code) for code in by_code) else None


def _apply_units(rows: list[dict], report: Report) -> None:
    for row in _unit_order(rows):
        code = _text(row, "code")
        before = tree.by_code(code)
        snapshot = _unit_snapshot(before) if before else None
        unit = tree.save_unit(code=code, name_zh=_text(row, "name_zh"), name_en=_text(row, "name_en") or None,
                              level=_text(row, "level"), kind=_text(row, "type") or "area",
                              parent=tree.by_code(_text(row, "parent")) if _text(row, "parent") else None,
                              grid_type=_text(row, "grid_type") or None, duty=_text(row, "duty") or None)
        _count(report, snapshot, _unit_snapshot(unit))


def _unit_snapshot(unit: OrgUnit) -> tuple:
    return (unit.name_zh, unit.name_en, unit.level, unit.kind, unit.grid_type, unit.duty,
            unit.parent.code if unit.parent else None)


def _count(report: Report, before, after) -> None:
    if before is None:
        report.created += 1
    elif before != after:
        report.updated += 1
    else:
        report.unchanged += 1


# --- users -------------------------------------------------------------------------------------
def _parse_roles(value) -> list[tuple[str, str]]:
    if isinstance(value, list):
        return [(str(r.get("role", "")), str(r.get("org_unit", ""))) if isinstance(r, dict)
                else tuple(str(r).split("@", 1)) for r in value]
    parts = [p.strip() for p in re.split(r"[;,，；]", str(value or "")) if p.strip()]
    return [tuple(p.split("@", 1)) if "@" in p else (p, "") for p in parts]


def _check_user(row: dict, roles: set[str], units: set[str]) -> list[tuple[str, str]]:
    errors = []
    username, phone, password = _text(row, "username"), _text(row, "phone"), _text(row, "password")
    if not CODE.match(username):
        errors.append(("username", "1 to 64 letters, digits, '.', '_' or '-'"))
    if phone and not PHONE.match(phone):
        errors.append(("phone", "not a phone number"))
    if password and len(password) < 8:
        errors.append(("password", "at least 8 characters"))
    for role, unit in _parse_roles(row.get("roles")):
        if role not in roles:
            errors.append(("roles", f"unknown role {role!r}"))
        if unit not in units:
            errors.append(("roles", f"role {role} needs a known org unit (role@unit), not {unit!r}"))
    _bool(row, "active", errors, default=True)
    return errors


def _apply_users(rows: list[dict], report: Report) -> None:
    for row in rows:
        username = _text(row, "username")
        user = people.by_username(username)
        before = _user_snapshot(user) if user else None
        password = _text(row, "password") or None
        if password and user is not None and passwords.verify(user.password_hash, password):
            password = None  # unchanged: no new hash, and the row stays "unchanged"
        user = people.save_user(username=username, name=_text(row, "name") or None, phone=_text(row, "phone") or None,
                                password=password, active=_bool(row, "active", [], True))
        wanted = {(r, u) for r, u in _parse_roles(row.get("roles"))}
        for assignment in list(user.assignments):
            if (assignment.role_code, assignment.org_unit.code) not in wanted:
                user.assignments.remove(assignment)
        for role, unit in sorted(wanted):
            people.assign(user, role, unit)
        _count(report, before, ("new password",) if password and before else _user_snapshot(user))


def _user_snapshot(user: User) -> tuple:
    return (user.name, user.phone, user.active,
            tuple(sorted((a.role_code, a.org_unit.code) for a in user.assignments)))


# --- households ----------------------------------------------------------------------------------
def _check_household(row: dict, units: set[str]) -> list[tuple[str, str]]:
    errors = []
    if not CODE.match(_text(row, "code")):
        errors.append(("code", "1 to 64 letters, digits, '.', '_' or '-'"))
    if _text(row, "org_unit") not in units:
        errors.append(("org_unit", f"unknown org unit {_text(row, 'org_unit')!r}"))
    if not _text(row, "address"):
        errors.append(("address", "required"))
    if _text(row, "phone") and not PHONE.match(_text(row, "phone")):
        errors.append(("phone", "not a phone number"))
    if _text(row, "id_number") and not ID_NUMBER.match(_text(row, "id_number")):
        errors.append(("id_number", "18 characters: 17 digits and a digit or X"))
    members = _text(row, "members")
    if members and (not members.isdigit() or int(members) > 100):
        errors.append(("members", "a whole number from 0 to 100"))
    for flag in ("elderly_alone", "hardship", "disability"):
        _bool(row, flag, errors)
    return errors


def _apply_households(rows: list[dict], report: Report) -> None:
    existing = {h.code: h for h in db.session.execute(select(Household)).scalars()}
    for row in rows:
        code = _text(row, "code")
        household = existing.get(code)
        before = _household_snapshot(household) if household else None
        unit = tree.by_code(_text(row, "org_unit"))
        if household is None:
            household = Household(code=code, org_unit=unit)
            db.session.add(household)
        household.org_unit = unit
        household.address = _text(row, "address")
        for key in ("head_name", "phone", "id_number", "notes"):
            setattr(household, key, _text(row, key) or None)
        household.members = int(_text(row, "members")) if _text(row, "members") else None
        for flag in ("elderly_alone", "hardship", "disability"):
            setattr(household, flag, _bool(row, flag, []))
        _count(report, before, _household_snapshot(household))


def _household_snapshot(h: Household) -> tuple:
    return (h.org_unit.code if h.org_unit else None, h.address, h.head_name, h.phone, h.id_number, h.members,
            h.elderly_alone, h.hardship, h.disability, h.notes)


# --- the import --------------------------------------------------------------------------------
def _validate(kind: str, rows: list[dict], first: int) -> list[dict]:
    errors, seen = [], set()
    key = FIELDS[kind][0]
    units = {c for (c,) in db.session.execute(select(OrgUnit.code))}
    existing_units = {u.code: u for u in db.session.execute(select(OrgUnit)).scalars()} if kind == "org_units" else {}
    known = {_text(r, "code"): r for r in rows} if kind == "org_units" else {}
    roles = {c for (c,) in db.session.execute(select(Role.code))}
    for index, row in enumerate(rows):
        number = first + index
        if kind == "org_units":
            problems = _check_unit(row, known, existing_units)
        elif kind == "users":
            problems = _check_user(row, roles, units)
        else:
            problems = _check_household(row, units)
        natural = _text(row, key)
        if natural and natural in seen:
            problems.append((key, f"{natural!r} appears twice in the file"))
        seen.add(natural)
        errors.extend({"row": number, "field": f, "message": m} for f, m in problems)
    if kind == "org_units" and not errors and _unit_order(rows) is None:
        errors.append({"row": None, "field": "parent", "message": "the parents form a cycle"})
    return errors


def run_import(kind: str, content: bytes, fmt: str, actor) -> Report:
    """Import ``content``; all or nothing. Raises InvalidInput listing every bad row."""
    if kind not in FIELDS:
        raise InvalidInput(f"unknown import kind {kind!r}", {"kind": [f"one of {', '.join(FIELDS)}"]})
    if fmt not in ("csv", "json"):
        raise InvalidInput(f"unknown format {fmt!r}", {"format": ["csv or json"]})
    try:
        rows, first = parse(content, fmt)
    except (UnicodeDecodeError, ValueError, csv.Error) as error:
        raise InvalidInput(f"cannot read the file: {error}", {"file": [str(error)]}) from error
    errors = _validate(kind, rows, first)
    if errors:
        raise InvalidInput(f"{len({e['row'] for e in errors})} row(s) have errors; nothing was imported",
                           errors)
    return uow.run(lambda work: _apply(kind, rows, actor))


def _apply(kind: str, rows: list[dict], actor) -> Report:
    report = Report(kind=kind, rows=len(rows))
    {"org_units": _apply_units, "users": _apply_users, "households": _apply_households}[kind](rows, report)
    audit.record("org_imported", actor=actor, subject=f"import:{kind}",
                 detail={"rows": report.rows, "created": report.created, "updated": report.updated})
    return report


# --- export ------------------------------------------------------------------------------------
def export_rows(kind: str) -> list[dict]:
    if kind == "org_units":
        units = db.session.execute(select(OrgUnit).order_by(OrgUnit.path)).scalars()
        return [{"code": u.code, "name_zh": u.name_zh, "name_en": u.name_en or "", "level": u.level,
                 "type": u.kind, "parent": u.parent.code if u.parent else "", "grid_type": u.grid_type or "",
                 "duty": u.duty or ""}
                for u in units]
    if kind == "users":
        users = db.session.execute(select(User).order_by(User.username)).scalars()
        return [{"username": u.username, "name": u.name, "phone": u.phone or "",
                 "roles": ";".join(sorted(f"{a.role_code}@{a.org_unit.code}" for a in u.assignments)),
                 "active": "true" if u.active else "false", "password": ""} for u in users]
    if kind == "households":
        rows = db.session.execute(select(Household).order_by(Household.code)).scalars()
        return [{"code": h.code, "org_unit": h.org_unit.code, "address": h.address, "head_name": h.head_name or "",
                 "phone": h.phone or "", "id_number": h.id_number or "", "members": h.members or "",
                 "elderly_alone": str(h.elderly_alone).lower(), "hardship": str(h.hardship).lower(),
                 "disability": str(h.disability).lower(), "notes": h.notes or ""} for h in rows]
    raise InvalidInput(f"unknown export kind {kind!r}", {"kind": [f"one of {', '.join(FIELDS)}"]})


def render(kind: str, fmt: str) -> bytes:
    rows = export_rows(kind)
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1).encode()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS[kind])
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode()  # BOM: spreadsheets then read the Chinese right
