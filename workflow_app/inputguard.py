"""Hostile input stops at the door, for the API and the pages alike.

Every request's text is checked before any view sees it: query parameters, path parameters,
form fields, uploaded file names and JSON bodies may not hold NUL characters (PostgreSQL text
refuses them) or unpaired UTF-16 surrogates (no database can store them). A JSON body must parse,
nest at most ``MAX_JSON_DEPTH`` deep, and hold only finite numbers within 64 bits. Each refusal is
a 400 naming the field and the reason, never a 500.

Answers: JSON is written without ``NaN`` or ``Infinity`` (not JSON at all): a non-finite number
that reached case data is answered as ``null``.
"""

from __future__ import annotations

import json
import math
import re

from flask import current_app, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import RequestEntityTooLarge

from .errors import DomainError

MAX_JSON_DEPTH = 32
INT_LIMIT = 2**63 - 1
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


class BadInput(DomainError):
    """The request itself is malformed (400): bad characters, unparseable or over-deep JSON."""

    status = 400
    reason = "bad_input"


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be accepted as text, or None."""
    found = _BAD_TEXT.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "must not contain NUL characters"
    return "must not contain unpaired surrogate characters (invalid Unicode)"


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:40]} is out of range")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 19 or abs(int(text)) > INT_LIMIT:
        raise ValueError(f"integer {text[:40]}… is out of range (at most 64 bits)")
    return int(text)


def parse_json(raw: bytes | str):
    """Parse JSON strictly (no NaN, no infinite or over-long numbers); ValueError says why."""
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float,
                          parse_int=_bounded_int)
    except RecursionError as error:
        raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels") from error


def json_problems(document, max_depth: int = MAX_JSON_DEPTH) -> dict[str, list[str]]:
    """Field errors for bad text and too-deep nesting anywhere in a parsed JSON document."""
    errors: dict[str, list[str]] = {}
    stack = [(document, 0, "")]
    while stack:
        node, depth, path = stack.pop()
        if isinstance(node, str):
            problem = text_problem(node)
        elif isinstance(node, dict | list) and depth >= max_depth:
            problem = f"nested deeper than {max_depth} levels"
        else:
            problem = None
        if problem:
            errors.setdefault(path or "_body", []).append(problem)
            continue
        if isinstance(node, dict):
            for key, value in node.items():
                key_problem = text_problem(key)
                if key_problem:
                    errors.setdefault(f"{path}.{key!r}".lstrip("."), []).append(f"field name {key_problem}")
                    continue
                stack.append((value, depth + 1, f"{path}.{key}".lstrip(".")))
        elif isinstance(node, list):
            stack.extend((value, depth + 1, f"{path}.{i}".lstrip(".")) for i, value in enumerate(node))
    return errors


def _pairs_problems(pairs, label: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for key, value in pairs:
        key = key if isinstance(key, str) else ""
        if problem := text_problem(key):
            errors.setdefault(label, []).append(f"a {label} name {problem}")
        elif isinstance(value, str) and (problem := text_problem(value)):
            errors.setdefault(key, []).append(f"{label} {key!r} {problem}")
    return errors


def _body_problems() -> dict[str, list[str]]:
    limit = current_app.config.get("MAX_JSON_BYTES")
    if limit and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge(f"a JSON body may be at most {limit} bytes")
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        document = parse_json(raw)
    except UnicodeDecodeError:
        return {"_body": ["the JSON body is not UTF-8"]}
    except ValueError as error:
        return {"_body": [f"the JSON body is malformed: {error}"]}
    return json_problems(document, current_app.config.get("MAX_JSON_DEPTH", MAX_JSON_DEPTH))


def check_request() -> None:
    """``before_request``: refuse a request whose text the platform could not store or parse."""
    errors = _pairs_problems(request.args.items(multi=True), "query parameter")
    errors.update(_pairs_problems((request.view_args or {}).items(), "path parameter"))
    if request.is_json:
        errors.update(_body_problems())
    elif request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        errors.update(_pairs_problems(request.form.items(multi=True), "form field"))
        names = [(key, upload.filename or "") for key, upload in request.files.items(multi=True)]
        errors.update(_pairs_problems(names, "file"))
    if errors:
        first = next(iter(errors.values()))[0]
        raise BadInput(f"the request was refused: {first}", errors)


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, but never ``NaN``/``Infinity`` in an answer: they become ``null``."""

    def dumps(self, obj, **kwargs) -> str:
        kwargs["allow_nan"] = False
        try:
            return super().dumps(obj, **kwargs)
        except ValueError:
            return super().dumps(_finite(obj), **kwargs)


def install(app) -> None:
    app.json = StrictJSONProvider(app)
    app.before_request(check_request)
