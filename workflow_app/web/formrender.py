"""JSON-Schema task forms as HTML fields, and form posts back into data.

The convention is ``taskforms``': ``title`` (zh) and ``x-title-en``, ``x-enum-labels``
{value: {zh, en}}, ``x-widget`` (textarea, select, radio, date, datetime, photos…), ``readOnly``
and ``x-order``. Rendering never decides what is valid: the service validates and its per-field
errors are shown next to the fields, with what the person typed kept in place.

A list of records (``"type": "array"`` of objects with ``properties``) is a repeated group of the
item's fields, posted as ``<name>.<row>.<key>``. ``x-rows`` {from, keys, label} draws one row per
record of another field of the form (the units to rate): ``keys`` {item key: record key} are posted
unchanged and ``label`` names the row (in its fields' errors: "住房和城乡建设局 · 沟通：此项必填").
``x-options-from`` {from, value, label} offers a list's records as the choices of a field (the
candidates one may withhold, by name).
"""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from .. import clock
from . import i18n, structured
from .messages import localise


@dataclass
class Field:
    name: str
    label: str
    widget: str
    required: bool = False
    readonly: bool = False
    value: object = ""
    display: object = ""
    options: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    attrs: dict = field(default_factory=dict)
    hint: str | None = None
    source: str | None = None  # the schema's x-widget (catalogue, org_unit, location…)
    rows: list = field(default_factory=list)  # a list of records: its Rows
    ident: str = ""  # the input's id when its name is no id (a row's field)
    previous: object = None  # a repeated step: what its earlier round answered (``formrounds``)

    @property
    def invalid(self) -> bool:
        return bool(self.errors) or any(r.errors or any(f.errors for f in r.fields) for r in self.rows)


@dataclass
class Row:
    """One record of a list of records: its fields and the values it is posted with unchanged."""
    label: str
    fields: list[Field]
    fixed: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


LIST_WIDGETS = ("photos", "checkboxes")


REFERENCE_WIDGETS = ("org_unit", "catalogue", "user", "subject", "indicator")  # picked from named choices


def kind_of(spec: dict) -> str | None:
    """The field's JSON type; a nullable one (``["number", "null"]``) is its non-null type."""
    kind = spec.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        return kinds[0] if len(kinds) == 1 and isinstance(kinds[0], str) else None
    return kind


def _array_widget(spec: dict, hint) -> str:
    if hint == "photos":
        return "photos"
    if _records(spec) is not None:
        return "rows"
    if isinstance(spec.get("x-options-from"), dict):
        return "checkboxes"
    return "checkboxes" if isinstance(spec.get("items"), dict) and "enum" in spec["items"] else "lines"


def widget_of(spec: dict) -> str:
    kind, hint = kind_of(spec), spec.get("x-widget")
    if hint == "location" and kind == "object":
        return "location"
    if hint in REFERENCE_WIDGETS:
        return "checkboxes" if kind == "array" else "select"
    if kind == "boolean":
        return "boolean"
    if kind == "array":
        return _array_widget(spec, hint)
    if "enum" in spec:
        return hint if hint in ("radio", "select") else ("radio" if len(spec["enum"]) <= 4 else "select")
    if hint == "textarea":
        return "textarea"
    if hint == "date" or spec.get("format") == "date":
        return "date"
    if hint == "datetime" or spec.get("format") == "date-time":
        return "datetime"
    if kind in ("number", "integer"):
        return "number"
    return "json" if kind == "object" else "text"


def _records(spec: dict) -> dict | None:
    """The item schema of a list of records, else None."""
    items = spec.get("items")
    if isinstance(items, dict) and kind_of(items) == "object" and isinstance(items.get("properties"), dict):
        return items
    return None


def ordered(document: dict) -> list[tuple[str, dict]]:
    properties = {k: v for k, v in (document.get("properties") or {}).items() if isinstance(v, dict)}
    order = [n for n in document.get("x-order", []) if n in properties]
    return [(n, properties[n]) for n in order + [n for n in properties if n not in order]]


