"""DMN files: which versions the platform reads, their schemas, and the checks the engine skips.

SpiffWorkflow reads DMN 1.1, 1.2 and 1.3 decision tables (one decision per file, one table per
decision, Python cells). Before a file reaches it, it is checked here so that every refusal names
the DMN file, its line and the DMN element, never the BPMN task that calls the decision:

- the root must be ``definitions`` in a DMN 1.1–1.3 namespace, with any prefix;
- the schema (SpiffWorkflow ships a DMN 1.2 schema whose diagram part points at the wrong
  namespace, so it cannot be compiled; the DMNDI 1.2 part is supplied here);
- exactly one decision, with one decision table, a hit policy the engine runs correctly, rules
  with as many cells as there are columns, outputs with a data name, ids where the engine reads them;
- cells: Python tests, with ``?`` standing for the input (``100 < ? <= 110``, ``"PEANUTS" in ?``),
  as the engine evaluates them; FEEL lists, ranges and ``not(…)`` are refused with the Python to write.
"""

import ast
import os
import re
from functools import cache

from lxml import etree
from SpiffWorkflow.bpmn.parser.node_parser import DEFAULT_NSMAP
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS, XSD_DIR
from SpiffWorkflow.dmn.parser.DMNParser import DMNParser

from . import explain, problems
from .problems import Issue

VERSIONS = {
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "1.1",
    "http://www.omg.org/spec/DMN/20180521/MODEL/": "1.2",
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "1.3",
}
_DMNDI12 = "http://www.omg.org/spec/DMN/20180521/DMNDI/"
_DMNDI13 = "https://www.omg.org/spec/DMN/20191111/DMNDI/"
_SUPPLIED_DMNDI12 = "platform-dmndi12.xsd"
# The engine returns the first matching rule (or, for COLLECT, every match): right for these only.
HIT_POLICIES = {"UNIQUE", "FIRST", "ANY", "COLLECT"}
INPUT_MARK = "dmninputexpr"  # what the engine puts in place of '?'
_QUESTION = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")  # the engine's own rule: '?' outside quotes
_RANGE = re.compile(r"^\s*([\[\]\(])\s*(.+?)\s*\.\.\s*(.+?)\s*([\[\]\)])\s*$")


def namespace(tree) -> str | None:
    """The DMN namespace of a file whose root is a DMN ``definitions``, else None."""
    root = tree.getroot()
    qname = etree.QName(root)
    return qname.namespace if qname.localname == "definitions" and qname.namespace in VERSIONS else None


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


# --- schema --------------------------------------------------------------------------------------
class _SchemaResolver(etree.Resolver):
    """Supplies the DMNDI 1.2 schema: the DMNDI 1.3 one in the 1.2 namespace (they are the same)."""

    def resolve(self, url, pubid, context):
        if url and url.endswith(_SUPPLIED_DMNDI12):
            with open(os.path.join(XSD_DIR, "DMNDI13.xsd"), "rb") as source:
                text = source.read().replace(_DMNDI13.encode(), _DMNDI12.encode())
            return self.resolve_string(text, context, base_url=os.path.join(XSD_DIR, _SUPPLIED_DMNDI12))
        return None


@cache
def _schema(ns: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_SchemaResolver())
    document = etree.parse(SCHEMAS[ns], parser)
    for item in document.getroot().findall("{http://www.w3.org/2001/XMLSchema}import"):
        if item.get("namespace") == _DMNDI12:
            item.set("schemaLocation", _SUPPLIED_DMNDI12)
    return etree.XMLSchema(document)


def validate(tree, name: str) -> list[Issue]:
    """Root and schema checks; the first schema error only (as the BPMN validator reports)."""
    ns = namespace(tree)
    if ns is None:
        return [problems.issue("xml.not_dmn", name, tree.getroot().sourceline, tree.getroot().get("id"),
                               root=explain.qualified(tree.getroot()) or "?", namespaces=list(VERSIONS))]
    schema = _schema(ns)
    if schema.validate(tree):
        return []
    error = schema.error_log.last_error
    return [explain.xsd_issue(error.message, name, error.line, tree, f"DMN {VERSIONS[ns]}")]


# --- structure -----------------------------------------------------------------------------------
def check(tree, name: str) -> list[Issue]:
    """What the engine would crash on or silently get wrong, for a schema-valid DMN file."""
    ns = namespace(tree)
    root = tree.getroot()
    decisions = root.findall(f".//{_q(ns, 'decision')}")
    if not decisions:
        return [problems.issue("dmn.no_decision", name, root.sourceline, root.get("id"))]
    if len(decisions) > 1:
        return [problems.issue("dmn.several", name, decisions[1].sourceline, decisions[1].get("id"),
                               count=len(decisions), found=[d.get("id") for d in decisions])]
    decision = decisions[0]
    found = _missing_ids(decision, ns, name)
    if found:
        return found
    tables = decision.findall(_q(ns, "decisionTable"))
    if len(tables) != 1:
        return [_table_count(decision, tables, name)]
    return _check_table(tables[0], ns, name)


def _table_count(decision, tables, name) -> Issue:
    if tables:
        return problems.issue("dmn.tables", name, tables[1].sourceline, decision.get("id"), count=len(tables))
    logic = [explain.local(c) for c in decision if explain.local(c) not in ("", "description", "question",
             "allowedAnswers", "variable", "informationRequirement", "knowledgeRequirement",
             "authorityRequirement", "supportedObjective", "extensionElements", "impactedPerformanceIndicator",
             "decisionMaker", "decisionOwner", "usingProcess", "usingTask")]
    return problems.issue("dmn.no_table", name, decision.sourceline, decision.get("id"),
                          kind=logic[0] if logic else "empty decision")


