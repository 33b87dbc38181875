"""Who sees and corrects the figures, by the capabilities their roles carry (the role table).

Those who oversee a unit (supervisors, administrators, the leaders of towns, communities,
departments and grids) and evaluators see the figures of the unit and everything under it;
anyone sees their own scorecard; those who supervise or evaluate correct a period's figures."""

from ..errors import Forbidden
from ..models import User
from ..org import access

EVALUATE = "evaluate"
VIEW = (access.OVERSEE, EVALUATE)
ADJUST = (access.SUPERVISE, EVALUATE)


def may_view(user: User, unit) -> bool:
    return any(access.capable(user, capability, unit) for capability in VIEW)


def require_view(user: User, unit) -> None:
    if not may_view(user, unit):
        raise Forbidden(f"{user.username} may not see the indicators of {unit.code}")


def views_somewhere(user: User) -> bool:
    return any(access.units_with(user, capability) for capability in VIEW)


def require_adjust(user: User, unit) -> None:
    if not any(access.capable(user, capability, unit) for capability in ADJUST):
        raise Forbidden(f"only supervisors and evaluators correct figures ({user.username} at {unit.code})")


def home_unit(user: User):
    """Where a viewer's tables start: the highest unit where they may see the figures."""
    held = [unit for capability in VIEW for unit in access.units_with(user, capability)]
    return min(held, key=lambda u: len(u.path)) if held else None
