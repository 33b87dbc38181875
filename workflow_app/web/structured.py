"""Structured task data as people read it: a list of records as a small table, a record as a
definition list, never a Python or JSON repr.

Headers come from the form (``items.properties.<key>.title`` / ``properties.<key>.title`` with
``x-title-en``), else from the platform's known data keys (``KEYS``: the words the platform's own
services put into case data). Values are resolved the same way for every model: a key (or an
``x-widget``) that names org units shows the unit's name, one that names people shows the person's
name (``<key>_name`` beside a key replaces it; a ``code`` beside a ``name`` is left out), booleans
are 是/否, ISO times are local times, enum values their labels, time units their names. A key the form
marks ``"x-widget": "hidden"`` (a subject's code beside its name) gets no column; numbers show with the
form's ``x-decimals`` (a score to one decimal: ``100.0``), else with at most two; a rate (a fraction
0–1 the form marks ``"format": "percent"``) as a percentage (``95.0%``). A record whose keys are
indicators (``"x-keys": "indicator"``: a candidate's figures) names each by the indicator's name and
shows it by its kind (a rate as a percentage), whatever indicators the definitions hold.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _

from .i18n import N_, pick

ORG_UNIT, USER, TIME_UNIT, HOUSEHOLD, HIDDEN = "org_unit", "user", "time_unit", "household", "hidden"

# Known data keys: (label, what the value names). Labels are Chinese message ids (translated).
KEYS: dict[str, tuple[str, str | None]] = {
    "code": (N_("单位"), ORG_UNIT), "name": (N_("名称"), None), "kind": (N_("类别"), None),
    "handler": (N_("处置人"), USER), "rater": (N_("评价人"), USER), "visitor": (N_("走访人"), USER),
    "username": (N_("人员"), USER), "assignee": (N_("承办人"), USER), "user": (N_("人员"), USER),
    "unit": (N_("单位"), TIME_UNIT), "town": (N_("镇街"), ORG_UNIT), "review_town": (N_("审查镇街"), ORG_UNIT),
    "department": (N_("部门"), ORG_UNIT), "grid": (N_("网格"), ORG_UNIT), "community": (N_("社区"), ORG_UNIT),
    "org_unit": (N_("单位"), ORG_UNIT), "units": (N_("目标单位"), ORG_UNIT), "subject": (N_("对象"), ORG_UNIT),
    "opinion": (N_("意见"), None), "recommendation": (N_("建议"), None), "comment": (N_("意见"), None),
    "amount": (N_("时长"), None), "title": (N_("标题"), None), "address": (N_("地址"), None),
    "contact_name": (N_("联系人"), None), "contact_phone": (N_("联系电话"), None), "phone": (N_("电话"), None),
    "closed_at": (N_("结案时间"), None), "created_at": (N_("时间"), None), "at": (N_("时间"), None),
    "case_id": (N_("案件编号"), None), "round_id": (N_("评估批次"), None), "score": (N_("得分"), None),
    "period": (N_("周期"), None), "reason": (N_("理由"), None), "satisfaction": (N_("满意度"), None),
    "household_id": (N_("户"), HOUSEHOLD), "household": (N_("户"), HOUSEHOLD), "label": (N_("户"), None),
    "groups": (N_("特殊群体"), None),
    "reached": (N_("是否接通"), None), "solved": (N_("是否解决"), None), "limit": (N_("时限"), None),
    "rating_limit": (N_("评价时限"), None), "due_at": (N_("时限"), None), "outcome": (N_("走访结果"), None),
    "needs": (N_("群众需求"), None), "help_given": (N_("帮扶"), None), "visited_at": (N_("走访时间"), None),
    "members": (N_("人数"), None), "count": (N_("数量"), None), "description": (N_("描述"), None),
    "elderly_alone": (N_("孤寡老人"), None), "hardship": (N_("困难家庭"), None), "disability": (N_("残障人士"), None),
}
# Values the platform writes for kinds of units and recommendations (the model's own enums win).
VALUES = {"department": N_("部门"), "external": N_("外部单位"), "area": N_("区域"), "county": N_("县区"),
          "town": N_("镇街"), "community": N_("社区"), "grid": N_("网格"), "micro_grid": N_("微网格"),
          "agree": N_("同意准入"), "agree_with_changes": N_("修改后同意"), "disagree": N_("不同意")}
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
MAX_ROWS, MAX_DEPTH = 50, 4


def text(value) -> str:
    """A shown value on one line (where a page has no room for a table)."""
    if isinstance(value, Table | Pairs):
        return "；".join(value)
    if isinstance(value, list):
        return "、".join(text(v) for v in value)
    return str(value)


@dataclass
class Table:
    headers: list[str]
    rows: list[list[object]]
    more: int = 0  # rows left out
    kind: str = "table"
    numeric: list[bool] = field(default_factory=list)  # columns of numbers (right-aligned, never wrapped)

    def __iter__(self):  # one line per row, for pages that join a value ('、')
        for row in self.rows:
            yield "，".join(f"{h}：{text(v)}" for h, v in zip(self.headers, row, strict=True) if text(v) != "—")

    def __str__(self) -> str:
        return text(self)


@dataclass
class Pairs:
    items: list[tuple[str, object]] = field(default_factory=list)
    kind: str = "pairs"

    def __iter__(self):
        for key, value in self.items:
            yield f"{key}：{text(value)}"

    def __str__(self) -> str:
        return text(self)


def is_structured(value) -> bool:
    return isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, dict | list) for v in value))


def _schema_of(spec: dict | None, key: str) -> dict:
    if not isinstance(spec, dict):
        return {}
    found = (spec.get("properties") or {}).get(key)
    return found if isinstance(found, dict) else {}


def label(key: str, spec: dict | None = None) -> str:
    own = _schema_of(spec, key)
    if own.get("title"):
        return pick(own["title"], own.get("x-title-en"))
    known = KEYS.get(key)
    return _(known[0]) if known else key.replace("_", " ")


def kind_of_key(key: str, spec: dict | None = None) -> str | None:
    own = _schema_of(spec, key)
    hint = own.get("x-widget") or (own.get("items") or {}).get("x-widget") if own else None
    if hint in (ORG_UNIT, USER, HOUSEHOLD, HIDDEN):
        return hint
    known = KEYS.get(key)
    return known[1] if known else None


def unit_name(code) -> str:
    from ..org import tree

    unit = tree.by_code(code) if isinstance(code, str) and code else None
    return pick(unit.name_zh, unit.name_en) if unit is not None else str(code)


def person_name(username) -> str:
    from ..org import people

    person = people.by_username(username) if isinstance(username, str) and 0 < len(username) <= 64 else None
    return person.name or _("（未署名）") if person is not None else str(username)


def subject_name(value) -> str:
    """A unit's or else a person's name (a field that takes either)."""
    shown = unit_name(value)
    return person_name(value) if shown == str(value) else shown


def household_label(shown) -> str:
    """A household as people know it: its head and address, as far as the viewer may see them
    (``org.households.view`` masks what they may not); its register number only when nothing else shows."""
    if shown is None:
        return _("（无权查看）")
    parts = [p for p in (getattr(shown, "head_name", None), getattr(shown, "address", None)) if p]
    if parts:
        return " · ".join(parts)
    return _("户 %(code)s", code=shown.code)


def enum_label(spec: dict, value) -> str:
    """An enum value by the form's ``x-enum-labels``, else as a platform term (translated)."""
    labels = (spec.get("x-enum-labels") or (spec.get("items") or {}).get("x-enum-labels") or {}).get(str(value))
    if isinstance(labels, dict):
        return pick(labels.get("zh") or str(value), labels.get("en"))
    return _(str(value)) if isinstance(value, str) and value else str(value)


