"""A county's existing admitted-items list in and out as CSV: all rows or none, errors name the row.

Columns (UTF-8, a header row; the export writes the same ones, so a file round-trips):
``code, name, list (duty|assist), department (unit code), basis, description, units (unit codes
separated by ; or 、), levels (town|community|grid, same separators, optional), valid_from,
valid_to, status (admitted|withdrawn, default admitted), withdrawn_from, funding, staff, training,
materials, workload``. A row equal to the item as it stands changes nothing; a changed row is a
new version of the item (``imported``) and of its units' lists."""

import csv
import io
import json
import re

from .. import audit, uow
from ..errors import Forbidden, InvalidInput
from ..models import User
from ..org import tree
from . import items, lists, settings

COLUMNS = ("code", "name", "list", "department", "basis", "description", "units", "levels", "valid_from",
           "valid_to", "status", "withdrawn_from", "funding", "staff", "training", "materials", "workload")
REQUIRED = ("code", "name", "list", "department", "units", "valid_from")
MAX_ROWS = 5000
MAX_CELL = 4000
_SPLIT = re.compile(r"[;；,，、\s]+")


def _number(text: str, field: str, whole: bool, bad) -> int | float | None:
    if not text:
        return None
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        bad(field, "not a number")
        return None
    if not 0 <= value <= 1e9:  # also NaN
        bad(field, "must be between 0 and 1,000,000,000")
        return None
    return int(value) if float(value).is_integer() else value


def _data(number: int, row: dict, bad) -> dict:
    data = {"code": row["code"], "name": row["name"], "list": row["list"], "department": row["department"],
            "basis": row.get("basis", ""), "description": row.get("description") or None,
            "units": [u for u in _SPLIT.split(row["units"]) if u],
            "levels": [lv for lv in _SPLIT.split(row.get("levels", "")) if lv],
            "valid_from": row["valid_from"], "valid_to": row.get("valid_to") or None,
            "training": row.get("training") or None, "materials": row.get("materials") or None,
            "funding": _number(row.get("funding", ""), "funding", False, bad),
            "staff": _number(row.get("staff", ""), "staff", True, bad),
            "workload": _number(row.get("workload", ""), "workload", True, bad)}
    return {k: v for k, v in data.items() if v is not None or k in ("valid_to", "description")}


def _row_checked(number: int, row: dict, county, seen: set) -> tuple[dict | None, list[dict]]:
    errors = []

    def bad(field, message):
        errors.append({"row": number, "field": field, "message": message})

    for field in REQUIRED:
        if not row.get(field):
            bad(field, "required")
    if any(len(v) > MAX_CELL for v in row.values()):
        bad("row", f"a cell is longer than {MAX_CELL} characters")
    if row.get("code") in seen:
        bad("code", "repeated in the file")
    seen.add(row.get("code"))
    status = row.get("status") or "admitted"
    if status not in ("admitted", "withdrawn"):
        bad("status", "admitted or withdrawn")
    if errors:
        return None, errors
    data = _data(number, row, bad)
    try:
        fields = items.fields_of(data, county)
        withdrawn = items.day_of(row.get("withdrawn_from"), "withdrawn_from", required=False)
    except InvalidInput as error:
        for field, messages in (error.errors or {}).items():
            for message in messages:
                bad("list" if field == "item_list" else "code" if field == "item_code" else field, message)
        return None, errors
    if status == "withdrawn" and withdrawn is None:
        withdrawn = items.today(county)
    return ({"fields": fields, "withdrawn": withdrawn if status == "withdrawn" else None}, errors)


