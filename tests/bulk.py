"""Many due timers, fast: one real case started in the past, then cloned row by row."""

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import time_machine
from sqlalchemy import func, insert, select

from tests import models
from tests.support import ok
from workflow_app.extensions import db
from workflow_app.models import AuditEvent, HumanTask, ProcessInstance

ROOT = Path(__file__).resolve().parent.parent


def waiter_model() -> bytes:
    wait = ('<bpmn:intermediateCatchEvent id="wait" name="等待"><bpmn:timerEventDefinition>'
            '<bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>')
    body = '<bpmn:startEvent id="start"/>' + wait + models.user_task("after", "后续") + '<bpmn:endEvent id="end"/>'
    return models.process("waiter", body + models.chain("start", "wait", "after", "end"),
                          {"grid_worker": ["start", "wait", "after", "end"]})


def due_cases(api, count: int) -> list[int]:
    """``count`` cases whose one-hour timer fell due an hour ago (needs the waiter model deployed)."""
    with time_machine.travel(datetime.now(UTC) - timedelta(hours=2), tick=False):
        template = ok(api.start("waiter", "dc-dm-01", {}, "worker-dc-dm-01"), 201).get_json()["id"]
    with api.app.app_context():
        return [template, *clone(template, count - 1)]


def clone(template_id: int, count: int) -> list[int]:
    table = ProcessInstance.__table__
    row = dict(db.session.execute(select(table).where(table.c.id == template_id)).mappings().one())
    row.pop("id")
    ids = list(db.session.execute(insert(table).returning(table.c.id), [row] * count).scalars())
    db.session.commit()
    return ids


def scheduler_process(database_url: str, *args: str, lease: float = 60) -> subprocess.Popen:
    env = {"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1",
           "SECRET_KEY": "test-" + "k" * 40, "WORKFLOW_TIMER_LEASE": str(lease)}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "workflow_app", "scheduler", *args],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def fired_counts(app, ids: list[int]) -> dict[int, int]:
    with app.app_context():
        counts = dict(db.session.execute(
            select(AuditEvent.instance_id, func.count()).where(AuditEvent.kind == "timer_fired",
                                                               AuditEvent.instance_id.in_(ids))
            .group_by(AuditEvent.instance_id)).all())
        db.session.remove()
    return {i: counts.get(i, 0) for i in ids}


def open_after_tasks(app, ids: list[int]) -> int:
    with app.app_context():
        found = db.session.scalar(select(func.count()).where(HumanTask.instance_id.in_(ids),
                                                             HumanTask.bpmn_id == "after"))
        db.session.remove()
    return found
