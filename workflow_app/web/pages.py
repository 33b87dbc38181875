"""What pages share about the platform and the person: labels for platform values (calendar
units), the menu each person is shown, and the page they land on."""

from flask_babel import gettext as _

from ..calendar.arithmetic import UNITS
from ..models import User
from ..org import access
from .i18n import N_

UNIT_LABELS = {"emergency_hours": ("紧急工作时", "emergency hours"), "work_hours": ("工作时", "working hours"),
               "work_days": ("工作日", "working days"), "days": ("自然日", "days")}


def time_units() -> list[tuple[str, tuple[str, str]]]:
    return [(unit, UNIT_LABELS.get(unit, (unit, unit))) for unit in UNITS]


STAFF = "staff"  # holds a role that is not public (the role table's ``public`` capability)

# The menu: endpoint, label, and what the person needs to be shown it (None: everyone signed in;
# STAFF; else a capability of the role table), the same data the pages and services check.
MENU = (
    ("web.inbox", N_("待办"), None),
    ("web.report_list", N_("上报"), None),
    ("web.my_reports", N_("我上报的"), None),
    ("web.admission_items", N_("事项清单"), STAFF),
    ("web.service_day", N_("服务日"), STAFF),
    ("web.supervision", N_("督查"), access.OVERSEE),
    ("web.indicators", N_("考核评价"), STAFF),
    ("web.evaluation", N_("评估"), STAFF),
    ("web.points_page", N_("积分"), None),
    ("web.designer", N_("流程设计"), access.DESIGN),
    ("web.notifications", N_("通知"), None),
    ("web.operations", N_("运维"), access.ADMINISTER),
)


def is_staff(person: User) -> bool:
    return any(not access.is_public(a.role_code) for a in person.assignments)


def may_use(person: User, need: str | None) -> bool:
    if need is None:
        return True
    if need == STAFF:
        return is_staff(person)
    return access.capable(person, need)


def nav_items(person: User | None) -> list[tuple[str, str]]:
    if person is None:
        return []
    return [(endpoint, _(label)) for endpoint, label, need in MENU if may_use(person, need)]


def landing(person: User | None) -> str:
    """The endpoint a person starts on: staff their inbox (待办); the public, who report and follow
    their own cases, 我上报的."""
    return "web.inbox" if person is None or is_staff(person) else "web.my_reports"
