"""Service messages (written in English) shown to people in Chinese.

Services raise errors with plain English messages; on a Chinese page the known ones are put into
Chinese here, by pattern. Unknown messages are shown as they are, and English pages show the
original text."""

import re

from . import i18n, messages_evaluation

_TYPES = {"string": "文字", "number": "数字", "integer": "整数", "boolean": "是或否", "array": "列表",
          "object": "对象"}

_PATTERNS: list[tuple[re.Pattern, str]] = [(re.compile(p), zh) for p, zh in (
    (r"^this field is required$", "此项必填"),
    (r"^unknown field", "表单中没有此项"),
    (r"^must be one of the values chosen in \w+$", "须是上面已选的项之一"),
    (r"^read-only field", "只读项，取自案件数据，不能修改"),
    (r".* is too short$", "内容太短"),
    (r".* should be non-empty$", "至少需要一项"),
    (r".* is too long$", "内容太长或项数过多"),
    (r".* is not one of .*", "不是可选的值"),
    (r".* is not of type '(\w+)'$", "格式不对，应为{type}"),
    (r".* is not a '(date|date-time)'$", "日期时间格式不对"),
    (r".* is less than the minimum of (.*)$", "不能小于 {0}"),
    (r".* is greater than the maximum of (.*)$", "不能大于 {0}"),
    (r"^must not be empty$", "不能为空"),
    (r"^required$", "必填"),
    (r"^must be positive$", "必须大于零"),
    (r"^wrong username or password$", "用户名或密码错误"),
    (r"^too many failed logins; try again in (\d+) seconds$", "登录失败次数过多，请 {0} 秒后再试"),
    (r"^too many failed logins", "登录失败次数过多，请稍后再试"),
    (r"does not match the pattern", "格式不对"),
    (r"^.* does not match '.*'$", "格式不对"),
    (r"^.* is not valid under any of the given schemas$", "格式不对"),
    (r"^.* should be valid under .*$", "格式不对"),
    (r"^.* is a dependency of .*$", "坐标须同时有纬度和经度"),
    (r"^.* does not have enough properties$", "请填写"),
    (r"^A multiinstance task", "流程某一步运行出错，已通知管理员"),
    (r"^this Idempotency-Key was already used for a different request$", "这份上报的编号已用于另一份不同的上报"),
    (r"^the Idempotency-Key is not usable$", "上报编号不可用"),
    (r"^at most (\d+) saved filters$", "最多保存 {0} 个筛选"),
    (r"^the filter needs a name$", "请给筛选起个名字"),
    (r"^no saved filter", "没有这个筛选"),
    (r"^the request was refused: .*must not contain NUL characters", "提交的内容含有不允许的空字符（NUL）"),
    (r"^the request was refused: .*unpaired surrogate", "提交的内容含有无效的字符"),
    (r"^the request was refused: the JSON body", "提交的数据格式不对"),
    (r"^the calendar cannot compute this", "超出工作日历可计算的范围"),
    (r"^files stored on this server are attached by uploading them", "本系统保存的文件只能通过上传添加"),
    (r"^attachment \d+ is a reference, not a file stored here$", "该附件是外部链接，不是本系统保存的文件"),
    (r"^the form has errors$", "表单有误，请按提示修改"),
    (r"^the bundle was refused$", "流程包未通过校验，请按提示修改"),
    (r"^the attachment was refused$", "附件未被接受"),
    (r"^a comment needs text$", "请填写意见内容"),
    (r"^a pause needs a reason$", "挂账须填写理由"),
    (r"^an extension needs a positive amount and a reason$", "申请延期须填写大于零的时长和理由"),
    (r"^unknown time unit", "时间单位不对"),
    (r"^unknown org unit '(.*)'$", "没有编码为 {0} 的单位"),
    (r"^task \d+ is already claimed by (\S+)$", "该任务已被 {0} 认领"),
    (r"^task \d+ is (not open|no longer open)", "该任务已不在办理中"),
    (r"^task \d+ is already paused$", "该任务已在挂账中"),
    (r"^task \d+ is not paused$", "该任务未挂账"),
    (r"^task \d+ (has no time limit|is not open with a time limit)", "该任务没有办理时限"),
    (r"^(\S+) is not eligible for task", "{0} 不能办理该任务"),
    (r"^(\S+) does not hold (\S+) for", "{0} 不具备该任务所需的角色"),
    (r"^no task \d+$", "没有这个任务"),
    (r"^no instance \d+$", "没有这个案件"),
    (r"^no attachment", "没有这个附件"),
    (r"^no process '(.*)'", "没有流程 {0}"),
    (r"^no version (\d+) of '(.*)'", "流程 {1} 没有第 {0} 版"),
    (r"^the case is (\w+); its tasks cannot be completed now$", "案件当前不在运行中，不能办理"),
    (r"^the case is busy", "案件正被他人同时修改，请重试"),
    (r"^(\S+) does not supervise (\S+)$", "无权督查 {1}"),
    (r"^(\S+) may not manage process definitions", "无权管理流程定义"),
    (r"^(\S+) may not ", "无权执行此操作"),
    (r"^only the assignee or their leader may release", "只有承办人或其上级可以释放任务"),
    (r"^the file is larger than (\S+ [KM]B)$", "文件超过 {0}"),
    (r"^only JPEG, PNG, WebP images and PDF files", "只接受 JPEG、PNG、WebP 图片和 PDF 文件"),
    (r"^the file is empty$", "文件是空的"),
    (r"^choose a file$", "请选择文件"),
    (r"^file names may not contain paths$", "文件名不能包含路径"),
    (r"^unsupported file type", "不支持的文件类型（请用 .bpmn、.dmn 或 .json）"),
    (r"^no files were uploaded$", "没有上传文件"),
    (r"^file is empty$", "文件是空的"),
    (r"^the same file name appears twice$", "文件名重复"),
)]


