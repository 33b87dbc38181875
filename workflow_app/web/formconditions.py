"""Fields a form shows only for some answers, read from the form's own JSON schema.

A form says a field is needed only for some answers with ``if``/``then`` (at its top or in
``allOf``): ``{"if": {"properties": {"accepted": {"const": false}}}, "then": {"required":
["reject_reason"]}}``. A field required only so (never always) is shown only while such a condition
holds; ``else`` shows it while the condition does not. Conditions the page cannot follow (anything
but ``const``/``enum`` on other fields) leave the field always shown. The page's script
(``static/formconditions.js``) reads the result from the form's ``data-show-when``."""


def _answers(condition) -> dict[str, list] | None:
    """{field: accepted values} for an ``if`` the page can follow, else None."""
    if not isinstance(condition, dict) or set(condition) - {"properties", "required"}:
        return None
    found = {}
    for name, rule in (condition.get("properties") or {}).items():
        if not isinstance(rule, dict) or len(rule) != 1:
            return None
        if "const" in rule:
            found[name] = [rule["const"]]
        elif isinstance(rule.get("enum"), list):
            found[name] = list(rule["enum"])
        else:
            return None
    return found or None


def _branches(document: dict) -> list[dict]:
    found = [document] if "if" in document else []
    return found + [part for part in document.get("allOf") or [] if isinstance(part, dict) and "if" in part]


def show_when(document: dict | None) -> dict[str, list[dict]]:
    """Field name -> the conditions under which it is shown (any of them), each
    ``{"answers": {field: [values]}, "negate": bool}``; fields not named are always shown."""
    if not isinstance(document, dict):
        return {}
    always = set(document.get("required") or [])
    shown: dict[str, list[dict]] = {}
    for branch in _branches(document):
        answers = _answers(branch.get("if"))
        for part, negate in (("then", False), ("else", True)):
            needed = (branch.get(part) or {}).get("required") if isinstance(branch.get(part), dict) else None
            for name in needed or []:
                shown.setdefault(name, []).append(None if answers is None else {"answers": answers, "negate": negate})
    return {name: conditions for name, conditions in shown.items()
            if name not in always and None not in conditions and name in (document.get("properties") or {})}
