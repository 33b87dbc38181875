"""Each locality's evaluation data: the county-wide document ``processes/evaluation/evaluation.json``
(sample sizes, the rating time limit and who rates, points rules, honours thresholds), refined down
the org tree by what a unit sets (``PUT /evaluation/settings?locality=``): a unit takes each value
from the nearest unit on its path that sets it. Values are deep-merged objects; a list replaces."""

import copy
import json
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from .. import audit, clock, uow
from ..errors import Forbidden, InvalidInput
from ..extensions import db
from ..models import EvaluationSetting, User
from ..org import access, tree
from ..repository.caches import forget_org, org_cached

DIRECTORY, FILE_NAME = "evaluation", "evaluation.json"
SECTIONS = ("rating", "sample", "points", "honours", "appeals", "survey")
MAX_BYTES = 64 * 1024


def _shipped() -> dict:
    path = Path(current_app.config["PROCESSES_DIR"]) / DIRECTORY / FILE_NAME
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def merge(base: dict, overlay: dict) -> dict:
    merged = copy.deepcopy(base)
    for key, value in (overlay or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _own() -> dict[int, dict]:
    def load():
        rows = db.session.execute(select(EvaluationSetting)).scalars()
        return {r.unit_id: r.document for r in rows}

    return org_cached(("evaluation_settings",), load)


def effective(unit) -> dict:
    """The evaluation data in force at ``unit`` (an OrgUnit or UnitRef; None: the county-wide file)."""
    shipped = _shipped()
    document = {k: v for k, v in shipped.items() if k != "localities"}
    if unit is None:
        return document
    own, by_file = _own(), shipped.get("localities") or {}
    for ref in tree.ancestor_refs(unit):  # root first: the nearest unit's values win
        if isinstance(by_file.get(ref.code), dict):
            document = merge(document, by_file[ref.code])
        if ref.id in own:
            document = merge(document, own[ref.id])
    return document


def section(unit, name: str) -> dict:
    value = effective(unit).get(name)
    return value if isinstance(value, dict) else {}


def _check(document) -> dict:
    if not isinstance(document, dict) or not document:
        raise InvalidInput("the evaluation data must be an object", {"document": ["must be an object"]})
    unknown = sorted(set(document) - set(SECTIONS))
    if unknown:
        raise InvalidInput("unknown sections", {"document": [f"unknown section {k!r}" for k in unknown]})
    if any(not isinstance(v, dict) for v in document.values()):
        raise InvalidInput("each section must be an object", {"document": ["sections are objects"]})
    if len(json.dumps(document, ensure_ascii=False)) > MAX_BYTES:
        raise InvalidInput("the evaluation data is too large", {"document": ["at most 64 KiB"]})
    return document


def may_set(user: User, unit) -> bool:
    return access.capable(user, access.ADMINISTER, unit) or access.capable(user, access.SUPERVISE, unit)


def save(user: User, code: str, document) -> dict:
    """Set what ``code`` changes of the evaluation data (merged into what it set before)."""
    unit = tree.require(code, "locality")
    if not may_set(user, unit):
        raise Forbidden("only administrators and supervisors set the evaluation data")
    document = _check(document)

    def action(work):
        row = db.session.execute(select(EvaluationSetting).where(EvaluationSetting.unit_id == unit.id)) \
            .scalar_one_or_none()
        if row is None:
            row = EvaluationSetting(unit_id=unit.id, document={})
            work.add(row)
        row.document = merge(row.document or {}, document)
        row.updated_at, row.updated_by_id = clock.now(), user.id
        audit.record("evaluation_settings_changed", actor=user, subject=f"evaluation:{unit.code}",
                     detail={"sections": sorted(document)})
        work.after_commit(forget_org)
        return row

    uow.run(action)
    forget_org()
    return view(user, unit.code)


def view(user: User, code: str) -> dict:
    """The evaluation data in force at ``code``: rules, readable by everyone signed in."""
    unit = tree.require(code, "locality")
    return {"locality": unit.code, "document": effective(unit), "may_change": may_set(user, unit)}
