"""考核评价 pages: indicator tables with drill-down and sorting, rankings, explanations, a
person's own scorecard, the definitions, and the monthly bulletin (page, PDF, XLSX)."""

from datetime import date

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..errors import InvalidInput
from ..inbox import queries
from ..indicators import pages, present, report, service
from . import bp, charts
from .common import login_required, user
from .i18n import N_, lang

LEVEL_LABELS = {"county": N_("县"), "town": N_("镇街"), "community": N_("村社区"), "grid": N_("网格"),
                "department": N_("部门"), "person": N_("人员")}
KIND_LABELS = {"count": N_("计数"), "rate": N_("比率"), "score": N_("分档计分"), "composite": N_("综合得分")}


def _date(name: str) -> date | None:
    text = (request.args.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise InvalidInput(f"{name} is not a date", {name: ["use YYYY-MM-DD"]}) from error


def _text(name: str, size: int = 64) -> str | None:
    return (request.args.get(name) or "").strip()[:size] or None


def _args() -> service.TableArgs:
    level = _text("level")
    if level is not None and level not in report.LEVELS:
        raise InvalidInput("unknown level", {"level": ["unknown level"]})
    return service.TableArgs(
        org_unit=_text("org_unit", 128), period=_text("period", 24), first=_date("from"), last=_date("to"),
        level=level, role=_text("role"), adjusted=request.args.get("adjusted", "1") != "0", sort=_text("sort"),
        order="asc" if request.args.get("order") == "asc" else "desc")


def _shown(view_args: dict, **changes) -> str:
    values = {k: v for k, v in {**request.args.to_dict(), **changes}.items() if v not in (None, "")}
    return url_for(view_args["endpoint"], **values)


def percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def figure(value, kind: str | None) -> str:
    if value is None:
        return "—"
    if kind == "rate":
        return percent(value)
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return str(int(value)) if isinstance(value, int | float) else str(value)


def _chart_markup(data: dict | None) -> dict | None:
    if not data:
        return None
    labels = data["labels"]
    return {"legend": [(name, charts.colour(i)) for i, name in enumerate(data["names"])],
            "rate": charts.rate_lines(labels, data["rates"], _("按期结案率")),
            "backlog": charts.stacked_bars(labels, data["backlog"], _("超期未结"))}


@bp.get("/indicators")
@login_required
def indicators():
    person = user()
    if not request.args.get("org_unit") and pages.home(person) is None:
        return redirect(url_for("web.indicators_me"))
    data = pages.overview(person, _args(), everything=request.args.get("columns") == "all")
    return render_template("indicators.html", data=data, table=data["table"], chart=_chart_markup(data["charts"]),
                           level_labels=LEVEL_LABELS, shown=lambda **c: _shown({"endpoint": "web.indicators"}, **c),
                           figure=figure, role_names=queries.role_names())


@bp.get("/indicators/rankings")
@login_required
def indicators_rankings():
    data = pages.overview(user(), _args(), charts=False)
    return render_template("indicators_rankings.html", data=data, table=data["table"], level_labels=LEVEL_LABELS,
                           shown=lambda **c: _shown({"endpoint": "web.indicators_rankings"}, **c),
                           figure=figure, rank_change=lambda row: present.rank_change(row, lang() == "en"),
                           role_names=queries.role_names())


@bp.get("/indicators/explain")
@login_required
def indicators_explain():
    indicator = _text("indicator")
    if not indicator:  # which figure? offer the indicators to choose from
        found = service.definitions(user(), None)
        return render_template("indicators_choose.html", found=found, kinds=KIND_LABELS,
                               link=lambda i: _shown({"endpoint": "web.indicators_explain"}, indicator=i))
    found = service.explain_figure(user(), _text("org_unit", 128), _text("subject", 128), _text("period", 24),
                                   _date("from"), _date("to"), indicator)
    return render_template("indicators_explain.html", part=found, found=found, figure=figure, kinds=KIND_LABELS)


@bp.get("/indicators/me")
@login_required
def indicators_me():
    card = service.scorecard(user(), _text("period", 24))
    return render_template("indicators_me.html", card=card, figure=figure, kinds=KIND_LABELS)


@bp.get("/indicators/definitions")
@login_required
def indicators_definitions():
    found = service.definitions(user(), _text("locality"))
    return render_template("indicators_definitions.html", found=found, kinds=KIND_LABELS, level_labels=LEVEL_LABELS)


@bp.get("/bulletins")
@login_required
def bulletins():
    county = pages.county_of(user())
    if county is None:
        abort(404)
    month = _text("period", 7) or pages.latest_closed_month()
    return redirect(url_for("web.bulletin", county=county, month=month))


@bp.get("/bulletins/<county>/<month>")
@login_required
def bulletin(county: str, month: str):
    data = service.bulletin_data(user(), county, month)
    trend, en = data["trend"], lang() == "en"
    lines = charts.rate_lines(trend["labels_en"] if en else trend["labels"],
                              [(present.indicator_name(data, i, en), values) for i, values in trend["series"].items()],
                              _("近十二个月趋势"))
    categories = data["categories"]
    bars = charts.stacked_bars([c["category"][:6] for c in categories],
                               [(_("立案"), [c["count"] for c in categories])], _("本月立案按类别分布"))
    legend = [(present.indicator_name(data, i, en), charts.colour(n)) for n, i in enumerate(trend["series"])]
    return render_template("bulletin.html", b=data, present=present, lines=lines, bars=bars, legend=legend)


@bp.get("/bulletins/<county>/<month>.pdf")
@login_required
def bulletin_pdf(county: str, month: str):
    return _file(county, month, "pdf")


@bp.get("/bulletins/<county>/<month>.xlsx")
@login_required
def bulletin_xlsx(county: str, month: str):
    return _file(county, month, "xlsx")


def _file(county: str, month: str, kind: str) -> Response:
    content, mimetype, name = service.bulletin_file(user(), county, month, kind)
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})
