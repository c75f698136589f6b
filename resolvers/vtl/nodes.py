"""Syntax tree of a parsed template, and how each node evaluates (expressions) or renders (statements).

Nodes hold the source offset (`pos`) they came from, so a failure can name line and column.
`Scope` is the narrow interface they need from the renderer (`runtime.Renderer`).
"""

from __future__ import annotations

from typing import Any, Protocol

from .errors import EvalError, VtlError
from .host import HostObject
from .javamethods import call_method, get_index, get_property
from .javatypes import is_number, java_type_name, to_java_string, truthy, vtl_equals

MAX_RANGE = 100_000


class Scope(Protocol):
    vars: dict[str, Any]
    macros: dict[str, MacroDef]
    read_only: frozenset[str]

    def fail(self, pos: int, message: str) -> VtlError: ...


class BreakSignal(Exception):
    """`#break`: leave the innermost `#foreach` (or the template)."""


class StopSignal(Exception):
    """`#stop`: stop rendering, keep the output so far."""


class ReturnSignal(Exception):
    """`#return` / `#return($x)`: leave the template at once."""

    def __init__(self, value: Any, bare: bool) -> None:
        super().__init__("return")
        self.value = value
        self.bare = bare


# ---------------------------------------------------------------- expressions


class Expr:
    __slots__ = ("pos",)

    def __init__(self, pos: int) -> None:
        self.pos = pos

    def eval(self, rt: Scope) -> Any:
        raise NotImplementedError


class Literal(Expr):
    __slots__ = ("value",)

    def __init__(self, pos: int, value: Any) -> None:
        super().__init__(pos)
        self.value = value

    def eval(self, rt: Scope) -> Any:
        return self.value


class Interpolated(Expr):
    """A double-quoted string with references or directives inside."""

    __slots__ = ("parts",)

    def __init__(self, pos: int, parts: list[Node]) -> None:
        super().__init__(pos)
        self.parts = parts

    def eval(self, rt: Scope) -> Any:
        out: list[str] = []
        render_nodes(self.parts, rt, out)
        return "".join(out)


class Var(Expr):
    __slots__ = ("name",)

    def __init__(self, pos: int, name: str) -> None:
        super().__init__(pos)
        self.name = name

    def eval(self, rt: Scope) -> Any:
        return rt.vars.get(self.name)


class Prop(Expr):
    __slots__ = ("target", "name")

    def __init__(self, pos: int, target: Expr, name: str) -> None:
        super().__init__(pos)
        self.target = target
        self.name = name

    def eval(self, rt: Scope) -> Any:
        return get_property(self.target.eval(rt), self.name)


class Index(Expr):
    __slots__ = ("target", "index")

    def __init__(self, pos: int, target: Expr, index: Expr) -> None:
        super().__init__(pos)
        self.target = target
        self.index = index

    def eval(self, rt: Scope) -> Any:
        try:
            return get_index(self.target.eval(rt), self.index.eval(rt))
        except EvalError as exc:
            raise rt.fail(self.pos, exc.message) from None


class Call(Expr):
    __slots__ = ("target", "name", "args")

    def __init__(self, pos: int, target: Expr, name: str, args: list[Expr]) -> None:
        super().__init__(pos)
        self.target = target
        self.name = name
        self.args = args

    def eval(self, rt: Scope) -> Any:
        target = self.target.eval(rt)
        args = [a.eval(rt) for a in self.args]
        try:
            return call_method(target, self.name, args)
        except EvalError as exc:
            raise rt.fail(self.pos, exc.message) from None
        except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
            raise rt.fail(self.pos, f"{self.name}() failed: {exc}") from None


class MapLit(Expr):
    __slots__ = ("items",)

    def __init__(self, pos: int, items: list[tuple[Expr, Expr]]) -> None:
        super().__init__(pos)
        self.items = items

    def eval(self, rt: Scope) -> Any:
        result: dict[Any, Any] = {}
        for key_expr, value_expr in self.items:
            key = key_expr.eval(rt)
            if isinstance(key, list | dict):
                raise rt.fail(key_expr.pos, f"a {java_type_name(key)} cannot be a map key")
            result[key] = value_expr.eval(rt)
        return result


