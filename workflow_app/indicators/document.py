"""The indicator definitions document (``processes/indicators/indicators.json``): reading it,
checking it, and laying a locality's overlay over it.

Kinds of indicator (each has ``id``, ``name``, optional ``name_en``, ``description``, ``levels``):

- ``count``: one of ``cases`` (a ledger measure: filed, due, closed, closed_on_time,
  closed_late; or a stock at the period's end: open, overdue_open), ``facts`` (fact kinds, with
  optional ``stage``, ``role``, ``verdict``, ``distinct``: once per case, ``measure``: count or
  sum of scores), ``tasks`` (``overdue_open``: tasks open and overdue at the end, by ``stage``/
  ``role``), ``sum`` (other counts, less ``minus``) or ``formula`` (a sandboxed expression);
- ``rate``: ``numerator`` ÷ ``denominator`` (an id or a list of ids summed), a fraction 0–1;
- ``score``: bands over another indicator: ``of``, ``bands`` [[at least, points], …], ``else``;
- ``composite``: ``terms`` [{indicator, weight, invert}] (rates count as percentages) or a
  ``formula``, for a ``subject`` (``levels``, and ``roles`` for people), graded by ``grades``.

Formulas are Python expressions evaluated by the engine's sandbox (never in the platform
process) over the values of the indicators they name; ``ratio(a, b)`` divides safely.
"""

import ast
import contextvars
import hashlib
import json
import keyword

from ..errors import InvalidInput
from . import atoms

KINDS = ("count", "rate", "score", "composite")
LEVELS = ("county", "town", "community", "grid", "department", "person")
FORMULA_FUNCTIONS = ("ratio", "min", "max", "round", "abs")
RESERVED = frozenset({*FORMULA_FUNCTIONS, "sum", "len", "int", "float", "None", "True", "False", "rows"})
MAX_BYTES = 512 * 1024
MAX_INDICATORS = 300
MAX_FORMULA = 500
OVERLAY_KEYS = ("title", "title_en", "grades", "indicators", "bulletin", "pages", "comment")
BASE_KEYS = (*OVERLAY_KEYS, "ledger", "verdicts")
DEFAULT_GRADES = [{"grade": "A", "min": 90}, {"grade": "B", "min": 75}, {"grade": "C", "min": 60},
                  {"grade": "D", "min": 40}, {"grade": "E", "min": None}]
DEFAULT_LEDGER = {"opened_by": ["filed"], "closed_by": ["closed_on_time", "closed_late", "supervised"],
                  "on_time": ["closed_on_time"], "late": ["closed_late"], "due_from": "case_due",
                  "category_from": ["standard.subcategory", "category"], "processes": None,
                  "distinct": ["rework", "extended", "paused"], "not_credited": []}
COUNT_SOURCES = ("cases", "facts", "tasks", "sum", "formula")
document_in_check: contextvars.ContextVar[dict] = contextvars.ContextVar("indicator_document_in_check")


def load(content: bytes | str) -> dict:
    """Parse a definitions file; InvalidInput when it is not a JSON object."""
    raw = content.encode() if isinstance(content, str) else content
    if len(raw) > MAX_BYTES:
        raise InvalidInput("the definitions file is too large", {"file": [f"at most {MAX_BYTES} bytes"]})
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(f"the definitions are not JSON: {error}", {"file": [str(error)]}) from error
    if not isinstance(document, dict):
        raise InvalidInput("the definitions must be a JSON object", {"file": ["expected an object"]})
    return document


def digest(document: dict) -> str:
    """The content hash of a document (key order and spacing do not matter)."""
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def ledger_rules(document: dict) -> dict:
    return {**DEFAULT_LEDGER, **(document.get("ledger") or {})}


def rules_digest(document: dict) -> str:
    return digest(ledger_rules(document))


