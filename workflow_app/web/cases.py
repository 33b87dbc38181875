"""The case page (案件), for people: what the case is about, labelled by the forms' titles and
limited to the process's summary (the ``case_summary`` process property: data keys in order;
a resident sees ``public_summary``), local readable times, units, departments and people by name.

Staff see the summary, the whistle record round by round and each department's report (from the
data the model keeps: ``whistle_rounds``, ``department_reports``), the open steps, timers, the
timeline and the live BPMN diagram; a case in error says so in a sentence, the engine's text only
to its administrators and designers. A resident
(someone who holds only public roles) sees a FixMyStreet-style status view instead: received,
being handled, done, their rating, with the updates they were sent — never the diagram or the
internal data."""

from dataclasses import dataclass
from datetime import datetime

from flask import Response, render_template

from ..cases import views as case_views
from ..errors import NotFound
from ..inbox import reading
from ..ops import logs
from ..org import access, people
from ..repository import definitions
from ..repository import instances as store
from . import bp, bpmnlayout, case_status, formrender, pages, timeline
from .common import login_required, user
from .i18n import N_, pick

STATUS_LABELS = {"running": N_("办理中"), "completed": N_("已结案"), "error": N_("出错"), "suspended": N_("已暂停"),
                 "terminated": N_("已终止"), "blocked": N_("受阻待处理")}
MILESTONE_LABELS = {"accepted": N_("已受理，正在处置"), "escalated": N_("已上报上级协调处置"), "closed": N_("已办结"),
                    "reopened": N_("已重新办理"), "not_accepted": N_("未予受理")}
PLATFORM_KEYS = {"initiator": ("上报人", "Reported by"), "handling_level": ("处置层级", "Handling level"),
                 # what reports commonly carry, labelled even when no form of the process titles them
                 "title": ("标题", "Title"), "description": ("问题描述", "Description"), "address": ("地点", "Address"),
                 "location": ("位置", "Location"), "contact_phone": ("联系电话", "Phone"), "photos": ("照片", "Photos")}


def field_specs(version) -> dict[str, dict]:
    """Every field the version's forms declare, by name (the first form to declare it wins)."""
    specs: dict[str, dict] = {}
    for document in ((version.manifest or {}).get("forms") or {}).values():
        for name, spec in formrender.ordered(document or {}):
            specs.setdefault(name, spec)
    return specs


def _shown(spec: dict, value) -> object:
    """A value as people read it: names for units, departments, people and filing conditions,
    limits such as {amount: 4, unit: work_hours} in words, places as coordinates and text."""
    if isinstance(value, dict) and "username" in value:
        return value.get("name") or value["username"]
    if isinstance(value, dict) and {"amount", "unit"} <= set(value):
        zh, en = pages.UNIT_LABELS.get(value["unit"], (value["unit"], value["unit"]))
        return f"{value['amount']} {pick(zh, en)}"
    if isinstance(value, dict) and {"lat", "lng", "text"} & set(value) or spec.get("x-widget") == "location":
        return formrender.location_text(value)
    return formrender.display(spec, value)


def summary_keys(version, public: bool) -> list[str] | None:
    """The data keys the process's summary lists (None: the process declares none)."""
    props = (store.manifest(version).get("process_properties") or {})
    text = props.get("public_summary" if public else "case_summary") or (
        props.get("case_summary") if public else None)
    return text.split() if text else None


def data_rows(version, data: dict, public: bool = False) -> list[tuple[str, str, object, str]]:
    """(name, label, shown value, widget) for what the case is about: the summary's keys in its
    order (or else every key a form gives a title), labelled by the forms; nothing internal."""
    specs = field_specs(version)
    keys = summary_keys(version, public)
    if keys is None:
        keys = [k for k in (data or {}) if k in specs or k in PLATFORM_KEYS]
    rows = []
    for name in keys:
        value = (data or {}).get(name)
        spec = specs.get(name)
        if value in (None, "", [], {}) or (spec is None and name not in PLATFORM_KEYS):
            continue
        spec = spec or {}
        zh, en = PLATFORM_KEYS.get(name, (spec.get("title") or name, spec.get("x-title-en")))
        widget = formrender.widget_of(spec) if spec else ("photos" if name == "photos" else "")
        rows.append((name, pick(zh, en), _shown(spec, value), widget))
    return rows


def key_labels(version) -> dict[str, str]:
    specs = field_specs(version)
    return {k: pick(s.get("title") or k, s.get("x-title-en")) for k, s in specs.items() if s.get("title")}


def is_resident(person) -> bool:
    """Someone who holds only public roles (a resident): sees the status view."""
    return bool(person.assignments) and all(access.is_public(a.role_code) for a in person.assignments)


def stage_label(instance) -> str:
    """Where a case stands, for lists (我上报的)."""
    return STATUS_LABELS.get(instance.status, instance.status)


def _names(history, tasks=()) -> dict[str, str]:
    """Display names of the people in a timeline and on the open steps (usernames are not for people)."""
    found = {}
    for username in [getattr(e, "actor", None) for e in history] + [t.assignee for t in tasks]:
        if username and username not in found and username != "system":
            person = people.by_username(username)
            found[username] = person.name if person is not None else username
    return found


@dataclass
class Report:
    """One department's handling report (处置情况), as the case page shows it."""

    unit: str
    by: str
    at: object
    note: str
    photos: list
    round: int
    lead: bool
    rework: bool
    check_in_note: str = ""
    check_in_at: object = None
    check_in_place: str = ""


