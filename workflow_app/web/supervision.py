"""The supervisors' board (督查): breached and at-risk tasks by org unit, drill-down county → town →
community → grid, and weekly charts of the on-time rate and the backlog per unit."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import render_template, request
from flask_babel import gettext as _

from ..indicators.periods import MONTHS_EN
from ..org import access, tree
from ..sla import reports
from ..sla import supervision as board
from . import bp, charts
from .common import login_required, unit_name, user
from .i18n import N_, config_timezone, lang

COLOURS = {"red": N_("超时"), "yellow": N_("预警"), "at_risk": N_("超时和预警")}


def home_unit(person) -> str | None:
    """Where a supervisor's board starts: the highest unit where they hold a supervising role."""
    held = access.units_with(person, access.OVERSEE)
    return min(held, key=lambda u: len(u.path)).code if held else None


def crumbs(person, code: str) -> list[tuple[str, str, bool]]:
    """(code, name, may open) from the root down to ``code``."""
    unit = tree.get(code)
    tops = [u.path for u in access.units_with(person, access.OVERSEE)]
    return [(ref.code, _name_of(ref.code, ref.name_zh), any(ref.path.startswith(top) for top in tops))
            for ref in tree.ancestor_refs(unit)]


def _name_of(code: str, zh: str) -> str:
    """A unit's name in the page's language (the board's rows carry only the Chinese one)."""
    if lang() != "en":
        return zh
    found = tree.by_code(code)
    return unit_name(found) if found is not None else zh


def week_label(start: datetime) -> str:
    """An ISO week as its dates: 10月13日–19日 (9月29日–10月5日 across a month; Oct 13–19 in English)."""
    first = start.astimezone(ZoneInfo(config_timezone())).date()
    last = first + timedelta(days=6)
    if lang() == "en":
        first_text = f"{MONTHS_EN[first.month - 1]} {first.day}"
        return f"{first_text}–{last.day}" if last.month == first.month else \
            f"{first_text}–{MONTHS_EN[last.month - 1]} {last.day}"
    return f"{first.month}月{first.day}日–{last.day}日" if last.month == first.month else \
        f"{first.month}月{first.day}日–{last.month}月{last.day}日"


def limit_note(item) -> str | None:
    """Why a task shows no 超时倍数: it has no time limit, or its clock has not started."""
    if item.over_limit is not None:
        return None
    if item.due_at is None:
        return _("没有时限")
    if getattr(item, "sla_started_at", None) is None:
        return _("尚未开始计时")
    return _("时限为零")


def chart_data(report: reports.WeeklyReport) -> dict:
    labels = [week_label(w.start) for w in report.weeks]
    names = [(_name_of(s.code, s.name) if s.code != report.org_unit else _("本级"), s) for s in report.units
             if any(w.completed or w.backlog for w in s.weeks)]  # units with nothing to show stay out
    return {
        "labels": labels,
        "legend": [(name, charts.colour(i)) for i, (name, _s) in enumerate(names)],
        "rate": charts.rate_lines(labels, [(n, [w.rate for w in s.weeks]) for n, s in names], _("按期办结率")),
        "backlog": charts.stacked_bars(labels, [(n, [w.backlog for w in s.weeks]) for n, s in names],
                                       _("周末积压")),
        "rows": names,
    }


@bp.get("/supervision")
@login_required
def supervision():
    person = user()
    code = (request.args.get("org_unit") or "").strip() or home_unit(person)
    colour = request.args.get("colour", "red")
    colour = colour if colour in COLOURS else "red"
    weeks = min(max(request.args.get("weeks", 8, type=int) or 8, 2), reports.MAX_WEEKS)
    summary = board.summary(person, code)  # raises Forbidden for those who do not supervise here
    items, total = board.breaches(person, summary["org_unit"], colour)
    report = reports.weekly(person, summary["org_unit"], weeks)
    summary = {**summary, "name": _name_of(summary["org_unit"], summary["name"]),
               "children": [{**c, "name": _name_of(c["code"], c["name"])} for c in summary["children"]]}
    return render_template("supervision.html", summary=summary, items=items, total=total, colour=colour,
                           limit_note=limit_note,
                           colours=COLOURS, weeks=weeks, chart=chart_data(report), report=report,
                           crumbs=crumbs(person, summary["org_unit"]))
