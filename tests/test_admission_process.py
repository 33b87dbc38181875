from tests.support import only
from tests.test_admission_helpers import MEETING, adm, admit, application, apply, assign, assignment, clock  # noqa: F401


def test_smoke(adm, clock):
    case = admit(adm)
    clock.move_to("2026-05-06T09:00:00+08:00")
    r = assign(adm)
    case_id = r.get_json()["id"]
    t = only(adm.tasks("staff-dc-dm"))
    r = adm.complete(t["id"], "staff-dc-dm", {"result": "done", "report": "已巡查"})
    print(r.status_code, r.get_json())
    rev = only(adm.tasks("dept-cg-staff"), "部门验收")
    # withdraw
    r = adm.start("item_withdrawal", "dept-cg", {"item_code": "QX-CG-01", "department": "dept-cg", "reason": "职责调整"}, "dept-cg-staff")
    print(r.status_code, r.get_json())
    t = only(adm.tasks(MEETING), "联席会议确认退出")
    r = adm.complete(t["id"], MEETING, {"confirm": "confirm"})
    print(r.status_code, r.get_json())
    print(adm.get("/admission/items/QX-CG-01", "staff-dc-dm").get_json()["status"])
    r = adm.complete(rev["id"], "dept-cg-staff", {"review": "return", "review_note": "补充照片"})
    print(r.status_code, r.get_json())
    d = adm.instance(case_id, "dept-cg-staff")
    print(d["status"], d["error"], [t["name"] for t in d["tasks"]])
    print(adm.get("/admission/blocked", "dept-cg-staff").get_json())
    print(adm.get("/admission/blocked", "supervisor").get_json())
    r = adm.post(f"/admission/blocked/{case_id}/route-back", "dept-cg-staff", json={"reason": "事项已退出"})
    print(r.status_code, r.get_json())
    d = adm.instance(case_id, "dept-cg-staff")
    print(d["status"], d["error"], [t["name"] for t in d["tasks"]])
    t = only(adm.tasks("staff-dc-bg"))
    r = adm.complete(t["id"], "staff-dc-bg", {"result": "refused", "reason": "经费未随事转"})
    print(r.status_code, r.get_json())
    d = adm.instance(case_id, "dept-cg-staff")
    print(d["status"], d["error"], [t["name"] for t in d["tasks"]])
    print(adm.get("/admission/burden?org_unit=dc&month=2026-05", "supervisor").get_json()["rows"])
