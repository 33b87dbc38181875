"""Demo data: the county of 清溪县 with three towns, their communities and grids, county
departments, a user for every role, the sample processes, and a few cases to look at.

Every demo user's password is ``demo123``. Only the ``demo`` command creates these users.
"""

from flask import current_app

from . import deployment
from .auth import passwords
from .cases import service
from .errors import DomainError
from .extensions import db
from .models import OrgUnit, ProcessInstance, User
from .org import people, tree

DEMO_PASSWORD = "demo123"

COUNTY = ("qingxi", "清溪县", "Qingxi County")
TOWNS = (
    ("dc", "东城街道", "Dongcheng Subdistrict", (("dm", "东门社区", "Dongmen Community"),
                                               ("bg", "北关社区", "Beiguan Community"))),
    ("xs", "西山镇", "Xishan Town", (("sq", "山泉村", "Shanquan Village"), ("ly", "柳营村", "Liuying Village"))),
    ("nh", "南湖镇", "Nanhu Town", (("hb", "湖滨社区", "Hubin Community"), ("yz", "渔庄村", "Yuzhuang Village"))),
)
GRID_TYPES = ("重点", "服务")
# code, 中文, English, duty (the catalogue's department type), kind
DEPARTMENTS = (
    ("dept-cg", "城市管理局", "Urban Management Bureau", "urban_management", "department"),
    ("dept-zj", "住房和城乡建设局", "Housing and Construction Bureau", "housing_construction", "department"),
    ("dept-sj", "市场监督管理局", "Market Regulation Bureau", "market_regulation", "department"),
    ("dept-yj", "应急管理局", "Emergency Management Bureau", "emergency", "department"),
    ("dept-sl", "水利局", "Water Resources Bureau", "water", "department"),
    ("dept-jt", "交通运输局", "Transport Bureau", "transport", "department"),
    ("dept-hb", "生态环境分局", "Ecology and Environment Bureau", "environment", "department"),
    ("dept-ga", "公安分局", "Public Security Bureau", "public_security", "department"),
    ("dept-sf", "司法局", "Justice Bureau", "justice", "department"),
    ("ext-gd", "县供电公司", "County Power Supply Company", "utilities", "external"),
    ("ext-ss", "县自来水公司", "County Water Supply Company", "utilities", "external"),
)
CATALOGUE = "processes/catalogue/event_catalogue.csv"


def _unit(code, zh, en, level, parent, kind="area", grid_type=None) -> OrgUnit:
    return tree.save_unit(code=code, name_zh=zh, name_en=en, level=level, parent=parent, kind=kind,
                          grid_type=grid_type)


def seed_org() -> OrgUnit:
    county = _unit(*COUNTY, "county", None)
    for town_code, zh, en, communities in TOWNS:
        town = _unit(town_code, zh, en, "town", county)
        for comm_code, czh, cen in communities:
            community = _unit(f"{town_code}-{comm_code}", czh, cen, "community", town)
            for n in (1, 2):
                grid = _unit(f"{community.code}-0{n}", f"{czh}第{n}网格", f"{cen} Grid {n}", "grid", community,
                             grid_type=GRID_TYPES[n - 1])
                if town_code == "dc" and comm_code == "dm" and n == 1:
                    for m in (1, 2):
                        _unit(f"{grid.code}-{m}", f"{czh}第{n}网格第{m}微网格", f"{cen} Grid {n}.{m}",
                              "micro_grid", grid)
    for code, zh, en, duty, kind in DEPARTMENTS:
        tree.save_unit(code=code, name_zh=zh, name_en=en, level="county", parent=county, kind=kind, duty=duty)
    return county


def _user(username, name, assignments, password_hash) -> User:
    user = people.save_user(username=username, name=name)
    user.password_hash = password_hash
    for role, unit in assignments:
        people.assign(user, role, unit)
    return user


