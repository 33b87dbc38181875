"""The demo's history: past months of cases run through the real case service (tasks completed by the
users whose tasks they are, the scheduler ticking as time passes), then rolled up and frozen. A month
the demo's own seeding froze before the history existed is opened again first, so its frozen figures
are the history's own, not a pile of late-fact adjustments."""

import time_machine
from sqlalchemy import func, select

from tests.support import ROOT, bundle
from tests.support_indicators import at
from workflow_app import demo, facts
from workflow_app.extensions import db
from workflow_app.indicators import closing, history, stream
from workflow_app.models import AuditEvent, ProcessInstance


def test_a_month_of_history_through_the_case_service(api):
    with time_machine.travel(at(9, 12), tick=False):
        for key in ("event_handling", "sla_extension"):  # the processes the history runs
            assert api.deploy(bundle(ROOT / "processes" / key)).status_code == 201
    with time_machine.travel(at(9, 12), tick=False), api.app.app_context():
        demo.seed_catalogue()
        history.seed()
        with time_machine.travel(at(3, 9, month=2), tick=False):  # a February fact from other demo data
            facts.record("visit_done", unit_code="dc-dm-01", detail={"household": "demo"})
            db.session.commit()
        stream.catch_up(60.0)
        assert closing.freeze_due() == 1  # as the demo's scheduler tick does: February has ended
        steps = []
        summary = history.generate(api.app, months=1, per_day=(1, 1), seed=7, progress=steps.append)
        assert summary.cases >= 19 and summary.steps > summary.cases and summary.ticks > 0
        assert summary.reopened == 1 and summary.frozen == 1 and "reopened first" in str(summary)
        assert len(steps) == history.days_to_generate(1) == 36  # 1 February to 8 March
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
        frozen = api.get("/indicators", "supervisor", query_string={"period": "2026-02", "level": "town",
                                                                    "adjusted": "false"})
        assert frozen.status_code == 200  # the snapshot itself holds February's cases, not adjustments
        assert frozen.get_json()["total"]["counts"]["立案"] == body["total"]["counts"]["立案"]


def _in_march(api) -> int:
    with api.app.app_context():
        found = db.session.scalar(select(func.count()).select_from(ProcessInstance).where(
            ProcessInstance.process_key == "event_handling", ProcessInstance.started_at >= at(1, 0)))
        db.session.remove()
    return found