def merge(base: dict, overlay: dict | None) -> dict:
    """``overlay`` laid over ``base``: its indicators replace fields of those with the same id (or
    are added), its other keys replace the base's."""
    if not overlay:
        return base
    merged = {**base, **{k: v for k, v in overlay.items() if k != "indicators"}}
    indicators = [dict(item) for item in base.get("indicators") or []]
    index = {item.get("id"): item for item in indicators}
    for item in overlay.get("indicators") or []:
        if isinstance(item, dict) and item.get("id") in index:
            index[item["id"]].update(item)
        else:
            indicators.append(item)
    merged["indicators"] = indicators
    return merged


class Problems:
    def __init__(self):
        self.items: dict[str, list[str]] = {}

    def add(self, where: str, message: str) -> None:
        self.items.setdefault(where, []).append(message)

    def raise_any(self, what: str) -> None:
        if self.items:
            count = sum(len(v) for v in self.items.values())
            raise InvalidInput(f"the {what} have {count} problem(s)", self.items)


def overlay_of(overlay: dict, base: dict) -> dict:
    """A locality's file as an overlay: keys only the platform may set (the ledger rules, the verdict
    rules) may appear if they say what the platform's say (a full copy of the file is fine)."""
    same = {k for k in overlay if k in BASE_KEYS and k not in OVERLAY_KEYS and overlay[k] == base.get(k)}
    return {k: v for k, v in overlay.items() if k not in same}


def check_overlay(overlay: dict) -> None:
    problems = Problems()
    for key in overlay:
        if key not in OVERLAY_KEYS:
            problems.add(key, f"a locality may change only {', '.join(OVERLAY_KEYS)} (the ledger and verdict rules "
                              "are the platform's)")
    if not isinstance(overlay.get("indicators", []), list):
        problems.add("indicators", "must be a list")
    for number, item in enumerate(overlay.get("indicators") or []):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            problems.add(f"indicators[{number}]", "each entry needs an id")
    problems.raise_any("locality's definitions")


def check(document: dict) -> list[str]:
    """Check a whole (merged) document; returns the formulas to try in the sandbox. Raises
    InvalidInput listing every problem by where it is."""
    problems = Problems()
    for key in document:
        if key not in BASE_KEYS:
            problems.add(key, f"unknown key (known: {', '.join(BASE_KEYS)})")
    _check_grades(document.get("grades", DEFAULT_GRADES), "grades", problems)
    _check_ledger(document.get("ledger") or {}, problems)
    _check_verdicts(document.get("verdicts") or [], problems)
    items = document.get("indicators")
    if not isinstance(items, list) or not items:
        problems.add("indicators", "a non-empty list of indicators is required")
        problems.raise_any("definitions")
    if len(items) > MAX_INDICATORS:
        problems.add("indicators", f"at most {MAX_INDICATORS} indicators")
    kinds = _kinds_by_id(items, problems)
    _check_bulletin(document.get("bulletin") or {}, kinds, problems)
    _check_bulletin(document.get("pages") or {}, kinds, problems, "pages", PAGES_KEYS)
    formulas = []
    token = document_in_check.set(document)
    try:
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                formulas += _check_item(item, kinds, problems)
    finally:
        document_in_check.reset(token)
    if not problems.items:
        order(items, problems)
    problems.raise_any("definitions")
    return formulas


def _kinds_by_id(items, problems) -> dict:
    kinds = {}
    for number, item in enumerate(items):
        where = f"indicators[{number}]"
        if not isinstance(item, dict):
            problems.add(where, "must be an object")
            continue
        ident = item.get("id")
        if not valid_id(ident):
            problems.add(where, "id must be a name a formula can use (letters, 汉字, digits, _; at most 48; "
                                "not starting with _ or a digit)")
            continue
        if ident in kinds:
            problems.add(ident, "the id is used twice")
        kind = item.get("kind")
        if kind not in KINDS:
            problems.add(ident, f"kind must be one of {', '.join(KINDS)}")
        name = item.get("name", ident)
        if not isinstance(name, str) or not 0 < len(name) <= 40:
            problems.add(ident, "name: at most 40 characters (the id when left out)")
        kinds[ident] = kind
    return kinds


