"""A task's earlier rounds in its case, and what a finished task was done with.

A step can come round again in the same case (核查 after a rework, 镇街研判 after a department
returns it). Its engine data then still holds what the earlier round answered: ``earlier_answers``
names those values, so the form can start empty of them (a form keeps one with
``"x-keep-previous": true``) while what other steps gave since still shows.

A finished task is shown with what was true when it was done: at completion, the values its form
showed and what was submitted are kept on its row (``HumanTask.properties[SNAPSHOT]``), and
``completed_data`` gives them back (a field read from another key, ``x-default-from``, is kept
there with what was submitted). Tasks finished before this was kept have none (None).
"""

from sqlalchemy import select

from .. import taskforms
from ..extensions import db
from ..models import AuditEvent, HumanTask
from ..models.task import COMPLETED

SNAPSHOT = "completed_form"  # the platform's, beside the model's node properties


def _shown(document: dict, seen: dict, submitted: dict) -> dict:
    """What the form was done with: each field's submitted value, else what it showed (its data or
    default), and the data read-only fields display instead (``x-display-from``)."""
    values = {**taskforms.values(document, seen), **submitted}
    sources = taskforms.display_sources(document, seen)
    kept = {k: v for k, v in values.items() if k in (document.get("properties") or {})}
    for name, spec in (document.get("properties") or {}).items():
        spec = spec if isinstance(spec, dict) else {}
        if isinstance(spec.get("x-default-from"), str) and name in kept:
            kept[spec["x-default-from"]] = kept[name]  # the form reads it there: the value it was done with
        if name in sources and isinstance(spec.get("x-display-from"), str):
            kept.setdefault(spec["x-display-from"], sources[name])
    return kept


def seen_in(outcome, task: HumanTask, instance) -> dict:
    """The engine data ``task`` was completed with (what its form showed, with the submission), as
    the engine reported the task's completion in ``outcome``: no restore of the case is needed."""
    if not task.form:
        return {}
    for event in outcome.events:
        if event.task_id == task.engine_task_id:
            return dict(event.data)
    return dict(instance.data or {})


def keep(task: HumanTask, document: dict | None, seen: dict, submitted: dict) -> None:
    """Keep on the completed ``task`` what its form showed (``seen``) and what was ``submitted``."""
    if not document:
        return
    shown = _shown(document, seen, submitted)
    task.properties = {**(task.properties or {}), SNAPSHOT: {"data": shown, "answered": sorted(submitted)}}


def completed_data(task: HumanTask) -> dict | None:
    """The data a completed task's form was done with, if it was kept."""
    kept = (task.properties or {}).get(SNAPSHOT) if task.state == COMPLETED else None
    return dict(kept["data"]) if isinstance(kept, dict) and isinstance(kept.get("data"), dict) else None


def _answered(row: HumanTask, event_keys) -> set[str]:
    kept = (row.properties or {}).get(SNAPSHOT)
    keys = set(event_keys or [])
    if isinstance(kept, dict):
        keys |= set(kept.get("answered") or [])
    return keys


def earlier_answers(task: HumanTask, data: dict) -> dict:
    """{key: value} of ``data`` that an earlier round of the same step in this case answered and no
    other step has answered since (the value is what that round left)."""
    rows = {r.id: r for r in db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == task.instance_id, HumanTask.state == COMPLETED, HumanTask.id != task.id)).scalars()}
    if not any(r.bpmn_id == task.bpmn_id and r.process_key == task.process_key for r in rows.values()):
        return {}
    events = db.session.execute(select(AuditEvent.kind, AuditEvent.human_task_id, AuditEvent.changed_keys).where(
        AuditEvent.instance_id == task.instance_id, AuditEvent.kind.in_(("task_completed", "task_created")))
        .order_by(AuditEvent.id)).all()
    last_by: dict[str, HumanTask] = {}
    for kind, task_id, keys in events:
        if kind == "task_created" and task_id == task.id:
            break  # what was answered before this task opened: not a parallel instance beside it
        row = rows.get(task_id) if kind == "task_completed" else None
        if row is not None:
            last_by.update({key: row for key in _answered(row, keys)})
    found = {}
    for key, row in last_by.items():
        if row.bpmn_id == task.bpmn_id and row.process_key == task.process_key and key in data:
            found[key] = (completed_data(row) or {}).get(key, data[key])
    return found
