"""Who sees which fields of cases and households, and where: the policy is data (``visibility.json``).

A case's data is split into field classes (``summary``, ``content``, ``location``, ``contact``) and
a household's into (``basic``, ``address``, ``special_groups``, ``personal``). For each role the
policy lists, per class, the scopes in which a holder sees it:

- ``unit``: the case (household) lies in the subtree of a unit where the person holds the role;
- ``task``: a task of the case is scoped at or under such a unit (a summoned department);
- ``own``: the person started the case;
- ``sample``: the person holds a live ``VisibilityGrant`` of that class for the case (written by
  the third-party evaluation service when it samples a case; expired or revoked grants count for
  nothing).

Which data key belongs to which class: a form may say so on a field (``"x-field-class": "contact"``);
else the policy's ``case_fields`` list; else it is ``content``. Whoever started a case sees
``initiator_sees`` of it. Roles the policy does not name get ``other_roles``.

Why a file and not a table: this decides who sees people's personal data, so a change to it is
reviewed and released like code, and no administrator can quietly widen it from a web page; the
grants that change day to day (the evaluation sample) are rows. The file is checked when the app
starts: an unknown class, scope or key refuses to start.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

from flask import current_app, g, has_app_context
from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import Household, ProcessInstance, User, VisibilityGrant
from .roles import with_capability

DEFAULT_POLICY = Path(__file__).with_name("visibility.json")
CASE_CLASSES = ("summary", "content", "location", "contact")
HOUSEHOLD_CLASSES = ("basic", "address", "special_groups", "personal")
SCOPES = frozenset({"unit", "task", "own", "sample"})
DEFAULT_CASE_CLASS = "content"


class PolicyError(ValueError):
    """The visibility policy file is not valid; the app refuses to start with it."""


@dataclass(frozen=True)
class Rule:
    case: dict[str, frozenset[str]] = field(default_factory=dict)
    household: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Policy:
    case_fields: dict[str, str]
    household_fields: dict[str, str]
    initiator_sees: frozenset[str]
    roles: dict[str, Rule]
    other: Rule

    def rule(self, role: str) -> Rule:
        return self.roles.get(role, self.other)


def _scopes(raw, where: str, classes) -> dict[str, frozenset[str]]:
    if not isinstance(raw, dict):
        raise PolicyError(f"{where} must be an object of field class -> scopes")
    result = {}
    for klass, scopes in raw.items():
        if klass not in classes:
            raise PolicyError(f"{where}: unknown field class {klass!r} (one of {', '.join(classes)})")
        if not isinstance(scopes, list) or not set(scopes) <= SCOPES:
            raise PolicyError(f"{where}.{klass}: scopes must be a list of {', '.join(sorted(SCOPES))}")
        result[klass] = frozenset(scopes)
    return result


def _fields(raw, where: str, classes) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise PolicyError(f"{where} must map field classes to lists of keys")
    mapping = {}
    for klass, keys in raw.items():
        if klass not in classes or not isinstance(keys, list):
            raise PolicyError(f"{where}: {klass!r} must be a field class with a list of keys")
        for key in keys:
            if key in mapping:
                raise PolicyError(f"{where}: {key!r} is in two classes")
            mapping[key] = klass
    return mapping


def _rule(raw, where: str) -> Rule:
    if not isinstance(raw, dict) or set(raw) - {"case", "household"}:
        raise PolicyError(f"{where} must have 'case' and 'household'")
    return Rule(_scopes(raw.get("case", {}), f"{where}.case", CASE_CLASSES),
                _scopes(raw.get("household", {}), f"{where}.household", HOUSEHOLD_CLASSES))


def parse_policy(document: dict) -> Policy:
    """A policy from its JSON document; ``PolicyError`` says what is wrong."""
    household_fields = _fields(document.get("household_fields"), "household_fields", HOUSEHOLD_CLASSES)
    missing = {"code", "org_unit", "address", "members", "elderly_alone", "hardship", "disability", "head_name",
               "phone", "id_number", "notes"} - set(household_fields)
    if missing:
        raise PolicyError(f"household_fields: every household field needs a class; missing {sorted(missing)}")
    initiator = document.get("initiator_sees", [])
    if not set(initiator) <= set(CASE_CLASSES):
        raise PolicyError("initiator_sees: unknown field class")
    roles = document.get("roles")
    if not isinstance(roles, dict):
        raise PolicyError("roles must be an object")
    return Policy(
        case_fields=_fields(document.get("case_fields", {}), "case_fields", CASE_CLASSES),
        household_fields=household_fields, initiator_sees=frozenset(initiator),
        roles={role: _rule(raw, f"roles.{role}") for role, raw in roles.items()},
        other=_rule(document.get("other_roles", {}), "other_roles"))


@lru_cache(maxsize=4)
def _load(path: str) -> Policy:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PolicyError(f"cannot read the visibility policy {path}: {error}") from error
    return parse_policy(document)


def policy() -> Policy:
    path = (current_app.config.get("VISIBILITY_POLICY") if has_app_context() else None) or DEFAULT_POLICY
    return _load(str(path))


# --- cases ------------------------------------------------------------------------------------------

def _in(path: str | None, unit_path: str) -> bool:
    return bool(path) and path.startswith(unit_path)


def _granted(user: User, instance: ProcessInstance) -> frozenset[str]:
    """Field classes granted to ``user`` for this case right now (one query per request and case)."""
    cache = g.setdefault("visibility_grants", {}) if has_app_context() else {}
    key = (user.id, instance.id)
    if key not in cache:
        now = clock.now()
        cache[key] = frozenset(db.session.execute(select(VisibilityGrant.field_class).where(
            VisibilityGrant.user_id == user.id, VisibilityGrant.instance_id == instance.id,
            VisibilityGrant.revoked_at.is_(None), VisibilityGrant.expires_at > now)).scalars())
    return cache[key]


def case_classes(user: User, instance: ProcessInstance, task_paths=()) -> frozenset[str]:
    """The field classes of ``instance`` that ``user`` sees (empty: the case is not theirs to see)."""
    rules = policy()
    seen = set(rules.initiator_sees) if instance.started_by_id == user.id else set()
    return _through_roles(user, instance, task_paths, user.assignments, seen, as_reporter=True)


def staff_classes(user: User, instance: ProcessInstance, task_paths=()) -> frozenset[str]:
    """The field classes of ``instance`` that ``user`` sees as staff: through the staff roles they
    hold for its units, never as its reporter (``initiator_sees``, scope ``own``) nor through a
    public role. What the case's internal work (task pages, their notes and files) is shown by; a
    reporter follows the case on its own page."""
    public = with_capability("public")
    held = [a for a in user.assignments if a.role_code not in public]
    return _through_roles(user, instance, task_paths, held, set(), as_reporter=False)


def _through_roles(user: User, instance: ProcessInstance, task_paths, assignments, seen: set,
                   as_reporter: bool) -> frozenset[str]:
    rules = policy()
    unit_path = instance.org_unit.path
    own = as_reporter and instance.started_by_id == user.id
    for assignment in assignments:
        here = assignment.org_unit.path
        for klass, scopes in rules.rule(assignment.role_code).case.items():
            if klass in seen:
                continue
            if ("unit" in scopes and unit_path.startswith(here)) or \
                    ("task" in scopes and any(_in(p, here) for p in task_paths)) or \
                    ("own" in scopes and own) or \
                    ("sample" in scopes and klass in _granted(user, instance)):
                seen.add(klass)
    return frozenset(seen)


def field_classes(manifest: dict | None) -> dict[str, str]:
    """Data key -> field class: the policy's list, overridden by the forms' ``x-field-class``."""
    mapping = dict(policy().case_fields)
    for document in ((manifest or {}).get("forms") or {}).values():
        for name, spec in ((document or {}).get("properties") or {}).items():
            klass = spec.get("x-field-class") if isinstance(spec, dict) else None
            if klass in CASE_CLASSES:
                mapping[name] = klass
    return mapping


def case_data(data: dict | None, classes: frozenset[str], manifest: dict | None) -> dict:
    """The part of a case's data that someone who sees ``classes`` may see."""
    if not data:
        return {}
    if set(CASE_CLASSES) <= classes:
        return dict(data)
    mapping = field_classes(manifest)
    return {key: value for key, value in data.items() if mapping.get(key, DEFAULT_CASE_CLASS) in classes}


