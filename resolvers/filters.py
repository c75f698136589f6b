"""Amplify filter inputs (`Model<T>FilterInput`, condition, subscription filter and key-condition inputs)
compiled to SQLite `WHERE` text with bound parameters, and evaluated in Python with the same meaning.

Records are stored as one JSON document per row (`data`); a field is read with `json_extract`. Values
from a request are always bound parameters. Field names are never taken from the request as text:
each must be one of the model's fields *and* a GraphQL name, so the only text put in SQL is a JSON
path such as `'$.title'` built from an allow-listed identifier (a literal path lets SQLite use the
expression indexes the store creates).

Semantics follow DynamoDB's condition expressions, as Amplify's resolvers use them:

* comparisons are typed: a string operand never matches a number, and missing attributes match
  nothing except negations (`ne`, `notContains`, `notIn`, `not`, `attributeExists: false`);
* `contains` is a substring test on strings and a membership test on lists;
* `beginsWith` is a plain prefix test (no pattern characters: `%` and `_` are just characters);
* logic is two-valued: SQL's NULL is folded to false before every negation, so SQL and Python agree;
* an empty `or` is false and an empty `and` is true.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

GRAPHQL_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")

COMPARISONS = {"eq": "=", "ne": "<>", "le": "<=", "lt": "<", "ge": ">=", "gt": ">"}
FIELD_OPERATORS = frozenset(
    {*COMPARISONS, "contains", "notContains", "between", "beginsWith", "attributeExists", "attributeType",
     "size", "in", "notIn"}
)
LOGICAL = frozenset({"and", "or", "not"})

ATTRIBUTE_TYPES: dict[str, tuple[str, ...]] = {
    "string": ("text",),
    "number": ("integer", "real"),
    "bool": ("true", "false"),
    "list": ("array",),
    "map": ("object",),
    "_null": ("null",),
    "binary": (),
    "binarySet": (),
    "numberSet": (),
    "stringSet": (),
}


class FilterError(ValueError):
    """A filter the request cannot mean: unknown field or operator, wrong operand type."""


@dataclass(frozen=True)
class Sql:
    """A piece of SQL text and its bound parameters, in order."""

    text: str
    params: tuple[Any, ...] = ()

    def __and__(self, other: Sql) -> Sql:
        return Sql(f"({self.text}) AND ({other.text})", self.params + other.params)

    @staticmethod
    def all(parts: Sequence[Sql]) -> Sql:
        if not parts:
            return TRUE
        return Sql(" AND ".join(f"({p.text})" for p in parts), tuple(v for p in parts for v in p.params))

    @staticmethod
    def any(parts: Sequence[Sql]) -> Sql:
        if not parts:
            return FALSE
        return Sql(" OR ".join(f"({p.text})" for p in parts), tuple(v for p in parts for v in p.params))

    def negated(self) -> Sql:
        return Sql(f"NOT COALESCE(({self.text}), 0)", self.params)


TRUE = Sql("1")
FALSE = Sql("0")


def json_path(field: str) -> str:
    if not GRAPHQL_NAME.match(field):
        raise FilterError(f"'{field}' is not a valid field name")
    return f"$.{field}"


def _kind(value: Any) -> str:
    """The JSON kind of an operand: text, number, bool or null; anything else is refused."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        raise FilterError("integer operand out of range")
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    raise FilterError(f"unsupported operand {json.dumps(value, default=str)[:60]}: expected a string, number or boolean")


_SQL_TYPES = {"text": ("text",), "number": ("integer", "real"), "bool": ("true", "false"), "null": ("null",)}


