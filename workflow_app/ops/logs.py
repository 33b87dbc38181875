"""Structured logs: one JSON object a line, with the request id, the user, the case and the task.

Every request gets a request id: the caller's ``X-Request-ID`` when it looks like one (nginx's
``$request_id``, a load balancer's), else a new one. It is returned in the ``X-Request-ID`` header
and in every JSON error body (``request_id``), and stamped on every log line written while the
request runs. One access line per request (``"event": "request"``) gives the route, the status and
the duration; the query string is never logged (searches carry names and phone numbers), only
its keys.

No personal data: the platform never logs case data or request bodies, and every message and
traceback goes through ``scrub`` on its way out: mainland mobile numbers, 18-digit ID numbers and
the bound parameters SQLAlchemy appends to database errors are masked, and values of the fields
the visibility policy classes as ``contact`` or ``location`` are masked where a message shows them
as ``key=value`` or ``"key": value``.
"""

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import g, has_request_context, request

from . import settings

_INCOMING_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_SQL_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\s*(?:\(Background|\n|$))", re.S)
# Keys whose values are personal in any log message (org/visibility.json: contact and location,
# and the households' personal class).
PERSONAL_KEYS = ("initiator", "contact_phone", "phone", "mobile", "reporter_phone", "reporter_name",
                 "contact_name", "id_number", "resident_name", "resident_phone", "callback_phone", "head_name",
                 "address", "location", "lat", "lng", "coordinates", "house_number", "room", "notes")
_KEYS = "|".join(PERSONAL_KEYS)
_KEYED = re.compile(r"""(?P<key>["']?\b(?:""" + _KEYS + r""")\b["']?\s*[:=]\s*)(?P<value>"[^"]*"|'[^']*'|[^,;}\s]+)""")
MASK = "***"
_CONFIGURED = {"done": False}


def scrub(text: str) -> str:
    """``text`` without phone numbers, ID numbers, SQL parameters or personal fields' values."""
    if not text:
        return text
    text = _SQL_PARAMETERS.sub("[parameters: " + MASK + "]", text)
    text = _KEYED.sub(lambda m: m.group("key") + MASK, text)
    text = _ID_NUMBER.sub(MASK, text)
    return _PHONE.sub(MASK, text)


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id() -> str | None:
    """The current request's id (made on first use), or None outside a request."""
    if not has_request_context():
        return None
    found = g.get("request_id")
    if found is None:
        incoming = request.headers.get("X-Request-ID", "")
        found = g.request_id = incoming if _INCOMING_ID.match(incoming) else new_request_id()
    return found


def _user() -> str | None:
    person = g.get("current_user") or g.get("user") or g.get("session_user")
    return scrub(getattr(person, "username", None) or "") or None


def request_fields() -> dict:
    """What a log line written during a request says about it."""
    if not has_request_context():
        return {}
    args = request.view_args or {}
    fields = {"request_id": request_id(), "user": _user(), "case": args.get("instance_id"),
              "task": args.get("task_id")}
    return {k: v for k, v in fields.items() if v is not None}


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object: time, level, logger, message, the request's fields, and
    what the caller passed in ``extra={"fields": {...}}``."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": scrub(record.getMessage()),
        }
        payload.update(request_fields())
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            payload.update({k: v for k, v in extra.items() if v is not None})
        if record.exc_info:
            payload["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(payload, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The development format, scrubbed like the JSON one, with the request id when there is one."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = scrub(super().format(record))
        found = request_fields().get("request_id")
        return f"{text} [request {found}]" if found else text


def formatter(kind: str) -> logging.Formatter:
    return JsonFormatter() if kind == "json" else TextFormatter()


def configure(kind: str = "json", level: str = "INFO", stream=None) -> None:
    """Send the root logger to ``stream`` (stderr) in ``kind`` format: once per process."""
    if _CONFIGURED["done"]:
        return
    _CONFIGURED["done"] = True
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(kind))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("werkzeug").setLevel("WARNING")


def install(app) -> None:
    """Request ids on every request and response, one access line per request, and (when
    LOG_FORMAT is json) JSON logs for the whole process."""
    kind = str(settings.get("LOG_FORMAT", app)).lower()
    if kind == "json" and not app.testing:
        from flask.logging import default_handler

        configure("json", str(settings.get("LOG_LEVEL", app)))
        app.logger.removeHandler(default_handler)
    access = logging.getLogger("workflow_app.access")

    @app.before_request
    def _begin():
        g.request_started = time.perf_counter()
        request_id()

    @app.after_request
    def _end(response):
        found = request_id()
        response.headers["X-Request-ID"] = found
        if response.status_code >= 400 and not response.is_streamed:
            _stamp(response, found)
        if not access.isEnabledFor(logging.INFO):
            return response
        started = g.get("request_started")
        rule = request.url_rule.rule if request.url_rule is not None else "unmatched"
        access.info("%s %s %s", request.method, rule, response.status_code, extra={"fields": {
            "event": "request", "method": request.method, "route": rule, "status": response.status_code,
            "case": _answered_case(response, rule),
            "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "query_keys": sorted(request.args.keys()) or None,
        }})
        return response

    app.jinja_env.globals["request_id"] = request_id


def _answered_case(response, rule: str) -> int | None:
    """The case a task call acted on, from its (small) answer: ``instance_id``, or a new case's ``id``."""
    if (request.view_args or {}).get("instance_id") is not None or not response.is_json or response.status_code >= 400:
        return None
    if response.content_length is None or response.content_length > 16384 or request.method == "GET" \
            and "task_id" not in (request.view_args or {}):
        return None
    body = response.get_json(silent=True)
    if not isinstance(body, dict):
        return None
    found = body.get("instance_id", body.get("id") if rule == "/api/v1/instances" else None)
    return found if isinstance(found, int) else None


def _stamp(response, found: str) -> None:
    """Every error body says which request it answers: ``request_id`` in a JSON body, a last line in
    a plain-text one (the HTML pages show it themselves: templates/error.html)."""
    if response.is_json:
        body = response.get_json(silent=True)
        if isinstance(body, dict) and "request_id" not in body:
            body["request_id"] = found
            response.set_data(json.dumps(body, ensure_ascii=False))
    elif response.mimetype == "text/plain":
        text = response.get_data(as_text=True)
        if found not in text:
            response.set_data(f"{text.rstrip()}\nrequest id: {found}\n")
