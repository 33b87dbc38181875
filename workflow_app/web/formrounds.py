"""A step that comes round again in a case (核查 after a rework, 镇街研判 after a return) starts
empty of what its earlier round answered: each such field shows that answer as a short read-only
hint (上一轮：否) instead of a value to resubmit. What other steps gave still shows, and a form
keeps a field's earlier answer with ``"x-keep-previous": true``."""

from ..cases import rounds
from . import formrender

KEEP = "x-keep-previous"


def _cleared(spec: dict) -> bool:
    """Whether a field starts empty when its step comes round again."""
    return not spec.get("readOnly") and spec.get("x-widget") != "hidden" and not spec.get(KEEP)


def earlier(task, form: dict | None) -> dict:
    """{field: earlier round's answer} of the editable fields of an open ``task``'s form."""
    if not form or task is None or not task.is_open:
        return {}
    properties = {k: v for k, v in (form["schema"].get("properties") or {}).items() if isinstance(v, dict)}
    wanted = {k for k, spec in properties.items() if _cleared(spec)}
    values = form.get("values") or {}
    if not wanted & set(values):
        return {}
    return {k: v for k, v in rounds.earlier_answers(task, values).items() if k in wanted}


def without_earlier(form: dict, answers: dict) -> dict:
    """The form's values without the earlier round's answers."""
    return {k: v for k, v in (form.get("values") or {}).items() if k not in answers}


def hint(fields: list, form: dict, answers: dict) -> list:
    """Each cleared field with its earlier answer to read (photos as thumbnails, names not codes)."""
    properties = form["schema"].get("properties") or {}
    for shown in fields:
        if shown.name in answers and answers[shown.name] not in (None, "", [], {}):
            shown.previous = formrender.display(properties.get(shown.name) or {}, answers[shown.name], shown.name)
    return fields
