"""Whether a draft's test runs exercised what it changes (the publish gate's second half).

A passing test run is not enough when it took another path than the change: a designer who
changed a decision table rule or a gateway's condition and ran a case that never evaluated that
decision or took that branch has tested nothing of the change. So publishing also needs, of
every change to what runs (against the live version):

- a changed or added BPMN flow node (task, event, gateway, sub-process): reached in a test run;
- a changed or added sequence flow (its condition, its ends): taken (both its ends reached);
- a changed DMN decision table or a new one a task calls: the decision evaluated (a business
  rule task calling it reached), and every changed or added rule row matched at least once. The
  engine does not say which row matched, so a test run plays an instrumented copy of the draft:
  each decision table gets one more output column, ``RULE_HIT``, whose cell in every row is
  ``"<decision id>:<rule id>"`` (``instrument``); the value lands in the business rule task's data
  and the run records it (``hits``), then leaves it out of the data it shows. Nothing else of the
  copy differs, and nothing of it is published.

Changes that cannot alter a case's path are left out: removed elements, artifacts (annotations,
groups, data objects) and a change of names, labels, documentation or rule descriptions only.
The runs that count are the completed test runs of exactly the draft's content (every edit starts
over): their paths are added up, so two branches can be covered by two runs.
"""

from dataclasses import dataclass

from lxml import etree

from ..engine import modeldiff, safexml

ARTIFACTS = {"textAnnotation", "association", "group", "dataObject", "dataObjectReference",
             "dataStoreReference", "category"}
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
LABEL_ONLY = {"bpmn": ({"name"}, {"documentation"}), "dmn": ({"label"}, {"description"})}


@dataclass(frozen=True)
class Gap:
    """One change no counted test run exercised."""

    file: str
    element: str  # the element's id (the decision's, for a DMN file)
    kind: str  # node, flow, decision, rule
    label: str  # what people call it
    rules: tuple[str, ...] = ()  # of a decision: the changed rows and columns; of a rule: its decision

    def sentence(self) -> tuple[str, str]:
        if self.kind == "decision":
            zh = f"决策「{self.label}」没有被执行"
            en = f"the decision “{self.label}” was not evaluated"
            if self.rules:
                zh, en = f"{zh}（改动了{'、'.join(self.rules)}）", f"{en} (changed: {', '.join(self.rules)})"
            return zh, en
        if self.kind == "rule":
            decision = self.rules[0] if self.rules else ""
            shown = self.label.replace("规则 ", "rule ", 1).replace("（", " (").replace("）", ")")
            return f"决策「{decision}」的{self.label}没有被命中", f"{shown} of the decision “{decision}” never matched"
        if self.kind == "flow":
            return f"连线「{self.label}」没有被走过", f"the flow “{self.label}” was not taken"
        return f"「{self.label}」没有被走到", f"“{self.label}” was not reached"

    def as_dict(self) -> dict:
        zh, en = self.sentence()
        return {"file": self.file, "element": self.element, "kind": self.kind, "label": self.label,
                "rules": list(self.rules), "message_zh": zh, "message_en": en}


def message(gaps: list[Gap]) -> tuple[str, str]:
    """(中文, English): why publishing waits, naming every change not exercised."""
    zh = "；".join(g.sentence()[0] for g in gaps)
    en = "; ".join(g.sentence()[1] for g in gaps)
    return (f"测试运行没有覆盖这次的改动：{zh}。请用能走到这些改动的数据再测试运行，或写明理由后仍然发布。",
            f"The test runs did not exercise what changed: {en}. Run a test that reaches the change, "
            "or publish anyway with a reason.")


def covered(run: dict | None, sha: str) -> tuple[set[str], set[str]]:
    """(nodes reached, rules matched as 'decision:rule') by the completed test runs of content
    ``sha``: the present run's, if it completed, and those of the runs before it of the same
    content (carried on by each new run)."""
    run = run or {}
    if run.get("sha256") != sha:
        return set(), set()
    earlier = run.get("covered") or {}
    nodes, rules = set(earlier.get("nodes") or []), set(earlier.get("rules") or [])
    if run.get("status") == "completed":
        nodes |= set(run.get("path") or [])
        rules |= set(run.get("rules") or [])
    return nodes, rules


def carried(previous: dict | None, sha: str) -> dict:
    """What a new test run of content ``sha`` starts with: what the earlier completed runs of the
    same content covered (nothing after an edit)."""
    nodes, rules = covered(previous, sha)
    return {"nodes": sorted(nodes), "rules": sorted(rules)}


# --- which rule rows matched: the test run's instrumented copy ------------------------------------
RULE_HIT = "_platform_rule_hit"