enum_label = structured.enum_label


def _options(spec: dict) -> list[tuple[str, str]]:
    values = spec.get("enum") or (spec.get("items") or {}).get("enum") or []
    return [(str(v), enum_label(spec, v)) for v in values]


def _tz() -> ZoneInfo:
    return ZoneInfo(i18n.config_timezone())


def _local_input(value) -> str:
    """An ISO time as the value of an <input type=datetime-local>."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return clock.as_utc(moment).astimezone(_tz()).strftime("%Y-%m-%dT%H:%M")


def _as_input(widget: str, value):
    """A stored value as what an input shows."""
    if value is None:
        return [] if widget in LIST_WIDGETS else ""
    if widget in LIST_WIDGETS:
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if widget == "boolean":
        return "true" if value is True else ("false" if value is False else "")
    if widget == "datetime":
        return _local_input(value)
    if widget == "lines":
        return "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if widget == "json":
        return json.dumps(value, ensure_ascii=False, indent=1) if not isinstance(value, str) else value
    if widget == "location":
        return value if isinstance(value, dict) else {"text": str(value)}
    if widget == "rows":
        return value
    return str(value)


def location_text(value) -> str:
    """A place as people read it: '30.27412, 120.15515（±12 米）· 东门路口' (coordinates rounded to ~1 m)."""
    if not isinstance(value, dict):
        return str(value or "")
    parts = []
    if isinstance(value.get("lat"), int | float) and isinstance(value.get("lng"), int | float):
        point = f"{value['lat']:.5f}, {value['lng']:.5f}"
        if isinstance(value.get("accuracy"), int | float):
            point += _("（±%(m)d 米）", m=round(value["accuracy"]))
        parts.append(point)
    if value.get("text"):
        parts.append(str(value["text"]))
    return " · ".join(parts)


def unit_label(code) -> str:
    """An org unit (a department, a town…) by its name, not its code."""
    from ..org import tree

    unit = tree.by_code(code) if isinstance(code, str) else None
    return i18n.pick(unit.name_zh, unit.name_en) if unit is not None else str(code)


def condition_label(code) -> str:
    """A filing condition by what it says ('道路路面：路面坑槽…'; in English by the catalogue's
    English, else the Chinese), not its code."""
    from ..catalogue import conditions
    from ..errors import DomainError

    try:
        standard = conditions.lookup(str(code))
    except DomainError:
        return str(code)
    return conditions.label(standard, english=i18n.lang() == "en")


# Reference fields shown by the name of what they name.
NAMERS = {"org_unit": unit_label, "catalogue": condition_label, "user": structured.person_name,
          "subject": structured.subject_name, "household": structured.household_name}


def display(spec: dict, value, name: str = "") -> object:
    """A value as a person reads it (enum labels, 是/否, local times, names of units, people and
    conditions; records and lists of them as ``structured`` tables and definition lists)."""
    if value is None or value == "":
        return ""
    name_of = NAMERS.get(spec.get("x-widget"))
    if name_of is not None:
        return [name_of(v) for v in value] if isinstance(value, list) else name_of(value)
    if spec.get("x-widget") == "indicator":  # its id is its Chinese name; English by its name_en
        return [structured.figure_label(str(v)) for v in value] if isinstance(value, list) else \
            structured.figure_label(str(value))
    if structured.is_structured(value) and widget_of(spec) != "location":
        return structured.value_of(value, name, spec)
    if structured.kind_of_key(name) in (structured.ORG_UNIT, structured.USER) and "enum" not in spec:
        return structured.value_of(value, name, spec)
    widget = widget_of(spec)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return [enum_label(spec, v) for v in value] if widget == "checkboxes" else [str(v) for v in value]
    if "enum" in spec or isinstance(spec.get("x-enum-labels"), dict):
        return enum_label(spec, value)
    if widget == "datetime":
        return _local_input(value).replace("T", " ")
    if widget == "location":
        return location_text(value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return structured.percent(value) if structured.is_percent(spec) else str(value)


def _attrs(spec: dict) -> dict:
    names = {"minLength": "minlength", "maxLength": "maxlength", "minimum": "min", "maximum": "max"}
    attrs = {html: structured.percent_input(spec, spec[key]) for key, html in names.items() if key in spec}
    if kind_of(spec) == "number":
        attrs["step"] = "any"
    elif kind_of(spec) == "integer":
        attrs["inputmode"] = "numeric"
    return attrs


def _field_errors(errors: dict | None, names: set[str],
                  nested: frozenset = frozenset()) -> tuple[dict[str, list[str]], list[str]]:
    """Service errors by top-level field ('photos.0' belongs to 'photos'); the rest are form-wide.
    Errors inside a list of records (``nested``: 'ratings.1.handle') are its rows' to show."""
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for key, messages in (errors or {}).items():
        top = str(key).split(".")[0]
        if top in nested and "." in str(key):
            continue
        target = by_field.setdefault(top, []) if top in names else general
        for message in messages if isinstance(messages, list) else [messages]:
            text = localise(str(message))
            if text not in target:
                target.append(text)
    return by_field, general


