"""The supervisors' board (督查): breached and at-risk tasks by org unit, drill-down county → town →
community → grid, and weekly charts of the on-time rate and the backlog per unit."""

from flask import render_template, request
from flask_babel import gettext as _

from ..org import access, tree
from ..sla import reports
from ..sla import supervision as board
from . import bp, charts
from .common import login_required, unit_name, user
from .i18n import N_

COLOURS = {"red": N_("超时"), "yellow": N_("预警"), "at_risk": N_("超时和预警")}


def home_unit(person) -> str | None:
    """Where a supervisor's board starts: the highest unit where they hold a supervising role."""
    held = access.units_with(person, access.OVERSEE)
    return min(held, key=lambda u: len(u.path)).code if held else None


def crumbs(person, code: str) -> list[tuple[str, str, bool]]:
    """(code, name, may open) from the root down to ``code``."""
    unit = tree.get(code)
    tops = [u.path for u in access.units_with(person, access.OVERSEE)]
    return [(ref.code, unit_name(ref), any(ref.path.startswith(top) for top in tops))
            for ref in tree.ancestor_refs(unit)]


def chart_data(report: reports.WeeklyReport) -> dict:
    labels = [w.label for w in report.weeks]
    names = [(s.name if s.code != report.org_unit else _("本级"), s) for s in report.units
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
    return render_template("supervision.html", summary=summary, items=items, total=total, colour=colour,
                           colours=COLOURS, weeks=weeks, chart=chart_data(report), report=report,
                           crumbs=crumbs(person, summary["org_unit"]))
