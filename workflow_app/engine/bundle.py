"""Compiling a bundle of BPMN and DMN files into a deployable spec, or refusing it with reasons.

Nothing here touches the database: the result is a serialised spec plus a manifest (lanes and
their properties, the start event, the forms the tasks reference, the messages and signals it
throws and waits for) that the process repository stores as one immutable version.

A file goes through, in order: safe XML parsing, its root and schema (BPMN 2.0, DMN 1.1–1.3),
the structural checks the engine skips (``precheck``, ``dmn``), the engine's parser, then the
Python in it (``lint``). Each step refuses with catalogue sentences (``problems``); whatever the
engine raises is explained (``explain``), so an uploaded model never causes a server error.
"""

import logging
from dataclasses import dataclass

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser

from . import deadends, dmn, explain, lint, precheck, problems, safexml, serializer
from .problems import Issue
from .types import CompiledBundle, Problem

log = logging.getLogger(__name__)
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN_NS}


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
    """The spiff parser; files are schema-checked before they reach it (``_validate``)."""

    def __init__(self):
        super().__init__(validator=None)


def _refuse_if(found: list[Issue], also: list[Issue] = ()) -> None:
    if found:
        raise BundleRefused([*also, *found])


def _parse_xml(files) -> tuple[dict[str, _Source], list[Issue]]:
    sources, found = {}, []
    for name, content, kind in files:
        try:
            sources[name] = _Source(name, kind, safexml.parse(content))
        except safexml.UnsafeXml as error:
            code = "xml.entity" if "entity references" in str(error) else "xml.doctype"
            found.append(problems.issue(code, name, error.line))
        except etree.XMLSyntaxError as error:
            found.append(problems.issue("xml.malformed", name, error.lineno, detail=error.msg))
        except (ValueError, etree.LxmlError) as error:
            found.append(problems.issue("xml.malformed", name, None, detail=str(error)))
    return sources, found


def _validate(sources: dict[str, _Source]) -> list[Issue]:
    found = []
    for source in sources.values():
        if source.kind == "dmn":
            found.extend(dmn.validate(source.tree, source.name))
            continue
        root = source.tree.getroot()
        if root.tag != f"{{{BPMN_NS}}}definitions":
            found.append(problems.issue("xml.not_bpmn", source.name, root.sourceline, root.get("id"),
                                        root=explain.qualified(root), namespace=BPMN_NS))
            continue
        try:
            VALIDATOR.validate(source.tree, source.name)
        except ValidationException as error:
            line = error.line_number if isinstance(error.line_number, int) else None
            found.append(explain.xsd_issue(str(error.args[0]), source.name, line, source.tree, "BPMN 2.0"))
    return found


def _decisions(sources: dict[str, _Source]) -> tuple[dict[str, str], list[Issue]]:
    """Decision id -> DMN file, after the structural checks (a file that fails them still
    names its decisions, so that the BPMN calling them is not blamed as well)."""
    decisions, found = {}, []
    for source in sources.values():
        if source.kind != "dmn":
            continue
        issues = dmn.check(source.tree, source.name)
        found.extend(issues)
        if not issues:
            dmn.clean(source.tree)
        for decision in source.tree.getroot().iter(f"{{{dmn.namespace(source.tree)}}}decision"):
            ident = decision.get("id")
            if ident in decisions and not issues:
                found.append(problems.issue("dmn.duplicate", source.name, decision.sourceline, ident,
                                            other=decisions[ident]))
            decisions.setdefault(ident, source.name)
    return decisions, found


def _foreign(sources: dict[str, _Source]) -> list[Issue]:
    return [i for s in sources.values() if s.kind == "bpmn" for i in precheck.foreign(s.tree, s.name)]


def _precheck(sources: dict[str, _Source], decisions: dict[str, str]) -> list[Issue]:
    bpmn = [s for s in sources.values() if s.kind == "bpmn"]
    processes = {p.get("id") for s in bpmn for p in s.tree.getroot().iter(f"{{{BPMN_NS}}}process")}
    found = []
    for source in bpmn:
        found.extend(precheck.check(source.tree, source.name, set(decisions)))
        found.extend(precheck.call_targets(source.tree, source.name, processes))
    return found