class FilterCompiler:
    """Compiles filters over one model's fields; `column` is the SQL expression holding the JSON."""

    def __init__(self, fields: Collection[str], column: str = "data") -> None:
        self.fields = frozenset(fields)
        self.column = column

    # -- fields and values ----------------------------------------------------------------------

    def _path(self, field: str) -> str:
        if field not in self.fields:
            known = ", ".join(sorted(self.fields))
            raise FilterError(f"unknown field '{field}' in filter (fields: {known})")
        return json_path(field)

    def _extract(self, path: str) -> str:
        return f"json_extract({self.column}, '{path}')"

    def _type(self, path: str) -> str:
        return f"json_type({self.column}, '{path}')"

    def _typed(self, path: str, kind: str) -> str:
        names = _SQL_TYPES[kind]
        if len(names) == 1:
            return f"{self._type(path)} = '{names[0]}'"
        return f"{self._type(path)} IN ({', '.join(repr(n) for n in names)})"

    def _compare(self, path: str, op: str, value: Any) -> Sql:
        kind = _kind(value)
        if kind == "null":
            if op == "=":
                return Sql(f"{self._type(path)} = 'null'")
            if op == "<>":
                return Sql(f"{self._type(path)} = 'null'").negated()
            raise FilterError("null can only be compared with eq or ne")
        if op == "<>":
            return self._compare(path, "=", value).negated()
        if kind == "bool":
            if op != "=":
                raise FilterError("booleans can only be compared with eq or ne")
            return Sql(f"{self._type(path)} = '{'true' if value else 'false'}'")
        return Sql(f"{self._extract(path)} {op} ? AND {self._typed(path, kind)}", (value,))

    def _contains(self, path: str, value: Any) -> Sql:
        kind = _kind(value)
        if kind == "null":
            raise FilterError("contains needs a value")
        element_types = ", ".join(repr(n) for n in _SQL_TYPES[kind])
        member = Sql(
            f"{self._type(path)} = 'array' AND EXISTS (SELECT 1 FROM json_each({self.column}, '{path}') AS e "
            f"WHERE e.type IN ({element_types}) AND e.value = ?)",
            (int(value) if kind == "bool" else value,),
        )
        if kind != "text":
            return member
        substring = Sql(f"{self._type(path)} = 'text' AND instr({self._extract(path)}, ?) > 0", (value,))
        return Sql.any([substring, member])

    def _begins_with(self, path: str, value: Any) -> Sql:
        if not isinstance(value, str):
            raise FilterError("beginsWith needs a string")
        return Sql(
            f"{self._type(path)} = 'text' AND substr({self._extract(path)}, 1, length(?)) = ?", (value, value)
        )

    def _between(self, path: str, value: Any, compare: Callable[[str, str, Any], Sql]) -> Sql:
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise FilterError("between needs a list of two values [low, high]")
        low, high = value
        if _kind(low) != _kind(high) or _kind(low) not in ("text", "number"):
            raise FilterError("between needs two strings or two numbers")
        return Sql.all([compare(path, ">=", low), compare(path, "<=", high)])

    def _size_expression(self, path: str) -> str:
        return (
            f"(CASE {self._type(path)} WHEN 'text' THEN length({self._extract(path)}) "
            f"WHEN 'array' THEN json_array_length({self.column}, '{path}') "
            f"WHEN 'object' THEN (SELECT count(*) FROM json_each({self.column}, '{path}')) END)"
        )

    def _size(self, path: str, condition: Any) -> Sql:
        if not isinstance(condition, Mapping):
            raise FilterError("size needs an object such as {gt: 3}")
        size = self._size_expression(path)
        parts: list[Sql] = []
        for op, value in condition.items():
            if value is None:
                continue
            if op == "between":
                if not isinstance(value, list | tuple) or len(value) != 2 or not all(_is_int(v) for v in value):
                    raise FilterError("size.between needs two integers")
                parts.append(Sql(f"{size} >= ? AND {size} <= ?", (value[0], value[1])))
            elif op in COMPARISONS:
                if not _is_int(value):
                    raise FilterError(f"size.{op} needs an integer")
                parts.append(Sql(f"{size} {COMPARISONS[op]} ?", (value,)))
            else:
                raise FilterError(f"unknown size operator '{op}'")
        return Sql.all(parts)

    # -- one field's condition ------------------------------------------------------------------

    def field_condition(self, field: str, condition: Any) -> Sql:
        path = self._path(field)
        if condition is None:
            return TRUE
        if not isinstance(condition, Mapping):
            raise FilterError(f"the condition on '{field}' must be an object such as {{eq: ...}}")
        parts: list[Sql] = []
        for op, value in condition.items():
            if op not in FIELD_OPERATORS:
                raise FilterError(f"unknown operator '{op}' on '{field}'")
            if value is None and op not in ("eq", "ne"):
                continue
            parts.append(self._operator(path, op, value))
        return Sql.all(parts)

    def _operator(self, path: str, op: str, value: Any) -> Sql:
        if op in COMPARISONS:
            return self._compare(path, COMPARISONS[op], value)
        if op == "contains":
            return self._contains(path, value)
        if op == "notContains":
            return self._contains(path, value).negated()
        if op == "beginsWith":
            return self._begins_with(path, value)
        if op == "between":
            return self._between(path, value, self._compare)
        if op == "in":
            return Sql.any([self._compare(path, "=", v) for v in _as_list(value, op)])
        if op == "notIn":
            return Sql.any([self._compare(path, "=", v) for v in _as_list(value, op)]).negated()
        if op == "attributeExists":
            if not isinstance(value, bool):
                raise FilterError("attributeExists needs true or false")
            return Sql(f"{self._type(path)} IS {'NOT ' if value else ''}NULL")
        if op == "attributeType":
            names = ATTRIBUTE_TYPES.get(value) if isinstance(value, str) else None
            if names is None:
                raise FilterError(f"unknown attributeType {value!r} (one of: {', '.join(ATTRIBUTE_TYPES)})")
            if not names:
                return FALSE
            return Sql(f"{self._type(path)} IN ({', '.join(repr(n) for n in names)})")
        return self._size(path, value)

    # -- whole filters --------------------------------------------------------------------------

    def compile(self, filter_input: Mapping[str, Any] | None) -> Sql:
        """A `Model<T>FilterInput` (or condition input) as SQL; None means no restriction."""
        if filter_input is None:
            return TRUE
        if not isinstance(filter_input, Mapping):
            raise FilterError("a filter must be an object")
        parts: list[Sql] = []
        for name, value in filter_input.items():
            if name == "and":
                parts.append(Sql.all([self.compile(f) for f in _as_list(value, "and") if f is not None]))
            elif name == "or":
                parts.append(Sql.any([self.compile(f) for f in _as_list(value, "or") if f is not None]))
            elif name == "not":
                if value is not None:
                    parts.append(self.compile(value).negated())
            else:
                parts.append(self.field_condition(name, value))
        return Sql.all(parts)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _as_list(value: Any, op: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise FilterError(f"'{op}' needs a list")
    return list(value)


# -- the same semantics in Python (subscription events, tests) -------------------------------------

_MISSING = object()


def _python_kind(value: Any) -> str | None:
    if value is _MISSING:
        return None
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return None


_PY_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
}


