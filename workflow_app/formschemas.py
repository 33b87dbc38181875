"""Form schemas that cannot reach files, the network or the CPU.

References. A form may ``$ref`` only its own ``#…`` parts or another form of its bundle or of
``forms/``, by plain file name (``"common.json#/$defs/phone"``). They are resolved when the bundle
is deployed, through a ``referencing`` registry whose only retrieval reads those forms by name
(everything else is refused), and inlined: the schema stored with the version has no ``$ref`` left,
and a submission is checked against it with a registry that retrieves nothing at all.

Regexes. ``pattern``, ``patternProperties`` and ``format: regex`` run on RE2, which never backtracks
(``^(a+)+$`` costs linear time). A pattern RE2 cannot compile (look-around, back-references) is
refused at deploy time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import urlsplit

import re2
from jsonschema import FormatChecker, ValidationError, validators
from referencing import Registry
from referencing.exceptions import NoSuchResource, Unresolvable
from referencing.jsonschema import DRAFT202012

BASE = "https://forms.invalid/"  # names the forms while resolving; nothing is ever fetched from it
MAX_NODES = 20_000  # a resolved form larger than this is refused (no "billion laughs" by $ref)
MAX_DEPTH = 64
ANNOTATIONS = frozenset({"title", "description", "default", "examples", "readOnly", "writeOnly", "deprecated",
                         "$comment"})
_RESOURCE_KEYS = ("$id", "$schema", "$anchor", "$dynamicAnchor", "$defs", "definitions")


class FormRefused(ValueError):
    """A form (or what it references) cannot be deployed; the message says where and why."""


# --- regular expressions -----------------------------------------------------------------------

def _re2_syntax(pattern: str) -> str:
    """ECMA-262 ``\\uXXXX`` escapes (common in Chinese forms) in RE2's spelling ``\\x{XXXX}``."""
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            hexa = pattern[i + 2:i + 6]
            if pattern[i + 1] == "u" and len(hexa) == 4 and all(c in "0123456789abcdefABCDEF" for c in hexa):
                out.append(f"\\x{{{hexa}}}")
                i += 6
                continue
            out.append(pattern[i:i + 2])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


@lru_cache(maxsize=2048)
def compile_pattern(pattern: str):
    """The RE2 program for a JSON Schema pattern; ``re2.error`` when RE2 cannot run it."""
    options = re2.Options()
    options.log_errors = False
    return re2.compile(_re2_syntax(pattern), options=options)


def pattern_problem(pattern) -> str | None:
    if not isinstance(pattern, str):
        return "must be a string"
    try:
        compile_pattern(pattern)
    except re2.error as error:
        reason = error.args[0].decode(errors="replace") if error.args and isinstance(error.args[0], bytes) \
            else str(error)
        return (f"RE2 cannot compile it ({reason}); form patterns may not use look-around or "
                "back-references")
    return None


def _matches(pattern: str, text: str) -> bool | None:
    """Whether ``pattern`` finds ``text``; None when RE2 cannot run the pattern (an old version)."""
    try:
        return compile_pattern(pattern).search(text) is not None
    except re2.error:
        return None


def _unusable(pattern: str) -> ValidationError:
    return ValidationError(f"the form's pattern {pattern[:80]!r} cannot be checked; the process must be redeployed")


def _pattern(validator, pattern, instance, schema):
    if not validator.is_type(instance, "string"):
        return
    matched = _matches(pattern, instance)
    if matched is None:
        yield _unusable(pattern)
    elif not matched:
        yield ValidationError(f"does not match the pattern {pattern!r}")


def _pattern_properties(validator, properties, instance, schema):
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in properties.items():
        for key, value in instance.items():
            matched = _matches(pattern, key)
            if matched is None:
                yield _unusable(pattern)
                return
            if matched:
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


@lru_cache(maxsize=16)
def _format_checker(base: FormatChecker) -> FormatChecker:
    checker = FormatChecker(())
    checker.checkers = dict(base.checkers)

    @checker.checks("regex", raises=re2.error)
    def _is_regex(instance) -> bool:
        return not isinstance(instance, str) or bool(compile_pattern(instance))

    return checker


@lru_cache(maxsize=16)
def validator_class(document_class):
    """``document_class`` (from ``$schema``) with its regex keywords on RE2."""
    return validators.extend(document_class, {"pattern": _pattern, "patternProperties": _pattern_properties})


def validator(document: dict):
    """A validator for a stored form: RE2 regexes, no retrieval of anything."""
    base = validators.validator_for(document)
    return validator_class(base)(document, registry=Registry(), format_checker=_format_checker(base.FORMAT_CHECKER))


def regex_problems(document) -> list[str]:
    """Patterns anywhere in the schema that RE2 cannot run (checked at deploy time)."""
    problems = []
    for where, node in _walk(document):
        if isinstance(node.get("pattern"), str):
            problem = pattern_problem(node["pattern"])
            if problem:
                problems.append(f"pattern {str(node['pattern'])[:80]!r} at {where or '/'}: {problem}")
        if isinstance(node.get("patternProperties"), dict):
            for key in node["patternProperties"]:
                problem = pattern_problem(key)
                if problem:
                    problems.append(f"patternProperties key {key[:80]!r} at {where or '/'}: {problem}")
    return problems


def _walk(node, where: str = ""):
    stack = [(node, where)]
    while stack:
        item, path = stack.pop()
        if isinstance(item, dict):
            yield path, item
            stack.extend((value, f"{path}/{key}") for key, value in item.items())
        elif isinstance(item, list):
            stack.extend((value, f"{path}/{i}") for i, value in enumerate(item))