def history(events: list, classes: frozenset[str], initiator_id: int | None = None) -> list:
    """Audit events of a case as ``classes`` allow: without their texts unless ``content`` is seen,
    and without naming the person who started the case unless ``contact`` is."""
    if {"content", "contact"} <= classes:
        return events
    shown = []
    for event in events:
        fields = _event_fields(event)
        fields["detail"] = event.detail if "content" in classes else None
        if "contact" not in classes and initiator_id is not None and event.actor_id == initiator_id:
            fields["actor"] = None
        shown.append(SimpleNamespace(**fields))
    return shown


# What a case's reporter follows of its history: its milestones and its start and end, never the
# staff's work on its tasks (notes, files, claims, hand-overs) nor who did it.
REPORTER_EVENTS = frozenset({"case_milestone", "instance_started", "instance_completed"})


def reporter_history(events: list, user_id: int) -> list:
    """``events`` as a viewer who sees the case only as its reporter reads them (the API's case
    view; the status page shows the milestones): the milestones and the steps they did, without
    staff names."""
    shown = []
    for event in events:
        if event.kind not in REPORTER_EVENTS and not (event.kind == "task_completed" and event.actor_id == user_id):
            continue  # staff work, or what the platform did on the reporter's action (their steps stay)
        fields = {**_event_fields(event), "detail": getattr(event, "detail", None)}
        if event.actor_id != user_id:
            fields["actor"], fields["actor_id"] = None, None
        shown.append(SimpleNamespace(**fields))
    return shown


