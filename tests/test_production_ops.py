"""Production operations (issue 16): probes, heartbeats, metrics, request ids and structured logs."""

import io
import json
import logging
import re
from datetime import timedelta

import time_machine
from prometheus_client import REGISTRY
from sqlalchemy import make_url

from tests.conftest import ON_POSTGRES, ROOT
from tests.support import ok, only, sample_bundle
from tests.test_web_pages import login, text
from workflow_app import clock
from workflow_app.extensions import db
from workflow_app.models import SchedulerHeartbeat
from workflow_app.ops import health, heartbeats, logs
from workflow_app.timers import scheduler

REPORT = {"category": "environment", "severity": "general", "address": "东门路12号", "description": "路灯不亮"}


def _ready(client) -> tuple[int, dict]:
    response = client.get("/readyz")
    assert response.status_code in (200, 503), response.data
    return response.status_code, response.get_json()


def test_healthz_answers_without_the_database(client):
    response = ok(client.get("/healthz"), 200)
    assert response.get_json() == {"status": "alive"}
    assert response.headers["X-Request-ID"]


def test_readyz_wants_a_recent_scheduler_heartbeat(app, client):
    status, body = _ready(client)
    assert status == 503 and body["status"] == "not_ready"
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]
    assert any("no scheduler has ever ticked" in reason for reason in body["reasons"])

    report = scheduler.tick(app)
    assert report["heartbeat"] == 1
    status, body = _ready(client)
    assert status == 200 and body["status"] == "ready", body
    assert "1 scheduler(s) ticking" in body["checks"]["scheduler"]["detail"]

    with time_machine.travel(clock.now() + timedelta(seconds=120), tick=False):
        status, body = _ready(client)
    assert status == 503
    assert any("no scheduler ticked in the last 60 s" in reason for reason in body["reasons"]), body


def test_readyz_says_when_migrations_are_behind(app, client, monkeypatch):
    scheduler.tick(app)
    monkeypatch.setattr(health, "head_revisions", lambda: {"9999"})
    status, body = _ready(client)
    assert status == 503 and not body["checks"]["migrations"]["ok"]
    assert "the newest is 9999" in body["checks"]["migrations"]["detail"]


def test_readyz_says_when_the_database_is_unreachable(make_app, database_url, tmp_path):
    nowhere = (make_url(database_url).set(database="wf_no_such_database").render_as_string(hide_password=False)
               if ON_POSTGRES else f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}")
    broken = make_app(SQLALCHEMY_DATABASE_URI=nowhere)
    response = broken.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"]["ok"] is False
    assert "database unreachable" in response.get_json()["reasons"][0]


def test_heartbeats_one_row_per_node_and_gone_nodes_are_forgotten(app):
    scheduler.tick(app)
    scheduler.tick(app)
    with app.app_context():
        [row] = db.session.query(SchedulerHeartbeat).all()
        assert row.ticks == 2 and row.node.endswith(f":{row.pid}")
        db.session.add(SchedulerHeartbeat(node="old:1", host="old", pid=1, started_at=clock.now() - timedelta(days=3),
                                          beat_at=clock.now() - timedelta(days=2), ticks=5, interval=5))
        db.session.add(SchedulerHeartbeat(node="quiet:2", host="quiet", pid=2, started_at=clock.now(),
                                          beat_at=clock.now() - timedelta(minutes=5), ticks=1, interval=5))
        db.session.commit()
        nodes = {n.node: n for n in heartbeats.nodes()}
        assert nodes["quiet:2"].stale and not nodes[row.node].stale
    scheduler.tick(app)
    with app.app_context():
        names = {n.node for n in heartbeats.nodes()}
    assert "old:1" not in names and "quiet:2" in names


def test_operations_page_flags_a_stale_scheduler(api):
    app = api.app
    scheduler.tick(app)
    with app.app_context():
        db.session.add(SchedulerHeartbeat(node="sched-b:77", host="sched-b", pid=77, started_at=clock.now(),
                                          beat_at=clock.now() - timedelta(minutes=10), ticks=3, interval=5))
        db.session.commit()
    admin = login(app, "admin")
    page = ok(admin.get("/operations"), 200)
    html = text(page)
    assert "sched-b:77" in html and 'data-stale="1"' in html and html.count('data-stale="1"') == 1
    assert "/operations" in text(ok(admin.get("/inbox"), 200))  # the nav entry, for administrators
    staff = login(app, "staff-dc-dm")
    forbidden = staff.get("/operations")
    assert forbidden.status_code == 403 and forbidden.headers["X-Request-ID"] in text(forbidden)  # the page says it
    assert "/operations" not in text(ok(staff.get("/inbox"), 200))


