"""Checks on data that enters a case (start data and task submissions)."""

import json

from ..errors import InvalidInput
from ..scripting import reserved_names

MAX_BYTES = 1_000_000


def _typename_paths(value, path="data") -> list[str]:
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "typename":
                found.append(f"{path}.typename")
            found.extend(_typename_paths(item, f"{path}.{key}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_typename_paths(item, f"{path}.{index}"))
    return found


def check(data) -> dict:
    """Refuse data the engine would mangle or that would shadow script functions."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidInput("data must be a JSON object", {"data": ["must be an object"]})
    errors: dict[str, list[str]] = {}
    for path in _typename_paths(data):
        errors.setdefault(path.removeprefix("data."), []).append(
            "'typename' is reserved by the workflow engine; use another key"
        )
    reserved = reserved_names()
    for key in data:
        if key in reserved or key.startswith("_"):
            errors.setdefault(key, []).append(
                "this key would shadow a script function or sandbox name; use another key"
            )
    try:
        size = len(json.dumps(data, ensure_ascii=False))
    except (TypeError, ValueError):
        raise InvalidInput("data must be plain JSON", {"data": ["must be plain JSON"]}) from None
    if size > MAX_BYTES:
        errors.setdefault("data", []).append(f"data is larger than {MAX_BYTES} bytes")
    if errors:
        raise InvalidInput("the data was refused", errors)
    return data
