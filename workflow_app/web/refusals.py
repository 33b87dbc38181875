"""What a refusal (403) says to the person refused: one sentence in the page's language, never the
service's own English with usernames, task numbers or unit codes in it.

Services raise ``Forbidden`` with a message for the logs ("worker-x may not see task 12"); pages
show the sentence of the first pattern that matches it here, else a general one."""

import re

from . import i18n
from .messages import localise

# (pattern on the service's message, 中文, English): the first match wins.
_REFUSALS: list[tuple[re.Pattern, str, str]] = [(re.compile(p), zh, en) for p, zh, en in (
    (r"only the assignee or their leader may release", "只有承办人或其上级可以释放这项任务",
     "Only the person doing this task or their leader can release it"),
    (r"may not (see|act on|claim|delegate|ask to extend|attach files to|urge|pause|resume) task",
     "这项任务不由你办理，你无权查看或操作它", "This task is not yours: you cannot open or handle it"),
    (r"may not (see instance|see the files of case|end or route back case|send)",
     "你无权查看或处理这个案件", "You cannot see or handle this case"),
    (r"files for no department", "只有部门工作人员可以提交事项准入、交办和退出申请",
     "Only department staff can file item admission, assignment and withdrawal requests"),
    (r"(configure admission|import the admitted items|read the burden report|read the coverage)",
     "只有负责事项准入的单位可以查看或修改这些内容",
     "Only the units in charge of item admission can see or change this"),
    (r"may not manage process definitions", "只有流程设计员可以管理流程",
     "Only process designers can manage processes"),
    (r"(is not an administrator|only administrators|metrics are for administrators)",
     "只有系统管理员可以使用这项功能", "Only administrators can use this"),
    (r"(households? |serve household)", "你无权查看这户居民的信息", "You cannot see this household's details"),
    (r"does not supervise", "你无权督查这个单位", "You do not supervise this unit"),
    (r"(indicators|evaluation|bulletins|correct figures|evaluation rounds|honours)",
     "你无权查看或修改这个单位的考核评价", "You cannot see or change this unit's evaluation"),
    (r"points of", "你无权查看或兑换他人的积分", "You cannot see or redeem another person's points"),
    (r"holds no staff role to be scored", "积分只记给工作人员", "Points are kept for staff only"),
    (r"needs role|holds no role at|does not work in", "你在这个单位没有发起这项工作所需的岗位",
     "You do not hold the post in this unit needed to start this"),
    (r"may not see incidents", "只有系统管理员可以查看运行故障",
     "Only administrators can see incidents"),
    (r"service day", "你无权设置这个网格的服务日", "You cannot set this grid's service day"),
)]
GENERAL = ("你无权打开这个页面或进行这项操作", "You may not open this page or do this")


def said(error) -> str:
    """What a page shows for a service error: a refusal's sentence, else its message localised."""
    return refusal(error.message) if getattr(error, "status", None) == 403 else localise(error.message)


def refusal(message: str | None) -> str:
    """The sentence a refused person reads for the service's ``message``."""
    for pattern, zh, en in _REFUSALS:
        if pattern.search(message or ""):
            return i18n.pick(zh, en)
    return i18n.pick(*GENERAL)