def indicator_choices(published: bool = False) -> list[tuple[str, str, str]]:
    """(id, 中文, English) of the indicators the county's definitions in force define (``published``:
    only the figures its pages and bulletin publish, ``x-indicators: published``)."""
    from ..evaluation import appeal_figures
    from ..indicators import versions
    from ..org import tree

    root = tree.root_unit()
    document = versions.resolve(root, clock.now()).document if root is not None else {}
    found = [(i["id"], i.get("name") or i["id"], i.get("name_en") or i.get("name") or i["id"])
             for i in document.get("indicators") or [] if isinstance(i, dict) and isinstance(i.get("id"), str)]
    if not published:
        return found
    order = {ident: n for n, ident in enumerate(appeal_figures.published(document))}
    return sorted((f for f in found if f[0] in order), key=lambda f: order[f[0]])


def _reference_options(spec: dict, choices: dict | None, name: str) -> list[tuple[str, str]] | None:
    if spec.get("x-widget") == "indicator" and not (choices or {}).get(name):
        choices = {**(choices or {}), name: indicator_choices(spec.get("x-indicators") == "published")}
    if spec.get("x-widget") not in REFERENCE_WIDGETS or not choices or name not in choices:
        return None
    options = [(value, i18n.pick(zh, en)) for value, zh, en in choices[name]]
    return options if kind_of(spec) == "array" else [("", _("请选择")), *options]


# --- lists of records: a group of the item's fields per row ------------------------------------

ROWS_MAX = 50


def _lookup(values: dict, path) -> object:
    """``review.candidates``: a value inside the form's values."""
    found: object = values
    for part in str(path).split(".") if isinstance(path, str) and path else []:
        found = found.get(part) if isinstance(found, dict) else None
    return found


def _options_from(plan: dict, values: dict) -> list[tuple[str, str]] | None:
    """``x-options-from`` {from, value, label}: a list's records as choices, by name (never a code)."""
    records = _lookup(values, plan.get("from"))
    if not isinstance(records, list):
        return None
    key = plan.get("value") if isinstance(plan.get("value"), str) else "code"
    labels = plan.get("label") or "name"
    labels = [labels] if isinstance(labels, str) else [k for k in labels if isinstance(k, str)]
    options = []
    for record in records[:2000]:
        if isinstance(record, dict) and record.get(key) not in (None, ""):
            shown = " · ".join(str(i18n.pick(record[k], record.get(f"{k}_en")))
                               for k in labels if record.get(k) not in (None, ""))  # a record's English beside
            options.append((str(record[key]), shown or structured.subject_name(record[key])))
    return options


def _row_plan(spec: dict) -> tuple[dict, dict[str, str]]:
    plan = spec.get("x-rows") if isinstance(spec.get("x-rows"), dict) else {}
    keys = plan.get("keys") if isinstance(plan.get("keys"), dict) else {}
    return plan, {str(k): str(v) for k, v in keys.items()}


