"""The evaluation's (第三方评估、反向考核, honours, points) and the periods' service messages in the
page's language: the same mechanism as ``messages`` (services raise plain English, a page puts
the known ones into its language by pattern), with the pattern's groups that are unit codes,
usernames or period keys said as the unit's name, the person's name and the period's label, in
Chinese and in English alike. The API keeps the services' English (with codes) as it is."""

import re

from . import i18n

UNIT, UNITS, PERSON, PERIOD, FIGURES = "unit", "units", "person", "period", "figures"

# (pattern, 中文, English or None: the message itself, {group index: what it names})
_TABLE = (
    # indicators periods
    (r"^the year must be between (\d+) and (\d+)$", "年份须在 {0} 至 {1} 之间", None, {}),
    (r"^year out of range$", "年份超出范围", None, {}),
    (r"^the month must be 01 to 12$", "月份须为 01 至 12", None, {}),
    (r"^month out of range$", "月份超出范围", None, {}),
    (r"^a period is YYYY-MM, YYYY-Qn or YYYY",
     "周期请按 年-月（如 2026-03）、年-季度（如 2026-Q1）或 年（如 2026）填写，或给出起止日期", None, {}),
    (r"^use YYYY-MM, YYYY-Qn or YYYY$", "请按 年-月、年-季度或 年 填写", None, {}),
    (r"^a range needs both from and to$", "时间范围须同时给出开始和结束日期", None, {}),
    (r"^required with the other date$", "开始和结束日期须同时填写", None, {}),
    (r"^to is before from$", "结束日期早于开始日期", None, {}),
    (r"^must not be before from$", "不能早于开始日期", None, {}),
    (r"^a range may span at most five years$", "时间范围最长五年", None, {}),
    (r"^range too long$", "时间范围过长", None, {}),
    (r"^this needs a month \(YYYY-MM\)$", "这里须填写月份（如 2026-03）", None, {}),
    (r"^use YYYY-MM$", "请按 年-月（如 2026-03）填写", None, {}),
    # rounds
    (r"^only evaluators open evaluation rounds at (\S+)$", "只有第三方评估员可以开启{0}的评估轮次",
     "only evaluators open evaluation rounds in {0}", {0: UNIT}),
    (r"^the share sampled is a fraction above 0, at most 1$", "抽样比例须大于 0、不超过 1（如 0.1 即 10%）", None, {}),
    (r"^share out of range$", "抽样比例超出范围", None, {}),
    (r"^the share sampled is a percentage above 0, at most 100$", "抽样比例须大于 0%、不超过 100%（如 10）", None, {}),
    (r"^a percentage above 0, at most 100$", "须大于 0、不超过 100", None, {}),
    (r"^the minimum per grid is a whole number from 1$", "每网格最少抽样件数须为不小于 1 的整数", None, {}),
    (r"^minimum out of range$", "最少件数超出范围", None, {}),
    (r"^no case closed in (\S+) under (\S+)$", "{1}{0}没有已结案的案件，无法抽样",
     "no case was closed in {0} in {1}", {0: PERIOD, 1: UNIT}),
    (r"^no closed cases$", "没有已结案的案件", None, {}),
    (r"^the sample is too large for one round \(at most (\d+)\)$", "样本过大：一轮最多抽取 {0} 件", None, {}),
    (r"^at most (\d+) cases$", "最多 {0} 件", None, {}),
    (r"^no evaluation round \d+$", "没有这个评估轮次", "no such evaluation round", {}),
    (r"^(\S+) may not see the evaluation of (\S+)$", "无权查看{1}的评估结果",
     "you may not see the evaluation of {1}", {1: UNIT}),
    (r"^the sample rule is not a number$", "抽样比例和最少件数须为数字", None, {}),
    (r"^a number$", "须为数字", None, {}),
    # points
    (r"^(\S+) has (\d+) points, fewer than (\d+)$", "{0}的积分余额为 {1} 分，不足 {2} 分，不能兑换",
     "{0} has {1} points, fewer than {2}", {0: PERSON}),
    (r"^more than the balance \((\d+)\)$", "超过积分余额（{0} 分）", None, {}),
    (r"^(\S+) may not see the points of (\S+)$", "无权查看{1}的积分", "you may not see the points of {1}",
     {1: PERSON}),
    (r"^(\S+) may not redeem the points of (\S+)$", "无权为{1}兑换积分", "you may not redeem the points of {1}",
     {1: PERSON}),
    (r"^no person '.*'$", "没有这个人员", "no such person", {}),
    (r"^points must be a positive whole number$", "兑换的积分须为正整数", None, {}),
    (r"^a positive whole number$", "须为正整数", None, {}),
    (r"^say what the points are exchanged for$", "请填写兑换的物品", None, {}),
    # honours
    (r"^(\S+) is not of this county$", "{0}不属于本县，不能查看荣誉榜", "{0} is not of this county", {0: PERSON}),
    (r"^supervisors start the honours nomination$", "荣誉评定由县级督查发起", None, {}),
    (r"^nobody meets the thresholds in (\S+) under (\S+)$", "{1}{0}没有达到荣誉门槛的候选",
     "nobody in {1} meets the thresholds in {0}", {0: PERIOD, 1: UNIT}),
    (r"^no candidates$", "没有候选", None, {}),
    (r"^the honours of (\S+) at (\S+) are already decided$", "{1}{0}的荣誉已经评定",
     "the honours of {0} in {1} are already decided", {0: PERIOD, 1: UNIT}),
    (r"^only candidates can be withheld$", "只能暂缓候选名单中的对象，不能增加候选", None, {}),
    (r"^not a candidate: (.+)$", "不是候选：{0}", None, {}),
    (r"^say why a candidate is withheld$", "暂缓候选须写明理由", None, {}),
    (r"^required when withholding$", "暂缓候选时必填", None, {}),
    (r"^only (\S+) reviews its own candidates$", "只有{0}可以审核本级的候选", "only {0} reviews its own candidates",
     {0: UNIT}),
    # rating
    (r"^the ratings are not complete$", "评价未填写完整", None, {}),
    (r"^a score from 1 to 5$", "请选择 1–5 分", None, {}),
    (r"^not one of the units to rate$", "不是需要评价的单位", None, {}),
    (r"^rated twice$", "同一单位评价了两次", None, {}),
    (r"^rate every unit: (.+)$", "请评价每个单位：{0}", "rate every unit: {0}", {0: UNITS}),
    # appeals
    (r"^no unit or person '(.*)'$", "没有编码或用户名为 {0} 的单位或人员", None, {}),
    (r"^unknown unit or person$", "没有这个单位或人员", None, {}),
    (r"^appeal for yourself or for a unit you work in$", "只能为本人或本人所在的单位申诉", None, {}),
    (r"^an appeal of this figure is already being decided \(case (\S+)\)$",
     "该指标本期已有在办的申诉（案件 #{0}），请等待审核结果", "this figure is already under appeal (case #{0})", {}),
    (r"^already appealed$", "已有在办的申诉", "already under appeal", {}),
    (r"^not yours to appeal$", "不能代他人或其他单位申诉", None, {}),
    (r"^an upheld appeal needs the correction to the figure$", "采纳申诉须填写对数值的更正", None, {}),
    (r"^choose which count of (\S+) to adjust$", "采纳时请选择要更正{0}的哪一项计数", None, {}),
    (r"^one of: (.+)$", "请从以下选择：{0}", None, {}),
    (r"^a number, not 0$", "填写一个不为 0 的数", None, {}),
    # corrections that would make a figure impossible (indicators bounds)
    (r"^with this correction (.+) would be (-?[\d.e+-]+), below 0$", "按此调整量更正后，「{0}」将为 {1}，不能小于 0",
     "with this correction {0} would be {1}, below 0", {0: FIGURES}),
    (r"^with this correction (.+) would be (-?[\d.e+-]+), more than (.+) \((-?[\d.e+-]+)\): (.+) cannot pass 100%$",
     "按此调整量更正后，「{0}」将为 {1}，超过「{2}」（{3}），{4}不能超过 100%",
     "with this correction {0} would be {1}, more than {2} ({3}): the {4} cannot pass 100%",
     {0: FIGURES, 2: FIGURES, 4: FIGURES}),
    # evaluation data
    (r"^the evaluation data must be an object$", "考核数据须为 JSON 对象", None, {}),
    (r"^must be an object$", "须为 JSON 对象", None, {}),
    (r"^unknown sections$", "考核数据中有未知的部分", None, {}),
    (r"^unknown section '(.*)'$", "未知的部分 {0}", None, {}),
    (r"^each section must be an object$", "考核数据的每一部分须为 JSON 对象", None, {}),
    (r"^sections are objects$", "每一部分须为 JSON 对象", None, {}),
    (r"^the evaluation data is too large$", "考核数据过大", None, {}),
    (r"^at most 64 KiB$", "最多 64 KiB", None, {}),
    (r"^only administrators and supervisors set the evaluation data$", "只有系统管理员和督查可以设置考核数据",
     None, {}),
)
_PATTERNS = [(re.compile(p), zh, en, groups) for p, zh, en, groups in _TABLE]