# --- references ---------------------------------------------------------------------------------

def form_name(uri: str) -> str | None:
    """The form file a resolution URI names (``BASE`` + a plain file name), else None."""
    if not uri.startswith(BASE):
        return None
    name = uri[len(BASE):].split("#", 1)[0]
    if not name or "/" in name or "\\" in name or name.startswith(".") or "%" in name or "\x00" in name:
        return None
    return name


def _outside(ref: str) -> bool:
    """True for a ``$ref`` that names anything but a part of this form or another form by file name."""
    parts = urlsplit(ref)
    return bool(parts.scheme or parts.netloc or parts.query or "/" in parts.path or "\\" in parts.path
                or parts.path.startswith(".") or "%" in parts.path)


class _Resolution:
    """One form's resolution: which forms it read, how big it has grown."""

    def __init__(self, lookup: Callable[[str], bytes | None], parse: Callable[[bytes], dict]):
        self.lookup, self.parse = lookup, parse
        self.used: dict[str, dict] = {}
        self.failure: str | None = None  # why the last retrieval was refused
        self.nodes = 0

    def retrieve(self, uri: str):
        name = form_name(uri)
        content = self.lookup(name) if name else None
        if content is None:
            self.failure = (f"{name} is neither in the bundle nor in forms/" if name else
                            f"{uri[:120]} is outside: forms may reference only other forms of the bundle or "
                            "forms/ by file name")
            raise NoSuchResource(ref=uri)
        try:
            document = self.parse(content)
        except (ValueError, UnicodeDecodeError) as error:
            reason = f"line {error.lineno}" if isinstance(error, json.JSONDecodeError) else "not a JSON object"
            self.failure = f"{name} is not a valid JSON form ({reason})"
            raise NoSuchResource(ref=uri) from error
        self.used[name] = document
        return DRAFT202012.create_resource(document)

    def grow(self, depth: int) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise FormRefused(f"the form is larger than {MAX_NODES} schema nodes once its $refs are resolved")
        if depth > MAX_DEPTH:
            raise FormRefused(f"the form nests deeper than {MAX_DEPTH} levels once its $refs are resolved")


def resolve(name: str, document: dict, lookup: Callable[[str], bytes | None],
            parse: Callable[[bytes], dict]) -> tuple[dict, dict[str, dict]]:
    """``document`` with every ``$ref`` inlined, and the other forms it read (by file name).

    ``lookup(file_name)`` gives a form's bytes from the bundle or ``forms/`` (None if absent).
    Raises ``FormRefused`` for a reference outside those, one that cannot be resolved or parsed,
    a recursive one, or a result that grows too large."""
    work = _Resolution(lookup, parse)
    registry = Registry(retrieve=work.retrieve).with_resource(BASE + name, DRAFT202012.create_resource(document))
    resolver = registry.resolver(base_uri=BASE + name)
    resolved = _inline(document, resolver, (id(document),), "", work)
    return resolved, work.used


def _inline(node, resolver, stack: tuple, where: str, work: _Resolution, depth: int = 0):
    work.grow(depth)
    if isinstance(node, list):
        return [_inline(value, resolver, stack, f"{where}/{i}", work, depth + 1) for i, value in enumerate(node)]
    if not isinstance(node, dict):
        return node
    for keyword in ("$dynamicRef", "$recursiveRef"):
        if keyword in node:
            raise FormRefused(f"{keyword} at {where or '/'} is not supported in forms")
    if isinstance(node.get("$id"), str):
        resolver = resolver.in_subresource(DRAFT202012.create_resource(node))
    siblings = {key: _inline(value, resolver, stack, f"{where}/{key}", work, depth + 1)
                for key, value in node.items() if key != "$ref"}
    if "$ref" not in node:
        return siblings
    target = _follow(node["$ref"], resolver, stack, where, work)
    inlined = _inline(target.contents, target.resolver, (*stack, id(target.contents)), str(node["$ref"]), work,
                      depth + 1)
    return _merge(inlined, siblings)


def _follow(ref, resolver, stack: tuple, where: str, work: _Resolution):
    at = where or "/"
    if not isinstance(ref, str):
        raise FormRefused(f"$ref at {at} must be a string")
    shown = ref[:120]
    if _outside(ref):
        raise FormRefused(f"$ref {shown!r} at {at} is not allowed: forms may reference only their own '#…' "
                          "parts or other forms of the bundle or forms/ by file name")
    work.failure = None
    try:
        target = resolver.lookup(ref)
    except Unresolvable as error:
        reason = work.failure or _NOWHERE.get(type(error).__name__, "nothing is there")
        raise FormRefused(f"$ref {shown!r} at {at} cannot be resolved: {reason}") from None
    if id(target.contents) in stack:
        raise FormRefused(f"$ref {shown!r} at {at} is recursive; forms must not refer to themselves")
    return target


_NOWHERE = {"PointerToNowhere": "the JSON pointer points at nothing", "NoSuchAnchor": "there is no such anchor",
            "InvalidAnchor": "the anchor is not valid"}


def _merge(target, siblings: dict):
    """What ``{"$ref": target, **siblings}`` means, without the reference."""
    if isinstance(target, dict):
        target = {k: v for k, v in target.items() if k not in _RESOURCE_KEYS}
    if not siblings:
        return target
    if isinstance(target, dict) and all(key in ANNOTATIONS or key.startswith("x-") for key in siblings):
        return {**target, **siblings}  # annotations (titles, labels) of the referring form win
    return {"allOf": [target], **siblings}
