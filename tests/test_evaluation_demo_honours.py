"""The demo's history gives the honours someone who genuinely qualifies: run through the real case
service, one exemplary grid (and its grid worker) meets the shipped thresholds of a month, and no
demo address is a grid's code."""

import time_machine

from tests.support import ROOT, bundle, ok
from tests.support_indicators import at
from workflow_app import demo, demo_cases
from workflow_app.indicators import history


def test_a_month_of_demo_history_has_a_grid_and_a_grid_worker_over_the_shipped_thresholds(api):
    with time_machine.travel(at(9, 12), tick=False):
        for key in ("event_handling", "sla_extension"):
            assert api.deploy(bundle(ROOT / "processes" / key)).status_code == 201
    with time_machine.travel(at(9, 12), tick=False), api.app.app_context():
        demo.seed_catalogue()
        history.seed()
        history.generate(api.app, months=1, per_day=(1, 1), seed=7)
    with time_machine.travel(at(9, 12), tick=False):
        found = ok(api.get("/honours", "supervisor", query_string={"period": "2026-02", "org_unit": "qingxi"}))
        candidates = found.get_json()["candidates"]
    kinds = {(c["kind"], c["subject"]) for c in candidates}
    assert ("grid", history.MODEL_GRID) in kinds and ("grid_worker", f"worker-{history.MODEL_GRID}") in kinds


def test_demo_addresses_are_places_not_codes():
    for grid in ("dc-dm-01", "dc-bg-02", "nh-yz-01", "xs-ly-02"):
        place = demo_cases.address(grid)
        assert "-" not in place and grid not in place and place.endswith("附近")
