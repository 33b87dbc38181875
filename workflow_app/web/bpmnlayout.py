"""A diagram for a BPMN file that has none, so that it opens in the modeler.

Hand-written and generated BPMN often has no diagram interchange (``bpmndi``): the engine runs it,
but bpmn-js has nothing to draw ("no diagram to display"). ``with_diagram`` adds a plain layout:
flow nodes in columns by their distance from the start along the sequence flows, in the band of
their lane, boundary events on their host's lower edge, sequence flows as right-angled lines, and
each sub-process collapsed with its own drill-down plane. The process itself is not touched, so
what the file means stays the same (``bpmndiff.semantic`` without the drawing)."""

from lxml import etree

from ..engine import safexml

MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
NSMAP = {"bpmndi": BPMNDI, "dc": DC, "di": DI}
SIZES = {"event": (36, 36), "gateway": (50, 50), "node": (100, 80)}
COLUMN, ROW, LEFT, TOP, HEADER = 160, 110, 190, 60, 30
NOT_NODES = {"sequenceFlow", "boundaryEvent", "laneSet", "documentation", "extensionElements", "ioSpecification",
             "property", "dataObject", "dataObjectReference", "dataStoreReference", "textAnnotation",
             "association", "multiInstanceLoopCharacteristics", "standardLoopCharacteristics", "incoming",
             "outgoing", "dataInputAssociation", "dataOutputAssociation", "group", "category"}


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _size(element) -> tuple[int, int]:
    name = _local(element)
    if name.endswith("Event"):
        return SIZES["event"]
    if name.endswith("Gateway"):
        return SIZES["gateway"]
    return SIZES["node"]


def has_diagram(content: bytes) -> bool:
    try:
        root = safexml.parse(content).getroot()
    except ValueError:
        return True  # unreadable: leave it to the modeler to say so
    return root.find(f"{{{BPMNDI}}}BPMNDiagram") is not None


def _columns(nodes: list, flows: list) -> dict[str, int]:
    """Each node's column: its distance from the nodes nothing flows into (first visit wins)."""
    ids = {n.get("id") for n in nodes}
    following: dict[str, list[str]] = {}
    incoming = set()
    for flow in flows:
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        if source in ids and target in ids:
            following.setdefault(source, []).append(target)
            incoming.add(target)
    column = {}
    queue = [n.get("id") for n in nodes if n.get("id") not in incoming] or [nodes[0].get("id")]
    for start in queue:
        column.setdefault(start, 0)
    while queue:
        current = queue.pop(0)
        for target in following.get(current, []):
            if target not in column:
                column[target] = column[current] + 1
                queue.append(target)
    for node in nodes:  # unreachable ones (cycles only): after the rest
        column.setdefault(node.get("id"), max(column.values(), default=-1) + 1)
    return column


def _bounds(parent, x: float, y: float, w: float, h: float) -> None:
    etree.SubElement(parent, f"{{{DC}}}Bounds", x=str(round(x)), y=str(round(y)), width=str(round(w)),
                     height=str(round(h)))


def _shape(plane, element_id: str, box: tuple, **extra) -> None:
    shape = etree.SubElement(plane, f"{{{BPMNDI}}}BPMNShape", id=f"{element_id}_di", bpmnElement=element_id, **extra)
    _bounds(shape, *box)


def _edge(plane, flow, boxes: dict) -> None:
    source, target = boxes.get(flow.get("sourceRef")), boxes.get(flow.get("targetRef"))
    if source is None or target is None:
        return
    sx, sy = source[0] + source[2], source[1] + source[3] / 2
    tx, ty = target[0], target[1] + target[3] / 2
    if tx < sx:  # a flow back: leave from the bottom, come in from below
        sx, sy = source[0] + source[2] / 2, source[1] + source[3]
        low = max(source[1] + source[3], target[1] + target[3]) + 20
        tx = target[0] + target[2] / 2
        points = [(sx, sy), (sx, low), (tx, low), (tx, target[1] + target[3])]
    elif abs(ty - sy) < 1:
        points = [(sx, sy), (tx, ty)]
    else:
        middle = (sx + tx) / 2
        points = [(sx, sy), (middle, sy), (middle, ty), (tx, ty)]
    edge = etree.SubElement(plane, f"{{{BPMNDI}}}BPMNEdge", id=f"{flow.get('id')}_di", bpmnElement=flow.get("id"))
    for x, y in points:
        etree.SubElement(edge, f"{{{DI}}}waypoint", x=str(round(x)), y=str(round(y)))


def _lanes(container) -> list[tuple[str, set[str]]]:
    return [(lane.get("id"), {ref.text.strip() for ref in lane.findall(f"{{{MODEL}}}flowNodeRef") if ref.text})
            for lane in container.findall(f"{{{MODEL}}}laneSet/{{{MODEL}}}lane")]