def parse(content: bytes, county) -> list[dict]:
    try:
        text = content.decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
    except (UnicodeDecodeError, csv.Error) as error:
        raise InvalidInput(f"cannot read the CSV: {error}",
                           [{"row": None, "field": "file", "message": "not UTF-8 CSV"}]) from error
    if not rows or set(REQUIRED) - set(rows[0]):
        raise InvalidInput("the admitted-items CSV needs the columns " + ", ".join(REQUIRED),
                           [{"row": 1, "field": "header", "message": "missing columns"}])
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"at most {MAX_ROWS} rows", [{"row": None, "field": "file", "message": "too many rows"}])
    parsed, errors, seen = [], [], set()
    for index, raw in enumerate(rows):
        row = {str(k).strip(): (v if isinstance(v, str) else "").strip() for k, v in raw.items() if k}
        found, problems = _row_checked(index + 2, row, county, seen)
        errors += problems
        parsed.append(found)
    if errors:
        raise InvalidInput(f"{len({e['row'] for e in errors})} row(s) have errors; nothing was imported", errors)
    return parsed


def import_csv(content: bytes, actor: User, county_code: str | None = None) -> dict:
    """Import a county's list (its administrators or joint meeting): {created, changed, unchanged, withdrawn}."""
    county = tree.require(county_code, "county") if county_code else tree.root_unit()
    if county is None:
        raise InvalidInput("there is no county yet", {"county": ["no org units"]})
    county = tree.root_of(tree.UnitRef.of(county))
    if not settings.may_configure(actor, tree.by_code(county.code)):
        raise Forbidden(f"{actor.username} may not import the admitted items of {county.code}")
    if not content.strip():
        raise InvalidInput("the file is empty", {"file": ["empty"]})
    rows = parse(content, county)
    return uow.run(lambda work: _import(work, rows, county, actor))


def _import(work, rows: list[dict], county, actor: User) -> dict:
    counts = {"created": 0, "changed": 0, "unchanged": 0, "withdrawn": 0, "rows": len(rows)}
    for row in rows:
        fields = row["fields"]
        existing = items.find(county, fields["code"])
        if items.same(existing, fields, row["withdrawn"]):
            counts["unchanged"] += 1
            continue
        item = items.save(county, fields, "imported", decision={"import": True}, actor=actor.username)
        counts["changed" if existing is not None else "created"] += 1
        if row["withdrawn"] is not None:
            items.withdraw(item, row["withdrawn"], "imported as withdrawn", actor=actor.username)
            counts["withdrawn"] += 1
    audit.record("admission_items_imported", actor=actor, subject=f"admission:{county.code}", detail=counts)
    return counts


def cell(value):
    """A value safe to open in a spreadsheet: text that would start a formula is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _cells(view: dict, targets: list[dict]) -> dict:
    resources = view.get("resources") or {}
    levels = sorted({lv for t in targets for lv in t.get("levels") or []})
    return {"code": view["code"], "name": view["name"], "list": view["list"], "department": view["department"],
            "basis": view["basis"], "description": view.get("description") or "",
            "units": ";".join(view["units"]), "levels": ";".join(levels), "valid_from": view["valid_from"],
            "valid_to": view["valid_to"] or "", "status": "withdrawn" if view["withdrawn_from"] else "admitted",
            "withdrawn_from": view["withdrawn_from"] or "", "funding": resources.get("funding", ""),
            "staff": resources.get("staff", ""), "training": resources.get("training", ""),
            "materials": resources.get("materials", ""), "workload": view["workload"] if view["workload"] else ""}


def export(actor: User, fmt: str = "csv", org_unit: str | None = None, status: str | None = "all") -> tuple[str, str]:
    """(body, mimetype) of the list: every item of the county, or those of ``org_unit``."""
    if fmt not in ("csv", "json"):
        raise InvalidInput("format is csv or json", {"format": ["csv or json"]})
    views = lists.for_unit(actor, org_unit, status or "all")
    if fmt == "json":
        return json.dumps(views, ensure_ascii=False, default=str), "application/json"
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for view in views:
        writer.writerow({k: cell(v) for k, v in _cells(view, view["targets"]).items()})
    return out.getvalue(), "text/csv; charset=utf-8"

