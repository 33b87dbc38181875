"""The service-day schedule as data: a rule per locality (a day of the month or the n-th weekday),
moved past holidays on that locality's calendar (调休 make-up days count as working days), the
county's rule inherited below it and a town's override in that town only — over the API."""

from datetime import date

import pytest

from tests.service_day_support import delete, put, set_rule
from tests.support import ok
from workflow_app.service_day import rules


def schedule(api, unit: str, year: int = 2026, user: str = "worker-dc-dm-01") -> dict[str, str]:
    months = ok(api.get(f"/service-day/schedule?org_unit={unit}&year={year}", user)).get_json()
    assert [m["month"] for m in months] == [f"{year}-{n:02d}" for n in range(1, 13)]
    return {m["month"]: m for m in months}


def test_the_first_moves_past_national_day_and_new_year_to_the_next_working_day(api):
    set_rule(api, "qingxi", {"day": 1})
    months = schedule(api, "dc-dm-01")
    assert months["2026-10"]["date"] == "2026-10-08"  # 国庆 1–7 October (chinese-calendar's data)
    assert months["2026-01"]["date"] == "2026-01-04"  # 元旦 1–3 January; Sunday the 4th is a 调休 working day
    assert months["2026-05"]["date"] == "2026-05-06"  # 劳动节 1–5 May
    assert months["2026-12"]["date"] == "2026-12-01"  # a plain Tuesday stays
    assert months["2026-10"]["rule"] == {"day": 1} and months["2026-10"]["source_locality"] == "qingxi"
    assert months["2026-10"]["planning_date"] == "2026-09-23"  # 5 working days before (中秋 25–27 Sept is off)
    assert months["2026-10"]["deadline"].startswith("2026-10-12T16:00")  # end of the 3rd working day after


def test_a_town_override_applies_in_that_town_only(api):
    set_rule(api, "qingxi", {"day": 1})
    set_rule(api, "dc", {"weekday": "fri", "nth": 1}, user="leader-dc")
    assert schedule(api, "dc-dm-01")["2026-03"]["date"] == "2026-03-06"  # first Friday in March 2026
    assert schedule(api, "dc-dm-01")["2026-03"]["source_locality"] == "dc"
    assert schedule(api, "dc")["2026-10"]["date"] == "2026-10-08"  # first Friday 2 Oct is a holiday: moved
    assert schedule(api, "xs-sq-01")["2026-03"]["date"] == "2026-03-02"  # the county's rule still
    assert schedule(api, "xs-sq-01")["2026-03"]["source_locality"] == "qingxi"
    cleared = ok(delete(api, "/service-day/settings?locality=dc", "leader-dc")).get_json()
    assert cleared["rule"] is None and cleared["effective"]["rule"] == {"day": 1}
    assert schedule(api, "dc-dm-01")["2026-03"]["date"] == "2026-03-02"


def test_a_locality_calendar_day_off_moves_its_service_day_only(api):
    set_rule(api, "qingxi", {"day": 15})
    ok(put(api, "/calendar/days?locality=xs", "admin", {"days": [{"day": "2026-06-15", "workday": False,
                                                                   "name": "镇庆"}]}))
    assert schedule(api, "xs-ly-02")["2026-06"]["date"] == "2026-06-16"
    assert schedule(api, "nh-hb-01")["2026-06"]["date"] == "2026-06-15"


def test_settings_are_checked_and_only_those_who_manage_a_locality_set_them(api):
    for rule, field in (({"day": 32}, "rule.day"), ({"weekday": "funday", "nth": 1}, "rule.weekday"),
                        ({"weekday": "mon", "nth": 0}, "rule.nth"), ({"day": 1, "nth": 1}, "rule"),
                        ("monthly", "rule")):
        refused = ok(put(api, "/service-day/settings?locality=qingxi", "admin", {"rule": rule}), 422)
        assert field in refused.get_json()["errors"], refused.get_json()
    refused = ok(put(api, "/service-day/settings?locality=qingxi", "admin", {"rule": {"day": 1}, "lead_days": 99}),
                 422)
    assert "lead_days" in refused.get_json()["errors"]
    ok(put(api, "/service-day/settings?locality=qingxi", "worker-dc-dm-01", {"rule": {"day": 1}}), 403)
    ok(put(api, "/service-day/settings?locality=xs", "leader-dc", {"rule": {"day": 1}}), 403)
    ok(put(api, "/service-day/settings?locality=nowhere", "admin", {"rule": {"day": 1}}), 422)
    saved = set_rule(api, "qingxi", {"weekday": "MON", "nth": -1}, lead_days=2, deadline_days=5).get_json()
    assert saved["rule"] == {"weekday": "mon", "nth": -1}
    assert saved["effective"]["lead_days"] == 2 and saved["effective"]["deadline_days"] == 5
    shown = ok(api.get("/service-day/settings?locality=dc-dm-01", "admin")).get_json()
    assert shown["rule"] is None and shown["effective"]["sources"] == {"rule": "qingxi", "lead_days": "qingxi",
                                                                       "deadline_days": "qingxi"}


def test_a_month_without_a_rule_has_no_service_day(api):
    months = schedule(api, "nh-yz-01")
    assert all(m["date"] is None and m["rule"] is None for m in months.values())


def test_a_theme_set_by_the_county_shows_in_every_town_and_a_town_may_have_its_own(api):
    set_rule(api, "qingxi", {"day": 1})
    ok(put(api, "/service-day/themes?locality=qingxi&month=2026-11", "supervisor",
           {"theme": "冬季安全", "projects": ["用电检查"]}))
    ok(put(api, "/service-day/themes?locality=dc&month=2026-11", "leader-dc", {"theme": "冬季防火"}))
    assert schedule(api, "xs-sq-01")["2026-11"]["theme"] == "冬季安全"
    assert schedule(api, "dc-bg-02")["2026-11"]["theme"] == "冬季防火"
    ok(put(api, "/service-day/themes?locality=xs&month=2026-11", "leader-dc", {"theme": "别人的"}), 403)
    ok(put(api, "/service-day/themes?locality=xs&month=2026-13", "leader-xs", {"theme": "x"}), 422)


@pytest.mark.parametrize(("rule", "month", "expected"), [
    ({"day": 31}, (2026, 2), date(2026, 2, 28)),
    ({"weekday": "fri", "nth": -1}, (2026, 7), date(2026, 7, 31)),
    ({"weekday": "mon", "nth": 1}, (2026, 6), date(2026, 6, 1)),
    ({"weekday": "sun", "nth": 4}, (2026, 3), date(2026, 3, 22)),
])
def test_rule_dates_before_holidays(rule, month, expected):
    assert rules.parse(rule).nominal(*month) == expected
