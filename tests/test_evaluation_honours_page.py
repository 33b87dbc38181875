"""The honours page as the real roles: a supervisor starts the nomination from the page when
there are candidates and then sees who holds its open step; when nobody qualifies the page
names the subjects closest to the thresholds and the threshold each one misses."""

from tests.support import ROOT, bundle, ok
from tests.support_indicators import clock_fixture, events_fixture  # noqa: F401 - fixtures
from tests.test_evaluation_honours import graded_fixture, thresholds  # noqa: F401 - fixtures
from tests.test_web_pages import login, post, text

PAGE = "/evaluation/honours?period=2026-03&org_unit=qingxi"


def test_a_supervisor_starts_the_nomination_from_the_page_and_sees_its_progress(graded):
    thresholds(graded, {"composite": 90, "满意率": None})
    ok(graded.deploy(bundle(ROOT / "processes" / "honour_nomination")), 201)
    resident = text(ok(login(graded.app, "resident-dc-dm").get(PAGE)))
    assert "发起荣誉评定" not in resident
    supervisor = login(graded.app, "supervisor")
    page = text(ok(supervisor.get(PAGE)))
    assert "发起荣誉评定" in page
    started = post(supervisor, "/evaluation/honours/nominations", {"org_unit": "qingxi", "period": "2026-03"})
    assert started.status_code == 302
    page = text(ok(supervisor.get(PAGE)))
    assert "评定进度" in page and "东城街道" in page and "发起荣誉评定" not in page
    again = post(supervisor, "/evaluation/honours/nominations", {"org_unit": "qingxi", "period": "2026-03"})
    assert again.status_code == 302  # a second start is refused by the service, said on the page, never a 500


def test_when_nobody_qualifies_the_closest_subjects_and_the_missed_threshold_are_named(graded):
    thresholds(graded, {"composite": 90, "满意率": 0.95})  # nobody has residents' verdicts yet
    page = text(ok(login(graded.app, "supervisor").get(PAGE)))
    assert "本期没有达到门槛的候选" in page and "最接近门槛的对象" in page
    assert "满意率 无数据（门槛 95.0%）" in page and "东门社区第1网格" in page
    assert "dc-dm-01" not in page.split("最接近门槛的对象")[1]
