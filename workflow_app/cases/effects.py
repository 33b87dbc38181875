"""What a model asks of the platform when a flow node completes, through node properties:

- ``fact``: record a case fact of that kind (returned, rework, self_handled…) for the indicators;
- ``effect``: run a named platform mechanism with the node's data (e.g. ``sla.extend`` at the
  end of an approved extension request).

Mechanisms register here; the model decides when they run. Nothing here decides business rules.
"""

import logging
from collections.abc import Callable

from ..engine import StepEvent
from ..models import ProcessInstance
from ..repository import instances as store

log = logging.getLogger(__name__)

Mechanism = Callable[[ProcessInstance, dict, object], None]
MECHANISMS: dict[str, Mechanism] = {}


def mechanism(name: str):
    def register(fn: Mechanism) -> Mechanism:
        MECHANISMS[name] = fn
        return fn

    return register


def apply(instance: ProcessInstance, events: list[StepEvent], actor) -> None:
    if not events:
        return
    nodes = store.manifest(instance.version).get("nodes") or {}
    from ..sla import facts

    for event in events:
        props = nodes.get(event.bpmn_id)
        if not props:
            continue
        if props.get("fact"):
            facts.record(props["fact"], instance=instance, actor=actor, stage=props.get("stage") or props.get("name"),
                         detail={"node": event.bpmn_id}, unit_code=event.data.get(props.get("fact_unit_from", "")))
        if props.get("effect"):
            handler = MECHANISMS.get(props["effect"])
            if handler is None:
                log.warning("node %s asks for unknown effect %r", event.bpmn_id, props["effect"])
                continue
            handler(instance, event.data, actor)