def valid_id(ident) -> bool:
    return (isinstance(ident, str) and 0 < len(ident) <= 48 and ident.isidentifier() and not ident.startswith("_")
            and not keyword.iskeyword(ident) and ident not in RESERVED)


def name_of(item: dict) -> str:
    return item.get("name") or item["id"]


def _check_grades(grades, where, problems) -> None:
    if not isinstance(grades, list) or not grades:
        problems.add(where, "grades are a list of {grade, min}, highest first")
        return
    last = None
    for band in grades:
        if not isinstance(band, dict) or not isinstance(band.get("grade"), str) or len(band["grade"]) > 8:
            problems.add(where, "each grade is {grade: text, min: number or null}")
            continue
        low = band.get("min")
        if low is not None and not _number(low):
            problems.add(where, f"grade {band['grade']}: min must be a number or null")
        elif low is not None and last is not None and low >= last:
            problems.add(where, "grades must be listed from the highest minimum down")
        last = low if low is not None else last


def _check_ledger(ledger, problems) -> None:
    if not isinstance(ledger, dict):
        problems.add("ledger", "must be an object")
        return
    for key, value in ledger.items():
        if key not in atoms_keys():
            problems.add("ledger", f"unknown key {key!r}")
        elif key == "due_from" and not (isinstance(value, str) and 0 < len(value) <= 64):
            problems.add("ledger.due_from", "the data key holding a case's due time")
        elif key in ("opened_by", "closed_by", "on_time", "late", "category_from", "distinct") and not _texts(value):
            problems.add(f"ledger.{key}", "a list of names")
        elif key == "processes" and value is not None and not _texts(value):
            problems.add("ledger.processes", "null (every process) or a list of process keys")
        elif key == "not_credited" and not _credit_rules(value):
            problems.add("ledger.not_credited", "a list of {fact, unless_at: [fact kinds], case_from: a detail "
                                                "key naming the case (optional)}: facts not counted for a unit "
                                                "that recorded one of those kinds on the case")


def _credit_rules(value) -> bool:
    return isinstance(value, list) and all(
        isinstance(r, dict) and isinstance(r.get("fact"), str) and _texts(r.get("unless_at"))
        and (r.get("case_from") is None or isinstance(r["case_from"], str)) and set(r) <= {"fact", "unless_at",
                                                                                           "case_from", "comment"}
        for r in value)


BULLETIN_KEYS = ("headline", "trend", "area_columns", "department_columns")
PAGES_KEYS = ("area_columns", "department_columns", "person_columns")  # the 考核评价 tables' default columns


def _check_bulletin(bulletin, kinds, problems, section: str = "bulletin", known=BULLETIN_KEYS) -> None:
    if not isinstance(bulletin, dict):
        problems.add(section, "must be an object")
        return
    for key, value in bulletin.items():
        if key not in known:
            problems.add(section, f"unknown key {key!r} (known: {', '.join(known)})")
        elif not _texts(value) or any(v not in kinds for v in value):
            problems.add(f"{section}.{key}", "a list of indicator ids")


def atoms_keys() -> tuple[str, ...]:
    return tuple(DEFAULT_LEDGER)


def _check_verdicts(verdicts, problems) -> None:
    if not isinstance(verdicts, list):
        problems.add("verdicts", "must be a list")
        return
    for number, item in enumerate(verdicts):
        ok = isinstance(item, dict) and all(isinstance(item.get(k), str) and item.get(k) for k in
                                             ("stage", "field", "fact"))
        if not ok:
            problems.add(f"verdicts[{number}]", "each needs stage, field and fact (texts)")


def _texts(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and 0 < len(v) <= 64 for v in value)


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 1e12


def _refs(value) -> list:
    return value if isinstance(value, list) else [value]