def _layout(container, plane, left: float, top: float, lanes: list) -> tuple[float, list[tuple[float, float]]]:
    """Shapes and edges of one container's direct children: (width, each band's top and height)."""
    nodes = [c for c in container if isinstance(c.tag, str) and etree.QName(c).namespace == MODEL
             and _local(c) not in NOT_NODES and c.get("id")]
    flows = container.findall(f"{{{MODEL}}}sequenceFlow")
    if not nodes:
        return 400, [(top - 10, 200)] * max(len(lanes), 1)
    column = _columns(nodes, flows)
    band_of = {node_id: index for index, (_lane, refs) in enumerate(lanes) for node_id in refs}
    bands = max(len(lanes), 1)
    rows: dict[tuple[int, int], int] = {}
    placed = {}
    for node in sorted(nodes, key=lambda n: column[n.get("id")]):
        key = (band_of.get(node.get("id"), 0), column[node.get("id")])
        placed[node.get("id")] = (key[0], key[1], rows.get(key, 0))
        rows[key] = rows.get(key, 0) + 1
    band_rows = [max([r for (b, _c), r in rows.items() if b == band] or [1]) for band in range(bands)]
    band_top = [top + sum(band_rows[:i]) * ROW + 20 * i for i in range(bands)]
    boxes = {}
    for node in nodes:
        band, col, row = placed[node.get("id")]
        w, h = _size(node)
        cx, cy = left + col * COLUMN + 50, band_top[band] + row * ROW + ROW / 2
        boxes[node.get("id")] = (cx - w / 2, cy - h / 2, w, h)
        extra = {"isExpanded": "false"} if _local(node) in ("subProcess", "transaction", "adHocSubProcess") else {}
        extra.update({"isMarkerVisible": "true"} if _local(node) == "exclusiveGateway" else {})
        _shape(plane, node.get("id"), boxes[node.get("id")], **extra)
    hosts: dict[str, int] = {}
    for boundary in container.findall(f"{{{MODEL}}}boundaryEvent"):
        host = boxes.get(boundary.get("attachedToRef"))
        if host is None:
            continue
        k = hosts[boundary.get("attachedToRef")] = hosts.get(boundary.get("attachedToRef"), 0) + 1
        boxes[boundary.get("id")] = (host[0] + host[2] - 18 - 40 * (k - 1) - 18, host[1] + host[3] - 18, 36, 36)
        _shape(plane, boundary.get("id"), boxes[boundary.get("id")])
    for flow in flows:
        _edge(plane, flow, boxes)
    width = (max(column.values()) + 1) * COLUMN + 60
    return width, [(band_top[i] - 10, band_rows[i] * ROW + 20) for i in range(bands)]


def _sub_planes(root, container) -> None:
    for sub in container.iter(f"{{{MODEL}}}subProcess", f"{{{MODEL}}}transaction", f"{{{MODEL}}}adHocSubProcess"):
        if sub is container:
            continue
        diagram = etree.SubElement(root, f"{{{BPMNDI}}}BPMNDiagram", id=f"{sub.get('id')}_diagram", nsmap=NSMAP)
        plane = etree.SubElement(diagram, f"{{{BPMNDI}}}BPMNPlane", id=f"{sub.get('id')}_plane",
                                 bpmnElement=sub.get("id"))
        _layout(sub, plane, LEFT, TOP, [])


def with_diagram(content: bytes) -> bytes:
    """``content`` with a generated diagram if it has none (else unchanged)."""
    if has_diagram(content):
        return content
    root = safexml.parse(content).getroot()
    process = root.find(f"{{{MODEL}}}process")
    if process is None:
        return content
    collaboration = root.find(f"{{{MODEL}}}collaboration")
    participant = None if collaboration is None else next(
        (p for p in collaboration.findall(f"{{{MODEL}}}participant") if p.get("processRef") == process.get("id")),
        None)
    diagram = etree.SubElement(root, f"{{{BPMNDI}}}BPMNDiagram", id="BPMNDiagram_generated", nsmap=NSMAP)
    plane = etree.SubElement(diagram, f"{{{BPMNDI}}}BPMNPlane", id="BPMNPlane_generated",
                             bpmnElement=(collaboration if participant is not None else process).get("id"))
    lanes = _lanes(process) if participant is not None else []
    width, bands = _layout(process, plane, LEFT, TOP, lanes)
    if participant is not None:
        total = bands[-1][0] + bands[-1][1] - bands[0][0]
        _shape(plane, participant.get("id"), (100, bands[0][0], width + LEFT - 100, total), isHorizontal="true")
        for (lane_id, _refs), (y, h) in zip(lanes, bands, strict=False):
            _shape(plane, lane_id, (100 + HEADER, y, width + LEFT - 100 - HEADER, h), isHorizontal="true")
    _sub_planes(root, process)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