def local_time(value: datetime, pattern: str = "%Y-%m-%d %H:%M") -> str:
    from zoneinfo import ZoneInfo

    from .. import clock
    from .i18n import config_timezone

    return clock.as_utc(value).astimezone(ZoneInfo(config_timezone())).strftime(pattern)


def household_name(value) -> str:
    """A household (its id, or a visit list's entry) by its head and address as far as the person
    looking may see them (``org.households.view``), else the list's own label."""
    from flask import g

    from ..extensions import db
    from ..models import Household
    from ..org import households

    ident = value.get("household_id") if isinstance(value, dict) else value
    fallback = str(value.get("label") or value.get("code") or "—") if isinstance(value, dict) else str(value)
    viewer = getattr(g, "user", None)
    if not isinstance(ident, int) or isinstance(ident, bool) or viewer is None:
        return fallback
    found = db.session.get(Household, ident)
    shown = households.view(viewer, found) if found is not None else None
    return household_label(shown) if shown is not None else fallback


def _time_unit(value) -> str | None:
    from . import pages

    for code, labels in pages.time_units():
        if code == value:
            return pick(labels[0], labels[1])
    return None


NAMED = {ORG_UNIT: lambda v: unit_name(v), USER: lambda v: person_name(v), HOUSEHOLD: lambda v: household_name(v),
         TIME_UNIT: lambda v: _time_unit(v) or unit_name(v)}


