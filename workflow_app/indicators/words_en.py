"""Each indicator's formula in English words (the definitions' ``name_en``, else the name), as the
definitions page, the explanations and the scorecard show it in English."""

import io
import tokenize

from . import document as doc

FACT_WORDS_EN = {
    "filed": "filed", "rework": "rework", "returned": "returned", "late_report_in": "late report-in",
    "self_handled": "self-handled", "extended": "extension granted", "extension_requested": "extension requested",
    "paused": "suspended", "resumed": "clock resumed", "completed_on_time": "done on time",
    "completed_late": "done late", "satisfaction": "callback verdict", "reopened": "reopened",
    "supervised": "closed after supervision", "escalated": "escalated to the town", "whistled": "whistle",
    "sla_red": "overdue", "sla_yellow": "warning", "urged": "urged", "not_accepted": "not accepted",
    "closed_on_time": "closed on time", "closed_late": "closed late", "callback": "third-party callback",
    "callback_solved": "callback: solved", "callback_mismatch": "callback mismatch", "rating": "reverse rating",
    "rating_given": "rating given", "rating_expired": "rating expired",
    "rated_satisfaction": "residents' verdict on a case handled", "survey_score": "social survey",
}
CASE_WORDS_EN = {
    "filed": "cases filed this period", "due": "cases due this period", "closed": "cases closed this period",
    "closed_on_time": "cases closed on time this period", "closed_late": "cases closed late this period",
    "open": "cases still open at the end", "overdue_open": "cases still open and overdue at the end",
}
OPERATORS = {"*": " × ", "/": " ÷ ", "-": " − ", "+": " + ", "(": "(", ")": ")", ",": ", "}


def _name(by_id: dict, ref: str) -> str:
    found = by_id.get(ref) or {}
    return found.get("name_en") or found.get("name") or ref


def _names(by_id: dict, refs) -> str:
    refs = refs if isinstance(refs, list) else [refs]
    words = [_name(by_id, r) for r in refs]
    return words[0] if len(words) == 1 else "(" + " + ".join(words) + ")"


def _list(value) -> str:
    return ", ".join(value) if isinstance(value, list) else str(value)


def formula_words(expression: str, by_id: dict) -> str:
    out = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(expression).readline))
    except (tokenize.TokenError, SyntaxError):
        return expression
    for token in tokens:
        if token.type == tokenize.NAME:
            out.append("ratio" if token.string == "ratio" else _name(by_id, token.string))
        elif token.type in (tokenize.OP, tokenize.NUMBER):
            out.append(OPERATORS.get(token.string, token.string))
    return "".join(out).strip()


def count_words(item: dict, by_id: dict) -> str:
    if "cases" in item:
        return CASE_WORDS_EN.get(item["cases"], item["cases"])
    if "facts" in item:
        kinds = item["facts"] if isinstance(item["facts"], list) else [item["facts"]]
        what = ", ".join(f"“{FACT_WORDS_EN.get(k, k)}”" for k in kinds)
        filters = [f"{label} {_list(item[key])}" for key, label in (("stage", "at stage"), ("role", "by role"),
                                                                    ("verdict", "with verdict")) if item.get(key)]
        measure = "sum of the points of" if item.get("measure") == "sum" else "number of"
        once = " (once per case)" if item.get("distinct") else ""
        return f"{measure} {what} facts this period" + (f", {', '.join(filters)}" if filters else "") + once
    if "tasks" in item:
        stages = f" at stage {_list(item['stage'])}" if item.get("stage") else ""
        return f"tasks still open and overdue at the end{stages}"
    if "sum" in item:
        text = " + ".join(_name(by_id, r) for r in item["sum"])
        for ref in item.get("minus") or []:
            text += f" − {_name(by_id, ref)}"
        return text
    return ""


def composite_words(item: dict, by_id: dict) -> str:
    terms = []
    for term in item.get("terms") or []:
        name = _name(by_id, term["indicator"])
        if term.get("invert"):
            name = f"(1 − {name})" if (by_id.get(term["indicator"]) or {}).get("kind") == "rate" else f"(100 − {name})"
        terms.append(f"{name} × {term['weight']:g}%")
    missing = "terms without data are left out and the rest reweighted" if item.get("missing", "skip") == "skip" \
        else "terms without data count 0"
    return f"{' + '.join(terms)} (rates as percentages; {missing})"


def words(item: dict, by_id: dict) -> str:
    """``name = …`` in English words."""
    name = item.get("name_en") or item.get("name") or item["id"]
    if isinstance(item.get("formula"), str):
        return f"{name} = {formula_words(item['formula'], by_id)}"
    kind = item["kind"]
    if kind == "count":
        return f"{name} = {count_words(item, by_id)}"
    if kind == "rate":
        return f"{name} = {_names(by_id, item['numerator'])} ÷ {_names(by_id, item['denominator'])}"
    if kind == "score":
        bands = ", ".join(f"≥{b[0]:g}: {b[1]:g} points" for b in item["bands"])
        return f"{name} = banded by “{_name(by_id, item['of'])}”: {bands}, else {item.get('else', 0):g} points"
    return f"{name} = {composite_words(item, by_id)}"


def all_words(document: dict) -> dict[str, str]:
    items = [i for i in document.get("indicators") or [] if isinstance(i, dict) and "id" in i]
    by_id = {i["id"]: {**i, "name": doc.name_of(i)} for i in items}
    return {i["id"]: words(by_id[i["id"]], by_id) for i in items}
