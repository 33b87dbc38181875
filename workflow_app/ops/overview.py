"""What the operations page and the probes show, and who may read the metrics."""

import ipaddress
from dataclasses import dataclass

from .. import clock
from ..errors import Forbidden
from ..org import access
from . import health, heartbeats, metrics, partitions, settings

HIDE_AFTER = 86400  # seconds: a node silent for a day has stopped; the page counts it instead of listing it


@dataclass
class Overview:
    readiness: health.Readiness
    nodes: list
    stale_after: float
    partitions: list
    database: str
    metrics_allow: list
    hidden_nodes: int = 0  # stopped nodes whose last heartbeat is older than HIDE_AFTER


def overview(user) -> Overview:
    """The operations page (administrators only)."""
    require_admin(user)
    from ..extensions import db

    readiness = health.readiness()
    try:
        nodes = heartbeats.nodes(clock.now())
    except Exception:  # a schema behind: readiness says so; the page still answers
        db.session.rollback()
        nodes = []
    shown = [n for n in nodes if n.age <= HIDE_AFTER]
    return Overview(readiness=readiness, nodes=shown, hidden_nodes=len(nodes) - len(shown),
                    stale_after=heartbeats.stale_after(), partitions=partitions.listing(),
                    database=db.engine.dialect.name, metrics_allow=[str(n) for n in settings.allowed_networks()])


def require_admin(user) -> None:
    if user is None or not access.capable(user, access.ADMINISTER):
        raise Forbidden("only administrators may see the platform's operations")


def may_scrape(remote_addr: str | None, user) -> bool:
    """An administrator (Bearer token or session), or an address in WORKFLOW_METRICS_ALLOW."""
    if user is not None and access.capable(user, access.ADMINISTER):
        return True
    try:
        address = ipaddress.ip_address((remote_addr or "").strip())
    except ValueError:
        return False
    return any(address in network for network in settings.allowed_networks())


def scrape(app, remote_addr: str | None, user) -> tuple[bytes, str]:
    if not may_scrape(remote_addr, user):
        raise Forbidden("metrics are for administrators and the addresses in WORKFLOW_METRICS_ALLOW")
    return metrics.exposition(app)
