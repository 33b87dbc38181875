"""Messages and signals from outside the platform (Camunda's message correlation, in this
platform's terms).

A **message** is for one case: the case waiting for a message of that name whose correlation
values match (the data keys its catching element names in its ``correlation`` property, or
``case_id``). None waiting: a process whose start event catches that message starts a case in
``org_unit``; neither: 404. More than one waiting: 409 (say which with a correlation).

A **signal** is a broadcast: every case waiting for it (within ``org_unit`` if given) receives it.

Who may send: the roles a catching element names in its ``sender_roles`` property (held anywhere),
else anyone who works in the case's unit (not a resident); administrators always. Each delivery is
its own unit of work, audited on the case; a caller-supplied ``message_id`` makes a repeat a
no-op that answers what the first delivery did.
"""

from dataclasses import asdict, dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import audit, clock, uow
from ..engine import TaskNotReady, start_messages
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..models import EventSubscription, InboundEvent, OrgUnit, ProcessInstance, User
from ..org import access, tree
from ..repository import definitions
from ..repository import instances as store
from . import data as case_data
from . import guards, service, subscriptions, sync

SCAN_LIMIT = 2000  # subscriptions compared one by one when the correlation names only some keys


@dataclass
class Delivery:
    kind: str
    name: str
    delivered: list[int] = field(default_factory=list)
    started: int | None = None
    message_id: str | None = None
    duplicate: bool = False


def send_message(name: str, correlation: dict | None, data: dict | None, actor: User,
                 message_id: str | None = None, org_unit: str | None = None) -> Delivery:
    data, correlation = case_data.check(data or {}), _correlation(correlation)
    if (repeat := _repeat(message_id)) is not None:
        return repeat
    unit = tree.require(org_unit, "org_unit") if org_unit else None
    cases = _waiting("message", name, correlation, unit)
    if len(cases) > 1:
        raise Conflict(f"{len(cases)} cases wait for message {name!r}; give a correlation that names one",
                       {"correlation": [f"matches cases {', '.join(map(str, cases[:10]))}"]})
    if cases:
        delivery = Delivery("message", name, message_id=message_id)
        within = {k: v for k, v in correlation.items() if k != "case_id"}  # the case is found already
        _deliver(cases[0], "message", name, {"name": name, "payload": data, "correlation": within}, actor, delivery)
    else:
        delivery = _start(name, data, actor, unit, message_id)
    return _recorded(delivery, actor)


def send_signal(name: str, data: dict | None, actor: User, message_id: str | None = None,
                org_unit: str | None = None) -> Delivery:
    data = case_data.check(data or {})
    if (repeat := _repeat(message_id)) is not None:
        return repeat
    unit = tree.require(org_unit, "org_unit") if org_unit else None
    delivery = Delivery("signal", name, message_id=message_id)
    for case_id in _waiting("signal", name, {}, unit):
        try:
            _deliver(case_id, "signal", name, {"name": name, "payload": data}, actor, delivery)
        except (Forbidden, Conflict):
            continue  # a broadcast reaches the cases the sender may signal and that still wait
    return _recorded(delivery, actor)


def _correlation(value) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict) or any(isinstance(v, dict | list) for v in value.values()):
        raise InvalidInput("correlation must map data keys to plain values", {"correlation": ["plain values only"]})
    return dict(value)


def _repeat(message_id: str | None) -> Delivery | None:
    if not message_id:
        return None
    found = db.session.execute(select(InboundEvent).where(InboundEvent.message_id == message_id)).scalar_one_or_none()
    if found is None:
        return None
    return Delivery(**{**(found.result or {}), "duplicate": True})


def _recorded(delivery: Delivery, actor: User) -> Delivery:
    if not delivery.message_id:
        return delivery

    def action(work):
        result = {k: v for k, v in asdict(delivery).items() if k != "duplicate"}
        work.add(InboundEvent(message_id=delivery.message_id, kind=delivery.kind, name=delivery.name[:200],
                              actor_id=actor.id, at=clock.now(), result=result))
        return delivery

    try:
        return uow.run(action)
    except IntegrityError:  # the same id sent twice at once: the other one was first
        return _repeat(delivery.message_id) or delivery


