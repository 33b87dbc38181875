"""What a process designer is told when a bundle is refused or warned about.

Every refusal names the file, the line (where the XML has one), the element id, and says in a
sentence, in Chinese and in English, what is wrong and what to do. The sentences live here, keyed
by a stable code; checks elsewhere raise ``issue(code, …)`` and never write text of their own.

``message`` stays the English text (the field API clients already read); ``message_en`` and
``message_zh`` carry both languages, ``element`` the BPMN/DMN id, ``code`` the catalogue key.
"""

import re
from dataclasses import dataclass

from .types import Problem


@dataclass(frozen=True)
class Issue(Problem):
    """A ``Problem`` with the element it is about and the sentence in both languages."""

    element: str | None = None
    code: str = "other"
    message_zh: str = ""

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "element": self.element, "code": self.code,
                "message": self.message, "message_en": self.message, "message_zh": self.message_zh or self.message}


# code: (English, 中文). Placeholders are filled from the keyword arguments of ``issue``.
CATALOGUE: dict[str, tuple[str, str]] = {
    # --- files and XML -------------------------------------------------------------------------
    "file.path": ("File name {name} is refused: file names may not contain paths. Upload the file by its plain name.",
                  "文件名 {name} 不可用：文件名不能包含路径，请只用文件本身的名字上传。"),
    "file.characters": ("File name {name} contains control characters (such as NUL); rename the file.",
                        "文件名 {name} 含有控制字符（如 NUL），请改名后再上传。"),
    "file.type": ("File {name} has an unsupported file type (use .bpmn, .dmn or .json).",
                  "文件 {name} 的类型不受支持（请用 .bpmn、.dmn 或 .json）。"),
    "file.twice": ("File {name} appears twice in the upload: the same file name appears twice; keep one.",
                   "文件 {name} 上传了两次（文件名重复），请只保留一个。"),
    "file.large": ("File {name} is larger than {limit} bytes; split the model or remove embedded content.",
                   "文件 {name} 超过 {limit} 字节，请拆分模型或去掉嵌入的内容。"),
    "file.empty": ("File {name} is empty; export it again from the modeler.",
                   "文件 {name} 是空的，请从建模工具重新导出。"),
    "bundle.no_files": ("No files were uploaded; choose the BPMN, DMN and form files of the process.",
                        "没有上传文件，请选择流程的 BPMN、DMN 和表单文件。"),
    "bundle.no_bpmn": ("A bundle needs at least one .bpmn file; add the process diagram.",
                       "流程包至少需要一个 .bpmn 文件，请加上流程图。"),
    "bundle.no_process": ("There is no executable BPMN process in {names}; mark the process as executable "
                          '(isExecutable="true").',
                          '{names} 中没有可执行的 BPMN 流程，请把流程设为可执行（isExecutable="true"）。'),
    "bundle.key_missing": ("Process {key} is not in the bundle (found: {found}); check the process id.",
                           "流程包中没有流程 {key}（现有：{found}），请核对流程编号。"),
    "bundle.several_top": ("The bundle has several top-level processes ({found}); name the one to deploy as key.",
                           "流程包中有多个顶层流程（{found}），请用 key 指明要部署哪一个。"),
    "xml.malformed": ("The file is not well-formed XML (malformed XML: {detail}); export it again from the modeler.",
                      "文件不是格式正确的 XML（{detail}），请从建模工具重新导出。"),
    "xml.doctype": ("DOCTYPE and ENTITY declarations are not allowed in uploaded XML; remove them.",
                    "上传的 XML 不允许包含 DOCTYPE 或 ENTITY 声明，请删除。"),
    "xml.entity": ("Entity references are not allowed in uploaded XML; write the text itself.",
                   "上传的 XML 不允许使用实体引用，请直接写出文字。"),
    "xml.not_bpmn": ("This is not a BPMN 2.0 file: its root element is {root}, not bpmn:definitions in namespace "
                     "{namespace}. Export the diagram as BPMN 2.0 XML.",
                     "这不是 BPMN 2.0 文件：根元素是 {root}，而不是命名空间 {namespace} 下的 definitions。"
                     "请把流程图导出为 BPMN 2.0 XML。"),
    "xml.not_dmn": ("This is not a DMN file the platform can read: its root element is {root}. Use DMN 1.1, 1.2 or "
                    "1.3 (root definitions in namespace {namespaces}), as Camunda Modeler exports it.",
                    "这不是平台能读取的 DMN 文件：根元素是 {root}。请使用 DMN 1.1、1.2 或 1.3"
                    "（根元素 definitions，命名空间 {namespaces}），即 Camunda Modeler 导出的格式。"),
    "xsd.invalid": ("The file does not follow the {standard} schema: {detail}.",
                    "文件不符合 {standard} 规范：{detail_zh}。"),
    # --- extensions of other engines -------------------------------------------------------------
    "camunda.extension": ("{what} is an extension of {engine}, which this platform does not run: {advice_en}",
                          "{what} 是 {engine} 的扩展，本平台不执行它：{advice_zh}"),
    # --- structure -----------------------------------------------------------------------------
    "element.no_id": ("A {tag} element has no id; every flow element needs a unique id (the modeler sets one).",
                      "有一个 {tag} 元素没有 id；每个流程元素都需要唯一的 id（建模工具会自动生成）。"),
    "extension.incomplete": ("{tag} of {element} has no {attribute}; set it (a property needs both a name and a "
                             "value).",
                             "{element} 的 {tag} 缺少 {attribute}，请补上（属性需要同时有 name 和 value）。"),
    "ref.missing": ("{tag} {element} refers to {attribute} {target}, which is not in the file; draw the connection "
                    "again or remove it.",
                    "{tag} {element} 的 {attribute} 指向 {target}，但文件中没有这个元素；请重新连线或删除它。"),
    "ref.definition": ("{tag} {element} refers to {kind} {target}, which is not defined in the file; define it "
                       "(bpmn:{kind} at the top of the file) or pick an existing one.",
                       "{tag} {element} 引用的 {kind} {target} 在文件中没有定义；请在文件顶层定义 bpmn:{kind}，"
                       "或选择已有的。"),
    "task.several_outgoing": ("Task {element} has several outgoing flows; split them with a gateway (exclusive for "
                              "one path, parallel for all).",
                              "任务 {element} 有多条流出的连线；请用网关分流（排他网关走一条，并行网关走全部）。"),
    "flow.no_condition": ("Gateway flow {element} has no condition (non-default outgoing flow without condition); "
                          "write a Python condition or make it the gateway's default flow.",
                          "网关的连线 {element} 没有条件；请写上 Python 条件，或把它设为网关的默认连线。"),
    "process.no_start": ("Process {element} has no start event; add one.", "流程 {element} 没有开始事件，请加上。"),
    "process.duplicate": ("Process id {element} is used twice in the bundle; give each process its own id.",
                          "流程编号 {element} 在流程包中出现了两次，请为每个流程使用不同的编号。"),
    "process.not_executable": ("Process {element} is not executable; set isExecutable=\"true\".",
                               "流程 {element} 不是可执行的，请设置 isExecutable=\"true\"。"),
    "call.missing": ("Call activity {element} calls process {target}, which is not in the bundle (found: {found}); "
                     "upload that process with this one.",
                     "调用活动 {element} 调用的流程 {target} 不在流程包中（现有：{found}），请一并上传该流程。"),
    "call.no_target": ("Call activity {element} names no process to call; set calledElement to a process id.",
                       "调用活动 {element} 没有指明要调用的流程，请把 calledElement 设为流程编号。"),
    "subprocess.start": ("Sub-process {element} needs exactly one start event (found {count}).",
                         "子流程 {element} 需要恰好一个开始事件（现有 {count} 个）。"),
    "subprocess.end": ("Sub-process {element} has no end event; add one.", "子流程 {element} 没有结束事件，请加上。"),
    "script.missing": ("Script task {element} has no script; write the Python script or use another task type.",
                       "脚本任务 {element} 没有脚本；请写上 Python 脚本，或改用其他任务类型。"),
    "script.language": ("Script task {element} is written in {language}; this platform runs Python scripts only. "
                        "Rewrite it in Python (scriptFormat python).",
                        "脚本任务 {element} 用 {language} 编写，本平台只运行 Python 脚本，请改写为 Python。"),
    "service.no_operator": ("Service task {element} names no operator (spiffworkflow:serviceTaskOperator); use a "
                            "script task, or a property effect naming a platform mechanism.",
                            "服务任务 {element} 没有指明操作（spiffworkflow:serviceTaskOperator）；请改用脚本任务，"
                            "或用属性 effect 指定平台机制。"),
    "decision.no_ref": ("Business rule task {element} names no decision; set spiffworkflow:calledDecisionId to the id "
                        "of a decision in a DMN file of the bundle (available: {found}).",
                        "业务规则任务 {element} 没有指明决策；请把 spiffworkflow:calledDecisionId 设为流程包中某个 "
                        "DMN 决策的编号（现有：{found}）。"),
    "decision.missing": ("Business rule task {element} calls decision {target}, which no DMN file of the bundle "
                         "defines (available: {found}); upload the DMN or correct the id.",
                         "业务规则任务 {element} 调用的决策 {target} 不在流程包的任何 DMN 文件中（现有：{found}），"
                         "请上传该 DMN 或改正编号。"),
    "loop.no_condition": ("Loop task {element} needs a loopMaximum or a loopCondition.",
                          "循环任务 {element} 需要设置最大次数（loopMaximum）或循环条件（loopCondition）。"),
    "mi.no_input": ("Multi-instance {element} says neither how many instances to run nor over which list: set "
                    "loopCardinality, or loopDataInputRef with an inputDataItem (a modeler may have dropped them).",
                    "多实例 {element} 既没有实例个数也没有输入列表：请设置 loopCardinality，或设置 loopDataInputRef "
                    "和 inputDataItem（建模工具可能把它们丢掉了）。"),
    "mi.both": ("Multi-instance {element} sets both loopCardinality and loopDataInputRef; keep one.",
                "多实例 {element} 同时设置了 loopCardinality 和 loopDataInputRef，请只保留一个。"),
    "mi.empty": ("Multi-instance {element} has an empty {part}; fill it in or remove it.",
                 "多实例 {element} 的 {part} 是空的，请填写或删除。"),
    "mi.item_unnamed": ("Multi-instance {element} has a {part} without a name; set its id (the data name of each "
                        "item).",
                        "多实例 {element} 的 {part} 没有名字，请设置其 id（每一项在数据中的名称）。"),
    "mi.output_lost": ("Multi-instance {element} has an outputDataItem {item} but no loopDataOutputRef, so the "
                       "results are lost (a modeler may have dropped it); add loopDataOutputRef naming the list "
                       "that collects them.",
                       "多实例 {element} 有 outputDataItem {item} 却没有 loopDataOutputRef，结果会丢失（建模工具可能"
                       "把它丢掉了）；请加上 loopDataOutputRef，指明收集结果的列表。"),
    "mi.output_no_item": ("Multi-instance {element} collects into {target} but has no outputDataItem, so nothing is "
                          "collected; add the outputDataItem each instance sets.",
                          "多实例 {element} 收集结果到 {target}，但没有 outputDataItem，什么也收集不到；请加上每个"
                          "实例填写的 outputDataItem。"),
    "mi.input_no_item": ("Multi-instance {element} runs over {target} but has no inputDataItem, so an instance "
                         "cannot tell which item it handles (a modeler may have dropped it); add the inputDataItem.",
                         "多实例 {element} 遍历 {target}，却没有 inputDataItem，每个实例不知道自己处理哪一项"
                         "（建模工具可能把它丢掉了）；请加上 inputDataItem。"),
    "mi.sequential_no_output": ("Sequential multi-instance {element} has an inputDataItem {item} but no "
                                "loopDataOutputRef/outputDataItem: the engine stops at the second item. Declare "
                                "the output list and item.",
                                "串行多实例 {element} 有 inputDataItem {item}，却没有 loopDataOutputRef/"
                                "outputDataItem：引擎在第二项时会出错。请声明输出列表和输出项。"),
    "mi.parallel_no_output": ("Parallel multi-instance {element} has no loopDataOutputRef/outputDataItem: each "
                              "instance's data, {item} included, is merged into the case, and running the step "
                              "again (a loop back) fails. Declare the output list and item.",
                              "并行多实例 {element} 没有 loopDataOutputRef/outputDataItem：各实例的数据（包括 "
                              "{item}）会合并进案件数据，流程绕回再次执行这一步时会出错。请声明输出列表和输出项。"),
    "event.no_condition": ("Conditional event {element} has no condition; write one in Python.",
                           "条件事件 {element} 没有条件，请用 Python 写上。"),
    "event.cancel": ("Cancel event {element} may only be used in a transaction sub-process.",
                     "取消事件 {element} 只能用在事务子流程中。"),
    "event.definition_no_id": ("A bpmn:{kind} at the top of the file has no id; give it one.",
                               "文件顶层的 bpmn:{kind} 没有 id，请设置。"),
    "data.unresolved": ("{element} maps data object {target}, which is not defined; define the data object or "
                        "remove the association.",
                        "{element} 关联的数据对象 {target} 没有定义；请定义该数据对象或删除关联。"),
    "element.unsupported": ("{tag} {element} is not supported by the engine; model it another way.",
                            "引擎不支持 {tag} {element}，请换一种建模方式。"),
    # --- timers ----------------------------------------------------------------------------------
    "timer.none": ("Timer {element} has no time: add a timeDuration, timeDate or timeCycle.",
                   "定时器 {element} 没有设置时间：请添加 timeDuration、timeDate 或 timeCycle。"),
    "timer.empty": ("Timer {element} has an empty {kind}; write a quoted ISO 8601 value such as \"PT4H\", or an "
                    "expression such as due_in(4, \"work_hours\").",
                    "定时器 {element} 的 {kind} 是空的；请写带引号的 ISO 8601 值（如 \"PT4H\"），或表达式"
                    "（如 due_in(4, \"work_hours\")）。"),
    "timer.unquoted": ("Timer {element}: timer expression {source} is an unquoted ISO 8601 literal; write it as a "
                       "string: \"{source}\".",
                       "定时器 {element} 的值 {source} 是没有加引号的 ISO 8601 字面量，请写成字符串：\"{source}\"。"),
    "timer.invalid": ("Timer {element}: timer value {value} is not a valid ISO 8601 {kind_en}; for example \"PT4H\", "
                      "\"2026-03-01T09:00:00+08:00\" or \"R3/PT1H\".",
                      "定时器 {element} 的值 {value} 不是合法的 ISO 8601 {kind_zh}；例如 \"PT4H\"、"
                      "\"2026-03-01T09:00:00+08:00\" 或 \"R3/PT1H\"。"),
    "timer.too_long": ("Timer {element}: duration {value} is longer than the platform allows ({limit_years} years); "
                       "use a shorter duration.",
                       "定时器 {element} 的时长 {value} 超过了平台允许的上限（{limit_years} 年），请缩短。"),
    "timer.year": ("Timer {element}: date {value} is beyond the year 9999; use a real date.",
                   "定时器 {element} 的日期 {value} 超过了 9999 年，请填写真实的日期。"),
    "timer.too_often": ("Timer {element}: cycle {value} repeats more often than once a minute; use a longer interval.",
                        "定时器 {element} 的周期 {value} 比每分钟一次还频繁，请加大间隔。"),
    "timer.too_many": ("Timer {element}: cycle {value} repeats more than {limit} times; use fewer repetitions.",
                       "定时器 {element} 的周期 {value} 重复次数超过 {limit} 次，请减少。"),
    # --- expressions -------------------------------------------------------------------------------
    "expr.syntax": ("{what_en} of {element} does not compile: {detail} (line {at}).",
                    "{element} 的{what_zh}无法编译：{detail}（第 {at} 行）。"),
    "expr.juel": ("{what_en} of {element} is a JUEL/FEEL expression ({source}); this platform runs Python: write "
                  "`{hint}`.",
                  "{element} 的{what_zh}是 JUEL/FEEL 表达式（{source}）；本平台运行 Python，应写成：{hint}。"),
    # --- DMN --------------------------------------------------------------------------------------
    "dmn.no_decision": ("The DMN file defines no decision; add a decision with a decision table.",
                        "该 DMN 文件没有定义任何决策，请添加一个带决策表的决策。"),
    "dmn.several": ("The DMN file defines {count} decisions ({found}); the engine reads one decision per file: put "
                    "each decision in its own .dmn file.",
                    "该 DMN 文件定义了 {count} 个决策（{found}）；引擎每个文件只读一个决策，请把每个决策放到单独的 "
                    ".dmn 文件中。"),
    "dmn.no_table": ("Decision {element} has no decision table (it is a {kind}); the engine runs decision tables "
                     "only.",
                     "决策 {element} 没有决策表（它是 {kind}）；引擎只运行决策表。"),
    "dmn.tables": ("Decision {element} has {count} decision tables; the engine runs one per decision.",
                   "决策 {element} 有 {count} 个决策表；引擎每个决策只运行一个。"),
    "dmn.duplicate": ("Decision id {element} is defined in {other} as well; decision ids must be unique in a bundle.",
                      "决策编号 {element} 在 {other} 中也有定义；同一流程包中的决策编号必须唯一。"),
    "dmn.entries": ("Rule {element} has {found} {part} cells but the table has {expected} {part} columns; add or "
                    "remove cells so that they match.",
                    "规则 {element} 有 {found} 个{part_zh}单元格，而表中有 {expected} 列{part_zh}；请增删单元格"
                    "使其一致。"),
    "dmn.output_name": ("Output column {element} has neither a name nor a label, so its result has no data name; "
                        "set name.",
                        "输出列 {element} 既没有 name 也没有 label，结果没有数据名称，请设置 name。"),
    "dmn.hit_policy": ("Decision table {element} uses hit policy {policy}, which the engine does not implement (it "
                       "would give wrong results); use UNIQUE, FIRST, ANY or COLLECT without aggregation.",
                       "决策表 {element} 使用命中策略 {policy}，引擎没有实现它（会得出错误结果）；请使用 "
                       "UNIQUE、FIRST、ANY 或不带汇总的 COLLECT。"),
    "dmn.output_syntax": ("Output cell {element}: {source} does not compile as Python ({detail}); quote text values, "
                          "for example \"town\".",
                          "输出单元格 {element}：{source} 不是合法的 Python（{detail}）；"
                          "文字请加引号，例如 \"town\"。"),
    "event.boundary_none": ("Boundary event {element} has no event definition (timer, message, signal, error …); "
                            "choose what it waits for.",
                            "边界事件 {element} 没有事件定义（定时器、消息、信号、错误等），请选择它等待什么。"),
    "dmn.unknown_element": ("Decision table {element} contains a {tag} element the engine cannot read; remove it.",
                            "决策表 {element} 含有引擎无法读取的 {tag} 元素，请删除。"),
    "dmn.cell": ("Rule {row} ({element}): input cell {cell} does not compile as a Python test; write for example "
                 "\"town\", < 1000, 100 < ? <= 110 or \"PEANUTS\" in ?.",
                 "规则 {row}（{element}）：输入单元格 {cell} 不是合法的 Python 判断；可写成 \"town\"、< 1000、"
                 "100 < ? <= 110 或 \"PEANUTS\" in ? 等形式。"),
    "dmn.feel": ("Rule {row} ({element}): input cell {cell} is FEEL; this platform runs Python: write `{hint}` (? "
                 "stands for the input).",
                 "规则 {row}（{element}）：输入单元格 {cell} 是 FEEL 写法；本平台运行 Python，应写成：{hint}"
                 "（? 代表输入值）。"),
    "dmn.expression": ("{what_en} {element}: DMN expression {source} does not compile: {detail}.",
                       "{what_zh} {element}：DMN 表达式 {source} 无法编译：{detail}。"),
    "variant.key": ("A locality variant for {locality} holds only the files it changes, but no process deployed "
                    "for {locality} or above has files of these names and the upload has no BPMN file; name the "
                    "process (key) they belong to.",
                    "{locality} 的地方版本只需上传改动的文件，但 {locality} 及上级已部署的流程中没有同名文件，"
                    "上传中也没有 BPMN 文件；请填写这些文件所属的流程（key）。"),
    "variant.no_parent": ("Process {key} has no version for {locality} to overlay or none above it; deploy the "
                          "platform-wide version first.",
                          "流程 {key} 在 {locality} 之上没有可叠加的版本，请先部署全县通用版。"),
    "effect.unknown": ("{element} asks for effect {effect}, which this platform does not have; use one of: "
                       "{effects}.",
                       "{element} 的属性 effect 为 {effect}，平台没有这个机制；可用的有：{effects}。"),
    # --- dead ends ----------------------------------------------------------------------------------
    "lane.no_role": ("Lane {name} ({element}) names no role the platform knows, so its tasks would reach nobody. "
                     "Name the lane after a role ({roles}), or set lane property role, or role_from naming the data "
                     "that holds the role.",
                     "泳道 {name}（{element}）没有对应平台中的任何角色，其中的任务没有人能看到。请用角色名称命名"
                     "泳道（{roles}），或设置泳道属性 role，或用 role_from 指明保存角色的数据。"),
    "wait.unreachable": ("{tag} {element} waits for {kind} {name}, but nothing in the bundle sends it and it is not "
                         "marked as sent from outside: cases would wait there forever. Throw it in the process, or "
                         "set property external = true on the event or on the {kind} if another system sends it "
                         "through POST /api/v1/{kind}s.",
                         "{tag} {element} 等待{kind_zh} {name}，但流程包中没有任何地方发送它，也没有标明由外部发送："
                         "案件会永远停在这里。请在流程中发送它；如果由其他系统通过 POST /api/v1/{kind}s 发送，请在"
                         "该事件或该{kind_zh}上设置属性 external = true。"),
    # --- data flow (engine/deadends.py::data_flow) ---------------------------------------------------
    "data.decision_output": ("{reader_en} reads variable '{name}', but decision table '{decision}' (called by "
                             "{task}) no longer has that output column (now {now}), and nothing else in the process "
                             "sets '{name}': a case would stop in error there. Rename the decision's output back to "
                             "'{name}', or make it read {now}.",
                             "{reader_zh}读取变量 '{name}'，但决策表 '{decision}'（由 {task} 调用）的输出已没有该列"
                             "（现为 {now}），流程中也没有其他环节设置 '{name}'：案件走到这里会出错。请把决策表的输出列"
                             "改回 '{name}'，或改为读取 {now}。"),
    "data.unset": ("{reader_en} reads variable '{name}', which nothing in the process sets (no form field, script, "
                   "decision output or data object, and the start form does not have it): a case would stop in "
                   "error there. Add it to a form, set it in a script, or correct the name.",
                   "{reader_zh}读取变量 '{name}'，但流程中没有任何环节会设置它（表单字段、脚本、决策表输出、数据对象"
                   "都没有，开始表单中也没有）：案件走到这里会出错。请把它加到表单中、在脚本中设置，或改正变量名。"),
    # --- whatever the engine says that we have no sentence for ------------------------------------
    "engine.refused": ("The engine refused {element_en}: {detail}.", "流程引擎拒绝了{element_zh}：{detail}。"),
    "engine.unreadable": ("{element_en} could not be read: the model is incomplete (an attribute or child element "
                          "the engine needs is missing or empty). Check it in the modeler and export again.",
                          "无法读取{element_zh}：模型不完整（引擎需要的某个属性或子元素缺失或为空）。请在建模工具中"
                          "检查后重新导出。"),
}


