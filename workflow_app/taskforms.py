"""Task forms: JSON Schema documents with UI hints and zh/en labels, kept in ``forms/``.

A form is a JSON Schema (draft 2020-12) object schema. Labels: ``title`` is Chinese, and
``x-title-en`` English (also ``x-description-en``; ``x-enum-labels`` maps enum values to
{zh, en}). UI hints: ``x-widget`` (textarea, select, radio, date, datetime, photos, location,
org_unit, user, subject (a unit or a person), indicator, household), ``x-order`` on the form.
Values shown come from process data: a field takes the data value of the same name (or of
``x-default-from``) before its schema ``default``.
``readOnly`` fields are shown but never taken from a submission; one with ``x-display-from`` is
shown from that other data key (by its ``x-widget``: a household entry by the household's name).
``x-among`` names another field whose values this one's must be among (a lead department among
the departments summoned); as ``{"field": other, "when": {name: value}}`` it holds only while the
form's fields have those values (the lead only when the decision is to summon).

A form's ``$ref``s are resolved when it is deployed and its regexes run on RE2 (see
``formschemas``): checking a submission reads no file, fetches nothing and cannot backtrack.
"""

import copy
import json
import re

from jsonschema import exceptions as schema_errors
from jsonschema import validators
from referencing.exceptions import Unresolvable

from . import formschemas
from .errors import InvalidInput
from .formschemas import FormRefused

__all__ = ["FormRefused", "parse", "problems", "resolve", "validate"]


def parse(content: bytes) -> dict:
    """A form document from its file; ValueError (or UnicodeDecodeError) when it is not one."""
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except RecursionError as error:
        raise ValueError("the form nests too deeply") from error
    if not isinstance(document, dict):
        raise ValueError("a form must be a JSON object")
    return document


def problems(document: dict) -> list[str]:
    """Why ``document`` is not a usable form (empty when it is)."""
    if document.get("type", "object") != "object":
        return ["a form's schema must have type 'object'"]
    if not isinstance(document.get("properties", {}), dict):
        return ["'properties' must be an object"]
    if "$schema" in document and validators.validator_for(document, default=None) is None:
        return [f"unknown $schema {str(document['$schema'])[:120]!r}: use a JSON Schema draft's own URI"]
    if _depth(document) > formschemas.MAX_DEPTH:
        return [f"the form nests deeper than {formschemas.MAX_DEPTH} levels"]
    regexes = formschemas.regex_problems(document)
    if regexes:
        return regexes
    try:
        validators.validator_for(document).check_schema(document)
    except schema_errors.SchemaError as error:
        return [f"invalid JSON Schema: {error.message}"]
    return []


