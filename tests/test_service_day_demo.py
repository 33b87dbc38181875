"""The demo's service days, seeded through the real services with the clock moved: households with
flags in every grid (some paired), the county's rule and a town's override, this month's theme, the
previous service day finished below 100 % coverage with two problems turned into events (one
closed), the latest one in progress."""

from collections import Counter

import pytest
import time_machine
from sqlalchemy import func, select

from tests.service_day_support import at, deploy_all
from tests.support import ok
from workflow_app.extensions import db
from workflow_app.models import Household, OrgUnit
from workflow_app.service_day import demo
from workflow_app.service_day.records import HouseholdVisit, ServiceDayCase


def seeded(api, moment):
    with time_machine.travel(moment, tick=False):
        deploy_all(api)
        with api.app.app_context():
            demo.seed()
            db.session.remove()
    return api


@pytest.mark.parametrize("moment", [at(2026, 12, 1, 15), at(2027, 3, 18, 11)], ids=["2026-12-01", "2027-03-18"])
def test_the_demo_has_a_finished_and_a_running_service_day_in_every_grid(api, moment):
    seeded(api, moment)
    with api.app.app_context():
        grids = db.session.scalars(select(OrgUnit.code).where(OrgUnit.level == "grid")).all()
        flagged = Counter(h.org_unit.code for h in db.session.scalars(select(Household)) if
                          h.elderly_alone or h.hardship or h.disability)
        assert set(flagged) >= set(grids)
        assert 0 < db.session.scalar(select(func.count()).where(Household.paired_user_id.is_not(None))) < \
            db.session.scalar(select(func.count()).select_from(Household))
        days = [(c.unit.code, c.month, c.instance.status) for c in db.session.scalars(
            select(ServiceDayCase).where(ServiceDayCase.kind == "day"))]
        for grid in grids:
            mine = sorted((month, status) for code, month, status in days if code == grid)
            assert mine[-1][1] == "running" and mine[-2][1] == "completed", (grid, mine)
        events = [(v.household.code, v.event_instance.status) for v in db.session.scalars(
            select(HouseholdVisit).where(HouseholdVisit.event_instance_id.is_not(None)))]
        assert sorted(status for _code, status in events) == ["completed", "running"]
        db.session.remove()
    month = moment.strftime("%Y-%m")
    previous = f"{moment.year}-{moment.month - 1:02d}" if moment.month > 1 else f"{moment.year - 1}-12"
    report = ok(api.get(f"/service-day/coverage?org_unit=qingxi&month={previous}", "supervisor")).get_json()
    totals = report["totals"]
    assert totals["due"] > 0 and totals["coverage"] < 1 and totals["not_home"] + totals["refused"] > 0
    assert totals["events_started"] == 2 and totals["events_closed"] == 1 and totals["unpaired"] > 0
    schedule = ok(api.get(f"/service-day/schedule?org_unit=dc-dm-01&year={moment.year}", "worker-dc-dm-01")).get_json()
    assert {m["month"]: m for m in schedule}[month]["theme"]
    assert {m["source_locality"] for m in schedule} == {"dc"}
    assert {m["source_locality"] for m in ok(api.get(f"/service-day/schedule?org_unit=nh&year={moment.year}",
                                                     "leader-nh")).get_json()} == {"qingxi"}
    over = ok(api.get("/service-day/pairings?org_unit=dc-dm", "head-dc-dm")).get_json()["people"]
    assert any(p["over"] for p in over)


def test_seeding_twice_adds_nothing(api):
    seeded(api, at(2026, 12, 1, 15))
    with api.app.app_context():
        before = db.session.scalar(select(func.count()).select_from(HouseholdVisit))
        with time_machine.travel(at(2026, 12, 1, 16), tick=False):
            demo.seed()
        assert db.session.scalar(select(func.count()).select_from(HouseholdVisit)) == before
        db.session.remove()
