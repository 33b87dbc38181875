"""What one action costs the database: statements per completion and per timer firing (the unit
of work writes each row once; the process version is not re-read per step)."""

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import event

from tests import models
from tests.support import ok, only, sample_bundle
from workflow_app.extensions import db
from workflow_app.timers import sweeper

REPORT = {"category": "environment", "severity": "general", "description": "路灯不亮", "address": "东门路"}
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


class Statements:
    def __init__(self, app):
        self.app, self.seen = app, []

    def __enter__(self):
        with self.app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        self.seen.append(statement.strip().split()[0].upper() + " " + _table(statement))

    def writes(self) -> list[str]:
        return [s for s in self.seen if s.split()[0] in ("INSERT", "UPDATE", "DELETE")]

    def work(self) -> list[str]:
        return [s for s in self.seen if not s.startswith(CONTROL)]


def _table(statement: str) -> str:
    words = statement.replace('"', "").split()
    for marker in ("INTO", "UPDATE", "FROM"):
        if marker in (w.upper() for w in words):
            index = [w.upper() for w in words].index(marker)
            return words[index + 1] if index + 1 < len(words) else ""
    return ""


def _warm(api, user: str):
    """Log in and load the caller once: the statements counted are the action's, not the login's."""
    api.tasks(user)


def test_a_completion_is_a_handful_of_statements_and_writes_each_row_once(api):
    assert api.deploy(sample_bundle()).status_code == 201
    case = ok(api.start("minor_event", "dc-dm-01", REPORT, "worker-dc-dm-01"), 201).get_json()["id"]
    task = only(api.tasks("staff-dc-dm"), "社区处置")
    _warm(api, "staff-dc-dm")
    with Statements(api.app) as counted:
        done = api.complete(task["id"], "staff-dc-dm", {"handling_note": "已修复"})
    assert done.status_code == 200, done.get_json()
    writes = counted.writes()
    assert writes.count("UPDATE process_instance") == 1, writes  # the case row once, not once per lazy load
    assert not any("process_version" in s for s in counted.seen), counted.seen  # versions are cached per node
    action = [s for s in counted.work() if "app_user" not in s and "api_token" not in s and "role" not in s]
    assert len(action) <= 6, "\n".join(action)
    assert api.instance(case)["data"]["handling_note"] == "已修复"


def test_a_timer_firing_is_a_handful_of_statements(api):
    wait = ('<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>"PT1H"'
            '</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>')
    body = '<bpmn:startEvent id="start"/>' + wait + models.user_task("after", "后续") + '<bpmn:endEvent id="end"/>'
    model = models.process("waiter", body + models.chain("start", "wait", "after", "end"),
                           {"grid_worker": ["start", "wait", "after", "end"]})
    assert api.deploy({"waiter.bpmn": model}).status_code == 201
    start = datetime(2026, 3, 2, 1, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        case = ok(api.start("waiter", "dc-dm-01", {}, "worker-dc-dm-01"), 201).get_json()["id"]
        clock.move_to(start + timedelta(hours=1, seconds=1))
        with api.app.app_context():
            ids = sweeper.claim(start + timedelta(hours=1, seconds=1), 10)
            assert ids == [case]
            with Statements(api.app) as counted:
                assert sweeper.fire(case, start + timedelta(hours=1, seconds=1)) == "fired"
            db.session.remove()
    writes = counted.writes()
    assert writes.count("UPDATE process_instance") == 1, writes
    assert not any("process_version" in s for s in counted.seen), counted.seen
    assert len(counted.work()) <= 7, counted.work()