def _load_parser(sources: dict[str, _Source]) -> tuple[_Parser, list[Issue]]:
    parser, found = _Parser(), []
    for source in sources.values():
        try:
            if source.kind == "dmn":
                dmn.load(parser, source.tree, source.name)
            else:
                parser.add_bpmn_xml(source.tree, filename=source.name)
        except ValidationException as error:
            found.append(dmn.engine_error(error, sources, source.name) if source.kind == "dmn"
                         else explain.engine_issue(error, sources, source.name))
        except Exception as error:  # the engine's own crash on an odd model
            found.append(explain.unknown(f"{type(error).__name__}({error})", source.name, None, None))
    return parser, found


def _primary_key(parser: _Parser, key: str | None, sources) -> str:
    ids = parser.get_process_ids()
    bpmn = [s.name for s in sources.values() if s.kind == "bpmn"]
    if key is not None:
        _refuse_if([] if key in ids else [problems.issue("bundle.key_missing", bpmn[0], key=key, found=ids)])
        return key
    called = parser.process_dependencies
    top = [i for i in ids if i not in called]
    if len(top) == 1:
        return top[0]
    if not ids:
        raise BundleRefused([problems.issue("bundle.no_process", bpmn[0], names=bpmn or ["the bundle"])])
    raise BundleRefused([problems.issue("bundle.several_top", bpmn[0], found=top or ids)])


def _specs(parser: _Parser, key: str, sources):
    try:
        spec = parser.get_spec(key)
        return spec, parser.get_subprocess_specs(key)
    except ValidationException as error:
        raise BundleRefused([explain.engine_issue(error, sources, _file_of(parser, key))]) from error
    except Exception as error:
        file = _file_of(parser, key)
        raise BundleRefused([explain.unknown(f"{type(error).__name__}({error})", file, None, None)]) from error


def compile_bundle(files: list[tuple[str, bytes, str]], key: str | None = None) -> CompiledBundle:
    """Compile (name, content, kind) files, kind 'bpmn' or 'dmn'. Raises ``BundleRefused``."""
    try:
        return _compile(files, key)
    except BundleRefused:
        raise
    except Exception as error:  # a model must never become a server error
        log.exception("unexpected error compiling %s", [name for name, _, _ in files])
        raise BundleRefused([explain.unknown(f"{type(error).__name__}({error})", None, None, None)]) from error


def _compile(files, key):
    sources, found = _parse_xml(files)
    _refuse_if(found)
    if not any(s.kind == "bpmn" for s in sources.values()):
        raise BundleRefused([problems.issue("bundle.no_bpmn")])
    _refuse_if(_validate(sources))
    foreign = _foreign(sources)  # reported with whatever else is found, all at once
    decisions, found = _decisions(sources)
    _refuse_if(found + _precheck(sources, decisions), foreign)
    parser, found = _load_parser(sources)
    _refuse_if(found, foreign)
    key = _primary_key(parser, key, sources)
    spec, subprocess_specs = _specs(parser, key, sources)
    _normalise_dmn_cells([spec, *subprocess_specs.values()])
    _refuse_if(foreign + _lint(parser, [spec, *subprocess_specs.values()], sources))
    manifest = _manifest(parser, key, spec, subprocess_specs, sources)
    return CompiledBundle(key=key, name=spec.description or key,
                          spec_json=serializer.dump_spec(spec, subprocess_specs), manifest=manifest, files=[])


def _normalise_dmn_cells(specs) -> None:
    for spec in specs:
        for ts in spec.task_specs.values():
            engine = getattr(ts, "dmnEngine", None)
            if engine is None:
                continue
            for rule in engine.decision_table.rules:
                for entry in rule.inputEntries:
                    entry.lhs = [dmn.for_engine(c) if c else c for c in entry.lhs]


# --- lint --------------------------------------------------------------------------------------
def _file_of(parser: _Parser, process_id: str) -> str | None:
    process_parser = parser.process_parsers.get(process_id)
    return getattr(process_parser, "filename", None)


def _flow(tree, source_id: str, target_id: str | None) -> tuple[int | None, str]:
    """The line and id of the flow from ``source_id`` to ``target_id`` (else the source's)."""
    target_id = (target_id or "").removesuffix(".BoundaryEventSplit")
    if target_id and tree is not None:
        found = tree.xpath(
            "//bpmn:sequenceFlow[@sourceRef=$s][@targetRef=$t]", namespaces=NS, s=source_id, t=target_id
        )
        if found:
            return found[0].sourceline, found[0].get("id") or source_id
    return safexml.line_of_id(tree, source_id), source_id