class FilterEvaluator:
    """Evaluates the filters `FilterCompiler` accepts, on a record dict, with the same results."""

    def __init__(self, fields: Collection[str]) -> None:
        self.fields = frozenset(fields)
        self._checker = FilterCompiler(fields)

    def validate(self, filter_input: Mapping[str, Any] | None) -> None:
        """Raise `FilterError` for exactly the filters SQL compilation refuses."""
        self._checker.compile(filter_input)

    def matches(self, filter_input: Mapping[str, Any] | None, record: Mapping[str, Any], *,
                validated: bool = False) -> bool:
        if not validated:
            self.validate(filter_input)
        return self._matches(filter_input, record)

    def _matches(self, filter_input: Mapping[str, Any] | None, record: Mapping[str, Any]) -> bool:
        if filter_input is None:
            return True
        for name, value in filter_input.items():
            if name == "and":
                ok = all(self._matches(f, record) for f in value or () if f is not None)
            elif name == "or":
                ok = any(self._matches(f, record) for f in value or () if f is not None)
            elif name == "not":
                ok = True if value is None else not self._matches(value, record)
            else:
                ok = self._field(record.get(name, _MISSING), value)
            if not ok:
                return False
        return True

    def _field(self, stored: Any, condition: Mapping[str, Any] | None) -> bool:
        if condition is None:
            return True
        for op, value in condition.items():
            if value is None and op not in ("eq", "ne"):
                continue
            if not _operator(stored, op, value):
                return False
        return True