def _text(value: str, key: str, spec: dict | None, what: str | None) -> str:
    own = _schema_of(spec, key)
    if own.get("enum") or own.get("x-enum-labels"):
        return enum_label(own, value)
    if what in NAMED:
        return NAMED[what](value)
    if ISO_TIME.match(value):
        try:
            return local_time(datetime.fromisoformat(value))
        except ValueError:
            return value
    if value in VALUES and key in ("kind", "recommendation", "level"):
        return _(VALUES[value])
    return value


def percent(value) -> str:
    """A rate stored as a fraction (0–1) as people read it: ``0.955`` → ``95.5%``."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return "—"
    return f"{value * 100:.1f}%"


def is_percent(spec: dict | None) -> bool:
    return isinstance(spec, dict) and spec.get("format") == "percent"


def percent_input(spec: dict, value):
    """What a percent field's input shows for a stored fraction (``0.1`` → ``10``), and back."""
    if not is_percent(spec) or isinstance(value, bool) or not isinstance(value, int | float):
        return value
    shown = round(value * 100, 6)
    return int(shown) if float(shown).is_integer() else shown


def percent_stored(spec: dict, value):
    """A typed percentage as the fraction stored (``10`` → ``0.1``); anything else as typed."""
    if not is_percent(spec) or isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return round(value / 100, 8)


def indicators() -> dict[str, dict]:
    """The county's indicator definitions in force, by id."""
    from .. import clock
    from ..indicators import versions
    from ..org import tree

    root = tree.root_unit()
    items = versions.resolve(root, clock.now()).document.get("indicators") or [] if root is not None else []
    return {i["id"]: i for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)}


def figure_label(ident: str, known: dict | None = None) -> str:
    """An indicator by its name in the page's language (``composite``: the subject's composite)."""
    if ident == "composite":
        return _("综合得分")
    item = (known if known is not None else indicators()).get(ident) or {}
    return pick(item.get("name") or ident, item.get("name_en"))


def figure_text(ident: str, value, known: dict | None = None) -> str:
    """An indicator's value by its kind: a rate as a percentage, a score or composite to one decimal."""
    if value is None:
        return "—"
    kind = ((known if known is not None else indicators()).get(ident) or {}).get("kind")
    if kind == "rate":
        return percent(value)
    return number(value, 1 if kind in ("score", "composite") or ident == "composite" else None)


def _figures(value: dict, spec: dict) -> Pairs:
    known = indicators()
    declared = spec.get("properties") if isinstance(spec.get("properties"), dict) else {}
    return Pairs([(label(k, spec) if k in declared else figure_label(k, known),
                   scalar(v, k, spec) if k in declared else figure_text(k, v, known)) for k, v in value.items()])


