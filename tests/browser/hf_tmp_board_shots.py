from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from tests.browser.conftest import fits, log_in, phone_as, shot
from tests.support import ok, sample_bundle
from workflow_app.timers import scheduler

MINOR = {"category": "environment", "severity": "minor", "description": "Loose manhole cover", "address": "East Gate Rd"}


def test_board_shots(browser, live, api):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False) as clock:
        ok(api.deploy(sample_bundle()), 201)
        ok(api.start("minor_event", "dc-dm-01", MINOR, "worker-dc-dm-01"), 201)
        clock.move_to(datetime(2026, 3, 2, 11, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
        scheduler.tick(api.app, plan=True)
    context, page = phone_as(browser, live, "supervisor")
    page.goto("/supervision?org_unit=dc&colour=all&lang=en")
    shot(page, "board-phone-en")
    print("fits", fits(page))
    context.close()
    context = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=live.url)
    page = context.new_page()
    log_in(page, "gridlead-dc-dm-01")
    page.goto("/notifications?lang=en")
    shot(page, "notices-desk-en")
    log_in(page, "supervisor")
    page.goto("/supervision?org_unit=dc&colour=all&lang=en")
    shot(page, "board-desk-en")
    context.close()
