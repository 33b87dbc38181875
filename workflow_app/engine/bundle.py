"""Compiling a bundle of BPMN and DMN files into a deployable spec, or refusing it with reasons.

Nothing here touches the database: the result is a serialised spec plus a manifest (lanes and
their properties, the start event, the forms the tasks reference) that the process repository
stores as one immutable version.
"""

from dataclasses import dataclass

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.dmn.parser.BpmnDmnParser import BpmnDmnParser
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser

from . import lint, safexml, serializer
from .types import CompiledBundle, Problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN_NS}
_DMN_VALIDATORS: dict[str, BpmnValidator] = {}


class BundleRefused(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass
class _Source:
    name: str
    kind: str
    tree: object


class _Parser(SpiffBpmnParser):
    """The spiff parser with XSD validation and DMN validators built once per schema."""

    def __init__(self):
        super().__init__(validator=VALIDATOR)

    def add_dmn_xml(self, node, filename=None):
        namespaces = dict(node.nsmap)
        schema = self.dmn_schemas.get(namespaces.get(None) or namespaces.get("dmn"))
        if schema is not None:
            if schema not in _DMN_VALIDATORS:
                _DMN_VALIDATORS[schema] = BpmnValidator(schema)
            _DMN_VALIDATORS[schema].validate(node, filename)
        validator, self.validator = self.validator, None
        try:
            BpmnDmnParser.add_dmn_xml(self, node, filename)
        finally:
            self.validator = validator


def _message(error: Exception) -> str:
    base = str(error.args[0]) if error.args else error.__class__.__name__
    notes = [n for n in getattr(error, "notes", []) if n]
    return ". ".join([base, *notes])


def _problem(error: ValidationException, sources: dict[str, _Source]) -> Problem:
    file = error.file_name or None
    line = error.line_number if isinstance(error.line_number, int) and error.line_number else None
    if line is None and getattr(error, "id", None):
        for source in ([sources[file]] if file in sources else sources.values()):
            line = safexml.line_of_id(source.tree, error.id)
            if line:
                file = source.name
                break
    return Problem(file, line, _message(error))


def _parse_xml(files) -> tuple[dict[str, _Source], list[Problem]]:
    sources, problems = {}, []
    for name, content, kind in files:
        try:
            sources[name] = _Source(name, kind, safexml.parse(content))
        except safexml.UnsafeXml as error:
            problems.append(Problem(name, error.line, str(error)))
        except etree.XMLSyntaxError as error:
            problems.append(Problem(name, error.lineno, f"malformed XML: {error.msg}"))
    return sources, problems


def _load_parser(sources: dict[str, _Source]) -> tuple[_Parser, list[Problem]]:
    parser, problems = _Parser(), []
    for source in sources.values():
        root = source.tree.getroot()
        try:
            if source.kind == "dmn":
                parser.add_dmn_xml(root, filename=source.name)
            else:
                parser.add_bpmn_xml(source.tree, filename=source.name)
        except ValidationException as error:
            problems.append(_problem(error, sources))
    return parser, problems


def _primary_key(parser: _Parser, key: str | None, sources) -> str:
    ids = parser.get_process_ids()
    if key is not None:
        if key not in ids:
            raise BundleRefused([Problem(None, None, f"process {key!r} is not in the bundle (found: {ids})")])
        return key
    called = parser.process_dependencies
    top = [i for i in ids if i not in called]
    if len(top) == 1:
        return top[0]
    if not ids:
        names = ", ".join(s.name for s in sources.values() if s.kind == "bpmn") or "the bundle"
        raise BundleRefused([Problem(None, None, f"no executable BPMN process in {names}")])
    raise BundleRefused([Problem(None, None, f"several top-level processes ({', '.join(top)}); name the key")])


def compile_bundle(files: list[tuple[str, bytes, str]], key: str | None = None) -> CompiledBundle:
    """Compile (name, content, kind) files, kind 'bpmn' or 'dmn'. Raises ``BundleRefused``."""
    sources, problems = _parse_xml(files)
    if problems:
        raise BundleRefused(problems)
    if not any(s.kind == "bpmn" for s in sources.values()):
        raise BundleRefused([Problem(None, None, "a bundle needs at least one .bpmn file")])
    parser, problems = _load_parser(sources)
    if problems:
        raise BundleRefused(problems)
    key = _primary_key(parser, key, sources)
    try:
        spec = parser.get_spec(key)
        subprocess_specs = parser.get_subprocess_specs(key)
        for decision in parser.dmn_parsers.values():
            decision.parse()
    except ValidationException as error:
        raise BundleRefused([_problem(error, sources)]) from error
    _normalise_dmn_cells([spec, *subprocess_specs.values()])
    problems = _lint(parser, [spec, *subprocess_specs.values()], sources)
    if problems:
        raise BundleRefused(problems)
    manifest = _manifest(parser, key, spec, subprocess_specs, sources)
    return CompiledBundle(
        key=key,
        name=spec.description or key,
        spec_json=serializer.dump_spec(spec, subprocess_specs),
        manifest=manifest,
        files=[],
    )


def _normalise_dmn_cells(specs) -> None:
    for spec in specs:
        for ts in spec.task_specs.values():
            engine = getattr(ts, "dmnEngine", None)
            if engine is None:
                continue
            for rule in engine.decision_table.rules:
                for entry in rule.inputEntries:
                    entry.lhs = [lint.dmn_cell_for_engine(c) if c else c for c in entry.lhs]


# --- lint --------------------------------------------------------------------------------------
def _file_of(parser: _Parser, process_id: str) -> str | None:
    process_parser = parser.process_parsers.get(process_id)
    return getattr(process_parser, "filename", None)


def _flow_line(tree, source_id: str, target_id: str | None) -> int | None:
    if target_id:
        found = tree.xpath(
            "//bpmn:sequenceFlow[@sourceRef=$s][@targetRef=$t]", namespaces=NS, s=source_id, t=target_id
        )
        if found:
            return found[0].sourceline
    return safexml.line_of_id(tree, source_id)


def _lint(parser: _Parser, specs, sources) -> list[Problem]:
    problems = []
    for spec in specs:
        file = _file_of(parser, spec.name)
        tree = sources[file].tree if file in sources else None
        for expression in lint.expressions(spec):
            reason = lint.check(expression)
            if reason:
                line = _flow_line(tree, expression.element_id, expression.target)
                problems.append(Problem(file, line, f"{expression.element_id}: {reason}"))
    problems.extend(_lint_dmn(parser, sources))
    return problems


def _lint_dmn(parser: _Parser, sources) -> list[Problem]:
    problems = []
    for dmn in parser.dmn_parsers.values():
        tree = sources[dmn.filename].tree if dmn.filename in sources else None
        for table in dmn.decision.decisionTables:
            problems.extend(_lint_table(table, dmn.filename, tree))
    return problems


def _lint_table(table, filename, tree) -> list[Problem]:
    problems = []
    for item in table.inputs:
        if item.expression and (reason := lint.dmn_expression_problem(item.expression)):
            problems.append(Problem(filename, safexml.line_of_id(tree, item.id), reason))
    for rule in table.rules:
        line = safexml.line_of_id(tree, rule.id)
        for entry in rule.inputEntries:
            for cell in entry.lhs:
                if cell and (reason := lint.dmn_cell_problem(cell)):
                    problems.append(Problem(filename, line, f"rule {rule.row_number}: {reason}"))
        for entry in rule.outputEntries:
            if entry.text and (reason := lint.dmn_expression_problem(entry.text)):
                problems.append(Problem(filename, line, f"rule {rule.row_number}: {reason}"))
    return problems


# --- manifest ----------------------------------------------------------------------------------
def _properties(element) -> dict:
    """name/value properties from any modeler's extension (spiffworkflow:, camunda:, zeebe: …)."""
    found = element.xpath(
        "./bpmn:extensionElements/*[local-name()='properties']/*[local-name()='property']", namespaces=NS
    )
    return {p.get("name"): p.get("value") for p in found if p.get("name")}


def _extension_text(element, name: str) -> str | None:
    found = element.xpath(f"./bpmn:extensionElements/*[local-name()='{name}']", namespaces=NS)
    return (found[0].text or "").strip() or None if found else None


def _node_properties(sources) -> dict:
    """Name/value properties of every flow node that has any: models hang ``fact``, ``effect``,
    ``stage`` and SLA settings on nodes, and the platform reads them here."""
    found = {}
    for source in sources.values():
        if source.kind != "bpmn":
            continue
        path = "//bpmn:process//*[@id][bpmn:extensionElements/*[local-name()='properties']]"
        for node in source.tree.xpath(path, namespaces=NS):
            if etree.QName(node).localname in ("lane", "laneSet", "process"):
                continue
            found[node.get("id")] = {"name": node.get("name"), "type": etree.QName(node).localname,
                                     **_properties(node)}
    return found


def _lanes(sources) -> dict:
    lanes = {}
    for source in sources.values():
        if source.kind != "bpmn":
            continue
        for lane in source.tree.xpath("//bpmn:lane", namespaces=NS):
            name = lane.get("name") or lane.get("id")
            lanes.setdefault(name, {}).update(_properties(lane))
    return lanes


def _start(parser: _Parser, key: str, sources) -> dict:
    file = _file_of(parser, key)
    if file not in sources:
        return {}
    process = sources[file].tree.xpath("//bpmn:process[@id=$k]", namespaces=NS, k=key)
    for event in process[0].xpath("./bpmn:startEvent", namespaces=NS) if process else []:
        if event.xpath("./*[contains(local-name(), 'EventDefinition')]"):
            continue
        lane = process[0].xpath(
            ".//bpmn:lane[bpmn:flowNodeRef/text()=$i]", namespaces=NS, i=event.get("id")
        )
        return {
            "bpmn_id": event.get("id"),
            "name": event.get("name"),
            "lane": (lane[0].get("name") or lane[0].get("id")) if lane else None,
            "form": _extension_text(event, "formJsonSchemaFilename"),
            "properties": _properties(event),
        }
    return {}


def _form_refs(parser: _Parser, specs, sources) -> list[dict]:
    refs = []
    for spec in specs:
        file = _file_of(parser, spec.name)
        tree = sources[file].tree if file in sources else None
        for ts in spec.task_specs.values():
            ext = getattr(ts, "extensions", None) or {}
            for attr in ("formJsonSchemaFilename", "formUiSchemaFilename"):
                if ext.get(attr):
                    refs.append({
                        "form": ext[attr], "file": file, "line": safexml.line_of_id(tree, ts.bpmn_id),
                        "task": ts.bpmn_id, "kind": "schema" if attr.startswith("formJson") else "ui",
                    })
    return refs


def _timer_starts(parser: _Parser, key: str, sources) -> list[dict]:
    """Timer start events of the primary process (the platform, not the engine, starts these)."""
    file = _file_of(parser, key)
    if file not in sources:
        return []
    found = []
    path = "//bpmn:process[@id=$k]/bpmn:startEvent[bpmn:timerEventDefinition]"
    for event in sources[file].tree.xpath(path, namespaces=NS, k=key):
        definition = event.xpath("./bpmn:timerEventDefinition/*", namespaces=NS)
        if definition:
            found.append({
                "bpmn_id": event.get("id"), "name": event.get("name"),
                "kind": etree.QName(definition[0]).localname, "expression": (definition[0].text or "").strip(),
                "properties": _properties(event),
            })
    return found


def _manifest(parser: _Parser, key: str, spec, subprocess_specs, sources) -> dict:
    start = _start(parser, key, sources)
    refs = _form_refs(parser, [spec, *subprocess_specs.values()], sources)
    if start.get("form") and not any(r["task"] == start["bpmn_id"] for r in refs):
        refs.append({"form": start["form"], "file": _file_of(parser, key), "task": start["bpmn_id"],
                     "line": safexml.line_of_id(sources[_file_of(parser, key)].tree, start["bpmn_id"]),
                     "kind": "schema"})
    return {
        "key": key,
        "name": spec.description or key,
        "processes": [key, *subprocess_specs.keys()],
        "decisions": sorted(parser.dmn_parsers.keys()),
        "lanes": _lanes(sources),
        "nodes": _node_properties(sources),
        "start": start,
        "timer_starts": _timer_starts(parser, key, sources),
        "form_refs": refs,
        "serializer": serializer.VERSION,
    }
