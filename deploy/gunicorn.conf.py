"""gunicorn settings for the platform (``workflow-app serve`` uses this file; so may ``gunicorn -c``).

Defaults are for a 2-core node; every one can be set from the environment:

- ``WORKFLOW_BIND`` (127.0.0.1:5000; behind nginx keep it on loopback or a private address),
- ``WEB_CONCURRENCY`` worker processes (2: one per core; each has its own engine worker pool and
  caches, so more processes than cores buys little and costs memory),
- ``WORKFLOW_THREADS`` threads per worker (4: requests wait on the database and the engine workers
  most of the time; the engine runs in worker processes, outside the GIL),
- ``WORKFLOW_ENGINE_WORKERS`` engine worker processes per app worker (default: the thread count, so
  no request waits for an engine worker while its siblings hold them all).

Requests are logged by the app itself (one JSON line each, with the request id, user, case, task
and duration: ``workflow_app/ops/logs.py``), so gunicorn's access log is off; its error log is JSON
as well. Prometheus multiprocess mode: the metrics folder is emptied when the master starts (unless
``workflow-app serve`` manages it) and a worker's live gauges are dropped when it exits.
"""

import os
import shutil
import tempfile

wsgi_app = "workflow_app:create_app()"
bind = os.environ.get("WORKFLOW_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WORKFLOW_THREADS", "4"))
worker_class = "gthread"
timeout = 60  # a request's engine step is bounded by SCRIPT_TIME_LIMIT (5 s) and a few retries
graceful_timeout = 20
keepalive = 5
max_requests = 0  # restarting workers would throw away their caches and engine workers
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = None
errorlog = "-"
loglevel = os.environ.get("WORKFLOW_LOG_LEVEL", "info").lower()
proc_name = "workflow-app"
# gunicorn ≥ 25 opens a control socket at one fixed path per user ($HOME/.gunicorn/gunicorn.ctl): two
# nodes on one host would take each other's. Off unless asked for (older gunicorns ignore the name).
control_socket_disable = os.environ.get("WORKFLOW_GUNICORN_CONTROL", "0") != "1"
os.environ.setdefault("WORKFLOW_ENGINE_WORKERS", str(threads))

if os.environ.get("WORKFLOW_LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "workflow_app.ops.logs.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json",
                                 "stream": "ext://sys.stderr"}},
        "loggers": {"gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False}},
    }


def on_starting(server):
    """Before the first fork: a metrics folder for the workers, emptied (stale files would add up)."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        folder = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="workflow-metrics-")
        os.environ["WORKFLOW_METRICS_DIR_OWNED"] = "1"
    os.makedirs(folder, exist_ok=True)
    if os.environ.get("WORKFLOW_SERVE_SUPERVISED") != "1":
        for name in os.listdir(folder):
            if name.endswith(".db"):
                os.unlink(os.path.join(folder, name))


def child_exit(server, worker):
    """A worker is gone: its live gauges (connections in use) no longer count."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if os.environ.get("WORKFLOW_METRICS_DIR_OWNED") == "1":
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