class ListLit(Expr):
    __slots__ = ("items",)

    def __init__(self, pos: int, items: list[Expr]) -> None:
        super().__init__(pos)
        self.items = items

    def eval(self, rt: Scope) -> Any:
        return [item.eval(rt) for item in self.items]


class RangeLit(Expr):
    __slots__ = ("start", "end")

    def __init__(self, pos: int, start: Expr, end: Expr) -> None:
        super().__init__(pos)
        self.start = start
        self.end = end

    def eval(self, rt: Scope) -> Any:
        low, high = self.start.eval(rt), self.end.eval(rt)
        if low is None or high is None:
            return None
        bounds = []
        for value in (low, high):
            if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                value = int(value)
            if not is_number(value) or int(value) != value:
                raise rt.fail(self.pos, f"range bounds must be integers, got {java_type_name(value)}")
            bounds.append(int(value))
        first, last = bounds
        if abs(last - first) > MAX_RANGE:
            raise rt.fail(self.pos, f"range [{first}..{last}] is too large")
        step = 1 if last >= first else -1
        return list(range(first, last + step, step))


class Not(Expr):
    __slots__ = ("operand",)

    def __init__(self, pos: int, operand: Expr) -> None:
        super().__init__(pos)
        self.operand = operand

    def eval(self, rt: Scope) -> Any:
        return not truthy(self.operand.eval(rt))


class Negate(Expr):
    __slots__ = ("operand",)

    def __init__(self, pos: int, operand: Expr) -> None:
        super().__init__(pos)
        self.operand = operand

    def eval(self, rt: Scope) -> Any:
        value = self.operand.eval(rt)
        if value is None:
            return None
        if not is_number(value):
            raise rt.fail(self.pos, f"cannot negate a {java_type_name(value)}")
        return -value


class And(Expr):
    __slots__ = ("left", "right")

    def __init__(self, pos: int, left: Expr, right: Expr) -> None:
        super().__init__(pos)
        self.left = left
        self.right = right

    def eval(self, rt: Scope) -> Any:
        return truthy(self.left.eval(rt)) and truthy(self.right.eval(rt))


class Or(Expr):
    __slots__ = ("left", "right")

    def __init__(self, pos: int, left: Expr, right: Expr) -> None:
        super().__init__(pos)
        self.left = left
        self.right = right

    def eval(self, rt: Scope) -> Any:
        return truthy(self.left.eval(rt)) or truthy(self.right.eval(rt))


class Compare(Expr):
    """`== != < > <= >=`. Null equals only null; ordering needs two numbers or two strings."""

    __slots__ = ("op", "left", "right")

    def __init__(self, pos: int, op: str, left: Expr, right: Expr) -> None:
        super().__init__(pos)
        self.op = op
        self.left = left
        self.right = right

    def eval(self, rt: Scope) -> Any:
        left, right = self.left.eval(rt), self.right.eval(rt)
        op = self.op
        if op == "==":
            return vtl_equals(left, right)
        if op == "!=":
            return not vtl_equals(left, right)
        comparable = (is_number(left) and is_number(right)) or (isinstance(left, str) and isinstance(right, str))
        if not comparable:
            return False
        if op == "<":
            return left < right
        if op == ">":
            return left > right
        if op == "<=":
            return left <= right
        return left >= right


def _java_int_div(a: int, b: int) -> int:
    quotient = abs(a) // abs(b)
    return quotient if (a >= 0) == (b >= 0) else -quotient