def _need(ident, field, refs, kinds, allowed, problems) -> None:
    refs = _refs(refs)
    if not refs or not all(isinstance(r, str) for r in refs):
        problems.add(ident, f"{field} names indicators by id")
        return
    for ref in refs:
        if ref not in kinds:
            problems.add(ident, f"{field}: no indicator {ref!r}")
        elif kinds[ref] not in allowed:
            problems.add(ident, f"{field}: {ref!r} is a {kinds[ref]}, expected {' or '.join(allowed)}")


def _check_item(item: dict, kinds: dict, problems: Problems) -> list[str]:
    ident, kind = item["id"], item.get("kind")
    levels = item.get("levels")
    if levels is not None and not (isinstance(levels, list) and set(levels) <= set(LEVELS)):
        problems.add(ident, f"levels must be a list of {', '.join(LEVELS)}")
    if isinstance(item.get("formula"), str):
        return [_check_formula(ident, item["formula"], kinds, problems)]
    if kind == "count":
        _check_count(ident, item, kinds, problems)
    elif kind == "rate":
        _need(ident, "numerator", item.get("numerator"), kinds, ("count",), problems)
        _need(ident, "denominator", item.get("denominator"), kinds, ("count",), problems)
    elif kind == "score":
        _check_score(ident, item, kinds, problems)
    elif kind == "composite":
        _check_composite(ident, item, kinds, problems)
    return []


def _check_count(ident, item, kinds, problems) -> None:
    sources = [key for key in COUNT_SOURCES if key in item]
    if len(sources) != 1:
        problems.add(ident, f"a count takes exactly one of {', '.join(COUNT_SOURCES)}")
        return
    source = sources[0]
    if source == "cases" and item["cases"] not in (*atoms.CASE_FLOWS, *atoms.CASE_STOCKS):
        problems.add(ident, f"cases: one of {', '.join((*atoms.CASE_FLOWS, *atoms.CASE_STOCKS))}")
    elif source == "facts" and not (isinstance(item["facts"], str) or _texts(item["facts"])):
        problems.add(ident, "facts: a fact kind or a list of kinds")
    elif source == "tasks" and item["tasks"] != "overdue_open":
        problems.add(ident, "tasks: overdue_open")
    elif source == "sum":
        _need(ident, "sum", item["sum"], kinds, ("count",), problems)
        if "minus" in item:
            _need(ident, "minus", item["minus"], kinds, ("count",), problems)
    for key in ("stage", "role", "verdict"):
        value = item.get(key)
        if value is not None and not (isinstance(value, str) or _texts(value)):
            problems.add(ident, f"{key}: a text or a list of texts")
    if item.get("measure", "count") not in ("count", "sum"):
        problems.add(ident, "measure: count or sum")
    if item.get("distinct") and source == "facts":
        counted = set(ledger_rules(document_in_check.get()).get("distinct") or [])
        missing = sorted(set(_refs(item["facts"])) - counted)
        if missing:
            problems.add(ident, f"distinct: add {', '.join(missing)} to ledger.distinct (the kinds counted once per "
                                "case)")


def _check_score(ident, item, kinds, problems) -> None:
    _need(ident, "of", item.get("of"), kinds, ("count", "rate", "score"), problems)
    bands = item.get("bands")
    valid = isinstance(bands, list) and bands and all(
        isinstance(b, list) and len(b) == 2 and _number(b[0]) and _number(b[1]) for b in bands)
    if not valid:
        problems.add(ident, "bands: [[at least, points], …], highest first")
    elif any(bands[i][0] <= bands[i + 1][0] for i in range(len(bands) - 1)):
        problems.add(ident, "bands must be listed from the highest threshold down")
    if "else" in item and not _number(item["else"]):
        problems.add(ident, "else: the points below every band")


