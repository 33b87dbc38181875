"""Production operations: request ids and JSON logs, Prometheus metrics, health and readiness,
scheduler heartbeats, monthly partitions (PostgreSQL), retention of completed cases' engine state,
and backups. Served by ``workflow-app serve`` (gunicorn with ``deploy/gunicorn.conf.py`` and a
scheduler process beside it: ``ops.serve``).

``init_app`` installs what every app process does (request hooks, log format, metric hooks);
the scheduler jobs (``heartbeats.beat``, ``partitions.tick``) are registered in
``create_app._tick_jobs``; the commands live in ``workflow_app.ops_cli``; the pages and probes in
``web/operations.py``.
"""


def init_app(app) -> None:
    from . import logs, metrics

    logs.install(app)
    metrics.install(app)
