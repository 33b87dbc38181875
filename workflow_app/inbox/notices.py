"""What people hear about a case, as the model says on its nodes.

- The person who reported it: a milestone (accepted, escalated, closed, reopened, not accepted)
  that the model marks on a node (``notify_initiator``) is recorded on the case's timeline and sent
  to the reporter through the notification channels (in-app, and any channel plugged into
  ``sla.notify``) unless the reporter took that step themselves (and the node does not say
  ``notify_initiator_own``). The reporter's unread count is the badge on 通知.
- The people who are to act next: a node's ``notify_opened`` message goes to whoever will do each
  task that step opened (the assignee, or everyone eligible), with the node's note and the task's
  time limit (a whistle tells the departments it summons; a supervision tells the handlers)."""

import re
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from .. import audit, clock
from ..cases.effects import MILESTONE, OPENED
from ..extensions import db
from ..models import HumanTask, Notification, User
from ..sla import notify, wording

# the reporter's milestones and the steps' calls by their kind (how older notifications are read)
MILESTONES = {key.removeprefix("case_"): words for key, words in {**wording.REPORTER, **wording.OPENED}.items()}


def milestone(work, instance, data: dict, actor) -> None:
    """The ``initiator.milestone`` mechanism: timeline entry plus a notification to the reporter."""
    name = str(data.get("milestone") or "")
    audit.record("case_milestone", instance=instance, detail={"milestone": name})
    if instance.started_by_id is None or (getattr(actor, "id", None) == instance.started_by_id
                                          and not data.get("own")):
        return  # nobody to tell, or the reporter did it themselves (a grid worker filing, self-handling)
    reporter = db.session.get(User, instance.started_by_id)
    if reporter is None:
        return
    key = f"case_{name}" if f"case_{name}" in wording.REPORTER else "case_news"
    said = wording.params(key, case=instance.id, note=(data.get("note") or "").strip())
    title, body = wording.render(said, "zh")
    notify.send([reporter], notify.Message(kind=f"case_{name}"[:40], title=title, body=body, instance_id=instance.id,
                                           params=said))


def _local(moment) -> str:
    zone = ZoneInfo(current_app.config.get("DEFAULT_TIMEZONE", "Asia/Shanghai"))
    return clock.as_utc(moment).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def opened(work, instance, data: dict, actor) -> None:
    """The ``tasks.opened`` mechanism: each task the step opened, to whoever will do it."""
    name = str(data.get("message") or "")
    key = f"case_{name}" if f"case_{name}" in wording.OPENED else "case_task"
    note = (data.get("note") or "").strip()
    tasks = list(data.get("tasks") or [])
    if any(task.id is None for task in tasks):
        db.session.flush()  # the notices link to the new tasks
    for task in tasks:
        said = wording.params(key, case=instance.id, note=note,
                              step=wording.both(task.name, (task.properties or {}).get("name_en")),
                              due=_local(task.due_at) if task.due_at is not None else None)
        title, body = wording.render(said, "zh")
        notify.send([u for u in notify.workers_of(task) if u.id != getattr(actor, "id", None)],
                    notify.Message(kind=f"case_{name}"[:40], title=title, body=body, task=task,
                                   instance_id=instance.id, params=said))


def register(registry) -> None:
    registry.register(MILESTONE, milestone)
    registry.register(OPENED, opened)


def unread_count(user: User) -> int:
    return db.session.execute(
        select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ).scalar_one()


# --- reading a notification in the reader's language ------------------------------------------
# A notification keeps its message id and arguments (``params``, see ``sla.wording``) and is read
# from them in the reader's language; its Chinese text is stored too (what other channels get).
# Older notifications have no params: their kind is the message id and their parameters are what
# they link to (the case, the task and that task's names) plus the texts they quote (people's own
# words, shown as written); ``shown`` renders the platform's own wording of them by their text.

SLA = {"sla_yellow": "Warning: {name} has used {ratio} of its time limit, please hurry",
       "sla_red": "Overdue: {name} is past its time limit"}
ADMISSION = {"筛查未通过": "Not through screening", "联席会议不予准入": "Refused by the joint meeting",
             "联席会议准予准入": "Admitted by the joint meeting",
             "联席会议修改后准予准入": "Admitted with changes by the joint meeting",
             "事项已退出": "Item withdrawn", "退出申请未获同意": "Withdrawal not agreed"}
URGE_DEFAULT = ("请尽快办理", "Please handle it as soon as you can")
URGED_BY = "催办人："  # the line of an urge that names who urged (``sla.control.urge``)
_LIMIT = re.compile(r"^(?P<name>.+)时限：(?P<due>\d{4}-\d\d-\d\d \d\d:\d\d)前$")


def _task_name(task, lang: str, name: str | None = None) -> str:
    name = name or (task.name if task is not None else "")
    if lang == "en" and task is not None and name == task.name:
        return (task.properties or {}).get("name_en") or name
    return name


def _case_no(instance_id, lang: str) -> str:
    if not instance_id:
        return ""
    return f" (#{instance_id})" if lang == "en" else f"（#{instance_id}）"


def _body(note, task, lang: str) -> str | None:
    """The stored body with the platform's own lines (a step's time limit) in ``lang``."""
    if not note.body or lang != "en":
        return note.body
    lines = []
    for line in note.body.split("\n"):
        match = _LIMIT.match(line)
        if match:
            line = _limit_text(_task_name(task, lang, match["name"]), match["due"])
        elif line == URGE_DEFAULT[0] and note.kind == "urge":
            line = URGE_DEFAULT[1]
        elif line.startswith(URGED_BY) and note.kind == "urge":
            line = "Urged by: " + line.removeprefix(URGED_BY)
        lines.append(line)
    return "\n".join(lines)


def _limit_text(name: str, due: str) -> str:
    return f"{name}: due by {due}"


def _title(note, task, lang: str) -> str:
    kind = note.kind or ""
    name = kind.removeprefix("case_")
    if kind.startswith("case_") and name in MILESTONES:
        return MILESTONES[name][1 if lang == "en" else 0] + _case_no(note.instance_id, lang)
    if lang != "en":
        return note.title
    if kind in SLA and task is not None:
        return f"{SLA[kind].format(name=_task_name(task, lang), ratio='80%')}·{task.title or ''}"
    if kind == "urge" and task is not None:
        return f"Urged: {_task_name(task, lang)}·{task.title or ''}"
    if kind == "admission" and "：" in note.title:
        head, rest = note.title.split("：", 1)
        return f"{ADMISSION[head]}: {rest}" if head in ADMISSION else note.title
    return note.title


def shown(note, lang: str, task=None) -> tuple[str, str | None]:
    """(title, body) of ``note`` in ``lang`` ('zh' or 'en'): from its message id and arguments, or
    (an older notification, without them) from its Chinese text; ``task``: the task it links to."""
    rendered = wording.render(note.params, lang) if note.params else None
    if rendered is not None:
        return rendered
    if task is None and note.human_task_id:
        task = db.session.get(HumanTask, note.human_task_id)
    return _title(note, task, lang), _body(note, task, lang)


def shown_all(notes: list, lang: str) -> list[tuple]:
    """(note, title, body) for each of ``notes`` in ``lang``, their tasks read in one query."""
    ids = {n.human_task_id for n in notes if n.human_task_id and not n.params}
    tasks = {t.id: t for t in db.session.execute(select(HumanTask).where(HumanTask.id.in_(ids))).scalars()} \
        if ids else {}
    return [(n, *shown(n, lang, tasks.get(n.human_task_id))) for n in notes]
