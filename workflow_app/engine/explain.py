"""SpiffWorkflow's and the XML schema validator's messages, put into the catalogue's sentences.

The engine reports some problems in its own words ("Non-default exclusive outgoing sequence flow
without condition"), some as the ``repr`` of an internal exception (``AttributeError(...)``), and
names elements as ``<Element … at 0x…>``. Here each known message becomes a catalogue issue with
file, line and element; an internal exception becomes "could not be read" naming the element; and
nothing of Python's internals reaches a designer.
"""

import logging
import re

from lxml import etree

from . import problems, safexml
from .problems import Issue

log = logging.getLogger(__name__)

_PREFIXES = {
    "http://www.omg.org/spec/BPMN/20100524/MODEL": "bpmn",
    "http://www.omg.org/spec/BPMN/20100524/DI": "bpmndi",
    "http://www.omg.org/spec/DD/20100524/DC": "dc",
    "http://www.omg.org/spec/DD/20100524/DI": "di",
    "http://spiffworkflow.org/bpmn/schema/1.0/core": "spiffworkflow",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "dmn",
    "http://www.omg.org/spec/DMN/20180521/MODEL/": "dmn",
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "dmn",
    "http://www.w3.org/2001/XMLSchema": "xs",
}
_QNAME = re.compile(r"\{([^}]*)\}([\w.-]+)")
_ELEMENT_REPR = re.compile(r"<Element (\{[^}]*\})?([\w.-]+) at 0x[0-9a-f]+>")
_RAW = re.compile(r"^[A-Z]\w*(Error|Exception|Exit)\(|Traceback|object has no attribute|index out of range|"
                  r"unexpected keyword argument|NoneType|not subscriptable|KeyError")

# (engine message pattern, catalogue code, names of the pattern's groups)
_ENGINE: list[tuple[re.Pattern, str, tuple[str, ...]]] = [(re.compile(p), c, g) for p, c, g in (
    (r"^Non-default exclusive outgoing sequence flow without condition", "flow.no_condition", ()),
    (r"^No start event found", "process.no_start", ()),
    (r"^Process (\S+) is not executable", "process.not_executable", ()),
    (r"^Duplicate process ID: (.+)", "process.duplicate", ()),
    (r"^Multiple outgoing flows are not supported", "task.several_outgoing", ()),
    (r"^When looking for a task spec, we found two items.*\((.*)\)", "ref.missing", ("target",)),
    (r"^A multiinstance task must specify a cardinality", "mi.no_input", ()),
    (r"^A multiinstance task must specify exactly one", "mi.both", ()),
    (r"^A loopMaximum or loopCondition must be specified", "loop.no_condition", ()),
    (r"^Cancel Events may only be used with transactions", "event.cancel", ()),
    (r"^Conditional event definition with missing condition", "event.no_condition", ()),
    (r"^(Unknown Time Specification|Time Specification Error)", "timer.none", ()),
    (r'^No DMN Diagram available with id "(.*)", Available DMN ids are: ?(.*)', "decision.missing",
     ("target", "found")),
    (r"^The process '(.*)' was not found\. Did you mean one of the following: ?(.*)\?", "call.missing",
     ("target", "found")),
    (r'^No "calledElement" attribute', "call.no_target", ()),
    (r"^Exactly one start event is required in a SubWorkflow Task; found (\d+)", "subprocess.start", ("count",)),
    (r"^A SubWorkflow Must contain an End event", "subprocess.end", ()),
    (r"^Invalid Script Task", "script.missing", ()),
    (r"^A Service Task must have an operator", "service.no_operator", ()),
    (r"^Cannot resolve data(?:Input|Output)Association (.*)", "data.unresolved", ("target",)),
    (r"^There is no support implemented for this task type", "element.unsupported", ()),
    (r"^(Message|Signal|Error|Escalation|Correlation) identifier is missing", "event.definition_no_id", ("kind",)),
    (r"^Malformed Output Expression '(.*)'\. (.*)", "dmn.output_syntax", ("source", "detail")),
    (r"^Unknown type in decision table: '?([^']*)'?", "dmn.unknown_element", ("tag",)),
)]


def _short(text: str) -> str:
    """'{http://www.omg.org/spec/BPMN/20100524/MODEL}task' -> 'bpmn:task' (other namespaces kept)."""
    text = _ELEMENT_REPR.sub(lambda m: _short(f"{m.group(1) or ''}{m.group(2)}"), text)
    return _QNAME.sub(lambda m: f"{_PREFIXES[m.group(1)]}:{m.group(2)}" if m.group(1) in _PREFIXES
                      else m.group(2), text)


def _sentence(text: str) -> str:
    text = " ".join(_short(text).split()).rstrip(" .")
    return text


def _tag(tag: str | None) -> str:
    return _short(tag or "") or "element"


def engine_issue(error, sources: dict, fallback_file: str | None = None) -> Issue:
    """A SpiffWorkflow ``ValidationException`` as a catalogue issue."""
    text = str(error.args[0]) if error.args else ""
    file = getattr(error, "file_name", None) or fallback_file
    element = getattr(error, "id", None) or None
    tag = _tag(getattr(error, "tag", None))
    line = error.line_number if isinstance(getattr(error, "line_number", None), int) else None
    file, line = _locate(sources, file, line, element)
    for pattern, code, names in _ENGINE:
        match = pattern.match(text)
        if match:
            params = {k: _sentence(v or "") for k, v in zip(names, match.groups(), strict=False)}
            if code == "ref.missing":
                params |= {"tag": tag, "attribute": "targetRef"}
            if code == "element.unsupported":
                params["tag"] = tag
            return problems.issue(code, file, line, element, **params)
    return unknown(text, file, line, element, tag)


