"""Pickers instead of codes and usernames (issue 15): the inbox's unit filter, the appeal form's
被考核单位或人员, the pairing page's 结对人 and the visit lists show names; what is submitted is
still the code or login the services take, and the choices are scoped to what the actor may see."""

import re

from tests.support import ROOT, bundle, ok
from tests.test_web_pages import csrf, login


def _main(page: str) -> str:
    return page.split("<main", 1)[-1].split("</main>", 1)[0]


def _options(page: str, select_id: str) -> list[tuple[str, str]]:
    block = page.split(f'id="{select_id}"', 1)[1].split("</select>", 1)[0]
    found = re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', block)
    return [(v, re.sub(r"<[^>]+>", "", t).strip()) for v, t in found]


def test_the_inbox_filters_by_a_unit_picked_by_name(api):
    page = ok(login(api.app, "staff-dc-dm").get("/inbox"), 200).data.decode()
    assert 'placeholder="单位编码' not in page and 'type="text" name="org_unit"' not in page
    options = _options(page, "org_unit")
    assert ("", "全部单位") in options
    codes = [v for v, _ in options if v]
    assert "dc-dm" in codes and "dc-dm-01" in codes and not any(c.startswith("dc-bg") for c in codes)
    assert all(label and not re.search(r"dc-", label) for v, label in options)
    narrowed = ok(login(api.app, "staff-dc-dm").get("/inbox?org_unit=dc-dm-01"), 200).data.decode()
    assert 'value="dc-dm-01" selected' in narrowed


def test_the_appeal_form_picks_a_unit_or_person_by_name(api):
    ok(api.deploy(bundle(ROOT / "processes" / "evaluation_appeal")), 201)
    head = login(api.app, "head-dc-dm")
    page = ok(head.get("/report/evaluation_appeal"), 200).data.decode()
    assert "代码或用户名" not in page
    subjects = _options(page, "f-subject")
    values = [v for v, _ in subjects]
    assert "dc-dm" in values and "dc-dm-01" in values and "head-dc-dm" in values
    assert not any(v.startswith("dc-bg") for v in values)  # only what this person may appeal for
    assert all(not re.search(r"dc-|worker-|head-", label) for _, label in subjects)
    assert any("本人" in label for _, label in subjects)
    indicators = _options(page, "f-indicator")
    assert ("结案", "结案") in indicators and ("结案率", "结案率") in indicators  # published figures, by name
    english = _options(ok(head.get("/report/evaluation_appeal?lang=en"), 200).data.decode(), "f-indicator")
    assert ("结案率", "Closure rate") in english
    ok(head.get("/report/evaluation_appeal?lang=zh"), 200)
    against = [v for v, _ in _options(page, "f-against")]
    assert "dc-bg" in against  # whose finding is contested: anyone in the county
    token = csrf(page.encode())
    refused = head.post("/report/evaluation_appeal", data={"csrf_token": token, "org_unit": "dc-dm",
                                                          "period": "2026-03", "subject": "nobody-here",
                                                          "indicator": "返工", "reason": "误判"})
    assert refused.status_code == 422


def test_pairing_picks_a_person_by_name_and_households_read_by_head_and_address(api):
    from tests.service_day_support import october_day

    october_day(api, ["理发"])
    leader = login(api.app, "gridlead-dc-dm-01")
    main = _main(ok(leader.get("/service-day/pairings?org_unit=dc-dm-01"), 200).data.decode())
    assert "结对人账号" not in main and 'list="people"' not in main
    assert "<h3>户主W-1 · dc-dm-01小区-1号" in main and "<h3>W-1" not in main
    people = _options(main, f"u-{api.ids['W-2']}")
    assert ("gridlead-dc-dm-01", people[[v for v, _ in people].index("gridlead-dc-dm-01")][1]) in people
    assert all(not re.search(r"worker-|staff-|gridlead-|head-", label) for _, label in people)
    token = csrf(ok(leader.get("/service-day/pairings?org_unit=dc-dm-01"), 200).data)
    done = leader.post("/service-day/pairings", data={"csrf_token": token, "household": str(api.ids["W-2"]),
                                                       "username": "worker-dc-dm-01", "org_unit": "dc-dm-01"},
                       follow_redirects=True)
    assert "已结对：户主W-2" in done.data.decode()
    town = _main(ok(login(api.app, "leader-dc").get("/service-day/pairings?org_unit=dc-dm-01"), 200).data.decode())
    assert "户主W-1" not in town and "dc-dm-01小区-1号" in town  # the town sees where, not who
    visits = _main(ok(login(api.app, "worker-dc-dm-01").get("/service-day/visits"), 200).data.decode())
    assert "户主W-2" in visits and "W-2（" not in visits


def test_a_visit_photo_survives_a_refused_visit(api):
    import io

    import time_machine

    from tests.service_day_support import at, october_day, task_named
    from tests.test_web_field import PNG

    october_day(api, ["理发"])
    with time_machine.travel(at(2026, 10, 8, 10), tick=False):
        leader = login(api.app, "gridlead-dc-dm-01")
        [task] = task_named(api, "gridlead-dc-dm-01", "visit")
        token = csrf(ok(leader.get(f"/service-day/visits/{task['id']}"), 200).data)
        refused = leader.post(f"/service-day/visits/{task['id']}", content_type="multipart/form-data",
                              data={"csrf_token": token, "needs": "想理发", "photo": (io.BytesIO(PNG), "门口.png")})
        assert refused.status_code == 422
        page = refused.data.decode()
        assert re.search(r'<input type="checkbox" name="photos" value="uploads/[0-9a-f]{32}\.png" checked>', page)
        assert "/attachments/" in page and "想理发" in page