def _row_widget(spec: dict) -> str:
    """A row's field: nested lists, places and photos are typed (one per line, JSON)."""
    widget = widget_of(spec)
    if widget in ("rows", "location") or spec.get("x-widget") in REFERENCE_WIDGETS:
        return "json" if kind_of(spec) == "object" else ("lines" if kind_of(spec) == "array" else "text")
    return "lines" if widget == "photos" else widget


def _row_label(record: dict, plan: dict, fixed: dict) -> str:
    """A row by what it is for: a unit by its name in the page's language, else the record's label."""
    code = record.get("code")
    named = structured.unit_name(code) if isinstance(code, str) else None
    if named and named != code:
        return named
    shown = record.get(plan.get("label") if isinstance(plan.get("label"), str) else "name")
    return str(shown) if shown else structured.subject_name(next(iter(fixed.values()), ""))


def _row_bases(name: str, spec: dict, values: dict, typed) -> list[tuple[str, dict]]:
    """(label, values) per row: one per record of ``x-rows.from`` (with what the task data already
    holds for it), else the rows the data holds and one more to fill in."""
    plan, keys = _row_plan(spec)
    given = [r for r in values.get(name) or [] if isinstance(r, dict)] if isinstance(values.get(name), list) else []
    source = _lookup(values, plan.get("from"))
    if keys and isinstance(source, list):
        bases = []
        for record in [r for r in source if isinstance(r, dict)][:ROWS_MAX]:
            fixed = {k: record.get(src) for k, src in keys.items()}
            earlier = next((r for r in given if all(r.get(k) == v for k, v in fixed.items())), {})
            bases.append((_row_label(record, plan, fixed), {**earlier, **fixed}))
        return bases
    count = max([len(given) + 1, *[i + 1 for i in _posted_indices(name, typed)]])
    most = spec.get("maxItems") if isinstance(spec.get("maxItems"), int) else ROWS_MAX
    return [(_("第 %(n)d 项", n=i + 1), given[i] if i < len(given) else {})
            for i in range(max(1, min(count, most, ROWS_MAX)))]


def _row_errors(name: str, spec: dict, typed, errors: dict | None) -> dict[int, dict[str, list[str]]]:
    """Errors inside the list ('ratings.1.handle') by shown row and key ('' for the row itself).
    The index is the submitted one: rows left blank were not sent, so it is mapped back."""
    shown_at = {j: i for j, (i, _row) in enumerate(_posted_rows(name, spec, typed) or [])}
    found: dict[int, dict[str, list[str]]] = {}
    for key, messages in (errors or {}).items():
        parts = str(key).split(".")
        if parts[0] != name or len(parts) < 2 or not parts[1].isdigit() or len(parts[1]) > 4:
            continue
        texts = [localise(str(m)) for m in (messages if isinstance(messages, list) else [messages])]
        index = shown_at.get(int(parts[1]), int(parts[1]))
        found.setdefault(index, {}).setdefault(parts[2] if len(parts) > 2 else "", []).extend(texts)
    return found


def _rows(name: str, spec: dict, values: dict, typed, errors: dict | None) -> tuple[list[Row], list[str]]:
    """The rows of a list of records, filled from ``typed`` or ``values``; errors no row shows."""
    items = _records(spec) or {}
    _plan, keys = _row_plan(spec)
    required = set(items.get("required") or [])
    by_row = _row_errors(name, spec, typed, errors)
    rows = []
    for i, (label, base) in enumerate(_row_bases(name, spec, values, typed)):
        mine = by_row.pop(i, {})
        shown = []
        for key, sub in ordered(items):
            if key in keys:
                continue
            full, widget = f"{name}.{i}.{key}", _row_widget(sub)
            if typed is not None:
                value = typed.getlist(full) if widget in LIST_WIDGETS else typed.get(full, "")
            else:
                value = _as_input(widget, structured.percent_input(sub, base.get(key)))
            title = i18n.pick(sub.get("title") or key, sub.get("x-title-en"))
            shown.append(Field(
                name=full, label=title, widget=widget, required=key in required, value=value,
                options=_options(sub), errors=[f"{label} · {title}：{m}" for m in mine.pop(key, [])],
                attrs=_attrs(sub), hint=i18n.pick(sub.get("description"), sub.get("x-description-en")),
                ident=f"f-{name}-{i}-{key}"))
        fixed = [(f"{name}.{i}.{k}", "" if base.get(k) is None else str(base.get(k))) for k in keys]
        rows.append(Row(label, shown, fixed, [f"{label}：{m}" for ms in mine.values() for m in ms]))
    return rows, [m for row in by_row.values() for ms in row.values() for m in ms]


