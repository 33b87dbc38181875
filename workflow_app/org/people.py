"""Users and role assignments."""

from sqlalchemy import select

from .. import clock
from ..auth import passwords
from ..errors import InvalidInput, NotFound
from ..extensions import db
from ..models import OrgUnit, RoleAssignment, User
from . import roles, tree


def by_username(username: str) -> User | None:
    return db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def get(username: str) -> User:
    user = by_username(username)
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def save_user(*, username: str, name: str | None = None, phone: str | None = None,
              password: str | None = None, active: bool = True) -> User:
    """Create or update a user by login (no commit)."""
    if not username or len(username) > 64:
        raise InvalidInput("invalid username", {"username": ["1 to 64 characters"]})
    user = by_username(username)
    if user is None:
        user = User(username=username, name=name or username, created_at=clock.now())
        db.session.add(user)
    if name:
        user.name = name
    if phone is not None:
        user.phone = phone
    user.active = active
    if password:
        user.password_hash = passwords.hash_password(password)
    db.session.flush()
    return user


def holders(role: str | None, scope_path: str | None) -> list[User]:
    """Active users holding ``role`` at the unit of ``scope_path`` or at a unit above it."""
    if not role or not scope_path:
        return []
    prefixes = [scope_path[: i + 1] for i, ch in enumerate(scope_path) if ch == "/" and i > 0]
    return list(db.session.execute(
        select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .join(OrgUnit, OrgUnit.id == RoleAssignment.org_unit_id)
        .where(RoleAssignment.role_code == role, OrgUnit.path.in_(prefixes), User.active.is_(True))
        .order_by(User.username).distinct()
    ).scalars())


def assign(user: User, role_code: str, unit_code: str) -> RoleAssignment:
    """Give ``user`` role ``role_code`` at unit ``unit_code`` (idempotent, no commit)."""
    role = roles.ensure_role(role_code)
    unit = tree.require(unit_code)
    for existing in user.assignments:
        if existing.role_code == role.code and existing.org_unit_id == unit.id:
            return existing
    assignment = RoleAssignment(user=user, role_code=role.code, org_unit=unit)
    db.session.add(assignment)
    db.session.flush()
    return assignment
