"""The suite checks what it drives: an HTTP call (or CLI invocation) whose response a test throws away
(a setup step that may have failed unseen) is refused here, so a test cannot pass because its setup
broke. Caught: a call made as a bare statement, a response bound to a name never read again, the
body of a call that changes something read without its status (``api.start(…).get_json()["id"]``),
and each of those through a helper that returns a response (``post(browser, …)``, ``upload(…)``) or a
fixture that returns a client (``def adm(api): return api``). Wrap a setup step in
``tests.support.ok(response, *statuses)`` or assert its ``status_code``."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
CLIENT_CALLS = {"get", "post", "put", "delete", "patch", "deploy", "start", "complete", "invoke"}
# Names that hold an HTTP client (ApiClient, a Flask test client, a logged-in browser) or a CLI runner
# wherever they appear in the suite: fixtures and helper parameters.
RECEIVERS = {"api", "client", "other", "hostile", "events", "replies", "web", "browser", "browser_client",
             "restarted", "runner"}
# Calls whose result is a client: a name bound to one of these is a receiver too.
FACTORIES = {"ApiClient", "test_client", "test_cli_runner", "login", "_login"}
# Calls that change something: reading their body straight away (``api.start(…).get_json()["id"]``)
# skips their status, so a refusal shows up later as a puzzling KeyError, or not at all.
CHANGES = CLIENT_CALLS - {"get", "invoke"}


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _receiver_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return str(node.slice.value)  # t["api"]
    return ""


class _Scope:
    """What one function calls a client, and which of its calls return a response."""

    def __init__(self, function: ast.AST, known: "_Known"):
        self.helpers = known.helpers
        self.clients = RECEIVERS | known.clients
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and _callee(node.value) in FACTORIES:
                self.clients = self.clients | {t.id for t in node.targets if isinstance(t, ast.Name)}

    def is_client(self, node: ast.expr | None) -> bool:
        if isinstance(node, ast.Call):
            return _callee(node) in FACTORIES  # login(app, "x").get(…), app.test_cli_runner().invoke(…)
        return node is not None and _receiver_name(node) in self.clients

    def is_response(self, node: ast.expr | None) -> bool:
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        if isinstance(func, ast.Attribute):
            return func.attr in CLIENT_CALLS and self.is_client(func.value)
        return isinstance(func, ast.Name) and func.id in self.helpers


class _Known:
    """Names a module may use: helpers returning a response, and fixtures or helpers returning a client
    (``def adm(api, clock): … return api`` makes ``adm`` a client wherever it is visible)."""

    def __init__(self, helpers=(), clients=()):
        self.helpers, self.clients = set(helpers), set(clients)

    def __eq__(self, other):
        return (self.helpers, self.clients) == (other.helpers, other.clients)

    def __or__(self, other):
        return _Known(self.helpers | other.helpers, self.clients | other.clients)


def _functions(tree: ast.Module):
    return [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def _returns(function: ast.AST, test) -> bool:
    return any(isinstance(node, ast.Return) and test(node.value) for node in ast.walk(function))


def _defined(tree: ast.Module, known: _Known) -> _Known:
    """Adds the module-level functions that return a response or a client (to a fixed point)."""
    while True:
        top = [f for f in tree.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))]
        scopes = [(f, _Scope(f, known)) for f in top]
        more = _Known({f.name for f, scope in scopes if _returns(f, scope.is_response)},
                      {f.name for f, scope in scopes if _returns(f, scope.is_client)})
        if (known | more) == known:
            return known
        known = known | more


def _visible(path: Path, tree: ast.Module, by_module: dict[str, _Known]) -> _Known:
    """What a module defines, imports from other test modules, and gets from conftest fixtures."""
    known = _Known()
    for module, names in by_module.items():
        parts = module.split(".")
        if parts[-1] == "conftest" and path.is_relative_to(TESTS.parent.joinpath(*parts[:-1])):
            known = known | _Known(clients=names.clients)
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module in by_module:
            names = {alias.asname or alias.name: alias.name for alias in node.names}
            source = by_module[node.module]
            known = known | _Known({a for a, n in names.items() if n in source.helpers},
                                   {a for a, n in names.items() if n in source.clients})
    return _defined(tree, known)


def _loaded_names(function: ast.AST) -> set[str]:
    return {node.id for node in ast.walk(function) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}


def discarded_calls(source: str, name: str = "<test>", known: _Known | None = None) -> list[str]:
    tree = ast.parse(source)
    known = _defined(tree, known or _Known())
    found = set()
    for function in _functions(tree):
        scope, loaded = _Scope(function, known), _loaded_names(function)
        for node in ast.walk(function):
            if isinstance(node, ast.Expr) and scope.is_response(node.value):
                found.add((node.lineno, ast.unparse(node.value)[:80]))
            elif (isinstance(node, ast.Attribute) and node.attr == "get_json" and scope.is_response(node.value)
                  and isinstance(node.value.func, ast.Attribute) and node.value.func.attr in CHANGES):
                found.add((node.lineno, f"{ast.unparse(node.value)[:70]}.get_json() (status never checked)"))
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and scope.is_response(node.value):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                unread = [t.id for t in targets if isinstance(t, ast.Name) and t.id not in loaded]
                if unread:
                    found.add((node.lineno, f"{unread[0]} = {ast.unparse(node.value)[:70]} (never read)"))
    return [f"{name}:{line} {text}" for line, text in sorted(found)]


def _module(path: Path) -> str:
    return ".".join(path.relative_to(TESTS.parent).with_suffix("").parts)


def suite_report() -> list[str]:
    files = sorted(TESTS.rglob("*.py"))
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in files}
    by_module: dict[str, _Known] = {}
    while True:  # helpers may wrap helpers imported from other test modules
        found = {_module(path): _visible(path, tree, by_module) for path, tree in trees.items()}
        if found == by_module:
            break
        by_module = found
    return [hit for path in files if path.name.startswith("test_")
            for hit in discarded_calls(path.read_text(encoding="utf-8"), str(path.relative_to(TESTS)),
                                       _visible(path, trees[path], by_module))]


def test_no_test_throws_away_an_http_response():
    discarded = suite_report()
    assert not discarded, "responses never checked:\n" + "\n".join(discarded)


CAUGHT = '''
from tests.test_web_pages import post

def upload(browser, name):
    return post(browser, "/attachments", {"name": name})

def test_it(api, app):
    api.deploy(files)
    api.client.post("/api/v1/x")
    staff = login(app, "staff")
    staff.get("/inbox")
    login(app, "head").post("/x")
    app.test_cli_runner().invoke(args=["migrate"])
    post(staff, "/tasks/1/claim")
    upload(staff, "a.png")
    started = api.start("k", "u", {}, "worker")
    runner = app.test_cli_runner()
    runner.invoke(args=["migrate"])

def adm(api, clock):
    return api

def test_through_a_fixture(adm):
    adm.complete(1, "staff", {})
    case = adm.start("k", "u", {}, "worker").get_json()["id"]
'''

CLEAN = '''
import threading
from tests.support import ok

def test_it(api, app, queue, monkeypatch):
    ok(api.deploy(files), 201)
    assert api.start("k", "u", {}, "worker").status_code == 201
    done = api.complete(1, "staff")
    assert done.status_code == 200, done.get_json()
    thread = threading.Thread(target=print)
    thread.start()
    worker = threading.Thread(target=print)
    worker.start()
    db.session.delete(row)
    queue.put(None)
    monkeypatch.delete(target)
    settings.get("x")
    twins.complete("task", {})
    listed = api.get("/tasks", "staff").get_json()
    case = ok(api.start("k", "u", {}, "worker"), 201).get_json()["id"]
    response = api.get("/x")
    return response
'''


def test_the_checker_catches_each_way_of_throwing_a_response_away():
    hits = discarded_calls(CAUGHT, known=_Known(helpers={"post"}))
    assert [int(hit.split(":")[1].split()[0]) for hit in hits] == [8, 9, 11, 12, 13, 14, 15, 16, 18, 24, 25], hits
    assert "started = api.start" in hits[7] and "never read" in hits[7]


def test_the_checker_passes_code_that_checks_its_responses():
    assert discarded_calls(CLEAN) == []
