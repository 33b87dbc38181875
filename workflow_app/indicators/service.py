"""The indicators' services for the API and the pages: tables, explanations, a person's
scorecard, trends, definitions (read and deploy) and adjustments, as plain values."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from .. import clock
from ..errors import Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..models import User
from ..org import access, tree
from . import (
    adjustments,
    bulletin,
    explain,
    pdf,
    periods,
    permissions,
    present,
    report,
    stream,
    subjects,
    versions,
    words,
    words_en,
    workbook,
)
from . import document as doc
from .report import Ask

MAX_TREND_MONTHS = 24


def _adjustment(row) -> dict:
    return {"id": row.id, "period": row.period, "indicator": row.indicator, "atom": row.atom, "delta": row.delta,
            "reason": row.reason, "author": row.author, "author_name": subjects.names_of([row.author]).get(row.author),
            "at": row.at,
            "subject": tree.ref_by_id(row.unit_id).code if not row.actor_id else None}


def present_row(view: report.RowView) -> dict:
    figures, row = view.figures, view.row
    return {
        "subject": row.key, "name": row.name, "name_en": row.name_en, "level": row.level,
        "unit": row.unit.code, "unit_name": row.unit.name_zh,
        "counts": figures.of_kind("count"), "rates": figures.of_kind("rate"), "scores": figures.scores(),
        "composite": figures.composite, "composite_indicator": figures.composite_id, "grade": figures.grade,
        "short": figures.short, "rank": view.rank, "previous": view.previous, "change": view.change,
        "adjustments": [_adjustment(a) for a in view.adjustments],
        "definitions": view.resolved.refs(),
    }


def present_table(table: report.Table) -> dict:
    period = table.period
    frozen_at = max((p.frozen_at for p in table.frozen), default=None)
    return {
        "period": period.key, "period_label": period.label(), "period_label_en": period.label_en(),
        "kind": period.kind, "from": period.start,
        "to": period.end - timedelta(days=1), "as_of": table.as_of, "closed": table.closed,
        "frozen": bool(table.frozen), "frozen_at": frozen_at, "adjusted": table.adjusted,
        "org_unit": table.unit.code, "org_unit_name": table.unit.name_zh, "org_unit_name_en": table.unit.name_en,
        "level": table.level, "role": table.role,
        "definitions_version": table.definitions.base.version, "definitions": table.definitions.refs(),
        "indicators": report.indicator_meta(table.definitions.document),
        "total": present_row(table.total), "rows": [present_row(v) for v in table.rows],
    }


@dataclass
class TableArgs:
    org_unit: str | None = None
    period: str | None = None
    first: object = None
    last: object = None
    level: str | None = None
    role: str | None = None
    adjusted: bool = True
    sort: str | None = None
    order: str = "desc"


def _ask(args: TableArgs, with_previous: bool = True) -> Ask:
    return Ask(args.org_unit, periods.parse(args.period, args.first, args.last), args.level, args.role, args.adjusted,
               args.sort, args.order != "asc", with_previous)


def table(user: User, args: TableArgs) -> dict:
    return present_table(report.table(user, _ask(args)))


def table_object(user: User, args: TableArgs) -> report.Table:
    return report.table(user, _ask(args))


# --- explain ----------------------------------------------------------------------------------

def _subject(user: User, org_unit: str | None, subject: str | None):
    """(unit, person or None) whose figure is explained; the person themself may always ask."""
    if subject and tree.by_code(subject) is None:
        person = db.session.execute(select(User).where(User.username == subject)).scalar_one_or_none()
        if person is None or not person.assignments:
            raise InvalidInput(f"no org unit or person {subject!r}", {"subject": ["unknown"]})
        unit = tree.require(org_unit) if org_unit else person.assignments[0].org_unit
        if person.id != user.id:
            permissions.require_view(user, unit)
        return unit, person
    unit = tree.require(subject or org_unit) if (subject or org_unit) else report.resolve_unit(user, None)
    permissions.require_view(user, unit)
    return unit, None


def _figure(user: User, unit, person, period: periods.Period, adjusted: bool) -> report.RowView:
    builder = report._Builder(unit, period, adjusted)
    if person is None:
        own_level = "department" if unit.kind != "area" else unit.level
        _rows, total, _frozen = builder.build(own_level, None, None)
        return total
    rows, _total, _frozen = builder.build("person", None, person.id)
    if not rows:
        roles = set(person.roles())
        rows, _total, _frozen = builder.build("person", next(iter(sorted(roles)), None), person.id)
    if not rows:
        raise NotFound(f"{person.username} has no scorecard at {unit.code}")
    return rows[0]


def _part(item: dict, by_id: dict, values: dict, scope: explain.Scope, depth: int) -> dict:
    part = {"indicator": item["id"], "name": doc.name_of(item), "kind": item["kind"], "value": values.get(item["id"]),
            "name_en": item.get("name_en"),
            "formula": words.words({**item, "name": doc.name_of(item)},
                                   {k: {**v, "name": doc.name_of(v)} for k, v in by_id.items()}),
            "formula_en": words_en.words(item, by_id)}
    if item["kind"] == "count" and not isinstance(item.get("formula"), str) and "sum" not in item:
        part.update(explain.listing(item, scope))
        return part
    if depth <= 0:
        return part
    refs = sorted(doc.dependencies(item), key=lambda r: list(by_id).index(r) if r in by_id else 0)
    if item["kind"] == "composite" and item.get("terms"):
        part["terms"] = [{"indicator": t["indicator"], "name": doc.name_of(by_id[t["indicator"]]),
                          "name_en": by_id[t["indicator"]].get("name_en"),
                          "kind": by_id[t["indicator"]]["kind"], "weight": t["weight"], "invert": bool(t.get("invert")),
                          "value": values.get(t["indicator"])} for t in item["terms"]]
    part["parts"] = [_part(by_id[r], by_id, values, scope, depth - 1) for r in refs if r in by_id]
    return part


def explain_figure(user: User, org_unit: str | None, subject: str | None, period_key: str | None, first, last,
                   indicator: str) -> dict:
    """The facts, cases and parts behind one figure of one subject."""
    unit, person = _subject(user, org_unit, subject)
    period = periods.parse(period_key, first, last)
    stream.catch_up(stream.READ_BUDGET)
    view = _figure(user, unit, person, period, True)
    document = view.resolved.document
    by_id = {i["id"]: i for i in doc.order(document.get("indicators") or [])}
    if indicator not in by_id:
        raise InvalidInput(f"no indicator {indicator!r} here", {"indicator": ["unknown indicator"]})
    scope = explain.Scope(unit.path, person.id if person else None, period)
    return present.jsonable({
        "subject": person.username if person else unit.code, "name": person.name if person else unit.name_zh,
        "period": period.key, "period_label": period.label(), "period_label_en": period.label_en(),
        "as_of": period.as_of(), "closed": period.closed(),
        "definitions": view.resolved.refs(), "composite": view.figures.composite, "grade": view.figures.grade,
        **_part(by_id[indicator], by_id, view.figures.values, scope, 3),
        "adjustments": [_adjustment(a) for a in view.adjustments if a.indicator == indicator or not a.indicator],
    })


def scorecard(user: User, period_key: str | None) -> dict:
    """The caller's own scorecard: their figures, and how the composite was computed."""
    held = [a.org_unit for a in user.assignments if not access.is_public(a.role_code)]
    if not held:
        raise Forbidden(f"{user.username} holds no staff role to be scored for")
    period = periods.parse(period_key)
    stream.catch_up(stream.READ_BUDGET)
    view = _figure(user, min(held, key=lambda u: len(u.path)), user, period, True)
    result = present_row(view)
    result.update(period=period.key, period_label=period.label(), period_label_en=period.label_en(),
                  as_of=period.as_of())
    result["names_en"] = {i["id"]: i.get("name_en") for i in view.resolved.document.get("indicators") or []
                          if isinstance(i, dict) and i.get("name_en")}
    if view.figures.composite_id:
        document = view.resolved.document
        by_id = {i["id"]: i for i in doc.order(document.get("indicators") or [])}
        scope = explain.Scope(view.row.unit.path, user.id, period)
        result["explanation"] = present.jsonable(
            _part(by_id[view.figures.composite_id], by_id, view.figures.values, scope, 2))
    return result


