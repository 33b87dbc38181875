"""Fair comparisons: people are ranked only against people of the same role, a composite below
its minimum sample (``min_count``) is 样本不足 and not ranked, and the residents' verdict on a case
counts for the units that handled it, never for a department that returned it as not its duty."""

import pytest

from tests.support_indicators import (  # noqa: F401 - the *_fixture names are fixtures
    BIN_FULL,
    at,
    clock_fixture,
    events_fixture,
    report,
    row,
    self_handled,
    shipped,
    table,
)
from tests.test_web_pages import login, text
from workflow_app import facts
from workflow_app.errors import InvalidInput
from workflow_app.extensions import db
from workflow_app.indicators import document as doc
from workflow_app.indicators import report as indicator_report
from workflow_app.indicators.figures import Calculator, Subject
from workflow_app.models import ProcessInstance


def _composite(name: str) -> dict:
    return next(i for i in shipped()["indicators"] if i["id"] == name)


def test_the_shipped_person_composites_name_a_minimum_sample():
    for name in ("网格员综合得分", "派遣员综合得分", "反向评价得分"):
        least = _composite(name)["min_count"]
        assert least["at_least"] == 3 and least["count"]
    assert doc.check(shipped()) is not None  # the document (with min_count and not_credited) is valid


def test_a_composite_below_its_minimum_sample_is_not_scored_nor_ranked():
    document = shipped()
    calculator = Calculator(document)
    one = Subject("one", "person", frozenset({"grid_worker"}), {"c|filed": [1, 0.0], "c|closed": [1, 0.0],
                                                                  "c|closed_on_time": [1, 0.0]})
    many = Subject("many", "person", frozenset({"grid_worker"}), {"c|filed": [5, 0.0], "c|closed": [5, 0.0],
                                                                   "c|closed_on_time": [4, 0.0]})
    short, enough = calculator.compute([one, many])
    assert short.short and short.composite is None and short.grade is None
    assert not enough.short and enough.composite is not None


def test_an_invalid_min_count_is_refused():
    document = shipped()
    item = next(i for i in document["indicators"] if i["id"] == "网格员综合得分")
    item["min_count"] = {"count": "按期结案率", "at_least": 3}  # a rate is no sample
    with pytest.raises(InvalidInput) as refused:
        doc.check(document)
    assert "网格员综合得分" in refused.value.errors and "min_count" in str(refused.value.errors)


def test_people_are_ranked_only_within_one_role(events, clock):
    clock.move_to(at(2, 9))
    for _ in range(3):
        self_handled(events, "dc-dm-01")
    self_handled(events, "dc-dm-02")
    clock.move_to(at(2, 10, month=4))
    people = table(events, org_unit="dc", level="person", period="2026-03")
    assert people["role"] == "grid_worker"  # the default: grid workers, never a mix of roles
    with events.app.app_context():
        workers = {r["subject"] for r in people["rows"]}
        roles = {code for u in workers for code in
                 db.session.execute(db.select(indicator_report.User).where(indicator_report.User.username == u))
                 .scalar_one().roles()}
        db.session.remove()
    assert "grid_worker" in roles and "town_dispatcher" not in roles
    assert row(people, "worker-dc-dm-01")["rank"] == 1 and not row(people, "worker-dc-dm-01")["short"]
    single = row(people, "worker-dc-dm-02")
    assert single["short"] and single["rank"] is None and single["grade"] is None  # one case: 样本不足
    dispatchers = table(events, org_unit="dc", level="person", period="2026-03", role="town_dispatcher")
    assert dispatchers["role"] == "town_dispatcher"
    assert all(r["subject"] not in workers for r in dispatchers["rows"])
    browser = login(events.app, "supervisor")
    page = text(browser.get("/indicators?org_unit=dc&level=person&period=2026-03"))
    assert "样本不足" in page and "镇街派遣员" in page and "role=town_dispatcher" in page
    ranking = text(browser.get("/indicators/rankings?org_unit=dc&level=person&period=2026-03"))
    assert "样本不足" in ranking


def test_a_returned_case_gives_the_returning_department_no_satisfaction(events, clock):
    clock.move_to(at(2, 9))
    case = report(events, "dc-dm-01", BIN_FULL)
    with events.app.app_context():
        instance = db.session.get(ProcessInstance, case)
        facts.record("returned", instance=instance, stage="回退", unit_code="dept-yj")
        for unit in ("dept-yj", "dept-zj"):
            facts.record("rated_satisfaction", instance=instance, stage="回访", unit_code=unit,
                         detail={"verdict": "满意", "event_case": case})
        db.session.commit()
        db.session.remove()
    clock.move_to(at(2, 10, month=4))
    departments = table(events, org_unit="qingxi", level="department", period="2026-03")
    assert row(departments, "dept-zj")["counts"]["部门回访评价数"] == 1
    returned = row(departments, "dept-yj")
    assert returned["counts"]["部门回访评价数"] == 0 and returned["rates"].get("部门满意率") is None
    browser = login(events.app, "supervisor")
    page = text(browser.get("/indicators/explain?subject=dept-yj&period=2026-03&indicator=部门回访评价数"))
    assert "100.0%" not in page