class Arith(Expr):
    """`+ - * / %` with Java integer semantics; `+` concatenates when either side is a String."""

    __slots__ = ("op", "left", "right")

    def __init__(self, pos: int, op: str, left: Expr, right: Expr) -> None:
        super().__init__(pos)
        self.op = op
        self.left = left
        self.right = right

    def eval(self, rt: Scope) -> Any:
        left, right = self.left.eval(rt), self.right.eval(rt)
        if left is None or right is None:
            return None
        op = self.op
        if op == "+" and (isinstance(left, str) or isinstance(right, str)):
            return to_java_string(left) + to_java_string(right)
        if not (is_number(left) and is_number(right)):
            raise rt.fail(
                self.pos, f"operator {op} needs numbers, got {java_type_name(left)} and {java_type_name(right)}"
            )
        if op == "+":
            return left + right
        if op == "-":
            return left - right
        if op == "*":
            return left * right
        if right == 0:
            return None
        both_int = isinstance(left, int) and isinstance(right, int)
        if op == "/":
            return _java_int_div(left, right) if both_int else left / right
        if both_int:
            return left - right * _java_int_div(left, right)
        return left - right * int(left / right)


# ---------------------------------------------------------------- statements


class Node:
    __slots__ = ("pos",)

    def __init__(self, pos: int) -> None:
        self.pos = pos

    def render(self, rt: Scope, out: list[str]) -> None:
        raise NotImplementedError


def render_nodes(nodes: list[Node], rt: Scope, out: list[str]) -> None:
    for node in nodes:
        node.render(rt, out)


class Text(Node):
    __slots__ = ("text",)

    def __init__(self, pos: int, text: str) -> None:
        super().__init__(pos)
        self.text = text

    def render(self, rt: Scope, out: list[str]) -> None:
        out.append(self.text)


class RefOut(Node):
    """A reference in text: its Java string, or its own source text when null (unless `$!`)."""

    __slots__ = ("expr", "silent", "source")

    def __init__(self, pos: int, expr: Expr, silent: bool, source: str) -> None:
        super().__init__(pos)
        self.expr = expr
        self.silent = silent
        self.source = source

    def render(self, rt: Scope, out: list[str]) -> None:
        value = self.expr.eval(rt)
        if value is None:
            if not self.silent:
                out.append(self.source)
        elif isinstance(value, str):
            out.append(value)
        else:
            out.append(to_java_string(value))


class SetStmt(Node):
    """`#set($a = x)`, `#set($a.b = x)` (map put), `#set($a[i] = x)` (list set or map put)."""

    __slots__ = ("target", "value")

    def __init__(self, pos: int, target: Expr, value: Expr) -> None:
        super().__init__(pos)
        self.target = target
        self.value = value

    def render(self, rt: Scope, out: list[str]) -> None:
        target = self.target
        if isinstance(target, Var):
            if target.name in rt.read_only:
                raise rt.fail(self.pos, f"${target.name} is built in and cannot be assigned")
            rt.vars[target.name] = self.value.eval(rt)
            return
        if isinstance(target, Prop):
            container, key = target.target.eval(rt), target.name
        elif isinstance(target, Index):
            container, key = target.target.eval(rt), target.index.eval(rt)
        else:
            raise rt.fail(self.pos, "#set needs a reference on its left side")
        value = self.value.eval(rt)
        if isinstance(container, dict) and not isinstance(key, list | dict):
            container[key] = value
        elif isinstance(container, list) and is_number(key) and 0 <= int(key) < len(container):
            container[int(key)] = value
        else:
            raise rt.fail(self.pos, f"cannot set {to_java_string(key)!r} on a {java_type_name(container)}")


class IfStmt(Node):
    __slots__ = ("branches", "otherwise")

    def __init__(self, pos: int, branches: list[tuple[Expr, list[Node]]], otherwise: list[Node] | None) -> None:
        super().__init__(pos)
        self.branches = branches
        self.otherwise = otherwise

    def render(self, rt: Scope, out: list[str]) -> None:
        for condition, body in self.branches:
            if truthy(condition.eval(rt)):
                render_nodes(body, rt, out)
                return
        if self.otherwise is not None:
            render_nodes(self.otherwise, rt, out)


