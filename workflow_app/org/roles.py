"""Roles, and how a BPMN lane becomes a role and a scope unit.

The rules are data: a lane names a role (by code, Chinese or English name), lane properties in
the BPMN may override where its tasks are scoped, and the role table holds the defaults.
"""

import re
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..models import Role
from ..repository.caches import forget_org, org_cached
from . import tree

# code, 中文, English, scope level, scope data key, leader role
BUILTIN_ROLES = (
    ("grid_worker", "网格员", "Grid worker", "grid", None, "grid_leader"),
    ("grid_leader", "网格长", "Grid leader", "grid", None, "community_head"),
    ("community_staff", "社区工作者", "Community staff", "community", None, "community_head"),
    ("community_head", "社区负责人", "Community head", "community", None, "town_leader"),
    ("town_dispatcher", "镇街派遣员", "Town dispatcher", "town", None, "town_leader"),
    ("town_leader", "镇街领导", "Town leader", "town", None, "county_supervisor"),
    ("department_staff", "部门处置人员", "Department staff", None, "department", "department_head"),
    ("department_head", "部门负责人", "Department head", None, "department", "county_supervisor"),
    ("county_supervisor", "县级督查", "County supervisor", "county", None, None),
    ("evaluator", "第三方评估员", "Third-party evaluator", "county", None, None),
    ("process_designer", "流程设计员", "Process designer", "county", None, None),
    ("admin", "系统管理员", "Administrator", "county", None, None),
    ("resident", "居民", "Resident", None, None, None),
)
# What each built-in role may do beyond its tasks; a deployment edits these in the role table.
BUILTIN_CAPABILITIES = {
    "admin": "administer,design,supervise,urge,oversee",
    "county_supervisor": "supervise,urge,oversee,approve_fallback",
    "town_leader": "oversee",
    "town_dispatcher": "urge,oversee",
    "community_head": "oversee",
    "department_head": "oversee",
    "grid_leader": "oversee",
    "process_designer": "design",
    "evaluator": "evaluate",
    "resident": "public",
}
CAPABILITIES = frozenset({"administer", "design", "supervise", "urge", "oversee", "approve_fallback", "evaluate",
                          "public"})
INITIATOR = "initiator"
_INITIATOR_NAMES = {"initiator", "发起人", "上报人", "starter", "process_initiator"}


@dataclass(frozen=True)
class RoleRef:
    code: str
    scope_level: str | None
    scope_data_key: str | None
    leader_role: str | None = None
    capabilities: frozenset = frozenset()


def ensure_builtin_roles() -> None:
    forget_org()
    existing = {r.code: r for r in db.session.execute(select(Role)).scalars()}
    for code, zh, en, level, key, leader in BUILTIN_ROLES:
        if code not in existing:
            db.session.add(Role(code=code, name_zh=zh, name_en=en, scope_level=level, scope_data_key=key,
                                leader_role=leader, builtin=True, capabilities=BUILTIN_CAPABILITIES.get(code)))
        elif existing[code].capabilities is None and code in BUILTIN_CAPABILITIES:
            existing[code].capabilities = BUILTIN_CAPABILITIES[code]  # never overrides a deployment's edit
    db.session.flush()


def normalise(text: str) -> str:
    """Role codes are lower-case words joined by '_' ('Town Dispatcher' -> 'town_dispatcher')."""
    return re.sub(r"[\s\-]+", "_", text.strip()).lower()


def ensure_role(code: str) -> Role:
    """The role with this code, created bare (no scope level) if the platform does not know it."""
    code = normalise(code)
    role = db.session.get(Role, code)
    if role is None:
        role = Role(code=code, name_zh=code, name_en=code, builtin=False)
        db.session.add(role)
        db.session.flush()
        forget_org()
    return role


@dataclass(frozen=True)
class LaneRule:
    role: str | None
    scope_level: str | None
    scope_data_key: str | None
    role_data_key: str | None = None  # the role itself comes from process data (lane property role_from)

    @property
    def for_initiator(self) -> bool:
        return self.role == INITIATOR


def role_index() -> dict[str, RoleRef]:
    """Roles by code, Chinese and English name (lower-cased), from the org TTL cache."""

    def load():
        index = {}
        for role in db.session.execute(select(Role)).scalars():
            ref = RoleRef(role.code, role.scope_level, role.scope_data_key, role.leader_role,
                          frozenset(c.strip() for c in (role.capabilities or "").split(",") if c.strip()))
            for name in (role.code, role.name_zh, role.name_en):
                if name:
                    index.setdefault(name.strip().lower(), ref)
        return index

    return org_cached("roles", load)


def with_capability(capability: str) -> frozenset[str]:
    """The codes of the roles that carry ``capability`` (from the role table)."""
    return frozenset(ref.code for ref in role_index().values() if capability in ref.capabilities)


def lane_rule(lane: str | None, properties: dict | None, index: dict | None = None) -> LaneRule:
    """The role and scoping rule for tasks in ``lane``."""
    props = properties or {}
    if props.get("role_from"):
        return LaneRule(None, props.get("scope_level"), props.get("scope_from"), props["role_from"])
    if lane is None and not props.get("role"):
        return LaneRule(None, None, None)
    name = (props.get("role") or lane or "").strip()
    if name.lower() in _INITIATOR_NAMES:
        return LaneRule(INITIATOR, None, None)
    role = (index if index is not None else role_index()).get(name.lower())
    code = role.code if role else normalise(name)
    return LaneRule(
        role=code,
        scope_level=props.get("scope_level") or (role.scope_level if role else None),
        scope_data_key=props.get("scope_from") or (role.scope_data_key if role else None),
    )


def staff_starts(properties: dict | None) -> bool:
    """A start lane open to staff only (lane property ``starters`` = ``staff``): its initiator must
    hold a role that is not public where the case starts (an appeal, not a resident's report)."""
    return str((properties or {}).get("starters") or "").strip().lower() == "staff"


def with_data(rule: LaneRule, data: dict, index: dict | None = None) -> LaneRule:
    """A rule whose role comes from process data, made concrete for ``data``."""
    if not rule.role_data_key:
        return rule
    code = data.get(rule.role_data_key)
    if not isinstance(code, str) or not code.strip():
        return LaneRule(None, rule.scope_level, rule.scope_data_key)
    found = lane_rule(code, {}, index)
    return LaneRule(found.role, rule.scope_level or found.scope_level, rule.scope_data_key or found.scope_data_key)


def scope_unit(rule: LaneRule, case_unit, data: dict) -> tree.UnitRef:
    """Where a task of ``rule`` sits for a case in ``case_unit``."""
    if rule.scope_data_key:
        value = data.get(rule.scope_data_key)
        code = value.get("code") if isinstance(value, dict) else value
        unit = tree.ref_by_code(code) if isinstance(code, str) else None
        return unit or tree.root_of(case_unit)
    if rule.scope_level:
        return tree.ancestor_at(case_unit, rule.scope_level)
    return case_unit if isinstance(case_unit, tree.UnitRef) else tree.UnitRef.of(case_unit)