def _filled(template: str, params: dict) -> str:
    return template.format_map(_Defaults(params))


class _Defaults(dict):
    def __missing__(self, key):
        return "?"


def issue(code: str, file: str | None = None, line: int | None = None, element: str | None = None,
          **params) -> Issue:
    """The catalogue's sentence ``code`` with ``params`` filled in, as an ``Issue``."""
    en, zh = CATALOGUE[code]
    params = {"element": element or "", **{k: _show(v) for k, v in params.items()}}
    return Issue(file, line, _filled(en, params), element=element, code=code, message_zh=_filled(zh, params))


def _show(value) -> str:
    if isinstance(value, list | tuple | set):
        return ", ".join(str(v) for v in value) or "-"
    return str(value) if value is not None else "-"


# --- problems written elsewhere in plain English (forms) ---------------------------------------
_PLAIN: list[tuple[re.Pattern, str]] = [(re.compile(p), zh) for p, zh in (
    (r"^task (\S+) references form '?([^']+?)'?, which is neither in the bundle nor in forms/$",
     "任务 {0} 引用的表单 {1} 既不在流程包中，也不在 forms/ 目录中；请一并上传该表单，或改正文件名。"),
    (r"^not valid JSON: (.*)$", "表单不是合法的 JSON：{0}"),
    (r"^form is not referenced by any task; not stored$", "没有任务引用这个表单，未保存。"),
    (r"^(.*)$", "表单定义有误：{0}"),
)]


def normalise(problem: Problem) -> Issue:
    """Any ``Problem`` as an ``Issue``: plain ones (from form checks) get a Chinese sentence too."""
    if isinstance(problem, Issue):
        return problem
    zh = problem.message
    for pattern, template in _PLAIN:
        match = pattern.match(problem.message)
        if match:
            zh = template.format(*match.groups())
            break
    return Issue(problem.file, problem.line, problem.message, code="form", message_zh=zh)


def as_dicts(problems) -> list[dict]:
    return [normalise(p).as_dict() for p in problems]