class ForeachState(HostObject):
    """`$foreach`: index, count, hasNext, first, last, parent."""

    __slots__ = ("items", "index", "parent")
    java_type = "ForeachScope"

    def __init__(self, items: list[Any], parent: Any) -> None:
        self.items = items
        self.index = 0
        self.parent = parent

    def get_property(self, name: str) -> Any:
        getter = _FOREACH_PROPERTIES.get(name)
        return getter(self) if getter else None

    def m_hasNext(self) -> bool:
        return self.index < len(self.items) - 1

    def m_getIndex(self) -> int:
        return self.index

    def m_getCount(self) -> int:
        return self.index + 1

    def m_isFirst(self) -> bool:
        return self.index == 0

    def m_isLast(self) -> bool:
        return self.index == len(self.items) - 1

    def m_getParent(self) -> Any:
        return self.parent


_FOREACH_PROPERTIES = {
    "index": ForeachState.m_getIndex,
    "count": ForeachState.m_getCount,
    "hasNext": ForeachState.m_hasNext,
    "first": ForeachState.m_isFirst,
    "last": ForeachState.m_isLast,
    "parent": ForeachState.m_getParent,
}


def iteration_items(value: Any) -> list[Any]:
    """What `#foreach` walks: a snapshot of a list, a map's values; nothing for null or scalars."""
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return list(value.values())
    return []


class ForeachStmt(Node):
    __slots__ = ("var", "iterable", "body")

    def __init__(self, pos: int, var: str, iterable: Expr, body: list[Node]) -> None:
        super().__init__(pos)
        self.var = var
        self.iterable = iterable
        self.body = body

    def render(self, rt: Scope, out: list[str]) -> None:
        if self.var in rt.read_only:
            raise rt.fail(self.pos, f"${self.var} is built in and cannot be a loop variable")
        items = iteration_items(self.iterable.eval(rt))
        if not items:
            return
        saved = {name: rt.vars.get(name) for name in (self.var, "foreach", "velocityCount", "velocityHasNext")}
        state = ForeachState(items, saved["foreach"])
        variables = rt.vars
        variables["foreach"] = state
        try:
            for index, item in enumerate(items):
                state.index = index
                variables[self.var] = item
                variables["velocityCount"] = index + 1
                variables["velocityHasNext"] = index < len(items) - 1
                render_nodes(self.body, rt, out)
        except BreakSignal:
            pass
        finally:
            for name, value in saved.items():
                if value is None:
                    variables.pop(name, None)
                else:
                    variables[name] = value


class BreakStmt(Node):
    __slots__ = ()

    def render(self, rt: Scope, out: list[str]) -> None:
        raise BreakSignal()


class StopStmt(Node):
    __slots__ = ()

    def render(self, rt: Scope, out: list[str]) -> None:
        raise StopSignal()


class ReturnStmt(Node):
    __slots__ = ("value",)

    def __init__(self, pos: int, value: Expr | None) -> None:
        super().__init__(pos)
        self.value = value

    def render(self, rt: Scope, out: list[str]) -> None:
        if self.value is None:
            raise ReturnSignal(None, bare=True)
        raise ReturnSignal(self.value.eval(rt), bare=False)


class MacroDef:
    __slots__ = ("name", "params", "body")

    def __init__(self, name: str, params: list[str], body: list[Node]) -> None:
        self.name = name
        self.params = params
        self.body = body


class MacroCall(Node):
    """`#name(args)`: binds arguments to the macro's parameters (restored afterwards), renders the body."""

    __slots__ = ("name", "args")

    def __init__(self, pos: int, name: str, args: list[Expr]) -> None:
        super().__init__(pos)
        self.name = name
        self.args = args

    def render(self, rt: Scope, out: list[str]) -> None:
        macro = rt.macros.get(self.name)
        if macro is None:
            raise rt.fail(self.pos, f"unknown macro #{self.name}")
        if len(self.args) != len(macro.params):
            raise rt.fail(self.pos, f"#{self.name} takes {len(macro.params)} argument(s), got {len(self.args)}")
        values = [a.eval(rt) for a in self.args]
        saved = {p: rt.vars.get(p) for p in macro.params}
        try:
            for param, value in zip(macro.params, values, strict=True):
                rt.vars[param] = value
            render_nodes(macro.body, rt, out)
        finally:
            for param, value in saved.items():
                if value is None:
                    rt.vars.pop(param, None)
                else:
                    rt.vars[param] = value