@dataclass
class StageNote:
    """What one stage (社区处置, 镇街处置…) wrote when it handled the case (``stage_notes``)."""

    stage: str
    by: str
    at: object
    note: str
    photos: list


@dataclass
class Round:
    """One round of a whistle (吹哨): who was summoned, who returned it and why, who handled it."""

    number: int
    at: object
    departments: list
    lead: str | None
    note: str
    returned: list  # (unit name, reason)
    handled: list
    town_took_over: bool


def _moment(text):
    try:
        return datetime.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def _private(text: str, classes) -> str:
    """A text as the viewer may read it: phone and ID numbers masked unless they see contact details."""
    return text if "contact" in classes else logs.scrub(text)


def department_reports(data: dict, classes) -> list[Report]:
    """Each department's report, round by round, from the case data the model keeps (``department_reports``)."""
    found = []
    for item in (data or {}).get("department_reports") or []:
        if not isinstance(item, dict) or not item.get("department"):
            continue
        photos = [p for p in item.get("photos") or [] if isinstance(p, str)]
        check_in = item.get("check_in") if isinstance(item.get("check_in"), dict) else {}
        place = formrender.location_text(check_in["place"]) if check_in.get("place") else ""
        found.append(Report(formrender.unit_label(item["department"]), str(item.get("by") or ""),
                            _moment(item.get("at")), _private(str(item.get("note") or ""), classes), photos,
                            int(item.get("round") or 0), bool(item.get("lead")), bool(item.get("rework")),
                            _private(str(check_in.get("note") or ""), classes), _moment(check_in.get("at")),
                            str(place or "")))
    return found


def stage_notes(data: dict, classes) -> list[StageNote]:
    """Each stage's own handling notes, in order, from the record the model keeps (``stage_notes``)."""
    found = []
    for item in (data or {}).get("stage_notes") or []:
        if not isinstance(item, dict) or not (item.get("note") or item.get("photos")):
            continue
        photos = [p for p in item.get("photos") or [] if isinstance(p, str)]
        found.append(StageNote(str(item.get("stage") or ""), str(item.get("by") or ""), _moment(item.get("at")),
                               _private(str(item.get("note") or ""), classes), photos))
    return found


def whistle_record(data: dict, classes) -> list[Round]:
    """The whistle record (吹哨记录) from the rounds the model keeps (``whistle_rounds``)."""
    rounds = []
    for item in (data or {}).get("whistle_rounds") or []:
        if not isinstance(item, dict):
            continue
        returned = [(formrender.unit_label(r.get("department")), _private(str(r.get("reason") or ""), classes))
                    for r in item.get("returned") or [] if isinstance(r, dict)]
        rounds.append(Round(int(item.get("round") or 0), _moment(item.get("at")),
                            [formrender.unit_label(d) for d in item.get("departments") or []],
                            formrender.unit_label(item["lead"]) if item.get("lead") else None,
                            _private(str(item.get("note") or ""), classes), returned,
                            [formrender.unit_label(d) for d in item.get("handled") or []],
                            item.get("then") == "town"))
    return rounds


def _task_names(detail) -> dict[str, str]:
    names = {t.bpmn_id: t.name for t in detail.tasks}
    for event in detail.history:
        if getattr(event, "task_name", None) and getattr(event, "bpmn_id", None):
            names.setdefault(event.bpmn_id, event.task_name)
    return names


@bp.get("/cases/<int:instance_id>")
@login_required
def case(instance_id: int):
    detail = case_views.instance_detail(instance_id, user())
    reading.case_opened(user(), instance_id)  # what they were told about it, read by opening it
    version = detail.instance.version
    if is_resident(user()):
        rating = data_rows(version, {k: v for k, v in detail.data.items() if k == "satisfaction"})
        return render_template("case_status.html", milestones=MILESTONE_LABELS,
                               **case_status.view(detail, data_rows(version, detail.data, public=True), rating))
    drawing = case_views.diagram(instance_id, user())
    return render_template("case.html", detail=detail, diagram=drawing, rows=data_rows(version, detail.data),
                           timeline=timeline, statuses=STATUS_LABELS, labels=key_labels(version),
                           names=_names(detail.history, detail.tasks), task_names=_task_names(detail),
                           milestones=MILESTONE_LABELS, title=pick((detail.data or {}).get("title"),
                                                                    (detail.data or {}).get("title_en")),
                           rounds=whistle_record(detail.data, detail.classes),
                           reports=department_reports(detail.data, detail.classes),
                           stage_notes=stage_notes(detail.data, detail.classes),
                           case_manifest=store.manifest(version))


@bp.get("/cases/<int:instance_id>/diagram/<name>")
@login_required
def case_diagram(instance_id: int, name: str):
    """The deployed BPMN file of the case's version, for the viewer (after the access check)."""
    detail = case_views.instance_detail(instance_id, user())
    if is_resident(user()):
        raise NotFound("the diagram is for staff")
    stored = definitions.file(detail.instance.version, name)
    if stored.kind != "bpmn":
        raise NotFound(f"{name} is not a BPMN diagram")
    drawn = bpmnlayout.with_diagram(stored.content)  # a shipped file without a layout still draws
    return Response(drawn, mimetype="application/xml", headers={"Cache-Control": "private, max-age=300"})
