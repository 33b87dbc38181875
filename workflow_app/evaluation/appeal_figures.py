"""The figures an appeal is about, as people read them: the indicators the county publishes (the
columns of its pages and bulletin, and every rate) rather than every internal count, and, for an
upheld appeal, the counts that feed the appealed figure (a rate's numerator and denominator, a
score's count, a composite's rates' counts), since only a count can be adjusted."""

from .. import clock
from ..indicators import versions
from ..org import tree

MAX_DEPTH = 3


def _document() -> dict:
    root = tree.root_unit()
    return versions.resolve(root, clock.now()).document if root is not None else {}


def _definitions(document: dict) -> dict[str, dict]:
    return {i["id"]: i for i in document.get("indicators") or []
            if isinstance(i, dict) and isinstance(i.get("id"), str)}


def published(document: dict | None = None) -> list[str]:
    """Ids of the published figures, in the order people meet them."""
    document = document if document is not None else _document()
    definitions = _definitions(document)
    chosen: list[str] = []
    for section in (document.get("pages") or {}, document.get("bulletin") or {}):
        for columns in section.values() if isinstance(section, dict) else ():
            chosen += [c for c in columns if isinstance(c, str)] if isinstance(columns, list) else []
    chosen += [i for i, d in definitions.items() if d.get("kind") in ("rate", "composite")]
    seen: set[str] = set()
    return [c for c in chosen if c in definitions and not (c in seen or seen.add(c))]


def feeding_counts(indicator: str, document: dict | None = None) -> list[str]:
    """The counts an adjustment of ``indicator`` may change (itself when it is a count)."""
    definitions = _definitions(document if document is not None else _document())
    found: list[str] = []

    def walk(ident, depth: int) -> None:
        if isinstance(ident, list):  # a sum of counts ((满意 + 基本满意) / 评价数)
            for each in ident:
                walk(each, depth)
            return
        definition = definitions.get(ident) if isinstance(ident, str) else None
        if definition is None or depth > MAX_DEPTH:
            return
        kind = definition.get("kind")
        if kind == "count":
            found.append(ident) if ident not in found else None
        elif kind == "rate":
            walk(definition.get("numerator"), depth + 1)
            walk(definition.get("denominator"), depth + 1)
        elif kind == "score":
            walk(definition.get("of"), depth + 1)
        elif kind == "composite":
            for term in definition.get("terms") or []:
                walk(term.get("indicator") if isinstance(term, dict) else None, depth + 1)

    walk(indicator, 0)
    return found


def count_choices(indicator) -> list[dict]:
    """``[{code, name}]`` of the counts feeding ``indicator``, for the review form to pick from."""
    if not isinstance(indicator, str):
        return []
    document = _document()
    definitions = _definitions(document)
    return [{"code": c, "name": c, "name_en": (definitions.get(c) or {}).get("name_en") or c}
            for c in feeding_counts(indicator, document)]