def unknown(text: str, file, line, element, tag: str = "element") -> Issue:
    """No sentence for this message: say which element, never show Python's internals."""
    named_en = f"the {tag} {element}" if element else (f"the {tag} element" if tag != "element" else "the model")
    named_zh = f" {tag} {element}" if element else (f" {tag} 元素" if tag != "element" else "该模型")
    if not text or _RAW.search(text):
        if text:
            log.info("engine internals while reading %s line %s (%s): %s", file, line, element, text)
        return problems.issue("engine.unreadable", file, line, element, element_en=named_en[:1].upper() + named_en[1:],
                              element_zh=named_zh)
    return problems.issue("engine.refused", file, line, element, element_en=named_en, element_zh=named_zh,
                          detail=_sentence(text))


def _locate(sources: dict, file, line, element):
    if line is None and element:
        for source in ([sources[file]] if file in sources else sources.values()):
            found = safexml.line_of_id(source.tree, element)
            if found:
                return source.name, found
    return (file if file in sources or file is None else file), line


# --- XML schema messages ------------------------------------------------------------------------
_XSD: list[tuple[re.Pattern, str]] = [(re.compile(p), zh) for p, zh in (
    (r"^Element '([^']+)': This element is not expected\. Expected is (?:one of )?\( ?(.*?) ?\)",
     "元素 {0} 不应出现在这里（应为 {1} 之一）"),
    (r"^Element '([^']+)': This element is not expected", "元素 {0} 不应出现在这里"),
    (r"^Element '([^']+)', attribute '([^']+)': The attribute '[^']+' is not allowed", "元素 {0} 不允许有属性 {1}"),
    (r"^Element '([^']+)': The attribute '([^']+)' is required but missing", "元素 {0} 缺少必需的属性 {1}"),
    (r"^Element '([^']+)': Missing child element\(s\)\. Expected is (?:one of )?\( ?(.*?) ?\)",
     "元素 {0} 缺少子元素 {1}"),
    (r"^Element '([^']+)', attribute '([^']+)': '(.*)' is not a valid value of .*xs:ID",
     "元素 {0} 的属性 {1} 的值 {2} 不是合法的编号（须以字母或下划线开头，不能有空格，且不能重复）"),
    (r"^Element '([^']+)', attribute '([^']+)': '(.*)' is not a valid value", "元素 {0} 的属性 {1} 的值 {2} 不合法"),
    (r"^Element '([^']+)': '(.*)' is not a valid value of the atomic type 'xs:(?:IDREF|QName)'",
     "元素 {0} 的内容 '{1}' 不是合法的引用（应为另一个元素的 id；连线可能已丢失，请重新连线）"),
    (r"^Element '([^']+)': '(.*)' is not a valid value", "元素 {0} 的内容 {1} 不合法"),
    (r"^Element '([^']+)': No matching global declaration available for the validation root",
     "根元素 {0} 不属于该规范"),
    (r"^Element '([^']+)': Character content other than whitespace is not allowed",
     "元素 {0} 中不能直接写文字"),
    (r"^Element '([^']+)'.*Duplicate key-sequence \[?'?([^'\]]*)", "编号 {1} 重复（元素 {0}）"),
    (r"^Element '([^']+)', attribute '([^']+)': .*(?:ID|key) '?([^' ]+)'? (?:is )?(?:already defined|duplicate)",
     "编号 {2} 重复（元素 {0}）"),
)]


_ID_HINT = " (an id must start with a letter or underscore, contain no spaces and be unique in the file)"
_REF_HINT = " (it must name the id of another element: the connection was probably lost; draw it again)"


def xsd_issue(message: str, file: str, line: int | None, tree, standard: str) -> Issue:
    """A schema validator's message as a sentence, with the element found at that line."""
    detail = _sentence(message)
    detail_zh = f"{detail}（XML 规范校验）"
    for pattern, zh in _XSD:
        match = pattern.match(detail)
        if match:
            detail_zh = zh.format(*match.groups())
            break
    if "'xs:ID'" in detail:
        detail += _ID_HINT
    elif "'xs:IDREF'" in detail or "'xs:QName'" in detail:
        detail += _REF_HINT
    return problems.issue("xsd.invalid", file, line, _id_at(tree, line), standard=standard, detail=detail,
                          detail_zh=detail_zh)


def _id_at(tree, line: int | None) -> str | None:
    """The id of the element on ``line`` (or of its nearest ancestor with one)."""
    if tree is None or not line:
        return None
    for node in tree.getroot().iter():
        if isinstance(node.tag, str) and node.sourceline == line:
            while node is not None:
                if node.get("id"):
                    return node.get("id")
                node = node.getparent()
            return None
    return None


def qualified(node) -> str:
    """A node's tag as designers see it (bpmn:userTask)."""
    return _short(node.tag) if isinstance(node.tag, str) else "node"


def local(node) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""
