"""JSON-Schema task forms as HTML fields, and form posts back into data.

The convention is ``taskforms``': ``title`` (zh) and ``x-title-en``, ``x-enum-labels``
{value: {zh, en}}, ``x-widget`` (textarea, select, radio, date, datetime, photos…), ``readOnly``
and ``x-order``. Rendering never decides what is valid: the service validates and its per-field
errors are shown next to the fields, with what the person typed kept in place.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from .. import clock
from . import i18n
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


LIST_WIDGETS = ("photos", "checkboxes")


REFERENCE_WIDGETS = ("org_unit", "catalogue")


def kind_of(spec: dict) -> str | None:
    """The field's JSON type; a nullable one (``["number", "null"]``) is its non-null type."""
    kind = spec.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        return kinds[0] if len(kinds) == 1 and isinstance(kinds[0], str) else None
    return kind


def widget_of(spec: dict) -> str:
    kind, hint = kind_of(spec), spec.get("x-widget")
    if hint == "location" and kind == "object":
        return "location"
    if hint in REFERENCE_WIDGETS:
        return "checkboxes" if kind == "array" else "select"
    if kind == "boolean":
        return "boolean"
    if kind == "array":
        if hint == "photos":
            return "photos"
        return "checkboxes" if isinstance(spec.get("items"), dict) and "enum" in spec["items"] else "lines"
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


def ordered(document: dict) -> list[tuple[str, dict]]:
    properties = {k: v for k, v in (document.get("properties") or {}).items() if isinstance(v, dict)}
    order = [n for n in document.get("x-order", []) if n in properties]
    return [(n, properties[n]) for n in order + [n for n in properties if n not in order]]


def enum_label(spec: dict, value) -> str:
    labels = (spec.get("x-enum-labels") or (spec.get("items") or {}).get("x-enum-labels") or {}).get(str(value))
    if isinstance(labels, dict):
        return i18n.pick(labels.get("zh") or str(value), labels.get("en"))
    return str(value)


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
    """A filing condition by what it says ('道路路面：路面坑槽…'), not its code."""
    from ..catalogue import conditions
    from ..errors import DomainError

    try:
        standard = conditions.lookup(str(code))
    except DomainError:
        return str(code)
    return f"{standard.get('subcategory', '')}：{standard.get('condition', '')}"


def display(spec: dict, value) -> object:
    """A value as a person reads it (enum labels, 是/否, local times, names of units and conditions)."""
    if value is None or value == "":
        return ""
    if spec.get("x-widget") == "org_unit":
        return [unit_label(v) for v in value] if isinstance(value, list) else unit_label(value)
    if spec.get("x-widget") == "catalogue":
        return condition_label(value)
    widget = widget_of(spec)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return [enum_label(spec, v) for v in value] if widget == "checkboxes" else [str(v) for v in value]
    if "enum" in spec:
        return enum_label(spec, value)
    if widget == "datetime":
        return _local_input(value).replace("T", " ")
    if widget == "location":
        return location_text(value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _attrs(spec: dict) -> dict:
    names = {"minLength": "minlength", "maxLength": "maxlength", "minimum": "min", "maximum": "max"}
    attrs = {html: spec[key] for key, html in names.items() if key in spec}
    if kind_of(spec) == "number":
        attrs["step"] = "any"
    return attrs


def _field_errors(errors: dict | None, names: set[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Service errors by top-level field ('photos.0' belongs to 'photos'); the rest are form-wide."""
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for key, messages in (errors or {}).items():
        top = str(key).split(".")[0]
        target = by_field.setdefault(top, []) if top in names else general
        for message in messages if isinstance(messages, list) else [messages]:
            text = localise(str(message))
            if text not in target:
                target.append(text)
    return by_field, general


def _reference_options(spec: dict, choices: dict | None, name: str) -> list[tuple[str, str]] | None:
    if spec.get("x-widget") not in REFERENCE_WIDGETS or not choices or name not in choices:
        return None
    options = [(value, i18n.pick(zh, en)) for value, zh, en in choices[name]]
    return options if kind_of(spec) == "array" else [("", _("请选择")), *options]


def fields(document: dict, values: dict, typed=None, errors: dict | None = None,
           choices: dict | None = None) -> tuple[list[Field], list[str]]:
    """The form's fields, filled from ``typed`` (a re-shown post) or else from ``values``.
    ``choices`` lists the values reference fields (org units, catalogue conditions) may take."""
    items = ordered(document)
    by_field, general = _field_errors(errors, {n for n, _ in items})
    required = set(document.get("required") or [])
    shown = []
    for name, spec in items:
        if spec.get("readOnly") and values.get(name) in (None, "", [], {}):
            continue  # nothing to show (a first-time task has no rework reason)
        widget = widget_of(spec)
        options = _reference_options(spec, choices, name)
        if spec.get("x-widget") in REFERENCE_WIDGETS and options is None:
            widget = "lines" if kind_of(spec) == "array" else "text"  # no list to pick from: type codes
        if typed is not None and not spec.get("readOnly"):
            value = typed.getlist(name) if widget in LIST_WIDGETS else (
                _typed_location(typed, name) if widget == "location" else typed.get(name, ""))
        else:
            value = _as_input(widget, values.get(name))
        shown.append(Field(
            name=name, label=i18n.pick(spec.get("title") or name, spec.get("x-title-en")), widget=widget,
            required=name in required and not spec.get("readOnly"), readonly=bool(spec.get("readOnly")),
            value=value, display=display(spec, values.get(name)),
            options=options if options is not None else _options(spec),
            errors=by_field.get(name, []), attrs=_attrs(spec),
            hint=i18n.pick(spec.get("description"), spec.get("x-description-en")), source=spec.get("x-widget"),
        ))
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
        return _number(spec, text)
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