def fields(document: dict, values: dict, typed=None, errors: dict | None = None,
           choices: dict | None = None, shown_from: dict | None = None) -> tuple[list[Field], list[str]]:
    """The form's fields, filled from ``typed`` (a re-shown post) or else from ``values``.
    ``choices`` lists the values reference fields (org units, catalogue conditions) may take."""
    items = ordered(document)
    nested = frozenset(n for n, s in items if widget_of(s) == "rows" and not s.get("readOnly"))
    by_field, general = _field_errors(errors, {n for n, _ in items}, nested)
    required = set(document.get("required") or [])
    shown = []
    for name, spec in items:
        if (spec.get("readOnly") or spec.get("x-widget") == "hidden") and by_field.get(name):
            label = i18n.pick(spec.get("title") or name, spec.get("x-title-en"))  # no input to mark: said above
            general += [f"{label}：{m}" for m in by_field.pop(name)]
        if spec.get("readOnly") and values.get(name) in (None, "", [], {}):
            continue  # nothing to show (a first-time task has no rework reason)
        widget = widget_of(spec)
        options = _reference_options(spec, choices, name)
        if options is None and isinstance(spec.get("x-options-from"), dict):
            options = _options_from(spec["x-options-from"], values)
            if options is not None and kind_of(spec) != "array":
                widget, options = "select", [("", _("请选择")), *options]  # one of the records, by name
            widget = widget if options is not None else "lines"  # nothing to choose from: typed
        if spec.get("x-widget") in REFERENCE_WIDGETS and options is None:
            widget = "lines" if kind_of(spec) == "array" else "text"  # no list to pick from: type codes
        if typed is not None and not spec.get("readOnly"):
            value = typed.getlist(name) if widget in LIST_WIDGETS else (
                _typed_location(typed, name) if widget == "location" else typed.get(name, ""))
        else:
            value = _as_input(widget, structured.percent_input(spec, values.get(name)))
        shown.append(Field(
            name=name, label=i18n.pick(spec.get("title") or name, spec.get("x-title-en")) + (
                "（%）" if structured.is_percent(spec) and not spec.get("readOnly") else ""), widget=widget,
            required=name in required and not spec.get("readOnly"), readonly=bool(spec.get("readOnly")),
            value=value, display=display(spec, (shown_from or {}).get(name, values.get(name)), name),
            options=options if options is not None else _options(spec),
            errors=by_field.get(name, []), attrs=_attrs(spec),
            hint=i18n.pick(spec.get("description"), spec.get("x-description-en")), source=spec.get("x-widget"),
        ))
        if name in nested:
            shown[-1].rows, left = _rows(name, spec, values, typed, errors)
            shown[-1].errors += [m for m in left if m not in shown[-1].errors]
    return shown, general


# --- posts back into data ----------------------------------------------------------------------

def _number(spec: dict, text: str):
    try:
        if kind_of(spec) == "integer":
            return int(text)
        return float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        return text  # left as typed: the schema reports it


def _enum_value(spec: dict, text: str):
    for candidate in spec.get("enum") or []:
        if str(candidate) == text:
            return candidate
    return text


def _datetime(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_tz())
    return moment.isoformat()