def _compare(stored: Any, op: str, value: Any) -> bool:
    kind = _kind(value)
    if kind == "null":
        return (_python_kind(stored) == "null") == (op == "=")
    if op == "<>":
        return not _compare(stored, "=", value)
    if _python_kind(stored) != kind:
        return False
    return _PY_COMPARE[op](stored, value)


def _contains(stored: Any, value: Any) -> bool:
    kind = _python_kind(stored)
    if kind == "text" and isinstance(value, str):
        return value in stored
    if kind == "array":
        wanted = _kind(value)
        return any(_python_kind(e) == wanted and e == value for e in stored)
    return False


def _size_of(stored: Any) -> int | None:
    kind = _python_kind(stored)
    if kind in ("text", "array", "object"):
        return len(stored)
    return None


def _operator(stored: Any, op: str, value: Any) -> bool:
    if op in COMPARISONS:
        return _compare(stored, COMPARISONS[op], value)
    if op == "contains":
        return _contains(stored, value)
    if op == "notContains":
        return not _contains(stored, value)
    if op == "beginsWith":
        return _python_kind(stored) == "text" and stored.startswith(value)
    if op == "between":
        return _compare(stored, ">=", value[0]) and _compare(stored, "<=", value[1])
    if op == "in":
        return any(_compare(stored, "=", v) for v in value)
    if op == "notIn":
        return not any(_compare(stored, "=", v) for v in value)
    if op == "attributeExists":
        return (stored is not _MISSING) == value
    if op == "attributeType":
        kind = _python_kind(stored)
        sql_names = {"text": ("text",), "number": ("integer", "real"), "bool": ("true", "false"),
                     "null": ("null",), "array": ("array",), "object": ("object",)}.get(kind or "", ())
        return any(name in ATTRIBUTE_TYPES[value] for name in sql_names)
    size = _size_of(stored)
    if size is None:
        return False
    for size_op, size_value in value.items():
        if size_value is None:
            continue
        if size_op == "between":
            if not size_value[0] <= size <= size_value[1]:
                return False
        elif size_op == "ne":
            if size == size_value:
                return False
        elif not _PY_COMPARE[COMPARISONS[size_op]](size, size_value):
            return False
    return True


KEY_CONDITION_OPERATORS = frozenset({"eq", "le", "lt", "ge", "gt", "between", "beginsWith"})
COMPOSITE_SEPARATOR = "#"


def composite_value(fields: Sequence[str], values: Mapping[str, Any]) -> tuple[str, bool]:
    """The composite sort key string for the leading `fields` present in `values`, and whether all were."""
    parts: list[str] = []
    for name in fields:
        if values.get(name) is None:
            return COMPOSITE_SEPARATOR.join(parts), False
        value = values[name]
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise FilterError(f"sort key value for '{name}' must be a string or a number")
        parts.append(str(value))
    return COMPOSITE_SEPARATOR.join(parts), True


