"""Configuration read from the environment.

Everything has a default that runs the embedded platform: SQLite in the instance folder,
processes and forms from the checkout. Production sets ``DATABASE_URL`` to PostgreSQL.
"""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "dev-only-change-me"  # refused on PostgreSQL without debug (see security.py)


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{Path(instance_path) / 'workflow.db'}"
    # Accept the common shorthands and make psycopg 3 the PostgreSQL driver.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def from_environment(instance_path: str) -> dict:
    """The configuration mapping for ``create_app``."""
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY),
        # Web sessions: SameSite=Lax; Secure over https ("auto"), always ("1") or never ("0"); 12 hours.
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE_MODE": os.environ.get("WORKFLOW_COOKIE_SECURE", "auto").strip().lower(),
        "PERMANENT_SESSION_LIFETIME": int(float(os.environ.get("WORKFLOW_SESSION_HOURS", "12")) * 3600),
        # Personal API tokens expire after this many days (a caller may ask for fewer, never more).
        "API_TOKEN_DAYS": float(os.environ.get("WORKFLOW_TOKEN_DAYS", "30")),
        # Proxies in front of the app whose X-Forwarded-For is trusted (login limits are per address).
        "TRUSTED_PROXIES": int(os.environ.get("WORKFLOW_TRUSTED_PROXIES", "0")),
        # JSON request bodies (not uploads) larger than this are refused with 413.
        "MAX_JSON_BYTES": int(os.environ.get("WORKFLOW_MAX_JSON_BYTES", str(2 * 1024 * 1024))),
        # Who sees which fields of cases and households (None: the policy shipped in org/visibility.json).
        "VISIBILITY_POLICY": os.environ.get("WORKFLOW_VISIBILITY_POLICY") or None,
        "MAP_TILE_URL": os.environ.get("WORKFLOW_MAP_TILES"),  # None: the public default ("" turns the map off)
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "PROCESSES_DIR": os.environ.get("PROCESSES_DIR", str(PROJECT_ROOT / "processes")),
        "FORMS_DIR": os.environ.get("FORMS_DIR", str(PROJECT_ROOT / "forms")),
        "DEMO_MODE": _bool("WORKFLOW_DEMO", False),
        "DEFAULT_TIMEZONE": os.environ.get("WORKFLOW_TIMEZONE", "Asia/Shanghai"),
        # Optimistic-concurrency retries for actions that race on one instance.
        "INSTANCE_RETRY_ATTEMPTS": int(os.environ.get("WORKFLOW_RETRY_ATTEMPTS", "8")),
        # Restored workflows kept in memory per (instance, revision); 0 restores on every request.
        "WORKFLOW_CACHE_SIZE": int(os.environ.get("WORKFLOW_CACHE_SIZE", "512")),
        # Restored specs kept per version (False re-reads the spec on every request; for benchmarks).
        "SPEC_CACHE": _bool("WORKFLOW_SPEC_CACHE", True),
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD", "scrypt"),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_BYTES", str(16 * 1024 * 1024))),
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR") or None,  # the file store (default <instance>/uploads)
        "MAX_BUNDLE_FILE_BYTES": int(os.environ.get("MAX_BUNDLE_FILE_BYTES", str(2 * 1024 * 1024))),
        "SCRIPT_STEP_LIMIT": int(os.environ.get("SCRIPT_STEP_LIMIT", "1000000")),
        # The engine runs designer-authored code in worker processes with these hard limits.
        "ENGINE_ISOLATION": _bool("WORKFLOW_ENGINE_ISOLATION", True),
        "ENGINE_WORKERS": int(os.environ.get("WORKFLOW_ENGINE_WORKERS", "4")),
        "SCRIPT_TIME_LIMIT": float(os.environ.get("SCRIPT_TIME_LIMIT", "5")),
        "SCRIPT_MEMORY_MB": int(os.environ.get("SCRIPT_MEMORY_MB", "768")),
        "MAX_CASE_BYTES": int(os.environ.get("WORKFLOW_MAX_CASE_BYTES", str(8_000_000))),
        # Time-driven work: the scheduler's period, and whether the web app runs one itself.
        "SCHEDULER_INTERVAL": float(os.environ.get("WORKFLOW_SCHEDULER_INTERVAL", "5")),
        "SCHEDULER_IN_APP": _bool("WORKFLOW_SCHEDULER_IN_APP", False),
        # How long a scheduler node holds the due cases it claimed (a killed node's run out).
        "TIMER_LEASE": float(os.environ.get("WORKFLOW_TIMER_LEASE", "60")),
        "SLA_WARN_RATIO": float(os.environ.get("WORKFLOW_SLA_WARN_RATIO", "0.8")),
        "NOTIFICATION_CHANNELS": os.environ.get("WORKFLOW_NOTIFICATION_CHANNELS", "in_app"),
        "SLA_EXTENSION_PROCESS": os.environ.get("WORKFLOW_SLA_EXTENSION_PROCESS", "sla_extension"),
        "API_TITLE": "网格治理工作流平台 API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "JSON_SORT_KEYS": False,
    }