def number(value, decimals=None) -> str:
    """A number as people read it: with the form's ``x-decimals`` (``100.0``), else at most two."""
    if isinstance(decimals, int) and not isinstance(decimals, bool) and 0 <= decimals <= 6:
        return f"{value:.{decimals}f}"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if abs(value) < 1e15 else f"{value:g}"
    return str(value)


def scalar(value, key: str = "", spec: dict | None = None) -> str:
    """One value as text: names for units and people, 是/否, local times, enum labels, numbers."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    what = kind_of_key(key, spec)
    if isinstance(value, str):
        return _text(value, key, spec, what)
    if what == HOUSEHOLD and isinstance(value, int):
        return household_name(value)
    if isinstance(value, int | float):
        own = _schema_of(spec, key)
        return percent(value) if is_percent(own) else number(value, own.get("x-decimals"))
    return str(value)


def _shown_keys(record: dict, spec: dict | None) -> list[str]:
    """The keys of a record worth a column: ``x_name`` stands for ``x``; ``code`` goes when ``name`` is there."""
    declared = list((spec.get("properties") or {}) if isinstance(spec, dict) else [])
    keys = [k for k in declared if k in record] + [k for k in record if k not in declared]
    shown = []
    for key in keys:
        if key.endswith("_name") and key[:-5] in record and kind_of_key(key[:-5], spec) != HIDDEN:
            continue  # shown under its base key
        if key.endswith("_en") and key[:-3] in record:
            continue  # the English of its base key, shown there in English mode
        if key == "code" and "name" in record or key in ("code", "label") and "household_id" in record:
            continue  # the name (or the household) says it
        if kind_of_key(key, spec) == HIDDEN:
            continue
        shown.append(key)
    return shown


def _cell(record: dict, key: str, spec: dict | None, depth: int):
    if key == "name" and isinstance(record.get("code"), str) and kind_of_key("code", spec) == ORG_UNIT:
        shown = unit_name(record["code"])  # the unit's name now, in the page's language
        if shown != record["code"]:
            return shown
    named = record.get(f"{key}_name")
    if isinstance(named, str) and named:
        return named
    english = record.get(f"{key}_en")
    if isinstance(english, str) and english and isinstance(record.get(key), str):
        return pick(record[key], english)
    return value_of(record.get(key), key, _schema_of(spec, key) or None, depth + 1, parent=spec)


def value_of(value, key: str = "", spec: dict | None = None, depth: int = 0, parent: dict | None = None):
    """``value`` as a str, a list of str, a Table or Pairs (for the ``structured`` macro)."""
    if depth > MAX_DEPTH:
        return "…"
    if isinstance(value, dict) and isinstance(spec, dict) and spec.get("x-keys") == "indicator":
        return _figures(value, spec)
    if isinstance(value, dict):
        inner = spec if isinstance(spec, dict) and spec.get("properties") else None
        return Pairs([(label(k, inner), _cell(value, k, inner, depth)) for k in _shown_keys(value, inner)])
    if isinstance(value, list):
        records = [v for v in value if isinstance(v, dict)]
        items = (spec or {}).get("items") if isinstance(spec, dict) else None
        items = items if isinstance(items, dict) else None
        if records and len(records) == len(value):
            keys: list[str] = []
            for record in records[:MAX_ROWS]:
                keys += [k for k in _shown_keys(record, items) if k not in keys]
            rows = [[_cell(r, k, items, depth) for k in keys] for r in records[:MAX_ROWS]]
            numeric = [all(isinstance(r.get(k), int | float) and not isinstance(r.get(k), bool)
                           for r in records[:MAX_ROWS] if r.get(k) is not None) and any(
                           r.get(k) is not None for r in records[:MAX_ROWS]) for k in keys]
            return Table([label(k, items) for k in keys], rows, max(0, len(records) - MAX_ROWS), numeric=numeric)
        return [value_of(v, key, items, depth + 1, parent) for v in value[:MAX_ROWS]]
    return scalar(value, key, parent if parent is not None else ({"properties": {key: spec}} if spec else None))
