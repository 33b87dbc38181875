"""The script sandbox: every BPMN script, condition, timer and DMN expression runs here.

RestrictedPython compiles each source with a policy that refuses imports, class definitions and
any name or attribute starting with '_' (so no dunder walks such as
``().__class__.__base__.__subclasses__()``), and routes attribute access, item access, iteration
and writes through guards. On top of that policy this module adds resource limits: every loop
iteration and every call of a function or lambda defined in the script ticks a step budget (so
``sum(map(lambda …, …))`` and ``sorted(…, key=lambda …)`` count their work), and arithmetic
refuses results that would exhaust memory or CPU before computing them (``**``, ``*``, ``<<``,
``+`` on big integers and long sequences; padding methods). Builtins are an explicit whitelist;
``open``, ``getattr``, ``type``, ``eval``, ``exec``, ``compile``, ``globals`` and ``__import__`` do
not exist inside a script.

These are the cheap, precise limits. The hard ones, which nothing written in a script can dodge
(CPU time, memory, no files, no network), come from running the engine in worker processes
(``isolation``): a deadline per evaluated task and OS resource limits.
"""

import ast
import functools
import operator
import re

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from RestrictedPython.PrintCollector import PrintCollector
from RestrictedPython.transformer import RestrictingNodeTransformer
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

MAX_EXPONENT = 10_000
MAX_INT_BITS = 1 << 16  # integers up to 65,536 bits (about 19,700 digits)
MAX_SEQUENCE = 10_000_000
MAX_RANGE = 1_000_000
PADDING_METHODS = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})


class SandboxViolation(SyntaxError):
    """A script broke the sandbox policy (caught when it is compiled, before it runs)."""


class ScriptLimitExceeded(RuntimeError):
    """A script used more steps or memory than the sandbox allows."""


class _Policy(RestrictingNodeTransformer):
    def visit_Import(self, node):
        self.error(node, "import is not allowed in process scripts")
        return node

    visit_ImportFrom = visit_Import

    def visit_ClassDef(self, node):
        self.error(node, "class definitions are not allowed in process scripts")
        return node

    def visit_While(self, node):
        node = self.node_contents_visit(node)
        node.body.insert(0, _call_stmt("_tick_", node))
        return node

    def visit_BinOp(self, node):
        node = self.node_contents_visit(node)
        guard = _BINOP_GUARDS.get(type(node.op))
        if guard is None:
            return node
        call = ast.Call(ast.Name(guard, ast.Load()), [node.left, node.right], [])
        return ast.fix_missing_locations(ast.copy_location(call, node))

    def visit_FunctionDef(self, node):
        node = super().visit_FunctionDef(node)
        node.body.insert(0, _call_stmt("_tick_", node))
        return node

    def visit_Lambda(self, node):
        node = super().visit_Lambda(node)
        # lambda args: body  ->  lambda args: (_tick_(), body)[1]
        pair = ast.Tuple([ast.Call(ast.Name("_tick_", ast.Load()), [], []), node.body], ast.Load())
        node.body = ast.Subscript(pair, ast.Constant(1), ast.Load())
        return ast.fix_missing_locations(node)


_BINOP_GUARDS = {ast.Pow: "_pow_", ast.Mult: "_mul_", ast.LShift: "_lshift_", ast.Add: "_add_"}


def _call_stmt(name, at):
    stmt = ast.Expr(ast.Call(ast.Name(name, ast.Load()), [], []))
    return ast.fix_missing_locations(ast.copy_location(stmt, at))


_LINE = re.compile(r"^Line (\d+):\s*(.*)$")


@functools.lru_cache(maxsize=8192)
def compile_script(source: str, mode: str):
    """Compile ``source`` ('exec' or 'eval') under the sandbox policy; cached by source."""
    compiler = compile_restricted_exec if mode == "exec" else compile_restricted_eval
    result = compiler(source, filename="<string>", policy=_Policy)
    if result.errors:
        first = result.errors[0]
        match = _LINE.match(first)
        error = SandboxViolation(match.group(2) if match else first)
        error.lineno = int(match.group(1)) if match else 0
        raise error
    return result.code


def _bits(value) -> int:
    return value.bit_length() if isinstance(value, int) else 0


def _too_big(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise ScriptLimitExceeded(f"the result would be an integer of about {bits} bits (limit {MAX_INT_BITS})")


def _safe_pow(base, exponent, *mod):
    if mod or not (isinstance(base, int) and isinstance(exponent, int)) or abs(base) <= 1 or exponent <= 0:
        return pow(base, exponent, *mod)  # modular powers and floats stay small
    if exponent > MAX_EXPONENT:
        raise ScriptLimitExceeded(f"exponent {exponent} is larger than {MAX_EXPONENT}")
    _too_big(_bits(base) * exponent)
    return pow(base, exponent)


_SEQUENCES = str | bytes | list | tuple


def _safe_mul(left, right):
    for seq, count in ((left, right), (right, left)):
        sized = isinstance(seq, _SEQUENCES) and isinstance(count, int)
        if sized and len(seq) * count > MAX_SEQUENCE:
            raise ScriptLimitExceeded("sequence repetition is too large")
    if isinstance(left, int) and isinstance(right, int):
        _too_big(_bits(left) + _bits(right))
    return left * right


def _safe_lshift(left, right):
    if isinstance(left, int) and isinstance(right, int) and left:
        _too_big(_bits(left) + max(right, 0))
    return left << right


def _safe_add(left, right):
    if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES) and len(left) + len(right) > MAX_SEQUENCE:
        raise ScriptLimitExceeded("the joined sequence is too long")
    return left + right


