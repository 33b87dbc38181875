"""Sample data for a test run's tasks, from each task's JSON-schema form: what the case already
holds, else the schema's default, example, constant or first choice, else a value of the right
type that satisfies the field's bounds (a first catalogue condition or org unit for reference
fields). The designer edits it before playing the task."""

from datetime import date

from .. import clock, taskforms
from ..org import tree

MAX_DEPTH = 6


def _text(spec: dict) -> str:
    fmt = spec.get("format")
    if fmt == "date":
        return date.fromisoformat(clock.now().date().isoformat()).isoformat()
    if fmt == "date-time":
        return clock.now().isoformat()
    if fmt == "email":
        return "test@example.org"
    text = "测试运行示例"
    low, high = int(spec.get("minLength") or 0), spec.get("maxLength")
    while len(text) < low:
        text += "示例"
    return text[:high] if isinstance(high, int) and high > 0 else text


def _value(spec: dict, depth: int = 0):  # noqa: C901 - one branch per JSON-schema type
    if not isinstance(spec, dict) or depth > MAX_DEPTH:
        return None
    for key in ("default", "const"):
        if key in spec:
            return spec[key]
    if spec.get("examples"):
        return spec["examples"][0]
    if spec.get("enum"):
        return spec["enum"][0]
    for key in ("oneOf", "anyOf"):
        if spec.get(key):
            return _value(spec[key][0], depth + 1)
    kind = spec.get("type")
    kind = next((k for k in kind if k != "null"), None) if isinstance(kind, list) else kind
    if kind == "string":
        return _text(spec)
    if kind in ("integer", "number"):
        low = spec.get("minimum", spec.get("exclusiveMinimum", 0))
        value = max(low, 1) if isinstance(low, int | float) else 1
        return int(value) if kind == "integer" else float(value)
    if kind == "boolean":
        return True
    if kind == "array":
        item = _value(spec.get("items") or {}, depth + 1)
        return [item] * int(spec.get("minItems") or (1 if item is not None else 0))
    if kind == "object":
        return _object(spec, depth + 1)
    return None


def _object(schema: dict, depth: int = 0, choices: dict | None = None) -> dict:
    properties = schema.get("properties") or {}
    result = {}
    for name in schema.get("required") or []:
        spec = properties.get(name) or {}
        if not isinstance(spec, dict) or spec.get("readOnly"):
            continue
        if choices and choices.get(name):
            first = choices[name][0][0]
            result[name] = [first] if spec.get("type") == "array" else first
            continue
        value = _value(spec, depth)
        if value is not None:
            result[name] = value
    return result


def for_form(document: dict | None, data: dict, unit_code: str | None = None) -> dict:
    """Data that would pass ``document`` for a task whose case holds ``data``."""
    if not document:
        return {}
    unit = tree.by_code(unit_code) if unit_code else None
    sample = _object(document, choices=taskforms.reference_choices(document, unit))
    current = taskforms.values(document, data)
    properties = document.get("properties") or {}
    sample.update({k: v for k, v in current.items()
                   if not (properties.get(k) or {}).get("readOnly") and v not in (None, "")})
    return sample