def _waiting(kind: str, name: str, correlation: dict, unit: OrgUnit | None) -> list[int]:
    correlation = dict(correlation)
    query = (select(EventSubscription.instance_id, EventSubscription.correlation)
             .join(ProcessInstance, ProcessInstance.id == EventSubscription.instance_id)
             .where(EventSubscription.kind == kind, EventSubscription.name == name,
                    ProcessInstance.status == "running"))
    case_id = correlation.pop("case_id", None)
    if case_id is not None:
        try:
            query = query.where(EventSubscription.instance_id == int(case_id))
        except (TypeError, ValueError):
            raise InvalidInput("case_id must be a number", {"correlation": ["case_id must be a number"]}) from None
    if unit is not None:
        query = query.join(OrgUnit, OrgUnit.id == ProcessInstance.org_unit_id).where(tree.within(OrgUnit.path,
                                                                                                 unit.path))
    if correlation:
        exact = list(db.session.execute(
            query.where(EventSubscription.correlation_key == subscriptions.correlation_key(correlation))))
        rows = exact or [r for r in db.session.execute(query.limit(SCAN_LIMIT))
                         if all((r.correlation or {}).get(k) == v for k, v in correlation.items())]
    else:
        rows = list(db.session.execute(query.limit(SCAN_LIMIT)))
    return sorted({row.instance_id for row in rows})


def _may_send(actor: User, instance: ProcessInstance, kind: str, name: str) -> None:
    if access.capable(actor, access.ADMINISTER, instance.org_unit):
        return
    nodes = store.manifest(instance).get("nodes") or {}
    waiting = [w for w in instance.subscriptions if w.kind == kind and w.name == name]
    declared = {r.strip() for w in waiting for r in str((nodes.get(w.bpmn_id) or {}).get("sender_roles") or "")
                .split(",") if r.strip()}
    if declared:
        if any(access.holds(actor, role) for role in declared):
            return
    elif access.works_in(actor, instance.org_unit):
        return
    raise Forbidden(f"{actor.username} may not send {kind} {name!r} to case {instance.id}")


def _deliver(case_id: int, kind: str, name: str, args: dict, actor: User, delivery: Delivery) -> None:
    def action(work):
        with work.reading():
            instance = db.session.get(ProcessInstance, case_id)
            if instance is None or instance.status != "running":
                raise Conflict(f"case {case_id} is not running")
            _may_send(actor, instance, kind, name)
            try:
                outcome, worker = store.perform(instance, kind, args, service.functions(instance.org_unit_id))
            except TaskNotReady as error:
                raise Conflict(f"case {case_id} no longer waits for {kind} {name!r}") from error
        audit.record(f"{kind}_received", actor=actor, instance=instance,
                     changed_keys=sorted(args.get("payload") or {}),
                     detail={"name": name, "message_id": delivery.message_id,
                             "correlation": sorted(args.get("correlation") or {})})
        sync.apply(work, instance, outcome, actor=actor)
        store.remember(work, instance, outcome, worker)

    uow.run(action)
    delivery.delivered.append(case_id)


def _start(name: str, data: dict, actor: User, unit: OrgUnit | None, message_id: str | None) -> Delivery:
    keys = _processes_started_by(name)
    if not keys:
        raise NotFound(f"no case waits for message {name!r} and no process starts on it")
    if unit is None:
        raise InvalidInput("this message starts a case: say where with org_unit", {"org_unit": ["required"]})
    if len(keys) > 1:
        raise Conflict(f"message {name!r} starts several processes ({', '.join(sorted(keys))})")
    (key,) = keys
    version = definitions.resolve(key, unit)
    manifest = store.manifest(version)
    service.authorise_start(actor, manifest, unit, data)
    guards.registry().check_start(guards.StartCheck(key, manifest, unit, data, actor))

    def action(work):
        with work.reading():
            outcome, worker = store.start(version, {**data, "initiator": service.initiator(actor)},
                                          service.functions(unit), message={"name": name, "payload": data})
        prepared = service.PreparedStart(version, unit, data, actor, outcome, worker)
        return service.write_start(work, prepared)

    instance = uow.run(action)
    return Delivery("message", name, started=instance.id, message_id=message_id)


def _processes_started_by(name: str) -> set[str]:
    keys = set()
    for version in definitions.summaries():
        if version.status != "active":
            continue
        if name in start_messages(store.spec(version).spec):
            keys.add(version.key)
    return keys


__all__ = ["Delivery", "send_message", "send_signal"]
