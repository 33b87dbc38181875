"""Shared set-up of the item-entry admission tests (no tests here): the three processes deployed,
a joint-meeting member, applications and assignments as the departments file them, and a clock
that travels on the working-day calendar."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.support import ROOT, bundle, only
from workflow_app.extensions import db
from workflow_app.org import people

BEIJING = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=BEIJING)  # an ordinary Monday
PROCESSES = ("item_admission", "item_withdrawal", "department_assignment")
MEETING = "meeting"  # 联席会议 member at the county


def deploy(api) -> None:
    for key in PROCESSES:
        response = api.deploy(bundle(ROOT / "processes" / key))
        assert response.status_code in (200, 201), response.get_json()


def add_member(app, username: str = MEETING, role: str = "joint_meeting", unit: str = "qingxi") -> None:
    with app.app_context():
        user = people.save_user(username=username, name="县社区减负联席会议", password="demo123")
        people.assign(user, role, unit)
        db.session.commit()
        db.session.remove()


@pytest.fixture(name="clock")
def clock_fixture():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture(name="adm")
def adm_fixture(api, clock):
    """The demo county with the admission processes deployed and a joint-meeting member."""
    deploy(api)
    add_member(api.app)
    return api


def application(**changes) -> dict:
    """A valid application of 城管局 for the communities of 东城街道, from 2026-05-04."""
    data = {
        "item_code": "QX-CG-01", "name": "协助开展门前三包巡查", "item_list": "assist",
        "description": "社区协助城管部门开展沿街商户门前三包日常巡查，发现问题通过平台上报。",
        "basis": "《城市市容和环境卫生管理条例》第十条", "department": "dept-cg", "units": ["dc"],
        "levels": ["community"], "valid_from": "2026-05-04", "funding": 20000, "staff": 1,
        "training": "每年两次业务培训", "workload": 20,
    }
    data.update(changes)
    return data


def apply(api, data: dict | None = None, unit: str = "dc", user: str = "dept-cg-staff"):
    return api.start("item_admission", unit, data or application(), user)


def admit(api, data: dict | None = None, unit: str = "dc", towns=("dc",)) -> int:
    """File an application and take it through the towns and the joint meeting: the case id."""
    started = apply(api, data, unit)
    assert started.status_code == 201, started.get_json()
    for town in towns:
        task = only(api.tasks(f"leader-{town}", process_key="item_admission"), "镇街审查意见")
        done = api.complete(task["id"], f"leader-{town}", {"recommendation": "agree", "opinion": "同意"})
        assert done.status_code == 200, done.get_json()
    task = only(api.tasks(MEETING, process_key="item_admission"), "联席会议决定")
    done = api.complete(task["id"], MEETING, {"decision": "approve", "reason": "符合准入条件"})
    assert done.status_code == 200, done.get_json()
    return started.get_json()["id"]


def assignment(**changes) -> dict:
    data = {"item_code": "QX-CG-01", "title": "五月门前三包专项巡查",
            "description": "请各社区于月底前完成沿街商户巡查并回复。",
            "communities": ["dc-dm", "dc-bg"], "due_date": "2026-05-29", "department": "dept-cg"}
    data.update(changes)
    return data


def assign(api, data: dict | None = None, unit: str = "dept-cg", user: str = "dept-cg-staff"):
    return api.start("department_assignment", unit, data or assignment(), user)


HEADER = "code,name,list,department,basis,units,levels,valid_from,valid_to,status,withdrawn_from,funding,staff\n"


def csv_rows(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


def import_items(api, content: bytes, user: str = "admin"):
    import io

    return api.client.post("/api/v1/admission/import", headers=api.headers(user),
                           data={"file": (io.BytesIO(content), "items.csv")}, content_type="multipart/form-data")


# Items of 城管局 for the communities of 东城街道 (one withdrawn), of 水利局 for 西山镇's.
ITEMS = csv_rows(
    "QX-CG-01,协助开展门前三包巡查,assist,dept-cg,《城市市容和环境卫生管理条例》第十条,dc,community,2026-01-01,,admitted,,"
    "20000,1",
    "QX-CG-09,协助清理小广告,assist,dept-cg,《城市市容和环境卫生管理条例》第十七条,dc,community,2026-01-01,,withdrawn,"
    "2026-02-01,0,0",
    "QX-SL-01,协助开展山洪灾害防御巡查,assist,dept-sl,《中华人民共和国防洪法》第三十八条,xs,community,2026-01-01,,admitted,,"
    "20000,1",
)


@pytest.fixture(name="listed")
def listed_fixture(adm):
    """``adm`` with the county's list imported."""
    response = import_items(adm, ITEMS)
    assert response.status_code == 200, response.get_json()
    return adm


def counts(app) -> dict:
    """Rows a refused start must not leave behind, and the refusal facts it must."""
    from sqlalchemy import func, select

    from workflow_app.models import AuditEvent, CaseFact, HumanTask, ProcessInstance

    with app.app_context():
        found = {
            "cases": db.session.scalar(select(func.count()).select_from(ProcessInstance)),
            "tasks": db.session.scalar(select(func.count()).select_from(HumanTask)),
            "case_audit": db.session.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.instance_id.is_not(None))),
            "refused": db.session.scalar(select(func.count()).select_from(CaseFact).where(
                CaseFact.kind == "admission_refused")),
        }
        db.session.remove()
    return found


def open_tasks(api, user: str, key: str = "department_assignment") -> list[dict]:
    return api.tasks(user, process_key=key)


__all__ = ["MEETING", "START", "add_member", "admit", "application", "apply", "assign", "assignment", "counts",
           "csv_rows", "deploy", "import_items", "only", "open_tasks"]


def facts(app, kind: str) -> list[tuple[str | None, dict]]:
    """(unit code, detail) of the facts of ``kind``, oldest first."""
    from sqlalchemy import select

    from workflow_app.models import CaseFact, OrgUnit

    with app.app_context():
        rows = db.session.execute(select(OrgUnit.code, CaseFact.detail).outerjoin(
            OrgUnit, OrgUnit.id == CaseFact.unit_id).where(CaseFact.kind == kind).order_by(CaseFact.id)).all()
        db.session.remove()
    return [(code, detail or {}) for code, detail in rows]