_NEEDS_ID = ("decisionTable", "input", "output", "rule", "inputEntry", "outputEntry")


def _missing_ids(decision, ns, name) -> list[Issue]:
    nodes = [decision, *(n for tag in _NEEDS_ID for n in decision.iter(_q(ns, tag)))]
    return [problems.issue("element.no_id", name, n.sourceline, None, tag=f"dmn:{explain.local(n)}")
            for n in nodes if not n.get("id")][:1]


def _check_table(table, ns, name) -> list[Issue]:
    found = []
    policy = (table.get("hitPolicy") or "UNIQUE").upper()
    if policy not in HIT_POLICIES or table.get("aggregation"):
        shown = policy + (f" {table.get('aggregation')}" if table.get("aggregation") else "")
        found.append(problems.issue("dmn.hit_policy", name, table.sourceline, table.get("id"), policy=shown))
    inputs, outputs = table.findall(_q(ns, "input")), table.findall(_q(ns, "output"))
    for output in outputs:
        if not (output.get("name") or output.get("label")):
            found.append(problems.issue("dmn.output_name", name, output.sourceline, output.get("id")))
    for rule in table.findall(_q(ns, "rule")):
        for part, part_zh, columns in (("input", "输入", inputs), ("output", "输出", outputs)):
            cells = rule.findall(_q(ns, f"{part}Entry"))
            if len(cells) != len(columns):
                found.append(problems.issue("dmn.entries", name, rule.sourceline, rule.get("id"), found=len(cells),
                                            expected=len(columns), part=part, part_zh=part_zh))
    return found


def clean(tree) -> None:
    """Drop what the engine cannot read but that changes nothing: comments, processing
    instructions, and DMN 1.3 annotation columns and their cells (rule notes)."""
    ns = namespace(tree)
    for table in tree.getroot().iter(_q(ns, "decisionTable")):
        doomed = [n for n in table.iter() if not isinstance(n.tag, str)]
        doomed += table.findall(_q(ns, "annotation")) + table.findall(f"{_q(ns, 'rule')}/{_q(ns, 'annotationEntry')}")
        for node in doomed:
            parent = node.getparent()
            if parent is not None:
                if not isinstance(node.tag, str) and node.tail:
                    previous = node.getprevious()
                    if previous is not None:
                        previous.tail = (previous.tail or "") + node.tail
                    else:
                        parent.text = (parent.text or "") + node.tail
                parent.remove(node)


def load(parser, tree, name: str) -> str:
    """Register the file's decision with ``parser`` (whatever prefix the file uses) and parse it
    now, so that the engine's errors name this file. Returns the decision id."""
    nsmap = {**parser.namespaces, **DEFAULT_NSMAP, "dmn": namespace(tree)}
    dmn_parser = DMNParser(parser, tree.getroot(), nsmap, filename=name)
    dmn_parser.parse()
    parser.dmn_parsers[dmn_parser.bpmn_id] = dmn_parser
    parser.dmn_parsers_by_name[dmn_parser.get_name()] = dmn_parser
    return dmn_parser.bpmn_id


def engine_error(error: ValidationException, sources: dict, name: str) -> Issue:
    if not getattr(error, "file_name", None):
        error.file_name = name
    return explain.engine_issue(error, sources, name)


# --- cells ---------------------------------------------------------------------------------------
def cell_problem(cell: str) -> tuple[str, dict] | None:
    """(catalogue code, params) when the engine cannot evaluate input cell ``cell`` as meant."""
    if not cell or not cell.strip() or cell.strip() == "-":
        return None
    feel = _feel_hint(cell)
    if feel:
        return "dmn.feel", {"hint": feel}
    marked = _QUESTION.sub(INPUT_MARK, cell)
    candidates = [marked] if INPUT_MARK in marked else [cell, f"v {cell}"]
    for candidate in candidates:
        try:
            ast.parse(candidate.strip(), mode="eval")
            return None
        except SyntaxError:
            continue
    return "dmn.cell", {}


def _feel_hint(cell: str) -> str | None:
    text = cell.strip()
    ranged = _RANGE.match(text)
    if ranged:
        low, lo_value, hi_value, high = ranged.groups()
        return f"{lo_value} {'<=' if low == '[' else '<'} ? {'<=' if high == ']' else '<'} {hi_value}"
    if re.match(r"^not\s*\(", text):
        inner = text[text.index("(") + 1:].rstrip(")").strip()
        return f"? not in ({inner})" if "," in inner else f"? != {inner}"
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return None
    if isinstance(tree.body, ast.Tuple) and INPUT_MARK not in _QUESTION.sub(INPUT_MARK, text):
        return f"? in ({text})"
    return None


def for_engine(cell: str) -> str:
    """The engine glues a comparison cell straight onto its input ('category' + 'not in [...]');
    a leading space keeps 'not in', 'in' and friends from fusing with the input's name. A cell with
    ``?`` is evaluated on its own, so it must not start with a space."""
    if INPUT_MARK in _QUESTION.sub(INPUT_MARK, cell or ""):
        return cell.strip()
    if not cell or cell[0].isspace():
        return cell
    try:
        ast.parse(cell, mode="eval")
        return cell
    except SyntaxError:
        return " " + cell


def expression_problem(source: str) -> str | None:
    try:
        ast.parse(source.strip(), mode="eval")
    except SyntaxError as error:
        return error.msg
    return None