def _lint(parser: _Parser, specs, sources) -> list[Issue]:
    found = []
    for spec in specs:
        file = _file_of(parser, spec.name)
        tree = sources[file].tree if file in sources else None
        for expression in lint.expressions(spec):
            result = lint.check(expression)
            if result:
                code, params = result
                line, element = _flow(tree, expression.element_id, expression.target)
                found.append(problems.issue(code, file, line, element, **params))
    found.extend(_lint_dmn(parser, sources))
    return found


def _lint_dmn(parser: _Parser, sources) -> list[Issue]:
    found = []
    for decision in parser.dmn_parsers.values():
        tree = sources[decision.filename].tree if decision.filename in sources else None
        for table in decision.decision.decisionTables:
            found.extend(_lint_table(table, decision.filename, tree))
    return found


def _lint_table(table, filename, tree) -> list[Issue]:
    found = []
    for item in table.inputs:
        if item.expression and (detail := dmn.expression_problem(item.expression)):
            found.append(problems.issue("dmn.expression", filename, safexml.line_of_id(tree, item.id), item.id,
                                        what_en="Input column", what_zh="输入列", source=item.expression.strip(),
                                        detail=detail))
    for rule in table.rules:
        for entry in rule.inputEntries:
            for cell in entry.lhs:
                result = dmn.cell_problem(cell) if cell else None
                if result:
                    code, params = result
                    found.append(problems.issue(code, filename, safexml.line_of_id(tree, entry.id), entry.id,
                                                row=rule.row_number, cell=cell.strip(), **params))
    return found


# --- manifest ----------------------------------------------------------------------------------
def _properties(element) -> dict:
    """name/value properties from any modeler's extension (spiffworkflow:, camunda:, zeebe: …)."""
    return deadends.properties(element)


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
                if isinstance(ext.get(attr), str) and ext[attr].strip():
                    refs.append({
                        "form": ext[attr].strip(), "file": file, "line": safexml.line_of_id(tree, ts.bpmn_id),
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


def _process_properties(parser: _Parser, key: str, sources) -> dict:
    """Name/value properties of the primary process element itself: process-level declarations
    that platform mechanisms read (``admission_item``, ``admission_item_from``…)."""
    file = _file_of(parser, key)
    if file not in sources:
        return {}
    process = sources[file].tree.xpath("//bpmn:process[@id=$k]", namespaces=NS, k=key)
    return _properties(process[0]) if process else {}


def _manifest(parser: _Parser, key: str, spec, subprocess_specs, sources) -> dict:
    start = _start(parser, key, sources)
    refs = _form_refs(parser, [spec, *subprocess_specs.values()], sources)
    if start.get("form") and not any(r["task"] == start["bpmn_id"] for r in refs):
        refs.append({"form": start["form"], "file": _file_of(parser, key), "task": start["bpmn_id"],
                     "line": safexml.line_of_id(sources[_file_of(parser, key)].tree, start["bpmn_id"]),
                     "kind": "schema"})
    bpmn = [s for s in sources.values() if s.kind == "bpmn"]
    return {
        "key": key,
        "name": spec.description or key,
        "processes": [key, *subprocess_specs.keys()],
        "decisions": sorted(parser.dmn_parsers.keys()),
        "lanes": _lanes(sources),
        "lane_tasks": deadends.lanes(bpmn),
        "events": deadends.events(bpmn),
        "nodes": _node_properties(sources),
        "process_properties": _process_properties(parser, key, sources),
        "start": start,
        "timer_starts": _timer_starts(parser, key, sources),
        "form_refs": refs,
        "serializer": serializer.VERSION,
    }


def executable_keys(contents: list[bytes]) -> list[str]:
    """The top-level executable process ids of some BPMN files (those no call activity calls),
    read without compiling: the key a partial upload (a variant's changed files) belongs to."""
    ids, called = [], set()
    for content in contents:
        try:
            root = safexml.parse(content).getroot()
        except (ValueError, etree.LxmlError):
            continue
        ids += [p.get("id") for p in root.iter(f"{{{BPMN_NS}}}process")
                if p.get("id") and p.get("isExecutable", "true").lower() == "true"]
        called |= {c.get("calledElement") for c in root.iter(f"{{{BPMN_NS}}}callActivity")}
    return [i for i in dict.fromkeys(ids) if i not in called]
