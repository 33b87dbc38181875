"""Reports sent from a phone: a case started at most once per ``Idempotency-Key``, with the photos
taken at report time.

A phone with weak signal retries: its outbox sends again after a lost answer, a reload, a
reconnection. The reporter's key (any text of 8–100 characters the client made up, a UUID in
practice) is recorded with the case in the same transaction; the same reporter sending the same
key again gets that case back (``replayed``), whatever happened to the first answer. The same key
with a different request is refused (409): a client bug must not silently lose a report.
"""

import hashlib
import json
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import clock, uow
from ..cases import service
from ..errors import Conflict, InvalidInput
from ..extensions import db
from ..models import AuditEvent, CaseFile, ProcessInstance, StartRequest, User
from . import files

KEY = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")


@dataclass
class Started:
    instance: ProcessInstance
    replayed: bool


def check_key(key: str | None) -> str | None:
    if key is None or key == "":
        return None
    if not KEY.match(key):
        raise InvalidInput("the Idempotency-Key is not usable",
                           {"Idempotency-Key": ["8 to 100 letters, digits, '.', '_', ':' or '-'"]})
    return key


def fingerprint(process_key: str, org_unit: str, data: dict, uploads: dict[str, list[files.Upload]]) -> str:
    body = {"process": process_key, "unit": org_unit, "data": data,
            "files": {name: [hashlib.sha256(u.content).hexdigest() for u in items] for name, items in uploads.items()}}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _earlier(actor: User, key: str, digest: str) -> ProcessInstance | None:
    found = db.session.execute(
        select(StartRequest).where(StartRequest.user_id == actor.id, StartRequest.idem_key == key)
    ).scalar_one_or_none()
    if found is None:
        return None
    if found.fingerprint != digest:
        raise Conflict("this Idempotency-Key was already used for a different request")
    return db.session.get(ProcessInstance, found.instance_id)


def start_once(process_key: str, org_unit: str, data: dict | None, actor: User, key: str | None = None,
               uploads: dict[str, list[files.Upload]] | None = None) -> Started:
    """Start a case (``service.start``) unless ``actor`` already started one with ``key``. ``uploads``
    are photos per form field, checked already (``files.accept``): written, their keys added to that
    field of the data, and bound to the new case."""
    key, uploads, data = check_key(key), uploads or {}, dict(data or {})
    digest = fingerprint(process_key, org_unit, data, uploads)
    earlier = _earlier(actor, key, digest) if key else None
    if earlier is not None:
        return Started(earlier, True)
    written = {name: [(files.write(u), u) for u in items] for name, items in uploads.items()}
    for name, items in written.items():
        data[name] = [*(data.get(name) or []), *(stored for stored, _ in items)]
    try:
        started = uow.run(lambda work: _start(work, process_key, org_unit, data, actor, key, digest, written))
    except IntegrityError:  # the same key, sent twice at once: the other request won
        _discard(written)
        earlier = _earlier(actor, key, digest) if key else None
        if earlier is None:
            raise
        return Started(earlier, True)
    except Exception:
        _discard(written)
        raise
    if started.replayed:
        _discard(written)
    return started


def _start(work, process_key, org_unit, data, actor, key, digest, written) -> Started:
    earlier = _earlier(actor, key, digest) if key else None
    if earlier is not None:
        return Started(earlier, True)
    instance = service.start(process_key, org_unit, data, actor)
    work.flush()
    now = clock.now()
    for items in written.values():
        for stored, upload in items:
            work.add(CaseFile(instance_id=instance.id, name=upload.name, storage_key=stored, at=now,
                              content_type=upload.content_type, size=len(upload.content), uploaded_by_id=actor.id))
    if key is not None:
        work.add(StartRequest(user_id=actor.id, idem_key=key, fingerprint=digest, instance_id=instance.id,
                              created_at=now))
    work.flush()
    return Started(instance, False)


def _discard(written: dict) -> None:
    files.discard([stored for items in written.values() for stored, _ in items])


# --- what the reporter sees -------------------------------------------------------------------

@dataclass
class Similar:
    count: int
    cases: list  # [(id, title, reported_at, address)] of the ones the reporter may see


def similar_reports(actor: User, condition_code: str, org_unit: str, address: str | None, location,
                    english: bool = False) -> Similar:
    """Cases of the same sub-category reported nearby in the last 7 days (the platform's duplicate
    hint, ``similar_cases``), for the reporter to ask "是否与这些事件相同？" before sending; their
    titles in English (the model's ``title_en``) with ``english``."""
    from ..catalogue import conditions, events
    from ..org import access, tree

    unit = tree.by_code(org_unit) if org_unit else None
    if unit is None or not conditions.exists(condition_code or ""):
        return Similar(0, [])
    standard = conditions.lookup(condition_code, unit)
    ids = events.similar(standard.get("subcategory_code", ""), unit, address or None, location, 7)
    shown = []
    for instance_id in ids[:5]:
        instance = db.session.get(ProcessInstance, instance_id)
        if instance is not None and access.can_view_instance(actor, instance):
            data = instance.data or {}
            title = (data.get("title_en") if english else None) or data.get("title") or f"#{instance.id}"
            shown.append((instance.id, title, instance.started_at, data.get("address")))
    return Similar(len(ids), shown)


def mine(actor: User, limit: int = 100) -> list[ProcessInstance]:
    """The cases ``actor`` started, newest first (我上报的)."""
    from sqlalchemy.orm import joinedload, undefer

    return list(db.session.execute(
        select(ProcessInstance).options(joinedload(ProcessInstance.version), joinedload(ProcessInstance.org_unit),
                                        undefer(ProcessInstance.data))
        .where(ProcessInstance.started_by_id == actor.id).order_by(ProcessInstance.id.desc()).limit(limit)
    ).scalars())


def milestones(instance_ids: list[int]) -> dict[int, list[tuple]]:
    """{case id: [(at, milestone)…]} of the given cases, in order: one query for them all."""
    found: dict[int, list] = {i: [] for i in instance_ids}
    if instance_ids:
        rows = db.session.execute(select(AuditEvent.instance_id, AuditEvent.at, AuditEvent.detail).where(
            AuditEvent.instance_id.in_(instance_ids), AuditEvent.kind == "case_milestone").order_by(AuditEvent.id))
        for instance_id, at, detail in rows:
            found[instance_id].append((at, (detail or {}).get("milestone")))
    return found