def test_request_id_in_header_and_every_error_body(api):
    missing = api.get("/instances/2147483000", "admin")
    assert missing.status_code == 404
    assert missing.get_json()["request_id"] == missing.headers["X-Request-ID"]
    invalid = api.post("/instances", "worker-dc-dm-01", json={"process_key": 5})
    assert invalid.status_code == 422 and invalid.get_json()["request_id"] == invalid.headers["X-Request-ID"]
    unauthenticated = api.client.get("/api/v1/tasks")
    assert unauthenticated.status_code == 401 and unauthenticated.get_json()["request_id"]
    given = api.client.get("/api/v1/tasks", headers={"X-Request-ID": "nginx-0123456789abcdef"})
    assert given.status_code == 401
    assert given.headers["X-Request-ID"] == "nginx-0123456789abcdef" == given.get_json()["request_id"]
    hostile = api.client.get("/api/v1/tasks", headers={"X-Request-ID": "x\u202e<script>"})
    assert hostile.status_code == 401 and hostile.headers["X-Request-ID"] != "x\u202e<script>"
    scrape = api.client.get("/metrics")  # a plain-text error: its last line names the request
    assert scrape.status_code == 403 and scrape.mimetype == "text/plain"
    assert text(scrape).rstrip().endswith(f"request id: {scrape.headers['X-Request-ID']}")
    page = login(api.app, "admin").get("/cases/2147483000")  # an HTML error page shows it
    assert page.status_code == 404 and page.headers["X-Request-ID"] in text(page)


def _capture():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return stream, lambda: (root.removeHandler(handler), root.setLevel(previous))


def test_json_logs_carry_request_user_case_task_and_no_personal_data(api):
    ok(api.deploy(sample_bundle()), 201)
    case = ok(api.start("minor_event", "dc-dm-01", {**REPORT, "address": "东门路12号 13812345678"},
                        "worker-dc-dm-01"), 201).get_json()
    task = only(api.tasks("staff-dc-dm"), "社区处置")
    stream, stop = _capture()
    try:
        done = api.complete(task["id"], "staff-dc-dm", {"handling_note": "已处置，联系13812345678"})
        assert done.status_code == 200
        searched = api.get("/inbox?q=13812345678&state=open", "staff-dc-dm")
        assert searched.status_code == 200
        logging.getLogger("workflow_app.test").error(
            "failed: phone=13812345678 id_number=11010519491231002X [parameters: ('张三', '13812345678')]")
    finally:
        stop()
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    access = [line for line in lines if line.get("event") == "request"]
    completed = next(line for line in access if line["route"] == "/api/v1/tasks/<int:task_id>/complete")
    assert completed["status"] == 200 and completed["user"] == "staff-dc-dm" and completed["task"] == task["id"]
    assert completed["case"] == case["id"]  # from the answer: a task route names no case
    assert completed["request_id"] == done.headers["X-Request-ID"] and completed["duration_ms"] >= 0
    inbox = next(line for line in access if line["route"] == "/api/v1/inbox")
    assert inbox["query_keys"] == ["q", "state"]
    everything = stream.getvalue()
    assert "13812345678" not in everything and "11010519491231002X" not in everything and "张三" not in everything
    assert case["id"]


def test_metrics_for_admins_and_the_allow_list(api, make_app):
    assert api.client.get("/metrics").status_code == 403  # no allow-list by default
    staff = api.client.get("/metrics", headers=api.headers("staff-dc-dm"))
    assert staff.status_code == 403
    admin = api.client.get("/metrics", headers=api.headers("admin"))
    assert admin.status_code == 200 and admin.content_type.startswith("text/plain")
    allowed = make_app(METRICS_ALLOW="127.0.0.0/8, 10.0.0.0/8").test_client().get("/metrics")
    assert allowed.status_code == 200