def _unit(code: str, lang: str) -> str:
    from ..org import tree

    unit = tree.by_code(code)
    if unit is None:
        return code
    return (unit.name_en or unit.name_zh) if lang == "en" else unit.name_zh


def _person(username: str) -> str:
    from ..org import people

    person = people.by_username(username)
    return (person.name or username) if person is not None else username


def _period(key: str, lang: str) -> str:
    from ..errors import DomainError
    from ..indicators import periods

    if lang == "en":
        return key
    try:
        return periods.parse(key).label()
    except DomainError:
        return key


def figures_said(text: str, lang: str) -> str:
    """Indicators by name ('满意 + 基本满意'): their English names on an English page."""
    if lang != "en":
        return text
    from .. import clock
    from ..indicators import versions
    from ..org import tree

    root = tree.root_unit()
    items = versions.resolve(root, clock.now()).document.get("indicators") or [] if root is not None else []
    english = {i.get("id"): i.get("name_en") for i in items if isinstance(i, dict) and i.get("name_en")}
    return " + ".join(english.get(part, part) for part in text.split(" + "))


def _said(value: str, kind: str | None, lang: str) -> str:
    if kind == FIGURES:
        return figures_said(value, lang)
    if kind == UNIT:
        return _unit(value, lang)
    if kind == UNITS:
        return ("、" if lang == "zh" else ", ").join(_unit(v.strip(), lang) for v in value.split(",") if v.strip())
    if kind == PERSON:
        return _person(value)
    if kind == PERIOD:
        return _period(value, lang)
    return value


def localise(message: str) -> str | None:
    """``message`` in the page's language when it is one of these, else None."""
    lang = i18n.lang()
    for pattern, zh, en, groups in _PATTERNS:
        match = pattern.match(message)
        if match is None:
            continue
        if lang == "en" and en is None:
            return message
        said = [_said(g or "", groups.get(n), lang) for n, g in enumerate(match.groups())]
        return (en if lang == "en" else zh).format(*said)
    return None
