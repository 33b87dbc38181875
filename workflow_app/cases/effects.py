"""What a model asks of the platform when a flow node completes, through node properties:

- ``fact``: record a case fact of that kind (returned, rework, self_handled…) for the indicators,
  against the case's unit or the unit named by the node's ``fact_unit_from`` data key;
- ``effect``: run a named platform mechanism with the node's data (e.g. ``sla.extend`` at the
  end of an approved extension request);
- ``notify_initiator``: tell the person who reported the case that it reached a milestone
  (``accepted``, ``escalated``, ``closed``, ``reopened``, ``not_accepted``), through the
  ``initiator.milestone`` mechanism with ``{"milestone": …, "node": …}``; with
  ``notify_initiator_own`` = "true" the reporter hears of it even when they took the step
  themselves (a grid worker who verified their own report still gets the closing notice), and
  with ``notify_note_from`` the notice carries that data key's text (an extension's outcome);
- ``notify_opened``: tell the people who are to do the tasks this step opens (the departments a
  whistle summons, the handlers a supervision or a failed verification sends the case back to), through the
  ``tasks.opened`` mechanism with ``{"message": …, "node": …, "note": data[notify_note_from],
  "tasks": [the task rows]}``.

The registry of mechanisms is built explicitly by the app factory (``create_app``); deployment
refuses a model that names an effect the registry does not have. Nothing here decides business
rules: the model says when a mechanism runs.
"""

import logging
from collections.abc import Callable

from flask import current_app

from .. import facts
from ..engine import StepEvent
from ..models import ProcessInstance
from ..repository import instances as store

log = logging.getLogger(__name__)

MILESTONE = "initiator.milestone"  # the mechanism ``notify_initiator`` properties run
OPENED = "tasks.opened"  # the mechanism ``notify_opened`` properties run

# mechanism(work, instance, node data, actor): effects on other cases go through work.follow_up
Mechanism = Callable[[object, ProcessInstance, dict, object], None]


class Effects:
    """The platform mechanisms models may name in an ``effect`` property."""

    def __init__(self):
        self._mechanisms: dict[str, Mechanism] = {}

    def register(self, name: str, mechanism: Mechanism) -> None:
        if name in self._mechanisms:
            raise ValueError(f"effect {name!r} is registered twice")
        self._mechanisms[name] = mechanism

    def get(self, name: str) -> Mechanism | None:
        return self._mechanisms.get(name)

    def names(self) -> frozenset[str]:
        return frozenset(self._mechanisms)


def registry() -> Effects:
    return current_app.extensions["workflow_app.effects"]


def apply(work, instance: ProcessInstance, events: list[StepEvent], actor, opened=()) -> None:
    """Run what the completed nodes' properties ask for; ``opened``: the task rows this step opened."""
    if not events:
        return
    nodes = store.manifest(instance).get("nodes") or {}
    mechanisms = registry()
    for event in events:
        props = nodes.get(event.bpmn_id)
        if not props:
            continue
        if props.get("fact"):
            facts.record(props["fact"], instance=instance, actor=actor, stage=props.get("stage") or props.get("name"),
                         detail={"node": event.bpmn_id}, unit_code=event.data.get(props.get("fact_unit_from", "")))
        if props.get("effect"):
            handler = mechanisms.get(props["effect"])
            if handler is None:  # deployment refuses these; a registry that lost one is a platform fault
                log.error("node %s of case %s asks for unknown effect %r", event.bpmn_id, instance.id, props["effect"])
                continue
            handler(work, instance, event.data, actor)
        _notices(mechanisms, work, instance, event, props, actor, opened)


def _notices(mechanisms: Effects, work, instance, event: StepEvent, props: dict, actor, opened) -> None:
    """The people a node's ``notify_initiator`` / ``notify_opened`` properties tell."""
    note = event.data.get(props["notify_note_from"]) if props.get("notify_note_from") else None
    if props.get("notify_initiator") and (handler := mechanisms.get(MILESTONE)) is not None:
        handler(work, instance, {"milestone": props["notify_initiator"], "node": event.bpmn_id,
                                 "own": str(props.get("notify_initiator_own", "")).lower() == "true",
                                 "note": note if isinstance(note, str) else None}, actor)
    if props.get("notify_opened") and opened and (handler := mechanisms.get(OPENED)) is not None:
        handler(work, instance, {"message": props["notify_opened"], "node": event.bpmn_id,
                                 "note": note if isinstance(note, str) else None, "tasks": list(opened)}, actor)