def _safe_range(*args):
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise ScriptLimitExceeded(f"range longer than {MAX_RANGE}")
    return result


def _padding_guard(method):
    def padded(width, *rest):
        if isinstance(width, int) and width > MAX_SEQUENCE:
            raise ScriptLimitExceeded("string padding is too large")
        return method(width, *rest)

    return padded


def _guarded_getattr(obj, name, default=None):
    value = safer_getattr(obj, name, default)
    if name in PADDING_METHODS and isinstance(obj, str):
        return _padding_guard(value)
    return value


_INPLACE = {
    "+=": _safe_add, "-=": operator.sub, "*=": _safe_mul, "/=": operator.truediv,
    "//=": operator.floordiv, "%=": operator.mod, "**=": _safe_pow, "<<=": _safe_lshift,
    ">>=": operator.rshift, "&=": operator.and_, "|=": operator.or_, "^=": operator.xor,
}


def _inplace(op, left, right):
    return _INPLACE[op](left, right)


def _apply(func, *args, **kwargs):
    return func(*args, **kwargs)


_BUILTIN_NAMES = (
    "abs", "all", "any", "bool", "dict", "divmod", "enumerate", "filter", "float", "frozenset", "int",
    "isinstance", "len", "list", "map", "max", "min", "reversed", "round", "set", "sorted", "str", "sum",
    "tuple", "zip", "chr", "ord", "hex", "oct", "bin", "repr", "hash", "callable",
)
_EXCEPTIONS = (
    ArithmeticError, AssertionError, AttributeError, Exception, IndexError, KeyError, LookupError,
    NameError, RuntimeError, TypeError, ValueError, ZeroDivisionError,
)


def _safe_builtins() -> dict:
    import builtins

    table = {name: getattr(builtins, name) for name in _BUILTIN_NAMES}
    table.update({exc.__name__: exc for exc in _EXCEPTIONS})
    table.update({"True": True, "False": False, "None": None, "range": _safe_range, "pow": _safe_pow})
    return table


SAFE_BUILTINS = _safe_builtins()
GUARD_NAMES = frozenset({
    "__builtins__", "__name__", "_getattr_", "_getitem_", "_getiter_", "_write_", "_print_",
    "_iter_unpack_sequence_", "_unpack_sequence_", "_inplacevar_", "_apply_", "_tick_", "_pow_", "_mul_",
    "_lshift_", "_add_",
})
RESERVED_NAMES = frozenset(SAFE_BUILTINS) | GUARD_NAMES


class _Budget:
    __slots__ = ("left",)

    def __init__(self, steps: int):
        self.left = steps

    def tick(self):
        self.left -= 1
        if self.left < 0:
            raise ScriptLimitExceeded("script ran too many steps (possible endless loop)")

    def iterate(self, iterable):
        for item in iterable:
            self.tick()
            yield item


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """A SpiffWorkflow script environment that runs everything through the sandbox.

    ``functions`` are the platform functions models may call (calendar arithmetic and the like).
    """

    def __init__(self, functions=None, step_limit: int = 1_000_000):
        super().__init__(dict(functions or {}))
        self.step_limit = step_limit

    def _guards(self) -> dict:
        budget = _Budget(self.step_limit)
        return {
            "__builtins__": SAFE_BUILTINS,
            "__name__": "process_script",
            "_getattr_": _guarded_getattr,
            "_getitem_": operator.getitem,
            "_getiter_": budget.iterate,
            "_write_": full_write_guard,
            "_print_": PrintCollector,
            "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
            "_unpack_sequence_": guarded_unpack_sequence,
            "_inplacevar_": _inplace,
            "_apply_": _apply,
            "_tick_": budget.tick,
            "_pow_": _safe_pow,
            "_mul_": _safe_mul,
            "_lshift_": _safe_lshift,
            "_add_": _safe_add,
        }

    def evaluate(self, expression, context, external_context=None):
        code = compile_script(expression, "eval")
        scope = dict(context)
        scope.update(external_context or {})
        scope.update(self.globals)
        scope.update(self._guards())
        return eval(code, scope)

    def execute(self, script, context, external_context=None):
        shadowed = (set(self.globals) | set(external_context or {}) | GUARD_NAMES) & set(context)
        if shadowed:
            raise ValueError(f"task data overwrites predefined names: {sorted(shadowed)}")
        code = compile_script(script, "exec")
        context.update(external_context or {})
        context.update(self.globals)
        context.update(self._guards())
        try:
            exec(code, context)
        finally:
            self._clean(context, external_context)
        return True

    def _clean(self, context, external_context):
        for key in list(context):
            if (
                key in GUARD_NAMES
                or key in self.globals
                or (external_context and key in external_context)
                or callable(context[key])
                or key == "printed"
            ):
                context.pop(key)

    def call_service(self, context, **kwargs):
        raise NotImplementedError("service tasks are not enabled on this platform")


def evaluate(expression: str, data: dict | None = None, functions=None, step_limit: int = 1_000_000):
    """Evaluate one expression in the sandbox outside any workflow (a timer start's value, say)."""
    return SandboxEnvironment(functions, step_limit).evaluate(expression, dict(data or {}))


def script_engine(functions=None, step_limit: int = 1_000_000) -> PythonScriptEngine:
    return PythonScriptEngine(environment=SandboxEnvironment(functions, step_limit))