def test_metrics_count_what_committed(api):
    def value(name, **labels):
        return REGISTRY.get_sample_value(name, labels) or 0.0

    ok(api.deploy(sample_bundle()), 201)
    starts, completions = value("workflow_case_starts_total", process="minor_event"), \
        value("workflow_task_completions_total", process="minor_event")
    case = ok(api.start("minor_event", "dc-dm-01", REPORT, "worker-dc-dm-01"), 201).get_json()
    task = only(api.tasks("staff-dc-dm"), "社区处置")
    ok(api.complete(task["id"], "staff-dc-dm", {"handling_note": "已处置"}), 200)
    again = api.complete(task["id"], "staff-dc-dm", {"handling_note": "again"})
    assert again.status_code == 409  # refused: counts nothing
    assert value("workflow_case_starts_total", process="minor_event") == starts + 1
    assert value("workflow_task_completions_total", process="minor_event") == completions + 1
    scheduler.tick(api.app)
    page = ok(api.client.get("/metrics", headers=api.headers("admin")), 200).get_data(as_text=True)
    for name in ("workflow_http_request_duration_seconds_bucket", "workflow_case_starts_total",
                 "workflow_task_completions_total", "workflow_engine_errors", "workflow_timer_lag_seconds",
                 'workflow_tasks_sla{colour="red"}', 'workflow_cache_lookups_total{cache="spec",result="hit"}',
                 'workflow_cache_lookups_total{cache="run_token"', 'workflow_db_pool_connections{state="in_use"}',
                 "workflow_scheduler_heartbeat_age_seconds"):
        assert name in page, name
    assert 'route="/api/v1/tasks/<int:task_id>/complete"' in page
    assert case["id"]


def test_readyz_on_a_schema_behind_answers_503_not_500(app, client, monkeypatch):
    monkeypatch.setattr(health, "head_revisions", lambda: {"9999"})
    with app.app_context():
        db.session.execute(db.text("DROP TABLE scheduler_heartbeat"))
        db.session.commit()
    status, body = _ready(client)
    assert status == 503 and not body["checks"]["migrations"]["ok"]
    assert "heartbeats cannot be read" in body["checks"]["scheduler"]["detail"]


def test_the_grafana_dashboard_charts_only_metrics_the_platform_exports(api):
    ok(api.deploy(sample_bundle()), 201)
    ok(api.start("minor_event", "dc-dm-01", REPORT, "worker-dc-dm-01"), 201)
    scheduler.tick(api.app)
    page = ok(api.client.get("/metrics", headers=api.headers("admin")), 200).get_data(as_text=True)
    exported = {line.split(" ")[2] for line in page.splitlines() if line.startswith("# TYPE ")}
    exported |= {f"{name}_{suffix}" for name in exported for suffix in ("total", "bucket", "count", "sum")}
    dashboard = json.loads((ROOT / "docs" / "grafana-dashboard.json").read_text(encoding="utf-8"))
    expressions = [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]
    charted = {name for expr in expressions for name in re.findall(r"\b(workflow_[a-z_]+)", expr)}
    assert len(dashboard["panels"]) >= 8 and charted, expressions
    assert charted <= exported, charted - exported
    for needed in ("workflow_http_request_duration_seconds_bucket", "workflow_task_completions_total",
                   "workflow_timer_lag_seconds", "workflow_tasks_sla", "workflow_cache_lookups_total",
                   "workflow_db_pool_connections"):
        assert needed in charted, needed


def test_operations_page_speaks_chinese_and_hides_nodes_silent_for_a_day(api):
    app = api.app
    scheduler.tick(app)
    with app.app_context():
        db.session.add(SchedulerHeartbeat(node="gone:9", host="gone", pid=9, started_at=clock.now() - timedelta(days=2),
                                          beat_at=clock.now() - timedelta(hours=30), ticks=3, interval=5))
        db.session.commit()
        heartbeats_left = {n.node for n in heartbeats.nodes()}
    admin = login(app, "admin")
    html = text(ok(admin.get("/operations"), 200))
    assert "毫秒内应答" in html and "个调度节点在运行" in html
    assert "answered in" not in html and "scheduler(s)" not in html
    assert "gone:9" in heartbeats_left  # still stored: counted, not listed
    assert "gone:9" not in html and 'data-hidden="1"' in html and "超过一天没有心跳" in html
    probe = api.client.get("/readyz").get_json()
    assert "answered in" in probe["checks"]["database"]["detail"]  # the probe's words stay as they were