def demo_users() -> list[tuple[str, str, list[tuple[str, str]]]]:
    county = COUNTY[0]
    users = [
        ("admin", "系统管理员", [("admin", county)]),
        ("designer", "流程设计员 周工", [("process_designer", county)]),
        ("supervisor", "县督查 李督查", [("county_supervisor", county)]),
        ("evaluator", "第三方评估 陈评估", [("evaluator", county)]),
        ("meeting", "县社区减负联席会议办公室", [("joint_meeting", county)]),
    ]
    for town_code, zh, _en, communities in TOWNS:
        users.append((f"dispatcher-{town_code}", f"{zh}派遣员", [("town_dispatcher", town_code)]))
        users.append((f"leader-{town_code}", f"{zh}领导", [("town_leader", town_code)]))
        for comm_code, czh, _cen in communities:
            community = f"{town_code}-{comm_code}"
            users.append((f"staff-{community}", f"{czh}社区工作者", [("community_staff", community)]))
            users.append((f"head-{community}", f"{czh}负责人", [("community_head", community)]))
            users.append((f"resident-{community}", f"{czh}居民", [("resident", community)]))
            for n in (1, 2):
                grid = f"{community}-0{n}"
                users.append((f"worker-{grid}", f"{czh}第{n}网格网格员", [("grid_worker", grid)]))
                users.append((f"gridlead-{grid}", f"{czh}第{n}网格网格长", [("grid_leader", grid)]))
    for code, zh, _en, _duty, _kind in DEPARTMENTS:
        users.append((f"{code}-staff", f"{zh}处置人员", [("department_staff", code)]))
        users.append((f"{code}-head", f"{zh}负责人", [("department_head", code)]))
    return users


def seed_users() -> int:
    password_hash = passwords.hash_password(DEMO_PASSWORD)  # one hash for every demo login
    specs = demo_users()
    for username, name, assignments in specs:
        _user(username, name, assignments, password_hash)
    return len(specs)


SAMPLE_CASES = (
    ("minor_event", "dc-dm-01", "worker-dc-dm-01",
     {"category": "environment", "severity": "minor", "address": "东门路12号", "description": "路边垃圾堆放"}),
    ("minor_event", "dc-dm-02", "worker-dc-dm-02",
     {"category": "facility", "severity": "general", "address": "东门小区3幢", "description": "楼道灯损坏"}),
    ("minor_event", "xs-sq-01", "worker-xs-sq-01",
     {"category": "safety", "severity": "serious", "address": "山泉村桥头", "description": "护栏松动存在安全隐患"}),
)


def seed_cases() -> int:
    if db.session.query(ProcessInstance.id).first() is not None:
        return 0  # the demo already has cases: running `demo` again adds none
    from . import demo_cases
    from .timers import scheduler

    started = demo_cases.seed()
    for key, unit, username, data in SAMPLE_CASES:
        try:
            service.start(key, unit, data, people.get(username))
            started += 1
        except DomainError as error:
            current_app.logger.warning("demo case %s in %s not started: %s", key, unit, error.message)
    scheduler.tick(current_app._get_current_object(), plan=True)  # fire what is due, colour the clocks
    return started


def seed_catalogue() -> int:
    from pathlib import Path

    from .catalogue import conditions
    from .config import PROJECT_ROOT

    path = Path(PROJECT_ROOT) / CATALOGUE
    if not path.is_file():
        return 0
    version, _ = conditions.import_csv(path.read_bytes(), comment="demo seed")
    return len(version.conditions)


def seed(with_cases: bool = True) -> str:
    seed_org()
    user_count = seed_users()
    db.session.commit()
    seed_catalogue()
    results = deployment.deploy_directory(None)
    deployed = [f"{s.key}@{s.locality or '*'}" for s, r in results if not isinstance(r, str)]
    cases = seed_cases() if with_cases else 0
    from .admission import demo as admission_demo
    from .indicators import history as indicators_history
    from .service_day import demo as service_day_demo

    admission_demo.seed(with_cases)  # 事项准入: the county's list, applications, assignments
    indicators_history.seed()  # 考核评价: the indicator definitions in processes/indicators
    service_day_demo.seed(with_cases)  # 网格服务日: households, pairings, rules, last month's and this month's
    from .evaluation import demo as evaluation_demo

    evaluation_demo.seed(with_cases)  # 评估: a whistled case to rate, a third-party round, points
    return (f"demo county {COUNTY[1]} ready: {user_count} users (password {DEMO_PASSWORD}), "
            f"processes {', '.join(deployed) or 'none'}, {cases} sample cases started")