def _depth(document) -> int:
    deepest, stack = 0, [(document, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > formschemas.MAX_DEPTH:
            break
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest


def resolve(name: str, document: dict, lookup) -> tuple[dict, dict[str, dict]]:
    """The form with its ``$ref``s inlined from the bundle and ``forms/`` (``lookup(name)`` gives a
    form file's bytes), and the forms it read. Raises ``FormRefused`` naming the reference and why."""
    return formschemas.resolve(name, document, lookup, parse)


def _closed(schema: dict) -> dict:
    """A copy where the form and its nested objects (through ``properties`` and ``items``) refuse
    undeclared fields. Subschemas of if/then/allOf and the like are conditions, left as they are."""
    schema = copy.deepcopy(schema)

    def close(node):
        if not isinstance(node, dict):
            return
        if isinstance(node.get("properties"), dict):
            node.setdefault("additionalProperties", False)
            for child in node["properties"].values():
                close(child)
        items = node.get("items")
        for child in items if isinstance(items, list) else [items]:
            close(child)

    close(schema)
    return schema


def _field(path) -> str:
    return ".".join(str(p) for p in path) or "_form"


_REQUIRED = re.compile(r"^'(.+)' is a required property$")


def _error_fields(error) -> list[tuple[str, str]]:
    base = list(error.absolute_path)
    if error.validator == "required":
        match = _REQUIRED.match(error.message)
        missing = [match.group(1)] if match else [
            n for n in error.validator_value if isinstance(error.instance, dict) and n not in error.instance]
        return [(_field([*base, name]), "this field is required") for name in missing]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]
        return [(_field([*base, name]), "unknown field: the form does not declare it") for name in extra]
    return [(_field(base), error.message)]


def validate(document: dict, submitted: dict, current: dict) -> dict:
    """The accepted data of a submission, or ``InvalidInput`` with per-field errors.

    Read-only fields are dropped when unchanged and refused when changed."""
    if not isinstance(submitted, dict):
        raise InvalidInput("form data must be an object", {"data": ["must be an object"]})
    properties = document.get("properties", {})
    errors: dict[str, list[str]] = {}
    accepted = {}
    for key, value in submitted.items():
        spec = properties.get(key)
        if isinstance(spec, dict) and spec.get("readOnly"):
            if value != current.get(key):
                errors.setdefault(key, []).append("read-only field: it comes from the case")
            continue
        accepted[key] = value
    check_schema = _closed({**document, "required": [
        n for n in document.get("required", []) if not properties.get(n, {}).get("readOnly")
    ]})
    _schema_errors(check_schema, accepted, errors)
    _check_references(properties, accepted, errors)
    _check_among(properties, accepted, current, errors)
    errors = {k: v for k, v in errors.items() if v}
    if errors:
        raise InvalidInput("the form has errors", errors)
    return accepted


AMONG = "must be one of the values chosen in {field}"


def _check_among(properties: dict, accepted: dict, current: dict, errors: dict) -> None:
    """``"x-among": "other"``: the field's value (each of its values) must be one of the values the
    form's field ``other`` holds (as submitted, else as the case has it): a lead department among
    the departments summoned."""
    for name, spec in properties.items():
        rule = spec.get("x-among") if isinstance(spec, dict) else None
        other, when = (rule.get("field"), rule.get("when") or {}) if isinstance(rule, dict) else (rule, {})
        if not isinstance(other, str) or accepted.get(name) in (None, "", []):
            continue
        if any(accepted.get(key, current.get(key)) != value for key, value in when.items()):
            continue
        pool = accepted.get(other, current.get(other))
        pool = pool if isinstance(pool, list) else [pool]
        values = accepted[name] if isinstance(accepted[name], list) else [accepted[name]]
        if any(v not in pool for v in values) and AMONG.format(field=other) not in errors.get(name, []):
            errors.setdefault(name, []).append(AMONG.format(field=other))


def _schema_errors(schema: dict, accepted: dict, errors: dict) -> None:
    try:
        for error in formschemas.validator(schema).iter_errors(accepted):
            for field, message in _error_fields(error):
                if message not in errors.setdefault(field, []):
                    errors[field].append(message)
    except Unresolvable as error:  # a version deployed before references were resolved at deploy time
        raise InvalidInput("the form cannot be checked: it references a schema that is not part of its version; "
                           "the process must be redeployed", {"_form": ["unresolvable $ref"]}) from error


def _org_unit_problem(code, spec: dict) -> str | None:
    from .org import tree

    unit = tree.by_code(code) if isinstance(code, str) else None
    if unit is None:
        return f"unknown org unit {code!r}"
    kinds = spec.get("x-org-kind")
    if kinds and unit.kind not in (kinds if isinstance(kinds, list) else [kinds]):
        return f"{code} is not a {kinds}"
    return None


def _catalogue_problem(code, spec: dict) -> str | None:
    from .catalogue import conditions

    return None if isinstance(code, str) and conditions.exists(code) else f"unknown catalogue condition {code!r}"


def _user_problem(username, spec: dict) -> str | None:
    from .org import people

    person = people.by_username(username) if isinstance(username, str) and 0 < len(username) <= 64 else None
    return None if person is not None and person.active else f"unknown person {username!r}"


def _subject_problem(value, spec: dict) -> str | None:
    """A unit or a person (被考核对象): either check passes."""
    return None if _org_unit_problem(value, {}) is None or _user_problem(value, spec) is None \
        else f"unknown unit or person {value!r}"


# Fields whose values name things the platform knows: checked against the database, not the schema.
REFERENCE_WIDGETS = {"org_unit": _org_unit_problem, "catalogue": _catalogue_problem, "user": _user_problem,
                     "subject": _subject_problem}  # indicators: the service checks them (localities add their own)
MAX_PEOPLE = 300


def _check_references(properties: dict, accepted: dict, errors: dict) -> None:
    for name, spec in properties.items():
        check = REFERENCE_WIDGETS.get(spec.get("x-widget")) if isinstance(spec, dict) else None
        if check is None or name not in accepted or accepted[name] in (None, "", []):
            continue
        values = accepted[name] if isinstance(accepted[name], list) else [accepted[name]]
        for value in values:
            problem = check(value, spec)
            if problem and problem not in errors.setdefault(name, []):
                errors[name].append(problem)


def _actor_units(actor) -> list:
    """The units where ``actor`` holds a staff role."""
    from .org import access

    return [a.org_unit for a in getattr(actor, "assignments", []) or [] if not access.is_public(a.role_code)]


def _people(spec: dict, unit, actor) -> list[tuple[str, str, str]]:
    """Active staff (never residents) a person field may name: under the actor's own units when the
    field says ``"x-scope": "actor"`` (and the actor themself), else in ``unit``'s county. Shown
    by name and unit; the value is the login the services take."""
    from sqlalchemy import or_, select

    from .extensions import db
    from .models import OrgUnit, RoleAssignment, User
    from .org import access, tree

    mine = spec.get("x-scope") == "actor"
    if mine:
        bases = [u.path for u in _actor_units(actor)]
    else:
        bases = [tree.root_of(unit).path] if unit is not None else [u.path for u in _actor_units(actor)]
    if not bases:
        return []
    roles = spec.get("x-roles") if isinstance(spec.get("x-roles"), list) else None
    query = (select(User, RoleAssignment.role_code, OrgUnit)
             .join(RoleAssignment, RoleAssignment.user_id == User.id)
             .join(OrgUnit, OrgUnit.id == RoleAssignment.org_unit_id)
             .where(User.active.is_(True), or_(*[tree.within(OrgUnit.path, b) for b in bases]))
             .order_by(OrgUnit.path, User.name).limit(MAX_PEOPLE * 3))
    if roles:
        query = query.where(RoleAssignment.role_code.in_(roles))
    found: dict[str, tuple[str, str, str]] = {}
    if mine and actor is not None and getattr(actor, "username", None):
        found[actor.username] = (actor.username, f"{actor.name}（本人）", f"{actor.name} (me)")
    for person, role, where in db.session.execute(query):
        if access.is_public(role) or person.username in found:
            continue
        found[person.username] = (person.username, f"{person.name} · {where.name_zh}",
                                  f"{person.name} · {where.name_en or where.name_zh}")
    return list(found.values())[:MAX_PEOPLE]


def _units(spec: dict, unit, actor) -> list[tuple[str, str, str]]:
    from .org import tree

    kinds = spec.get("x-org-kind") or ["area", "department", "external"]
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if spec.get("x-scope") == "actor":
        chosen = [u for base in _actor_units(actor) for u in tree.units(kinds, county_of=base)
                  if u.path.startswith(base.path)]
    else:
        chosen = tree.units(kinds, county_of=unit)
    seen, listed = set(), []
    for u in chosen:
        if u.code not in seen:
            seen.add(u.code)
            listed.append((u.code, u.name_zh, u.name_en or u.name_zh))
    return listed


def reference_choices(document: dict | None, unit=None, actor=None) -> dict[str, list[tuple[str, str, str]]]:
    """(value, 中文, English) choices for the form's reference fields: catalogue conditions, org
    units of the kinds a field asks for (within ``unit``'s county, or the actor's own units with
    ``"x-scope": "actor"``), people (``user``) and units-or-people (``subject``), always named
    (indicators, ``indicator``, are listed by the pages: ``web.formrender``)."""
    from .catalogue import conditions

    found = {}
    for name, spec in (document or {}).get("properties", {}).items():
        hint = spec.get("x-widget") if isinstance(spec, dict) else None
        if hint == "catalogue":
            found[name] = [(c.code, f"{c.code} {conditions.label(c)}", f"{c.code} {conditions.label(c, english=True)}")
                           for c in conditions.conditions()]
        elif hint == "org_unit":
            found[name] = _units(spec, unit, actor)
        elif hint == "user":
            found[name] = _people(spec, unit, actor)
        elif hint == "subject":
            found[name] = _units(spec, unit, actor) + _people(spec, unit, actor)

    return found


def values(document: dict, data: dict) -> dict:
    """The values to show in a form: process data first, then schema defaults."""
    shown = {}
    for name, spec in document.get("properties", {}).items():
        if not isinstance(spec, dict):
            continue
        source = spec.get("x-default-from", name)
        if source in data:
            shown[name] = data[source]
        elif "default" in spec:
            shown[name] = spec["default"]
    return shown


def present(name: str, document: dict | None, data: dict, ui: dict | None = None) -> dict | None:
    if document is None:
        return None
    return {
        "name": name,
        "title": document.get("title"),
        "title_en": document.get("x-title-en"),
        "schema": document,
        "ui": ui,
        "values": values(document, data),
        "display_from": display_sources(document, data),
    }


def display_sources(document: dict, data: dict) -> dict:
    """What read-only fields with ``x-display-from`` show instead of their own value: the data
    under that key, which their ``x-widget`` names for people (a visit list's household entry, say)."""
    found = {}
    for name, spec in document.get("properties", {}).items():
        source = spec.get("x-display-from") if isinstance(spec, dict) else None
        if isinstance(source, str) and source in data:
            found[name] = data[source]
    return found
