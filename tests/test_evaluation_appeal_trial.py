"""Appeals as a new user meets them: the form offers the published figures (not every internal
count), an appeal on a rate is upheld by choosing which of its counts to correct (by name), an
error on a field the reviewer cannot edit is still said on the page, and titles name the person
and the month (never a username or 2026-03)."""

from tests.support import ok, only
from tests.test_evaluation_appeals import APPEAL, HEAD, appeals_fixture, clock_fixture, events_fixture  # noqa: F401
from tests.test_web_pages import login, post, text
from workflow_app.evaluation import appeal_figures
from workflow_app.web import formrender

WORKER = "worker-dc-dm-01"
RATE = {**APPEAL, "subject": WORKER, "indicator": "按时核查率", "reason": "核查按时完成，系系统记录有误"}


def test_the_form_offers_the_published_figures_and_a_rate_is_fed_by_its_counts(appeals):
    with appeals.app.app_context():
        offered = [i for i, _zh, _en in formrender.indicator_choices(published=True)]
        everything = formrender.indicator_choices()
        assert "按时核查率" in offered and "满意率" in offered and len(offered) < len(everything) / 2
        assert appeal_figures.feeding_counts("按时核查率") == ["按时核查", "应核查"]
        assert appeal_figures.feeding_counts("返工") == ["返工"]
    page = text(ok(login(appeals.app, WORKER).get("/report/evaluation_appeal")))
    assert "按时核查率" in page and "worker-dc-bg-01" not in page


def test_an_appeal_on_a_rate_is_upheld_by_choosing_a_count_and_titles_name_people(appeals):
    started = ok(appeals.start("evaluation_appeal", "dc-dm-01", RATE, WORKER), 201).get_json()
    review = only(appeals.tasks("supervisor", process_key="evaluation_appeal"), "审核申诉")
    assert WORKER not in review["title"] and "东门社区第1网格网格员" in review["title"]
    assert "2026年3月" in review["title"] and "按时核查率" in review["title"]
    supervisor = login(appeals.app, "supervisor")
    form = text(ok(supervisor.get(f"/tasks/{review['id']}")))
    assert "调整的计数" in form and ">按时核查<" in form and ">应核查<" in form
    uphold = {"decision": "uphold", "delta": 1, "decision_reason": "属实"}
    refused = appeals.complete(review["id"], "supervisor", uphold)
    assert refused.status_code == 422 and "adjusted_count" in refused.get_json()["errors"]
    shown = post(supervisor, f"/tasks/{review['id']}/complete", {"decision": "uphold", "delta": "1",
                                                                 "decision_reason": "属实"})
    assert shown.status_code == 422 and "按时核查、应核查" in text(shown)
    past = appeals.complete(review["id"], "supervisor", {"decision": "uphold", "delta": 1, "adjusted_count": "按时核查",
                                                         "decision_reason": "核查记录显示按时完成"})
    assert past.status_code == 422 and "more than 应核查 (2)" in past.get_json()["errors"]["delta"][0]  # 3 of 2
    ok(appeals.complete(review["id"], "supervisor", {"decision": "uphold", "delta": -1, "adjusted_count": "按时核查",
                                                     "decision_reason": "核查记录显示其中一次超时"}))
    assert appeals.instance(started["id"])["status"] == "completed"
    listed = ok(appeals.get("/indicators/adjustments", "supervisor",
                            query_string={"org_unit": "dc-dm-01", "period": "2026-03"})).get_json()
    assert [(a["indicator"], a["delta"]) for a in listed] == [("按时核查", -1.0)]


def test_a_service_error_on_a_read_only_field_is_said_on_the_page(events):
    document = {"type": "object", "properties": {"indicator": {"type": "string", "title": "指标", "readOnly": True},
                                                 "delta": {"type": "number", "title": "调整量"}}}
    with events.app.test_request_context():
        _fields, general = formrender.fields(document, {"indicator": "按时核查率"},
                                             errors={"indicator": ["adjust a count"]})
    assert any(m.startswith("指标：") for m in general)