def _json(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return text


def _scalar(spec: dict, widget: str, text: str):
    if widget == "boolean":
        return {"true": True, "false": False}.get(text, text)
    if "enum" in spec:
        return _enum_value(spec, text)
    if widget == "number":
        return structured.percent_stored(spec, _number(spec, text))
    if widget == "datetime":
        return _datetime(text)
    return _json(text) if widget == "json" else text


def _list(spec: dict, widget: str, form, name: str) -> list:
    # Checkboxes send one value each; a lines box sends one text with a value per line.
    raw = [piece.strip() for value in form.getlist(name) for piece in (value or "").splitlines()]
    items = spec.get("items") if isinstance(spec.get("items"), dict) else {}
    return [_enum_value(items, v) if "enum" in items else v for v in raw if v]


def parse(document: dict, form) -> dict:
    """The data a form post submits: empty inputs are left out (so 'required' can say so),
    read-only fields are never sent, values are typed by the schema."""
    data = {}
    for name, spec in ordered(document):
        if spec.get("readOnly"):
            continue
        widget = widget_of(spec)
        if widget == "rows":
            posted = _posted_rows(name, spec, form)
            if posted is not None:
                data[name] = [row for _index, row in posted]
            continue
        if kind_of(spec) == "array":
            values = _list(spec, widget, form, name)
            if values or name in form:
                data[name] = values
            continue
        if widget == "location":
            place = location(form, name)
            if place:
                data[name] = place
            continue
        text = form.get(name, "")
        if text.strip():
            data[name] = _scalar(spec, widget, text)
    return data


def _posted_indices(name: str, form) -> list[int]:
    found = set()
    for key in form.keys() if form is not None else []:
        parts = str(key).split(".")
        if len(parts) == 3 and parts[0] == name and parts[1].isdigit() and len(parts[1]) <= 3:
            found.add(int(parts[1]))
    return sorted(found)[:ROWS_MAX]


def _posted_rows(name: str, spec: dict, form) -> list[tuple[int, dict]] | None:
    """A list of records' post (``name.<row>.<key>``) as (shown row, record); a row left blank is
    not sent; None when the form sent no row at all."""
    indices = _posted_indices(name, form)
    if not indices:
        return None
    items = _records(spec) or {}
    found = []
    for index in indices:
        row = {}
        for key, sub in ordered(items):
            full, widget = f"{name}.{index}.{key}", _row_widget(sub)
            if kind_of(sub) == "array":
                values = _list(sub, widget, form, full)
                if values:
                    row[key] = values
            elif (form.get(full) or "").strip():
                row[key] = _scalar(sub, widget, form.get(full))
        if row:
            found.append((index, row))
    return found


COORDINATES = re.compile(r"^\s*(-?\d{1,3}(?:\.\d+)?)\s*[,，\s]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


def _typed_location(form, name: str) -> dict:
    return {part: form.get(f"{name}.{part}", "") for part in ("lat", "lng", "accuracy")} | {"text": form.get(name, "")}


def location(form, name: str) -> dict | None:
    """A location widget's post: the phone's position (``name.lat``, ``name.lng``, ``name.accuracy``,
    filled by GPS or the map pin) and what was typed (``name``): plain coordinates such as
    '30.274, 120.155' become the position; any other text is kept as the place's description."""
    text = (form.get(name) or "").strip()
    lat, lng = (form.get(f"{name}.lat") or "").strip(), (form.get(f"{name}.lng") or "").strip()
    typed = COORDINATES.match(text)
    if typed and not (lat and lng):
        lat, lng, text = typed.group(1), typed.group(2), ""
    place: dict = {}
    if lat and lng:
        place["lat"], place["lng"] = _number({"type": "number"}, lat), _number({"type": "number"}, lng)
        accuracy = (form.get(f"{name}.accuracy") or "").strip()
        if accuracy:
            place["accuracy"] = _number({"type": "number"}, accuracy)
    if text:
        place["text"] = text
    return place or None
