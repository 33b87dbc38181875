"""The case timeline's words (办理记录): every audit kind a case's record can hold has a heading,
in Chinese and English, and the kinds whose detail says what happened (an appeal's correction,
the honours nominated, a round's sample) say it in a sentence. A kind recorded by a family of
names (``sla_<colour>``, ``<message or signal>_received``, ``admission_item_<change>``) is worded by
its family; a kind nobody has worded yet reads as a step the platform recorded, never 「其他」."""

from flask_babel import gettext as _

from ..errors import DomainError
from ..indicators import periods
from .i18n import N_, pick
from .messages_evaluation import figures_said

# Catalogued headings (the translations hold their English).
EVENT_LABELS = {
    "instance_started": N_("发起上报"), "task_created": N_("生成任务"), "task_claimed": N_("认领"),
    "task_released": N_("释放"), "task_delegated": N_("转办"), "task_completed": N_("办结环节"),
    "task_cancelled": N_("环节取消"), "task_commented": N_("添加意见"), "task_attachment_added": N_("上传附件"),
    "task_urged": N_("催办"), "sla_paused": N_("挂账"), "sla_resumed": N_("恢复计时"),
    "sla_extended": N_("延期"), "timer_fired": N_("定时触发"), "instance_completed": N_("结案"),
    "instance_error": N_("运行出错"), "instance_suspended": N_("案件暂停"), "instance_resumed": N_("案件恢复"),
    "instance_terminated": N_("案件终止"), "instance_retried": N_("重新运行"), "case_milestone": N_("进展通知"),
    "instance_blocked": N_("受阻待处理"),
}
# Headings of the kinds the services record on a case beside the engine's own (zh, en).
WORDED = {
    "appeal_upheld": ("申诉采纳", "Appeal upheld"), "appeal_refused": ("申诉不予采纳", "Appeal refused"),
    "honours_reviewed": ("镇街推荐荣誉候选", "Honour candidates nominated"),
    "honours_awarded": ("荣誉审定公布", "Honours approved and published"),
    "evaluation_round_opened": ("开启评估轮次", "Evaluation round opened"),
    "evaluation_round_closed": ("结束评估轮次", "Evaluation round closed"),
    "admission_routed_back": ("退回重新审查", "Sent back for another review"),
    "task_reassigned": ("改派承办人", "Reassigned"), "timer_failed": ("定时器运行失败，稍后重试",
                                                                  "A timer failed; it will be retried"),
}
FAMILIES = (  # (prefix, suffix, {middle: (zh, en)}, when the middle is none of them (zh, en))
    ("sla_", "", {"yellow": ("即将超时（黄灯）", "Nearly due (yellow)"), "red": ("已超时（红灯）", "Overdue (red)")},
     ("办理时限提醒", "Time limit reminder")),
    ("", "_received", {"message": ("收到消息", "Message received"), "signal": ("收到信号", "Signal received")},
     ("收到通知", "Notice received")),
    ("admission_item_", "", {"admitted": ("事项准入", "Item admitted"), "changed": ("事项变更", "Item changed"),
                             "withdrawn": ("事项退出", "Item withdrawn"), "expired": ("事项到期", "Item expired"),
                             "imported": ("事项导入", "Item imported")},
     ("准入事项变更", "Admitted item changed")),
)
UNWORDED = ("平台记录了一个办理步骤", "The platform recorded a step")
REASONS = {"pairing": ("专人结对调整", "the household pairing changed")}


def _family(kind: str) -> tuple[str, str] | None:
    for prefix, suffix, members, otherwise in FAMILIES:
        if kind.startswith(prefix) and kind.endswith(suffix) and len(kind) > len(prefix) + len(suffix):
            return members.get(kind[len(prefix):len(kind) - len(suffix)], otherwise)
    return None


def heading(kind: str) -> str:
    """What happened, in a few words of the page's language."""
    if kind in EVENT_LABELS:
        return _(EVENT_LABELS[kind])
    return pick(*(WORDED.get(kind) or _family(kind or "") or UNWORDED))


def reason(text) -> str:
    """A reason as people read it (a service's code for one in words)."""
    return pick(*REASONS[text]) if text in REASONS else str(text)


def _signed(value) -> str:
    number = f"{value:g}" if isinstance(value, float) else str(value)
    return number if str(number).startswith("-") else f"+{number}"


def _count(detail: dict, key: str) -> int:
    value = detail.get(key)
    return len(value) if isinstance(value, list) else value if isinstance(value, int) else 0


def _round(detail: dict) -> str | None:
    size = detail.get("sample_size")
    if not isinstance(size, int):
        return None
    try:
        period = periods.parse(str(detail.get("period")))
    except DomainError:
        return pick(f"抽样 {size} 件", f"{size} cases sampled")
    return pick(f"{period.label()}，抽样 {size} 件", f"{period.label_en()}: {size} cases sampled")


SENTENCES = {
    "appeal_upheld": lambda d: pick(f"更正「{d['adjusted_count']}」{_signed(d.get('delta'))}",
                                    f"{figures_said(str(d['adjusted_count']), 'en')} corrected by "
                                    f"{_signed(d.get('delta'))}")
    if d.get("adjusted_count") and isinstance(d.get("delta"), int | float) else None,
    "honours_reviewed": lambda d: pick(f"推荐 {_count(d, 'nominated')} 个，暂缓 {_count(d, 'withheld')} 个",
                                           f"{_count(d, 'nominated')} nominated, {_count(d, 'withheld')} withheld"),
    "honours_awarded": lambda d: pick(f"授予 {_count(d, 'awarded')} 项荣誉，暂缓 {_count(d, 'withheld')} 个",
                                          f"{_count(d, 'awarded')} awarded, {_count(d, 'withheld')} withheld"),
    "evaluation_round_opened": lambda d: _round(d),
    "evaluation_round_closed": lambda d: str(d["summary"]) if d.get("summary") else None,
    "admission_routed_back": lambda d: pick(f"退回「{d['task']}」", f"Back to {d['task']}") if d.get("task") else None,
    "message_received": lambda d: f"「{d['name']}」" if d.get("name") else None,
    "signal_received": lambda d: f"「{d['name']}」" if d.get("name") else None,
}


def sentence(event) -> str | None:
    """What the event's detail says happened, when its kind has such a detail."""
    detail = getattr(event, "detail", None)
    said = SENTENCES.get(getattr(event, "kind", None))
    return said(detail) if said is not None and isinstance(detail, dict) else None
