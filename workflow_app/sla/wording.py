"""The platform's own wording of the notifications it sends, by message id, in Chinese and English.

A notification keeps its message id and arguments (``Notification.params``, shaped
``{"key": <message id>, "args": {...}}``), and each reader gets it in their language; the Chinese
text is what it stores as its title and body too (for channels that take text, and older readers).
An argument is a value as it is (a number, what someone wrote) or ``{"zh": …, "en": …}`` for
words the platform or a model gives in both languages (a step's name, a case title); an English
reading takes the Chinese where an argument has no English. ``case`` (a case number) is written
the way each language writes it after a title. A body line shows only when its arguments are there."""

import string
from dataclasses import dataclass

NOTE = ("{note}", "{note}")  # what someone wrote (an opinion, a reason), as written
LIMIT = ("{step}时限：{due}前", "{step}: due by {due}")


@dataclass(frozen=True)
class Wording:
    title: tuple[str, str]
    body: tuple[tuple[str, str], ...] = (NOTE,)


REPORTER = {  # to the person who reported a case (``notify_initiator``)
    "case_accepted": ("您上报的事件已受理，正在处置", "Your report was accepted and is being handled"),
    "case_escalated": ("您上报的事件已上报上级协调处置", "Your report was passed up for handling"),
    "case_closed": ("您上报的事件已办结", "Your report was resolved and closed"),
    "case_reopened": ("您上报的事件已重新办理", "Your report was reopened"),
    "case_not_accepted": ("您上报的事件未予受理", "Your report was not accepted"),
    "case_extension_approved": ("您的延期申请已批准", "Your extension request was approved"),
    "case_extension_refused": ("您的延期申请未获批准", "Your extension request was refused"),
    "case_news": ("您上报的事件有新进展", "Your report has news"),
}
OPENED = {  # to the people a step calls on (``notify_opened``)
    "case_whistled": ("镇街吹哨：请按时到现场报到处置", "The town summons your department: report on site in time"),
    "case_supervised": ("督办：请按督办意见限期整改", "Supervision: put it right within the time limit"),
    "case_rework": ("核查不通过：请返工整改", "Verification failed: please rework it"),
    "case_task": ("有新的待办", "You have a new task"),
}
WORDINGS: dict[str, Wording] = {
    **{key: Wording((zh + "{case_no}", en + "{case_no}")) for key, (zh, en) in REPORTER.items()},
    **{key: Wording((zh + "{case_no}", en + "{case_no}"), (NOTE, LIMIT)) for key, (zh, en) in OPENED.items()},
    # to the leaders of the people doing a task whose clock turned yellow or red
    "sla_yellow": Wording(("预警：{step}已用时{ratio}，请抓紧办理·{title}",
                           "Warning: {step} has used {ratio} of its time limit, please hurry·{title}"), ()),
    "sla_red": Wording(("超时：{step}已超过办理时限·{title}", "Overdue: {step} is past its time limit·{title}"), ()),
    # to whoever is doing a task someone urged (催办)
    "urge": Wording(("催办：{step}·{title}", "Urged: {step}·{title}"),
                    (("{message}", "{message}"), ("催办人：{by}", "Urged by: {by}"))),
    # to whoever applied for an item's admission or withdrawal, at its outcome
    "admission": Wording(("{outcome}：{name}", "{outcome}: {name}")),
}
URGE_DEFAULT = {"zh": "请尽快办理", "en": "Please handle it as soon as you can"}


def params(key: str, **args) -> dict:
    """What a notification keeps to be read in any language (``key`` is a message id here)."""
    if key not in WORDINGS:
        raise KeyError(f"no wording for the message id {key!r}")
    return {"key": key, "args": {k: v for k, v in args.items() if v is not None and v != ""}}


def both(zh, en=None) -> dict | str:
    """An argument in both languages (just the Chinese where there is no English)."""
    return {"zh": zh, "en": en} if en and en != zh else zh


def _in(value, lang: str):
    if isinstance(value, dict):
        return value.get(lang) or value.get("zh") or ""
    return value


def _fill(template: str, args: dict, strict: bool = True) -> str | None:
    """``template`` with ``args``; a missing argument: None (``strict``) or empty."""
    names = [field for _text, field, _spec, _conv in string.Formatter().parse(template) if field]
    if strict and any(args.get(name) in (None, "") for name in names):
        return None
    return template.format(**{name: "" if args.get(name) is None else args[name] for name in names})


def render(stored: dict, lang: str) -> tuple[str, str | None] | None:
    """(title, body) of a notification's ``params`` in ``lang`` ('zh' or 'en'); None for a message id
    this platform does not know (the stored text is read instead)."""
    wording = WORDINGS.get((stored or {}).get("key"))
    if wording is None:
        return None
    index = 1 if lang == "en" else 0
    args = {k: _in(v, lang) for k, v in ((stored or {}).get("args") or {}).items()}
    case = args.get("case")
    args["case_no"] = "" if not case else (f" (#{case})" if lang == "en" else f"（#{case}）")
    lines = [line for line in (_fill(pair[index], args) for pair in wording.body) if line]
    return _fill(wording.title[index], args, strict=False), "\n".join(lines) or None
