"""What each case waits for from outside (messages, signals), kept as rows a message can be
matched against. Rows change only when what the case waits for does."""

import json

from ..engine import Waiting
from ..models import EventSubscription, ProcessInstance


def correlation_key(values: dict | None) -> str:
    """The canonical text of correlation values: sorted keys, JSON values (ints and strings of the
    same digits differ, as they do in the data)."""
    if not values:
        return ""
    text = json.dumps({k: values[k] for k in sorted(values)}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"), default=str)
    return text[:500]


def sync(instance: ProcessInstance, waiting: list[Waiting]) -> None:
    signature = [[w.kind, w.name, w.bpmn_id, correlation_key(w.correlation)] for w in waiting]
    if signature == (instance.waiting or []):
        return
    if instance.id is not None or instance.subscriptions:
        instance.subscriptions.clear()
    for w, (_kind, _name, _bpmn, key) in zip(waiting, signature, strict=True):
        instance.subscriptions.append(EventSubscription(kind=w.kind, name=w.name[:200], bpmn_id=w.bpmn_id,
                                                        correlation_key=key, correlation=w.correlation or None))
    instance.waiting = signature or None
