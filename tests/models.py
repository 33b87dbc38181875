"""Small BPMN documents built in code, for tests that need a model shaped just so."""

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="defs_{pid}" targetNamespace="http://example.test/bpmn">
"""


def process(pid: str, body: str, lanes: dict[str, list[str]] | None = None, name: str | None = None) -> bytes:
    """A process ``pid`` whose flow nodes and flows are ``body``; ``lanes`` maps lane name -> node ids."""
    lane_xml = ""
    if lanes:
        parts = []
        for index, (lane, nodes) in enumerate(lanes.items()):
            refs = "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in nodes)
            parts.append(f'<bpmn:lane id="lane_{index}" name="{lane}">{refs}</bpmn:lane>')
        lane_xml = f'<bpmn:laneSet id="laneset_{pid}">{"".join(parts)}</bpmn:laneSet>'
    title = f' name="{name}"' if name else ""
    return (HEADER.format(pid=pid) + f'<bpmn:process id="{pid}"{title} isExecutable="true">'
            + lane_xml + body + "</bpmn:process></bpmn:definitions>").encode()


def flow(fid: str, source: str, target: str, condition: str | None = None) -> str:
    if condition is None:
        return f'<bpmn:sequenceFlow id="{fid}" sourceRef="{source}" targetRef="{target}"/>'
    return (f'<bpmn:sequenceFlow id="{fid}" sourceRef="{source}" targetRef="{target}">'
            f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>")


def chain(*nodes: str) -> str:
    """Flows joining node ids in order."""
    return "".join(flow(f"f_{a}_{b}", a, b) for a, b in zip(nodes, nodes[1:], strict=False))


def user_task(tid: str, name: str | None = None, form: str | None = None) -> str:
    ext = (f"<bpmn:extensionElements><spiffworkflow:formJsonSchemaFilename>{form}"
           "</spiffworkflow:formJsonSchemaFilename></bpmn:extensionElements>") if form else ""
    return f'<bpmn:userTask id="{tid}" name="{name or tid}">{ext}</bpmn:userTask>'


def script_task(tid: str, script: str) -> str:
    return f'<bpmn:scriptTask id="{tid}" name="{tid}"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>'


# Anyone working at the case's unit may start these models (a start event in no lane, without this,
# is startable by designers and administrators only).
START = ('<bpmn:startEvent id="start"><bpmn:extensionElements><spiffworkflow:properties>'
         '<spiffworkflow:property name="role" value="initiator"/></spiffworkflow:properties>'
         "</bpmn:extensionElements></bpmn:startEvent>")


def simple(pid: str, *middle: str, lanes=None, extra: str = "") -> bytes:
    """start -> middle nodes (already-rendered XML, ids taken from id="...") -> end."""
    import re

    ids = [re.search(r'id="([^"]+)"', node).group(1) for node in middle]
    body = START + "".join(middle) + '<bpmn:endEvent id="end"/>' + extra
    return process(pid, body + chain("start", *ids, "end"), lanes)
