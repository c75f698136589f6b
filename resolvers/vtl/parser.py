"""Recursive-descent parser from template text to the node tree of `nodes.py`.

Velocity's lexing depends on context (text vs. expression), so the parser reads characters
directly. Whitespace follows Velocity 2's "lines" gobbling: a directive or comment alone on its
line leaves neither its indentation nor its newline in the output.

The grammar is Velocity 1.x's as both AppSync and the engine behind `amplify mock`
(amplify-velocity-template) read it, and no looser: method arguments, list items, map values and
macro arguments are references or literals only (no arithmetic, comparison, `!` or parentheses); map
keys are string literals; an index is a literal or a reference; `-` negates only a number or a
parenthesis; a list or map literal stands alone, never as an operand. Where the two engines read a
construct differently it is refused too: `&&` mixed with `||` without parentheses (the simulator gives
them one precedence), chained comparisons, doubled or backslash-escaped quotes in string literals,
`eq`/`ne`/`lt`/`gt`/`le`/`ge`, `#stop`, `#break(...)`, a bare `#return` at the very end and the formal
`#{if}` forms. As in Velocity 1.x, `-` is part of an identifier (`$a-1` is the variable `a-1`).

`portable=True` (what the pipeline executor asks for, so every emitted template is held to it) also
refuses a list or map literal written directly as a method argument: valid Velocity, but the
simulator's engine passes it on as a plain object, not a Java map or list, and methods given one
misbehave there. Such a literal is `#set` into a variable first.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import VtlSyntaxError
from .nodes import (
    And,
    Arith,
    BreakStmt,
    Call,
    Compare,
    Expr,
    ForeachStmt,
    IfStmt,
    Index,
    Interpolated,
    ListLit,
    Literal,
    MacroCall,
    MacroDef,
    MapLit,
    Negate,
    Node,
    Not,
    Or,
    Prop,
    RangeLit,
    RefOut,
    ReturnStmt,
    SetStmt,
    Text,
    Var,
)

DIRECTIVES = frozenset({"set", "if", "elseif", "else", "end", "foreach", "break", "stop", "return", "macro"})
UNSUPPORTED = frozenset({"include", "parse", "evaluate", "define"})
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_REF_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_SPECIAL = re.compile(r"[$#\\]")
_NUMBER = re.compile(r"\d+(\.\d+)?")
_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_WORD_OPS = {"and": "&&", "or": "||"}
_UNPORTABLE_WORD_OPS = frozenset({"eq", "ne", "lt", "gt", "le", "ge"})
_ONLY_REFERENCES_AND_LITERALS = "only references and literals are allowed in {what} (Velocity 1.x); #set the value into a variable first"
_FORMAL_DIRECTIVES = frozenset({"else", "end"})


def line_and_column(source: str, pos: int) -> tuple[int, int]:
    line = source.count("\n", 0, pos) + 1
    return line, pos - (source.rfind("\n", 0, pos) + 1) + 1


class _Terminator:
    """How a block ended: `#end`, `#else` or `#elseif(cond)`."""

    __slots__ = ("name", "condition", "pos")

    def __init__(self, name: str, pos: int, condition: Expr | None = None) -> None:
        self.name = name
        self.pos = pos
        self.condition = condition


class Parser:
    def __init__(self, source: str, name: str, portable: bool = False) -> None:
        self.src = source
        self.name = name
        self.portable = portable
        self.pos = 0
        self.limit = len(source)
        self.in_string = False
        self.macros: dict[str, MacroDef] = {}

    # ------------------------------------------------------------ helpers

    def error(self, pos: int, message: str) -> VtlSyntaxError:
        line, column = line_and_column(self.src, pos)
        return VtlSyntaxError(message, self.name, line, column)

    def peek(self) -> str:
        return self.src[self.pos] if self.pos < self.limit else ""

    def skip_ws(self) -> None:
        src, limit, i = self.src, self.limit, self.pos
        while i < limit and src[i] in " \t\r\n":
            i += 1
        self.pos = i

    def expect(self, text: str, what: str) -> None:
        self.skip_ws()
        if not self.src.startswith(text, self.pos) or self.pos + len(text) > self.limit:
            found = self.src[self.pos : self.pos + 10] or "end of template"
            raise self.error(self.pos, f"expected {what} but found {found!r}")
        self.pos += len(text)

    def open_paren(self, directive: str) -> None:
        i = self.pos
        while i < self.limit and self.src[i] in " \t":
            i += 1
        if i >= self.limit or self.src[i] != "(":
            raise self.error(self.pos, f"#{directive} must be followed by '('")
        self.pos = i + 1

    # ------------------------------------------------------------ template level

    def parse(self) -> list[Node]:
        nodes, terminator = self.parse_block(frozenset())
        if terminator is not None:
            raise self.error(terminator.pos, f"#{terminator.name} without a matching #if or #foreach")
        return nodes

    def parse_block(self, terminators: frozenset[str]) -> tuple[list[Node], _Terminator | None]:
        src = self.src
        nodes: list[Node] = []
        buf: list[str] = []
        text_pos = self.pos

        def flush() -> None:
            if buf:
                text = "".join(buf)
                if self.in_string:
                    text = _unescape_string_text(text)
                if text:
                    nodes.append(Text(text_pos, text))
                buf.clear()

        while self.pos < self.limit:
            match = _SPECIAL.search(src, self.pos, self.limit)
            if match is None:
                buf.append(src[self.pos : self.limit])
                self.pos = self.limit
                break
            start = match.start()
            if start > self.pos:
                buf.append(src[self.pos : start])
            self.pos = start
            char = src[start]
            if char == "\\":
                self.parse_escape(buf)
                continue
            if char == "$":
                ref = self.parse_reference(in_text=True)
                if ref is None:
                    buf.append(src[start : self.pos])
                else:
                    flush()
                    nodes.append(ref)
                    text_pos = self.pos
                continue
            outcome = self.parse_hash(buf)
            if outcome is None:
                continue
            if isinstance(outcome, _Terminator):
                if outcome.name not in terminators:
                    raise self.error(outcome.pos, f"#{outcome.name} without a matching #if or #foreach")
                flush()
                return nodes, outcome
            flush()
            nodes.append(outcome)
            text_pos = self.pos
        flush()
        if terminators:
            raise self.error(self.limit, "missing #end")
        return nodes, None

    def gobble(self, start: int, buf: list[str]) -> None:
        """Drop the indentation and newline around a construct that stands alone on its line."""
        if self.in_string:
            return
        src = self.src
        line_start = src.rfind("\n", 0, start) + 1
        if src[line_start:start].strip(" \t"):
            return
        i = self.pos
        while i < self.limit and src[i] in " \t":
            i += 1
        if i < self.limit:
            if src[i] == "\n":
                i += 1
            elif src.startswith("\r\n", i):
                i += 2
            else:
                return
        self.pos = i
        indent = start - line_start
        if indent:
            text = "".join(buf)
            buf[:] = [text[: len(text) - indent]]

    def parse_escape(self, buf: list[str]) -> None:
        src = self.src
        start = self.pos
        end = start
        while end < self.limit and src[end] == "\\":
            end += 1
        count = end - start
        self.pos = end
        if end >= self.limit or src[end] not in "$#":
            buf.append(src[start:end])
            return
        buf.append("\\" * (count // 2))
        if count % 2 == 0:
            return
        if src[end] == "$":
            if self.parse_reference(in_text=True) is None:
                buf.append("\\")
            buf.append(src[end : self.pos])
            return
        match = _IDENT.match(src, end + 1, self.limit)
        if match and match.group() in DIRECTIVES:
            buf.append(src[end : match.end()])
            self.pos = match.end()
        else:
            buf.append("\\")

    def parse_hash(self, buf: list[str]) -> Node | _Terminator | None:
        """At '#': a comment (None, handled), a directive (node or terminator) or plain text (None)."""
        src = self.src
        start = self.pos
        nxt = src[start + 1] if start + 1 < self.limit else ""
        if nxt == "#":
            end = src.find("\n", start, self.limit)
            self.pos = self.limit if end < 0 else end + 1
            line_start = src.rfind("\n", 0, start) + 1
            if not self.in_string and not src[line_start:start].strip(" \t") and start > line_start:
                text = "".join(buf)
                buf[:] = [text[: len(text) - (start - line_start)]]
            return None
        if nxt == "*":
            end = src.find("*#", start + 2, self.limit)
            if end < 0:
                raise self.error(start, "unterminated #* comment")
            self.pos = end + 2
            self.gobble(start, buf)
            return None
        if src.startswith("[[", start + 1):
            end = src.find("]]#", start + 3, self.limit)
            if end < 0:
                raise self.error(start, "unterminated #[[ block")
            buf.append(src[start + 3 : end])
            self.pos = end + 3
            return None
        formal = nxt == "{"
        match = _IDENT.match(src, start + (2 if formal else 1), self.limit)
        if match is None:
            buf.append("#")
            self.pos = start + 1
            return None
        name = match.group()
        after = match.end()
        if formal:
            if after >= self.limit or src[after] != "}":
                buf.append("#")
                self.pos = start + 1
                return None
            if name in DIRECTIVES and name not in _FORMAL_DIRECTIVES:
                raise self.error(start, f"#{{{name}}} is not supported: write #{name}")
            after += 1
        if name == "stop":
            raise self.error(start, "#stop is not supported (the simulator's engine prints it as text)")
        if name in UNSUPPORTED:
            raise self.error(start, f"#{name} is not supported")
        if name not in DIRECTIVES:
            if name in self.macros and after < self.limit and src[after] == "(":
                self.pos = after + 1
                args = self.parse_macro_args()
                self.gobble(start, buf)
                return MacroCall(start, name, args)
            buf.append("#")
            self.pos = start + 1
            return None
        self.pos = after
        return self.parse_directive(name, start, buf)

    def parse_directive(self, name: str, start: int, buf: list[str]) -> Node | _Terminator | None:
        if name == "set":
            self.open_paren("set")
            self.skip_ws()
            target = self.parse_reference_expr()
            if isinstance(target, Call):
                raise self.error(target.pos, "cannot assign to a method call")
            self.expect("=", "'='")
            value = self.parse_expression()
            self.expect(")", "')'")
            self.gobble(start, buf)
            return SetStmt(start, target, value)
        if name in ("if", "elseif"):
            self.open_paren(name)
            condition = self.parse_expression()
            self.expect(")", "')'")
            self.gobble(start, buf)
            if name == "elseif":
                return _Terminator("elseif", start, condition)
            return self.parse_if_rest(start, condition)
        if name in ("else", "end"):
            self.gobble(start, buf)
            return _Terminator(name, start)
        if name == "foreach":
            return self.parse_foreach(start, buf)
        if name == "break":
            if self.peek() == "(":
                raise self.error(self.pos, "#break takes no argument (the simulator's engine prints it as text)")
            self.gobble(start, buf)
            return BreakStmt(start)
        if name == "return":
            if self.pos >= self.limit:
                raise self.error(start, "#return at the very end of a template is text in the simulator's engine: "
                                 "end the line or write #return()")
            returned: Expr | None = None
            if self.peek() == "(":
                self.pos += 1
                self.skip_ws()
                if self.peek() != ")":
                    returned = self.parse_expression()
                self.expect(")", "')'")
            self.gobble(start, buf)
            return ReturnStmt(start, returned)
        self.parse_macro_definition(start, buf)
        return None

    def parse_if_rest(self, start: int, condition: Expr) -> IfStmt:
        branches: list[tuple[Expr, list[Node]]] = []
        otherwise: list[Node] | None = None
        while True:
            body, terminator = self.parse_block(frozenset({"elseif", "else", "end"}))
            assert terminator is not None
            branches.append((condition, body))
            if terminator.name == "end":
                break
            if terminator.name == "else":
                otherwise, terminator = self.parse_block(frozenset({"end"}))
                break
            assert terminator.condition is not None
            condition = terminator.condition
        return IfStmt(start, branches, otherwise)

    def parse_foreach(self, start: int, buf: list[str]) -> ForeachStmt:
        self.open_paren("foreach")
        self.skip_ws()
        if self.peek() != "$":
            raise self.error(self.pos, "#foreach needs a loop variable like $item")
        self.pos += 1
        if self.peek() == "{":
            self.pos += 1
        match = _IDENT.match(self.src, self.pos, self.limit)
        if match is None:
            raise self.error(self.pos, "#foreach needs a loop variable like $item")
        self.pos = match.end()
        if self.peek() == "}":
            self.pos += 1
        self.skip_ws()
        word = _IDENT.match(self.src, self.pos, self.limit)
        if word is None or word.group() != "in":
            raise self.error(self.pos, "expected 'in' in #foreach")
        self.pos = word.end()
        self.skip_ws()
        if self.peek() == "$":
            iterable = self.parse_reference_expr()
        elif self.peek() == "[":
            iterable = self.parse_list()
        else:
            raise self.error(self.pos, "#foreach iterates over a reference or a list literal (Velocity 1.x)")
        self.expect(")", "')'")
        self.gobble(start, buf)
        body, _ = self.parse_block(frozenset({"end"}))
        return ForeachStmt(start, match.group(), iterable, body)

    def parse_macro_definition(self, start: int, buf: list[str]) -> None:
        self.open_paren("macro")
        self.skip_ws()
        match = _IDENT.match(self.src, self.pos, self.limit)
        if match is None:
            raise self.error(self.pos, "#macro needs a name")
        self.pos = match.end()
        params: list[str] = []
        while True:
            self.skip_ws()
            if self.peek() == ",":
                self.pos += 1
                continue
            if self.peek() == ")":
                self.pos += 1
                break
            if self.peek() != "$":
                raise self.error(self.pos, "macro parameters must look like $name")
            param = _IDENT.match(self.src, self.pos + 1, self.limit)
            if param is None:
                raise self.error(self.pos, "macro parameters must look like $name")
            params.append(param.group())
            self.pos = param.end()
        self.gobble(start, buf)
        macro = MacroDef(match.group(), params, [])
        self.macros[macro.name] = macro
        macro.body, _ = self.parse_block(frozenset({"end"}))
        return None

    def parse_macro_args(self) -> list[Expr]:
        args: list[Expr] = []
        while True:
            self.skip_ws()
            if self.peek() == ")":
                self.pos += 1
                return args
            if self.peek() == ",":
                self.pos += 1
                continue
            if self.pos >= self.limit:
                raise self.error(self.pos, "unterminated macro call")
            args.append(self.parse_param("macro arguments"))

    # ------------------------------------------------------------ references

    def parse_reference(self, in_text: bool) -> RefOut | None:
        """At '$': a reference node, or None (position after the '$' / '$!') when it is plain text."""
        src, limit = self.src, self.limit
        start = self.pos
        i = start + 1
        silent = i < limit and src[i] == "!"
        if silent:
            i += 1
        formal = i < limit and src[i] == "{"
        if formal:
            i += 1
        match = _REF_IDENT.match(src, i, limit)
        if match is None:
            self.pos = start + (2 if silent else 1)
            return None
        self.pos = match.end()
        expr = self.parse_chain(Var(start, match.group()), in_text and not formal)
        if formal:
            if self.peek() != "}":
                raise self.error(self.pos, "expected '}' to close ${...}")
            self.pos += 1
        return RefOut(start, expr, silent, src[start : self.pos])

    def parse_reference_expr(self) -> Expr:
        if self.peek() != "$":
            raise self.error(self.pos, "expected a reference like $name")
        ref = self.parse_reference(in_text=False)
        if ref is None:
            raise self.error(self.pos, "expected a reference like $name")
        return ref.expr

    def parse_chain(self, expr: Expr, in_text: bool) -> Expr:
        src = self.src
        while self.pos < self.limit:
            i = self.pos
            char = src[i]
            if char == ".":
                match = _REF_IDENT.match(src, i + 1, self.limit)
                if match is None:
                    break
                name, after = match.group(), match.end()
                if after < self.limit and src[after] == "(":
                    self.pos = after + 1
                    expr = Call(i + 1, expr, name, self.parse_call_args())
                else:
                    self.pos = after
                    expr = Prop(i + 1, expr, name)
            elif char == "[":
                self.pos = i + 1
                try:
                    index = self.parse_index()
                    self.expect("]", "']'")
                except VtlSyntaxError:
                    if not in_text:
                        raise
                    self.pos = i
                    break
                expr = Index(i, expr, index)
            else:
                break
        return expr

    def parse_call_args(self) -> list[Expr]:
        args: list[Expr] = []
        self.skip_ws()
        if self.peek() == ")":
            self.pos += 1
            return args
        while True:
            self.skip_ws()
            if self.portable and self.peek() and self.peek() in "[{":
                raise self.error(self.pos, "a list or map literal passed to a method stays a plain object in the "
                                 "simulator's engine: #set it into a variable first")
            args.append(self.parse_param("method arguments"))
            self.skip_ws()
            char = self.peek()
            if char == ")":
                self.pos += 1
                return args
            if char != ",":
                raise self.not_a_param(self.pos, "method arguments", "expected ',' or ')' in method arguments")
            self.pos += 1

    def not_a_param(self, pos: int, what: str, otherwise: str) -> VtlSyntaxError:
        """The error at `pos` in a list of params: an operator there means an expression was written."""
        self.pos = pos
        self.skip_ws()
        char = self.peek()
        word = _IDENT.match(self.src, self.pos, self.limit)
        if (char and char in "+-*/%<>=!&|(") or (word is not None and word.group() in ("and", "or", "not")):
            return self.error(self.pos, _ONLY_REFERENCES_AND_LITERALS.format(what=what))
        return self.error(pos, otherwise)

    def parse_param(self, what: str) -> Expr:
        """One method argument, list item, map value or macro argument: a reference or a literal."""
        self.skip_ws()
        char = self.peek()
        if char == "$":
            return self.parse_reference_expr()
        if char == "[":
            return self.parse_list()
        if char == "{":
            return self.parse_map()
        literal = self.parse_scalar_literal()
        if literal is None:
            raise self.error(self.pos, _ONLY_REFERENCES_AND_LITERALS.format(what=what))
        return literal

    def parse_scalar_literal(self) -> Expr | None:
        """A string, a number (with its sign), `true`, `false` or `null`; None (nothing consumed) otherwise."""
        src, pos = self.src, self.pos
        char = self.peek()
        if char and char in "\"'":
            return self.parse_string(char)
        number = _NUMBER.match(src, pos + 1 if char == "-" else pos, self.limit)
        if number is not None:
            self.pos = number.end()
            text = number.group()
            value: Any = float(text) if number.group(1) else int(text)
            return Literal(pos, -value if char == "-" else value)
        word = _IDENT.match(src, pos, self.limit)
        if word is not None and word.group() in ("true", "false", "null"):
            self.pos = word.end()
            return Literal(pos, {"true": True, "false": False, "null": None}[word.group()])
        return None

    def parse_index(self) -> Expr:
        self.skip_ws()
        if self.peek() == "$":
            return self.parse_reference_expr()
        literal = self.parse_scalar_literal()
        if literal is None:
            raise self.error(self.pos, "an index must be a literal or a reference (Velocity 1.x)")
        return literal

    # ------------------------------------------------------------ expressions

    def match_operator(self, *ops: str) -> str | None:
        """Consume one of the symbolic operators or their word forms (`and`, `or`)."""
        self.skip_ws()
        src, i = self.src, self.pos
        for op in ops:
            if src.startswith(op, i) and i + len(op) <= self.limit:
                self.pos = i + len(op)
                return op
        word = _IDENT.match(src, i, self.limit)
        if word is not None and _WORD_OPS.get(word.group()) in ops:
            self.pos = word.end()
            return _WORD_OPS[word.group()]
        if word is not None and word.group() in _UNPORTABLE_WORD_OPS:
            raise self.error(i, f"'{word.group()}' is not supported by the simulator's engine: use the symbol")
        return None

    def parse_expression(self) -> Expr:
        """`#set`'s value, a condition or `#return`'s value: a list or map literal alone, or an operator expression."""
        self.skip_ws()
        if self.peek() == "[":
            return self.parse_list()
        if self.peek() == "{":
            return self.parse_map()
        return self.parse_logical()

    def parse_logical(self) -> Expr:
        left = self.parse_comparison()
        first_op: str | None = None
        while True:
            pos = self.pos
            op = self.match_operator("||", "&&")
            if op is None:
                return left
            if first_op is not None and op != first_op:
                raise self.error(pos, "'&&' and '||' mixed without parentheses: the simulator's engine gives them "
                                 "one precedence, Velocity does not; add parentheses")
            first_op = op
            right = self.parse_comparison()
            left = Or(pos, left, right) if op == "||" else And(pos, left, right)

    def parse_comparison(self) -> Expr:
        left = self.parse_additive()
        pos = self.pos
        op = self.match_operator("==", "!=", "<=", ">=", "<", ">")
        if op is None:
            return left
        result = Compare(pos, op, left, self.parse_additive())
        after = self.pos
        if self.match_operator("==", "!=", "<=", ">=", "<", ">") is not None:
            raise self.error(after, "chained comparison: the engines group it differently; add parentheses")
        return result

    def parse_additive(self) -> Expr:
        left = self.parse_multiplicative()
        while True:
            pos = self.pos
            op = self.match_operator("+", "-")
            if op is None:
                return left
            left = Arith(pos, op, left, self.parse_multiplicative())

    def parse_multiplicative(self) -> Expr:
        left = self.parse_unary()
        while True:
            pos = self.pos
            op = self.match_operator("*", "/", "%")
            if op is None:
                return left
            left = Arith(pos, op, left, self.parse_unary())

    def parse_unary(self) -> Expr:
        self.skip_ws()
        pos = self.pos
        char = self.peek()
        if char == "!" and not self.src.startswith("!=", pos):
            self.pos += 1
            return Not(pos, self.parse_unary())
        if char == "-":
            if _NUMBER.match(self.src, pos + 1, self.limit) is not None:
                return self.parse_primary()
            self.pos += 1
            self.skip_ws()
            if self.peek() != "(":
                raise self.error(pos, "'-' negates only a number or a parenthesis in Velocity 1.x: write -($x)")
            return Negate(pos, self.parse_primary())
        word = _IDENT.match(self.src, pos, self.limit)
        if word is not None and word.group() == "not":
            self.pos = word.end()
            return Not(pos, self.parse_unary())
        return self.parse_primary()

    def parse_primary(self) -> Expr:
        self.skip_ws()
        src, pos = self.src, self.pos
        char = self.peek()
        if char == "$":
            return self.parse_reference_expr()
        if char == "(":
            self.pos += 1
            inner = self.parse_logical()
            self.expect(")", "')'")
            return inner
        if char and char in "{[":
            raise self.error(pos, "a list or map literal must stand alone in Velocity 1.x: #set it into a variable first")
        literal = self.parse_scalar_literal()
        if literal is not None:
            return literal
        found = src[pos : pos + 10] or "end of template"
        raise self.error(pos, f"expected a value but found {found!r}")

    def parse_string(self, quote: str) -> Expr:
        src = self.src
        start = self.pos
        i = start + 1
        while True:
            if i >= self.limit:
                raise self.error(start, "unterminated string literal")
            char = src[i]
            if char == "\\" and i + 1 < self.limit and src[i + 1] == quote:
                raise self.error(i, "a quote escaped with '\\' inside a string literal: the engines disagree on it")
            if char == quote:
                if i + 1 < self.limit and src[i + 1] == quote:
                    raise self.error(i, "a doubled quote inside a string literal is not supported by the simulator's "
                                     "engine: use the other quote character")
                break
            i += 1
        content_start, content_end = start + 1, i
        self.pos = i + 1
        content = src[content_start:content_end]
        if quote == "'":
            return Literal(start, _unicode_escapes(content))
        if "$" not in content and "#" not in content:
            return Literal(start, _unescape_string_text(content))
        saved = (self.pos, self.limit, self.in_string)
        self.pos, self.limit, self.in_string = content_start, content_end, True
        try:
            parts, _ = self.parse_block(frozenset())
        finally:
            self.pos, self.limit, self.in_string = saved
        if all(isinstance(p, Text) for p in parts):
            return Literal(start, "".join(p.text for p in parts if isinstance(p, Text)))
        return Interpolated(start, parts)

    def parse_map(self) -> MapLit:
        start = self.pos
        self.pos += 1
        items: list[tuple[Expr, Expr]] = []
        self.skip_ws()
        if self.peek() == "}":
            self.pos += 1
            return MapLit(start, items)
        while True:
            self.skip_ws()
            if not self.peek() or self.peek() not in "\"'":
                raise self.error(self.pos, "a map literal's keys must be string literals (Velocity 1.x)")
            key = self.parse_string(self.peek())
            self.expect(":", "':' in map literal")
            items.append((key, self.parse_param("map values")))
            self.skip_ws()
            char = self.peek()
            if char == "}":
                self.pos += 1
                return MapLit(start, items)
            if char != ",":
                raise self.not_a_param(self.pos, "map values", "expected ',' or '}' in map literal")
            self.pos += 1

    def parse_list(self) -> Expr:
        start = self.pos
        self.pos += 1
        self.skip_ws()
        if self.peek() == "]":
            self.pos += 1
            return ListLit(start, [])
        first = self.parse_param("list items")
        self.skip_ws()
        if self.src.startswith("..", self.pos):
            self.pos += 2
            self.skip_ws()
            last = self.parse_param("range bounds")
            for bound in (first, last):
                if isinstance(bound, Literal | ListLit | MapLit | RangeLit) and not _is_integer_literal(bound):
                    raise self.error(bound.pos, "range bounds must be integers or references")
            self.expect("]", "']' to close the range")
            return RangeLit(start, first, last)
        items = [first]
        while True:
            self.skip_ws()
            char = self.peek()
            if char == "]":
                self.pos += 1
                return ListLit(start, items)
            if char != ",":
                raise self.not_a_param(self.pos, "list items", "expected ',' or ']' in list literal")
            self.pos += 1
            items.append(self.parse_param("list items"))


def _is_integer_literal(expr: Expr) -> bool:
    return isinstance(expr, Literal) and isinstance(expr.value, int) and not isinstance(expr.value, bool)


def _unicode_escapes(text: str) -> str:
    if "\\u" not in text:
        return text
    return _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _unescape_string_text(text: str) -> str:
    return _unicode_escapes(text.replace('""', '"'))


def parse_template(source: str, name: str, portable: bool = False) -> tuple[list[Node], dict[str, MacroDef]]:
    parser = Parser(source, name, portable)
    nodes = parser.parse()
    return nodes, parser.macros
