"""Operations settings: from the app's config when set there (tests), else the environment."""

import ipaddress
import os
import socket

from flask import current_app

DEFAULTS = {
    # text (development) or json (production: ``workflow-app serve`` sets it)
    "LOG_FORMAT": ("WORKFLOW_LOG_FORMAT", "text"),
    "LOG_LEVEL": ("WORKFLOW_LOG_LEVEL", "INFO"),
    # addresses (or networks) allowed to scrape /metrics without an admin's token
    "METRICS_ALLOW": ("WORKFLOW_METRICS_ALLOW", ""),
    # a scheduler heartbeat older than this many seconds is stale (readiness fails on it)
    "HEARTBEAT_STALE": ("WORKFLOW_HEARTBEAT_STALE", "60"),
    # this process's name in heartbeats (default host:pid)
    "NODE_NAME": ("WORKFLOW_NODE_NAME", ""),
    # months of audit/fact partitions kept made ahead (PostgreSQL)
    "PARTITIONS_AHEAD": ("WORKFLOW_PARTITIONS_AHEAD", "3"),
}


def get(name: str, app=None) -> str:
    app = app or current_app
    if name in app.config:
        return app.config[name]
    variable, default = DEFAULTS[name]
    return os.environ.get(variable, default)


def number(name: str, app=None) -> float:
    return float(get(name, app))


def node_name(app=None) -> str:
    return get("NODE_NAME", app) or f"{socket.gethostname()}:{os.getpid()}"


def allowed_networks(app=None) -> list:
    value = get("METRICS_ALLOW", app)
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    networks = []
    for item in items:
        item = str(item).strip()
        if item:
            networks.append(ipaddress.ip_network(item, strict=False))
    return networks
