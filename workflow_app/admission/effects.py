"""The platform mechanisms the admission models name in a node's ``effect`` property:

- ``admission.track``: keep the application's status (``application_status``, ``status_reason``
  in the node's data) for the department's status page; a final status notifies the applicant;
- ``admission.admit``: the joint meeting approved: the item enters (or changes in) the lists of
  its target units from its start date, as a new version of the item and of each list;
- ``admission.withdraw``: from the effective date (``effective_date``, default today) new work
  under ``item_code`` is refused;
- ``admission.assignment_refused``: a community refused an assigned task (``reason``): a fact
  ``assignment_refused`` against that community (``community``) for the burden report.

The models decide when these run; what they write is the county's list, never case data."""

from sqlalchemy import select

from .. import clock, facts
from ..errors import InvalidInput
from ..extensions import db
from ..models import OrgUnit, User
from ..org import tree
from ..sla import notify, wording
from . import items
from .records import Application

FINAL = {"screened_out": "筛查未通过", "refused": "联席会议不予准入", "approved": "联席会议准予准入",
         "approved_with_changes": "联席会议修改后准予准入", "withdrawn": "事项已退出", "declined": "退出申请未获同意"}
FINAL_EN = {"screened_out": "Not through screening", "refused": "Refused by the joint meeting",
            "approved": "Admitted by the joint meeting",
            "approved_with_changes": "Admitted with changes by the joint meeting",
            "withdrawn": "Item withdrawn", "declined": "Withdrawal not agreed"}
CHANGEABLE = ("name", "units", "levels", "valid_from", "valid_to", "funding", "staff", "training", "materials",
              "workload", "list", "basis", "description")


def _county(instance) -> tree.UnitRef:
    return tree.root_of(tree.ref_by_id(instance.org_unit_id))


def _application(instance) -> Application | None:
    for obj in db.session.new:
        if isinstance(obj, Application) and obj.instance is instance:
            return obj
    if instance.id is None:
        return None
    with db.session.no_autoflush:
        return db.session.execute(select(Application).where(Application.instance_id == instance.id)) \
            .scalar_one_or_none()


def _text(value, limit: int) -> str | None:
    return str(value).strip()[:limit] if isinstance(value, str | int | float) and str(value).strip() else None


def track(work, instance, data: dict, actor, item_code: str | None = None) -> Application:
    with db.session.no_autoflush:
        row = _application(instance)
        if row is None:
            row = Application(instance=instance, county_id=_county(instance).id, filed_at=clock.now())
        _fill(row, data, item_code)
    db.session.add(row)
    if row.status in FINAL:
        _notify(instance, row)
    return row


def _fill(row: Application, data: dict, item_code: str | None) -> None:
    department = tree.by_code(data.get("department")) if isinstance(data.get("department"), str) else None
    row.department = department if department is not None and department.kind != "area" else row.department
    row.name = _text(data.get("name"), 200) or row.name or "—"
    row.item_code = item_code or _text(data.get("item_code"), 64) or row.item_code
    row.units = [u for u in data.get("units") or [] if isinstance(u, str)][:500] or row.units
    row.valid_from = _text(data.get("valid_from"), 10) or row.valid_from
    row.status = _text(data.get("application_status"), 32) or row.status or "filed"
    row.reason = _text(data.get("status_reason"), 4000)
    row.updated_at = clock.now()


def _notify(instance, row: Application) -> None:
    starter = db.session.get(User, instance.started_by_id) if instance.started_by_id else None
    if starter is None:
        return
    said = wording.params("admission", outcome=wording.both(FINAL[row.status], FINAL_EN[row.status]), name=row.name,
                          note=row.reason)
    notify.send([starter], notify.Message("admission", *wording.render(said, "zh"), params=said))


def _new_code(county: tree.UnitRef, department: str | None) -> str:
    prefix = (department or "item").upper()
    year = items.today(county).year
    for number in range(1, 10_000):
        code = f"{prefix}-{year}-{number:03d}"
        if items.find(county, code) is None:
            return code
    raise InvalidInput("no free item code", {"item_code": ["give the item a code"]})


def _changes(data: dict) -> dict:
    original = data.get("application") if isinstance(data.get("application"), dict) else {}
    return {key: {"from": original.get(key), "to": data.get(key)} for key in CHANGEABLE
            if key in original and original.get(key) != data.get(key)}


def admit(work, instance, data: dict, actor) -> None:
    county = _county(instance)
    data = dict(data)
    if not _text(data.get("item_code"), 64):
        data["item_code"] = _new_code(county, data.get("department"))
    fields = items.fields_of(data, county)
    decision = {"decision": data.get("decision"), "reason": data.get("reason"), "changes": _changes(data),
                "town_opinions": data.get("town_opinions") if isinstance(data.get("town_opinions"), list) else [],
                "application": getattr(instance, "id", None)}
    existing = items.find(county, fields["code"])
    items.save(county, fields, "admitted" if existing is None else "changed", decision=decision, instance=instance,
               actor=getattr(actor, "username", None))
    track(work, instance, data, actor, fields["code"])


def withdraw(work, instance, data: dict, actor) -> None:
    county = _county(instance)
    item = items.find(county, data.get("item_code"))
    if item is None:
        raise InvalidInput(f"no admitted item {data.get('item_code')!r}", {"item_code": ["unknown item"]})
    effective = items.day_of(data.get("effective_date"), "effective_date", required=False) or items.today(county)
    items.withdraw(item, effective, _text(data.get("reason"), 4000), instance=instance,
                   actor=getattr(actor, "username", None),
                   decision={"note": _text(data.get("confirm_note"), 4000), "requested_by": data.get("department")})


def assignment_refused(work, instance, data: dict, actor) -> None:
    community = data.get("community") if isinstance(data.get("community"), str) else None
    unit = db.session.execute(select(OrgUnit.code).where(OrgUnit.code == community)).scalar() if community else None
    facts.record("assignment_refused", instance=instance, actor=actor, unit_code=unit,
                 stage=_text(data.get("title"), 100),
                 detail={"reason": _text(data.get("reason"), 2000), "item_code": _text(data.get("item_code"), 64),
                         "department": _text(data.get("department"), 64), "title": _text(data.get("title"), 200)})


def register(registry) -> None:
    registry.register("admission.track", track)
    registry.register("admission.admit", admit)
    registry.register("admission.withdraw", withdraw)
    registry.register("admission.assignment_refused", assignment_refused)