def sort_key_condition(compiler: FilterCompiler, fields: Sequence[str], condition: Mapping[str, Any] | None) -> Sql:
    """A `Model*KeyConditionInput` on one sort key field, or on several joined with `#` as Amplify stores them."""
    if not condition:
        return TRUE
    if not isinstance(condition, Mapping):
        raise FilterError("a key condition must be an object such as {eq: ...}")
    unknown = sorted(set(condition) - KEY_CONDITION_OPERATORS)
    if unknown:
        raise FilterError(f"unknown key condition operator(s): {', '.join(unknown)}")
    if len(fields) == 1:
        return compiler.field_condition(fields[0], {k: v for k, v in condition.items() if v is not None})
    paths = [compiler._path(name) for name in fields]
    joined = f" || '{COMPOSITE_SEPARATOR}' || ".join(f"CAST({compiler._extract(p)} AS TEXT)" for p in paths)
    expression = f"({joined})"
    parts: list[Sql] = []
    for op, value in condition.items():
        if value is None:
            continue
        if op == "between":
            if not isinstance(value, list | tuple) or len(value) != 2:
                raise FilterError("between needs two key values")
            low, _ = composite_value(fields, _mapping(value[0]))
            high, _ = composite_value(fields, _mapping(value[1]))
            parts.append(Sql(f"{expression} >= ? AND {expression} <= ?", (low, high)))
            continue
        text, complete = composite_value(fields, _mapping(value))
        if op == "beginsWith" or (op == "eq" and not complete):
            prefix = text if op == "beginsWith" or not text else text + COMPOSITE_SEPARATOR
            parts.append(Sql(f"substr({expression}, 1, length(?)) = ?", (prefix, prefix)))
        else:
            parts.append(Sql(f"{expression} {COMPARISONS[op]} ?", (text,)))
    return Sql.all(parts)


def _mapping(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise FilterError("a composite key condition needs an object of sort key values")
    return value


def auth_filter_sql(compiler: FilterCompiler, auth_filter: Any) -> Sql:
    """The guards' `AuthFilter` (any of `{field: {eq|in|contains|containsAny: value}}`) as SQL.

    Same meaning as `AuthFilter.matches`: a missing or null field matches nothing; `contains` and
    `containsAny` only match list fields. An empty filter matches nothing.
    """
    return Sql.any(auth_filter_branches(compiler, auth_filter))


def auth_filter_branches(compiler: FilterCompiler, auth_filter: Any) -> list[Sql]:
    """The `AuthFilter` as a list of alternatives (one per condition), for `Store.query(any_of=...)`."""
    parts: list[Sql] = []
    for condition in auth_filter.any_of:
        path = compiler._path(condition.field)
        op, value = condition.op, condition.value
        if op == "eq":
            parts.append(_auth_equals(compiler, path, value))
        elif op == "in":
            values = value if isinstance(value, list | tuple) else []
            parts.append(Sql.any([_auth_equals(compiler, path, v) for v in values]))
        elif op in ("contains", "containsAny"):
            values = [value] if op == "contains" else (value if isinstance(value, list | tuple) else [])
            parts.append(Sql.any([_auth_member(compiler, path, v) for v in values]))
        else:
            raise FilterError(f"unknown auth filter operator '{op}'")
    return parts


def _auth_equals(compiler: FilterCompiler, path: str, value: Any) -> Sql:
    if value is None or isinstance(value, list | tuple | Mapping):
        return FALSE
    return compiler._compare(path, "=", value)


def _auth_member(compiler: FilterCompiler, path: str, value: Any) -> Sql:
    if value is None or isinstance(value, list | tuple | Mapping):
        return FALSE
    kind = _kind(value)
    element_types = ", ".join(repr(n) for n in _SQL_TYPES[kind])
    return Sql(
        f"{compiler._type(path)} = 'array' AND EXISTS (SELECT 1 FROM json_each({compiler.column}, '{path}') AS e "
        f"WHERE e.type IN ({element_types}) AND e.value = ?)",
        (int(value) if kind == "bool" else value,),
    )
