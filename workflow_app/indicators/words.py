"""Each indicator's formula in Chinese words, as the definitions page and the explanations show it."""

import io
import tokenize

from . import document as doc

FACT_WORDS = {
    "filed": "立案", "rework": "返工", "returned": "回退", "late_report_in": "迟到报到", "self_handled": "自行处置",
    "extended": "延期获批", "extension_requested": "申请延期", "paused": "挂账", "resumed": "恢复计时",
    "completed_on_time": "按时办结", "completed_late": "超时办结", "satisfaction": "回访评价", "reopened": "重办",
    "supervised": "督办结案", "escalated": "上交镇街", "whistled": "吹哨", "sla_red": "超时", "sla_yellow": "预警",
    "urged": "催办", "not_accepted": "不予受理", "closed_on_time": "按期结案", "closed_late": "超期结案",
    "callback": "第三方回访", "callback_solved": "回访确认已解决", "callback_mismatch": "回访不符",
    "rating": "反向评价", "rating_given": "已作反向评价", "rating_expired": "反向评价超时",
    "rated_satisfaction": "经其处置案件的群众评价", "survey_score": "社会评价问卷",
}
CASE_WORDS = {
    "filed": "本期立案的案件", "due": "处置时限落在本期的案件", "closed": "本期结案的案件",
    "closed_on_time": "本期按期结案的案件", "closed_late": "本期超期结案的案件",
    "open": "期末仍在办理的案件", "overdue_open": "期末仍未结案且已超期的案件",
}
ATOM_CASE_WORDS = {
    "filed": "立案", "due": "应结案", "closed": "结案", "closed_on_time": "按期结案", "closed_late": "超期结案",
    "open": "在办案件", "overdue": "超期未结案件",
}
OPERATORS = {"*": " × ", "/": " ÷ ", "-": " − ", "+": " ＋ ", "(": "（", ")": "）", ",": "，"}


def atom_words(atom: str) -> str:
    """What a rolled-up count is, in words (``c|closed`` reads 结案; ``f|rework|核查`` 返工（核查）)."""
    parts = (atom or "").split("|")
    source, kind = parts[0], parts[1] if len(parts) > 1 else ""
    if source == "c":
        return ATOM_CASE_WORDS.get(kind, kind)
    details = [p for p in parts[2:] if p]
    if source == "t":
        base = "超时未办结任务"
        details = parts[2:3] if len(parts) > 2 and parts[2] else []
    else:
        base = FACT_WORDS.get(kind, kind) + ("（每案一次）" if source == "f1" else "")
    return base + (f"（{'，'.join(details)}）" if details else "")


def _list(value) -> str:
    return "、".join(value) if isinstance(value, list) else str(value)


def _names(by_id: dict, refs) -> str:
    refs = refs if isinstance(refs, list) else [refs]
    words = [by_id.get(r, {}).get("name") or r for r in refs]
    return words[0] if len(words) == 1 else "（" + " ＋ ".join(words) + "）"


def formula_words(expression: str, by_id: dict) -> str:
    """A formula with indicator names and Chinese operators (``ratio(a, b)`` reads a ÷ b)."""
    out = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(expression).readline))
    except (tokenize.TokenError, SyntaxError):
        return expression
    for token in tokens:
        if token.type == tokenize.NAME:
            out.append("比值" if token.string == "ratio" else (by_id.get(token.string, {}).get("name") or token.string))
        elif token.type == tokenize.OP:
            out.append(OPERATORS.get(token.string, token.string))
        elif token.type == tokenize.NUMBER:
            out.append(token.string)
    return "".join(out).strip()


def _filters(item: dict) -> str:
    parts = []
    if item.get("stage"):
        parts.append(f"环节为「{_list(item['stage'])}」")
    if item.get("role"):
        parts.append(f"角色为 {_list(item['role'])}")
    if item.get("verdict"):
        parts.append(f"评价为「{_list(item['verdict'])}」")
    return ("，" + "，".join(parts)) if parts else ""


def count_words(item: dict, by_id: dict) -> str:
    if "cases" in item:
        return CASE_WORDS.get(item["cases"], item["cases"])
    if "facts" in item:
        kinds = item["facts"] if isinstance(item["facts"], list) else [item["facts"]]
        what = "、".join(f"「{FACT_WORDS.get(k, k)}」" for k in kinds)
        how = "（每案计一次）" if item.get("distinct") else ""
        measure = "的得分之和" if item.get("measure") == "sum" else "的次数"
        return f"本期记录的{what}事实{_filters(item)}{measure}{how}"
    if "tasks" in item:
        return f"期末仍未办结且已超时的任务{_filters(item)}"
    if "sum" in item:
        text = " ＋ ".join(by_id.get(r, {}).get("name") or r for r in item["sum"])
        for ref in item.get("minus") or []:
            text += f" − {by_id.get(ref, {}).get('name') or ref}"
        return text
    return ""


def composite_words(item: dict, by_id: dict) -> str:
    terms = []
    for term in item.get("terms") or []:
        name = by_id.get(term["indicator"], {}).get("name") or term["indicator"]
        kind = by_id.get(term["indicator"], {}).get("kind")
        if term.get("invert"):
            name = f"（1 − {name}）" if kind == "rate" else f"（100 − {name}）"
        terms.append(f"{name} × {term['weight']:g}%")
    text = " ＋ ".join(terms)
    missing = "；没有数据的项不计，其余按权重折算" if item.get("missing", "skip") == "skip" else "；没有数据的项计 0 分"
    return f"{text}（比率按百分制计分{missing}）"


def words(item: dict, by_id: dict) -> str:
    """``name = …`` in Chinese words."""
    name = item.get("name") or item["id"]
    if isinstance(item.get("formula"), str):
        return f"{name} = {formula_words(item['formula'], by_id)}"
    kind = item["kind"]
    if kind == "count":
        return f"{name} = {count_words(item, by_id)}"
    if kind == "rate":
        return f"{name} = {_names(by_id, item['numerator'])} ÷ {_names(by_id, item['denominator'])}"
    if kind == "score":
        bands = "，".join(f"≥{b[0]:g} 得 {b[1]:g} 分" for b in item["bands"])
        return f"{name} = 按「{by_id.get(item['of'], {}).get('name') or item['of']}」分档：{bands}，其余 " \
               f"{item.get('else', 0):g} 分"
    return f"{name} = {composite_words(item, by_id)}"


def all_words(document: dict) -> dict[str, str]:
    items = [i for i in document.get("indicators") or [] if isinstance(i, dict) and "id" in i]
    by_id = {i["id"]: {**i, "name": doc.name_of(i)} for i in items}
    return {i["id"]: words(by_id[i["id"]], by_id) for i in items}