# --- trend ------------------------------------------------------------------------------------

def trend(user: User, org_unit: str | None, months: int = 12, level: str | None = None,
          end: str | None = None) -> dict:
    """Month by month up to ``end`` (default: this month): the unit's totals and each row's composite."""
    months = max(1, min(int(months), MAX_TREND_MONTHS))
    last = periods.month_of(end) if end else periods.current_month()
    series = []
    current = last
    for _ in range(months):
        series.append(current)
        current = current.previous()
    series.reverse()
    rows: dict = {}
    totals = []
    stream.catch_up(stream.READ_BUDGET)  # once for the whole series, not once a month
    for month in series:
        found = report.table(user, Ask(org_unit, month, level, with_previous=False), roll_up=False)
        totals.append({"period": month.key, **{k: v for k, v in present_row(found.total).items()
                                               if k in ("counts", "rates", "composite", "grade")}})
        for view in found.rows:
            entry = rows.setdefault(view.row.key, {"subject": view.row.key, "name": view.row.name, "composite": []})
            entry["composite"].append(view.figures.composite)
    return present.jsonable({"periods": [m.key for m in series], "totals": totals, "rows": list(rows.values())})


# --- definitions ------------------------------------------------------------------------------

def definitions(user: User, locality: str | None = None) -> dict:
    """The definitions in force (for a locality: merged over the platform's), with their versions."""
    unit = tree.require(locality, "locality") if locality else tree.root_unit()
    resolved = versions.resolve(unit, clock.now()) if unit is not None else None
    if resolved is None:
        versions.ensure_defaults()
        raise NotFound("no org units yet")
    document = resolved.document
    said, said_en = words.all_words(document), words_en.all_words(document)
    items = [{"id": i["id"], "name": doc.name_of(i), "name_en": i.get("name_en"), "kind": i["kind"],
              "levels": i.get("levels"), "description": i.get("description"), "words": said.get(i["id"]),
              "words_en": said_en.get(i["id"]),
              "definition": i} for i in document.get("indicators") or []]
    own = versions.newest(locality or "")
    history = versions.history(locality or "")
    names = subjects.names_of(v.deployed_by for v in history)
    places = versions.localities()
    return present.jsonable({
        "locality": locality or None, "version": resolved.versions[-1].version, "sha256": resolved.versions[-1].sha256,
        "definitions_version": resolved.base.version, "definitions": resolved.refs(),
        "title": document.get("title"), "title_en": document.get("title_en"),
        "grades": doc.grades_of(document), "ledger": doc.ledger_rules(document),
        "verdicts": document.get("verdicts") or [], "indicators": items, "document": document,
        "own": own.document if own is not None and locality else None,
        "history": [{"version": v.version, "sha256": v.sha256, "deployed_at": v.deployed_at,
                     "deployed_by": v.deployed_by, "deployed_by_name": names.get(v.deployed_by), "comment": v.comment}
                    for v in history],
        "localities": places,
        "locality_names": {code: versions.place(code) for code in places},
        "locality_name": versions.place(locality or ""),
    })