# Validator and engine texts no person should read as they are, in plain English.
_PLAIN_EN: list[tuple[re.Pattern, str]] = [(re.compile(p), en) for p, en in (
    (r"^.* does not match '.*'$", "has the wrong format"),
    (r"^.* is not of type '(\w+)'$", "should be a {0}"),
    (r"^.* is not one of .*", "is not one of the choices"),
    (r"^must be one of the values chosen in \w+$", "must be one of the values chosen above"),
    (r"^.* is too short$", "is too short"),
    (r"^.* is too long$", "is too long"),
    (r"^.* is not valid under any of the given schemas$", "has the wrong format"),
    (r"^.* is a dependency of .*$", "a position needs both latitude and longitude"),
    (r"^A multiinstance task", "a step of the process failed; an administrator has been told"),
)]


# Patterns whose groups (by index) are org unit codes, shown by name.
_UNIT_GROUPS = {r"^(\S+) does not supervise (\S+)$": {1}, r"^unknown org unit '(.*)'$": set()}


def _unit_name(code: str) -> str:
    from ..org import tree

    unit = tree.by_code(code)
    return i18n.pick(unit.name_zh, unit.name_en) if unit is not None else code


def localise(message: str | None) -> str:
    """``message`` in the page's language (Chinese when a pattern knows it)."""
    if not message:
        return ""
    found = messages_evaluation.localise(message)  # the evaluation's and the periods' own messages
    if found is not None:
        return found
    if i18n.lang() == "en":
        for pattern, en in _PLAIN_EN:
            match = pattern.match(message)
            if match:
                return en.format(*match.groups())
        return message
    for pattern, zh in _PATTERNS:
        match = pattern.match(message)
        if match:
            groups = match.groups()
            if pattern.pattern in _UNIT_GROUPS:  # a unit code in the message: say its name
                groups = tuple(_unit_name(g) if i in _UNIT_GROUPS[pattern.pattern] else g for i, g in enumerate(groups))
            if "{type}" in zh:
                return zh.format(type=_TYPES.get(groups[0], groups[0]))
            return zh.format(*groups)
    return message


# What went wrong in a case, in plain words (the incidents page): (pattern, 中文, English).
_PROBLEMS: list[tuple[re.Pattern, str, str]] = [(re.compile(p, re.S), zh, en) for p, zh, en in (
    (r".*ZeroDivisionError", "脚本中出现了除以零（数据里某个数为 0）",
     "a script divided by zero (a value in the data is 0)"),
    (r".*NameError: name '(\w+)' is not defined", "脚本用到了案件中没有的数据项 {0}",
     "a script used {0}, which the case data does not have"),
    (r".*KeyError: '?([^'\n]+)'?", "脚本读取了数据中不存在的项 {0}",
     "a script read {0}, which the data does not have"),
    (r".*TypeError", "脚本中的数据类型不对（例如把文字当作数字）", "a script got data of the wrong type"),
    (r".*(?:no rule|did not match|matched no)", "决策表没有一条规则与案件数据相符",
     "no rule of a decision table matched the case"),
    (r".*(?:not allowed|forbidden|SandboxViolation)", "脚本做了不允许的操作，已被拦截",
     "a script tried something not allowed"),
    (r".*(?:step limit|ScriptLimitExceeded|too long)", "脚本运行过久，已被停止",
     "a script ran too long and was stopped"),
)]


def plain_problem(message: str | None) -> str:
    """An engine or guard message as an administrator reads it (the raw text stays under 技术信息)."""
    text = message or ""
    english = i18n.lang() == "en"
    for pattern, zh, en in _PROBLEMS:
        match = pattern.match(text)
        if match:
            return (en if english else zh).format(*match.groups())
    return localise(text.splitlines()[0][:300]) if text else ""