def _check_composite(ident, item, kinds, problems) -> None:
    subject = item.get("subject")
    if not isinstance(subject, dict) or not isinstance(subject.get("levels"), list) or \
            not set(subject["levels"]) <= set(LEVELS) or not subject["levels"]:
        problems.add(ident, f"subject: {{levels: [{', '.join(LEVELS)}], roles: [...]}}")
    elif "person" in subject["levels"] and not _texts(subject.get("roles") or []):
        problems.add(ident, "subject.roles: the roles whose people it scores")
    terms = item.get("terms")
    if not isinstance(terms, list) or not terms:
        problems.add(ident, "terms: [{indicator, weight, invert}], or a formula")
        return
    for term in terms:
        if not isinstance(term, dict) or not _number(term.get("weight")) or term["weight"] < 0:
            problems.add(ident, "each term needs an indicator and a weight of 0 or more")
            continue
        _need(ident, "terms", term.get("indicator"), kinds, ("rate", "score", "count"), problems)
    if "grades" in item:
        _check_grades(item["grades"], f"{ident}.grades", problems)
    if item.get("missing", "skip") not in ("skip", "zero"):
        problems.add(ident, "missing: skip (weigh the terms that have a value) or zero")
    if "min_count" in item:
        least = item["min_count"]
        if not isinstance(least, dict) or not _number(least.get("at_least")) or least["at_least"] < 0:
            problems.add(f"{ident}.min_count", "{count: a count's id, at_least: a number}: the sample below "
                                               "which the composite is not scored (样本不足)")
        else:
            _need(ident, "min_count", least.get("count"), kinds, ("count",), problems)


def formula_names(expression: str) -> set[str]:
    """The names an expression reads (parsed, never run here)."""
    tree = ast.parse(expression, mode="eval")
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def _check_formula(ident, expression, kinds, problems) -> str:
    if len(expression) > MAX_FORMULA:
        problems.add(ident, f"a formula has at most {MAX_FORMULA} characters")
        return expression
    try:
        names = formula_names(expression)
    except SyntaxError as error:
        problems.add(ident, f"formula: {error.msg}")
        return expression
    for name in sorted(names - set(FORMULA_FUNCTIONS)):
        if name not in kinds:
            problems.add(ident, f"formula: no indicator {name!r}")
        elif name == ident:
            problems.add(ident, "formula: an indicator cannot use itself")
    return expression


def dependencies(item: dict) -> set[str]:
    if isinstance(item.get("formula"), str):
        try:
            return formula_names(item["formula"]) - set(FORMULA_FUNCTIONS)
        except SyntaxError:
            return set()
    found: set[str] = set()
    for key in ("sum", "minus", "numerator", "denominator", "of"):
        if key in item:
            found |= {r for r in _refs(item[key]) if isinstance(r, str)}
    for term in item.get("terms") or []:
        if isinstance(term, dict) and isinstance(term.get("indicator"), str):
            found.add(term["indicator"])
    least = item.get("min_count")
    if isinstance(least, dict) and isinstance(least.get("count"), str):
        found.add(least["count"])
    return found


def sample_short(item: dict, values: dict) -> bool:
    """Whether a composite's sample (its ``min_count``) is too small to score: 样本不足."""
    least = item.get("min_count")
    if not isinstance(least, dict):
        return False
    return (values.get(least.get("count")) or 0) < least.get("at_least", 0)


def order(items: list[dict], problems: Problems | None = None) -> list[dict]:
    """The indicators in an order where each comes after those it uses; a cycle is a problem."""
    by_id = {item["id"]: item for item in items}
    done, visiting, ordered = set(), set(), []

    def visit(ident: str) -> None:
        if ident in done or ident not in by_id:
            return
        if ident in visiting:
            if problems is not None:
                problems.add(ident, "the indicators use each other in a circle")
            return
        visiting.add(ident)
        for dep in sorted(dependencies(by_id[ident])):
            visit(dep)
        visiting.discard(ident)
        done.add(ident)
        ordered.append(by_id[ident])

    for item in items:
        visit(item["id"])
    return ordered


def grades_of(document: dict, item: dict | None = None) -> list[dict]:
    return (item or {}).get("grades") or document.get("grades") or DEFAULT_GRADES


def grade(score: float | None, bands: list[dict]) -> str | None:
    if score is None:
        return None
    for band in bands:
        if band.get("min") is None or score >= band["min"]:
            return band["grade"]
    return None