def deploy(user: User, content, locality: str | None, comment: str | None) -> dict:
    result = versions.deploy(content, locality=locality, actor=user, comment=comment)
    return {"locality": result.version.locality or None, "version": result.version.version,
            "sha256": result.version.sha256, "unchanged": result.unchanged}


def adjust(user: User, subject: str, period: str, indicator: str, delta: float, reason: str) -> dict:
    return _adjustment(adjustments.create(user, subject, period, indicator, delta, reason))


def list_adjustments(user: User, org_unit: str | None, period: str | None) -> list[dict]:
    return [_adjustment(a) for a in adjustments.listing(user, org_unit, period)]


# --- bulletins --------------------------------------------------------------------------------

FORMATS = {"pdf": ("application/pdf", pdf.render),
           "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", workbook.render)}


def bulletin_data(user: User, county: str, month: str) -> dict:
    """The bulletin's content, with its times and dates as they travel (not yet as JSON text)."""
    return bulletin.build(user, county, month)


def bulletin_json(user: User, county: str, month: str) -> dict:
    return present.jsonable(bulletin_data(user, county, month))


def bulletin_file(user: User, county: str, month: str, kind: str) -> tuple[bytes, str, str]:
    """(content, mimetype, file name) of the bulletin as a PDF or an XLSX workbook."""
    if kind not in FORMATS:
        raise NotFound(f"no bulletin format {kind!r}")
    data = bulletin_data(user, county, month)
    mimetype, render = FORMATS[kind]
    return render(data), mimetype, f"bulletin-{data['county']}-{data['period']}.{kind}"