def instrument(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The files with every DMN decision table given the ``RULE_HIT`` output column (each rule's
    cell names the decision and the rule). A file that cannot be read is left as it is."""
    return [(name, _instrumented(content) if name.lower().endswith(".dmn") else content) for name, content in files]


def _instrumented(content: bytes) -> bytes:
    try:
        root = safexml.parse(content).getroot()
    except ValueError:
        return content
    for decision in root.iter("{*}decision"):
        for table in decision.iter("{*}decisionTable"):
            ns = etree.QName(table).namespace
            outputs = table.findall(f"{{{ns}}}output")
            if not outputs:
                continue
            column = etree.Element(f"{{{ns}}}output", id=f"{RULE_HIT}_{table.get('id')}", name=RULE_HIT,
                                   typeRef="string")
            outputs[-1].addnext(column)
            for rule in table.findall(f"{{{ns}}}rule"):
                cell = etree.Element(f"{{{ns}}}outputEntry", id=f"{RULE_HIT}_{rule.get('id')}")
                etree.SubElement(cell, f"{{{ns}}}text").text = repr(f"{decision.get('id')}:{rule.get('id')}")
                entries = rule.findall(f"{{{ns}}}outputEntry")
                (entries[-1].addnext(cell) if entries else rule.append(cell))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def hits(data: dict) -> set[str]:
    """The 'decision:rule' values a step's data holds (a list for a COLLECT table)."""
    value = (data or {}).get(RULE_HIT)
    values = value if isinstance(value, list) else [value]
    return {v for v in values if isinstance(v, str) and ":" in v}


# --- what changed, of what runs ----------------------------------------------------------------
def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _without_labels(content: bytes, kind: str) -> bytes:
    """The file with what only names things dropped (names, labels, documentation, descriptions)."""
    attributes, elements = LABEL_ONLY[kind]
    root = safexml.parse(content).getroot()
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        if _local(element) in elements and element.getparent() is not None:
            element.getparent().remove(element)
            continue
        if etree.QName(element).namespace == SPIFF:  # a spiffworkflow property's name is what it sets
            continue
        if _local(element) == "output" and not element.get("name"):  # the label names the data key then
            continue
        for name in attributes & set(element.attrib):
            del element.attrib[name]
    return etree.tostring(root)


def _changed(reader, kind: str, old: bytes | None, new: bytes) -> set[str]:
    after = reader(_without_labels(new, kind))
    before = reader(_without_labels(old, kind)) if old is not None else {}
    return {k for k, v in after.items() if before.get(k) != v}


def _bpmn(name: str) -> bool:
    return name.lower().endswith((".bpmn", ".bpmn20.xml"))


def _decision_callers(files: dict[str, bytes]) -> dict[str, set[str]]:
    """decision id -> the business rule tasks (ids) that call it, in the BPMN files."""
    callers: dict[str, set[str]] = {}
    for name, content in files.items():
        if not _bpmn(name):
            continue
        try:
            root = safexml.parse(content).getroot()
        except ValueError:
            continue
        for task in root.iter(f"{{{modeldiff.MODEL}}}businessRuleTask"):
            for ref in task.iter(f"{{{SPIFF}}}calledDecisionId"):
                callers.setdefault((ref.text or "").strip(), set()).add(task.get("id"))
    return callers


def _bpmn_gaps(name: str, old: bytes | None, new: bytes, reached: set[str]) -> list[Gap]:
    if old is None:  # a new file (a called process): the call activity calling it is a change of its own
        return []
    changed = _changed(modeldiff.flow_elements, "bpmn", old, new)
    root = safexml.parse(new).getroot()
    labels = modeldiff.element_labels(new)
    gaps = []
    for element in root.iter(f"{{{modeldiff.MODEL}}}*"):
        ident = element.get("id")
        if ident not in changed or _local(element) in ARTIFACTS:
            continue
        if _local(element) == "sequenceFlow":
            ends = (element.get("sourceRef"), element.get("targetRef"))
            if not set(ends) <= reached:
                shown = labels.get(ident) or " → ".join(labels.get(e or "") or e or "?" for e in ends)
                gaps.append(Gap(name, ident, "flow", shown))
        elif ident not in reached:
            gaps.append(Gap(name, ident, "node", labels.get(ident) or ident))
    return gaps


def _dmn_gaps(name: str, old: bytes | None, new: bytes, seen: tuple[set, set], callers: dict) -> list[Gap]:
    """A changed decision not evaluated; else each changed or added rule row that never matched."""
    reached, matched = seen
    changed = _changed(modeldiff.dmn_elements, "dmn", old, new) if old is not None else None
    if changed is not None and not changed:
        return []
    root = safexml.parse(new).getroot()
    labels = modeldiff.element_labels(new)
    gaps = []
    for decision in root.iter("{*}decision"):
        ident = decision.get("id")
        tasks = callers.get(ident) or set()
        if not tasks:  # a decision no task calls changes no case
            continue
        rows = [r.get("id") for r in decision.iter("{*}rule") if changed is None or r.get("id") in changed]
        if not tasks & reached:
            shown = tuple(labels.get(c) or c for c in sorted(changed or ()))
            gaps.append(Gap(name, ident, "decision", labels.get(ident) or ident, shown))
            continue
        gaps += [Gap(name, row, "rule", labels.get(row) or row, (labels.get(ident) or ident,))
                 for row in rows if f"{ident}:{row}" not in matched and changed is not None]
    return gaps


def gaps(live: dict[str, bytes], draft: dict[str, bytes], run: dict | None, sha: str) -> list[Gap]:
    """The changes from bundle ``live`` to bundle ``draft`` (name -> content) that the completed test
    runs of content ``sha`` did not exercise. Empty without a live version (a new process: the
    passing run is the test) and for files that cannot be read (validation refuses them)."""
    if not live:
        return []
    reached, matched = covered(run, sha)
    callers = _decision_callers(draft)
    found: list[Gap] = []
    for name in sorted(draft):
        old, new = live.get(name), draft[name]
        if old == new:
            continue
        try:
            if _bpmn(name):
                found += _bpmn_gaps(name, old, new, reached)
            elif name.lower().endswith(".dmn"):
                found += _dmn_gaps(name, old, new, (reached, matched), callers)
        except (ValueError, etree.LxmlError):
            continue
    return found
