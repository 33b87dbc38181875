"""The demo's history: past months of cases run through the real case service (tasks completed by the
users whose tasks they are, the scheduler ticking as time passes), then rolled up and frozen."""

import time_machine
from sqlalchemy import func, select

from tests.support_indicators import at
from workflow_app import demo
from workflow_app.extensions import db
from workflow_app.indicators import history
from workflow_app.models import AuditEvent, ProcessInstance


def test_a_month_of_history_through_the_case_service(api):
    with time_machine.travel(at(9, 12), tick=False), api.app.app_context():
        demo.seed_catalogue()
        from workflow_app import deployment

        deployment.deploy_directory(None)
        history.seed()
        steps = []
        summary = history.generate(api.app, months=1, per_day=(1, 1), seed=7, progress=steps.append)
        assert summary.cases >= 19 and summary.steps > summary.cases and summary.ticks > 0
        assert summary.frozen == 1 and len(steps) == history.days_to_generate(1) == 36  # 1 February to 8 March
        started = db.session.scalar(select(func.count()).select_from(ProcessInstance)
                                    .where(ProcessInstance.process_key == "event_handling"))
        completions = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                        .where(AuditEvent.kind == "task_completed", AuditEvent.actor != "system"))
        assert started == summary.cases and completions >= summary.steps  # real cases, completed by people
        again = history.generate(api.app, months=1)
        assert again.cases == 0  # already there: nothing added
        db.session.remove()
    with time_machine.travel(at(9, 12), tick=False):
        february = api.get("/indicators", "supervisor", query_string={"period": "2026-02", "level": "town"})
        assert february.status_code == 200
        body = february.get_json()
        assert body["frozen"] is True and body["total"]["counts"]["立案"] == summary.cases - _in_march(api)
        assert sum(1 for r in body["rows"] if r["composite"] is not None) >= 2


def _in_march(api) -> int:
    with api.app.app_context():
        found = db.session.scalar(select(func.count()).select_from(ProcessInstance).where(
            ProcessInstance.process_key == "event_handling", ProcessInstance.started_at >= at(1, 0)))
        db.session.remove()
    return found