def _event_fields(event) -> dict:
    names = ("id", "at", "kind", "actor", "actor_id", "human_task_id", "task_name", "changed_keys", "instance_id")
    return {name: getattr(event, name, None) for name in names}


def without_phone(user: User) -> SimpleNamespace:
    """A person as a listing shows them to someone who may not see contact details."""
    return SimpleNamespace(username=user.username, name=user.name, phone=None, assignments=user.assignments,
                           id=user.id)


# --- households ------------------------------------------------------------------------------------

def household_classes(user: User, household: Household) -> frozenset[str]:
    rules = policy()
    seen = set()
    for assignment in user.assignments:
        if household.org_unit.path.startswith(assignment.org_unit.path):
            seen.update(k for k, scopes in rules.rule(assignment.role_code).household.items() if "unit" in scopes)
    return frozenset(seen)


def household_roles(user: User) -> list:
    """The user's assignments that see any household field (where to look for households)."""
    rules = policy()
    return [a for a in user.assignments if any("unit" in s for s in rules.rule(a.role_code).household.values())]


def household_fields(classes: frozenset[str]) -> frozenset[str]:
    return frozenset(key for key, klass in policy().household_fields.items() if klass in classes)


# --- grants -----------------------------------------------------------------------------------------

def grant(user: User, instance_id: int, field_class: str, until, *, reason: str | None = None,
          granted_by: str | None = None) -> VisibilityGrant:
    """Let ``user`` see ``field_class`` of one case until ``until`` (for rules with scope ``sample``):
    what the evaluation service calls when it draws a case into an evaluator's sample."""
    from .. import audit, uow

    if field_class not in CASE_CLASSES:
        raise ValueError(f"unknown field class {field_class!r}")

    def action(work) -> VisibilityGrant:
        row = VisibilityGrant(user_id=user.id, instance_id=instance_id, field_class=field_class, reason=reason,
                              granted_by=granted_by, granted_at=clock.now(), expires_at=until)
        work.add(row)
        audit.record("visibility_granted", actor=None, subject=f"user:{user.username}",
                     detail={"instance_id": instance_id, "field_class": field_class, "until": until.isoformat(),
                             "reason": reason, "granted_by": granted_by})
        return row

    granted = uow.run(action)
    if has_app_context():
        g.pop("visibility_grants", None)
    return granted
