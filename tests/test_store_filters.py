"""Filters pushed down into SQL: every operator, typed comparisons, injection attempts, and the
Python evaluator agreeing with SQL on generated filters and records."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resolvers.filters import FilterCompiler, FilterError, FilterEvaluator
from resolvers.store import ModelLayout, Store

FIELDS = frozenset({"id", "title", "n", "flag", "tags", "meta", "owner"})

RECORDS = [
    {"id": "a", "title": "hello world", "n": 1, "flag": True, "tags": ["x", "y"], "owner": "s1::alice"},
    {"id": "b", "title": "Hello", "n": 2.5, "flag": False, "tags": [], "meta": {"k": 1}, "owner": "bob"},
    {"id": "c", "title": None, "n": 10, "tags": ["y"], "owner": "s2::carol"},
    {"id": "d", "n": "10", "title": "x' OR '1'='1"},
    {"id": "e", "title": "100%_done", "flag": True},
]


@pytest.fixture()
def store() -> Store:
    s = Store(":memory:", [ModelLayout(name="Thing", key_fields=("id",), fields=FIELDS, indexed_fields=("owner",))])
    s.reset([{"__typename": "Thing", **r} for r in RECORDS])
    return s


def ids(store: Store, flt: dict) -> list[str]:
    where = store.compiler("Thing").compile(flt)
    sql_ids = sorted(r["id"] for r in store.query("Thing", where=where, limit=1000).items)
    evaluator = FilterEvaluator(FIELDS)
    py_ids = sorted(r["id"] for r in RECORDS if evaluator.matches(flt, r))
    assert sql_ids == py_ids, (flt, sql_ids, py_ids)
    return sql_ids


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ({"title": {"eq": "Hello"}}, ["b"]),
        ({"title": {"ne": "Hello"}}, ["a", "c", "d", "e"]),
        ({"n": {"eq": 10}}, ["c"]),
        ({"n": {"eq": "10"}}, ["d"]),
        ({"n": {"gt": 1}}, ["b", "c"]),
        ({"n": {"le": 2.5}}, ["a", "b"]),
        ({"n": {"between": [1, 2.5]}}, ["a", "b"]),
        ({"title": {"lt": "a"}}, ["b", "e"]),
        ({"title": {"contains": "world"}}, ["a"]),
        ({"title": {"notContains": "ello"}}, ["c", "d", "e"]),
        ({"tags": {"contains": "y"}}, ["a", "c"]),
        ({"title": {"beginsWith": "Hel"}}, ["b"]),
        ({"title": {"beginsWith": "%"}}, []),
        ({"title": {"beginsWith": "100%_"}}, ["e"]),
        ({"meta": {"attributeExists": True}}, ["b"]),
        ({"title": {"attributeExists": False}}, []),
        ({"title": {"attributeType": "_null"}}, ["c"]),
        ({"tags": {"attributeType": "list"}}, ["a", "b", "c"]),
        ({"n": {"attributeType": "number"}}, ["a", "b", "c"]),
        ({"tags": {"size": {"eq": 0}}}, ["b"]),
        ({"title": {"size": {"gt": 5}}}, ["a", "d", "e"]),
        ({"tags": {"size": {"ne": 2}}}, ["b", "c"]),
        ({"flag": {"eq": True}}, ["a", "e"]),
        ({"flag": {"ne": True}}, ["b", "c", "d"]),
        ({"title": {"eq": None}}, ["c"]),
        ({"owner": {"in": ["bob", "s1::alice"]}}, ["a", "b"]),
        ({"owner": {"notIn": ["bob"]}}, ["a", "c", "d", "e"]),
        ({"or": [{"n": {"eq": 1}}, {"n": {"eq": 10}}]}, ["a", "c"]),
        ({"and": [{"flag": {"eq": True}}, {"title": {"contains": "o"}}]}, ["a", "e"]),
        ({"not": {"flag": {"eq": True}}}, ["b", "c", "d"]),
        ({"not": {"tags": {"size": {"eq": 1}}}}, ["a", "b", "d", "e"]),
        ({"or": []}, []),
        ({"and": []}, ["a", "b", "c", "d", "e"]),
    ],
)
def test_operators_match_dynamodb_semantics(store: Store, flt: dict, expected: list[str]) -> None:
    assert ids(store, flt) == expected


def test_attribute_exists_false_on_present_null(store: Store) -> None:
    assert ids(store, {"meta": {"attributeExists": False}}) == ["a", "c", "d", "e"]


@pytest.mark.parametrize(
    "value",
    ["x' OR '1'='1", "' OR 1=1 --", "x\"); DROP TABLE \"model_Thing\"; --", "%", "_", "*", "\\", "'"],
)
def test_injection_through_values_is_only_data(store: Store, value: str) -> None:
    matched = ids(store, {"title": {"eq": value}})
    assert matched == (["d"] if value == "x' OR '1'='1" else [])
    assert ids(store, {"title": {"contains": value}}) == [r["id"] for r in RECORDS
                                                          if isinstance(r.get("title"), str) and value in r["title"]]
    assert store.count("Thing") == len(RECORDS)


@pytest.mark.parametrize(
    "flt",
    [
        {"title') OR 1=1 --": {"eq": "x"}},
        {"title": {"eq) OR (1": "x"}},
        {"$.title": {"eq": "x"}},
        {"secret": {"eq": "x"}},
        {"title": {"eq": ["a"]}},
        {"title": {"eq": {"x": 1}}},
        {"n": {"between": [1]}},
        {"n": {"gt": 2**70}},
        {"title": {"attributeType": "nope"}},
        {"title": "x"},
        {"or": {"title": {"eq": "x"}}},
    ],
)
def test_field_name_and_operand_tricks_are_refused(store: Store, flt: dict) -> None:
    with pytest.raises(FilterError):
        store.compiler("Thing").compile(flt)
    with pytest.raises(FilterError):
        FilterEvaluator(FIELDS).matches(flt, RECORDS[0])


def test_values_are_bound_not_spliced() -> None:
    sql = FilterCompiler(FIELDS).compile({"title": {"eq": "x' OR '1'='1"}, "n": {"in": [1, 2]}})
    assert "OR '1'" not in sql.text
    assert "x' OR '1'='1" in sql.params


scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([0.5, 2.5]),
                    st.sampled_from(["", "a", "ab", "b", "ba", "A"]))
values = st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(st.sampled_from(["k"]), scalars))
records = st.dictionaries(st.sampled_from(["title", "n", "flag", "tags"]), values, max_size=4)
operand = st.one_of(st.booleans(), st.integers(-3, 3), st.sampled_from(["", "a", "ab", "b", "A"]))
field_names = st.sampled_from(["title", "n", "flag", "tags"])
leaf = st.one_of(
    st.builds(lambda f, op, v: {f: {op: v}}, field_names,
              st.sampled_from(["eq", "ne", "lt", "le", "gt", "ge", "contains", "notContains"]), operand),
    st.builds(lambda f, v: {f: {"beginsWith": v}}, field_names, st.sampled_from(["", "a", "b"])),
    st.builds(lambda f, v: {f: {"attributeExists": v}}, field_names, st.booleans()),
    st.builds(lambda f, v: {f: {"size": {"ge": v}}}, field_names, st.integers(0, 3)),
    st.builds(lambda f, v: {f: {"in": v}}, field_names, st.lists(operand, max_size=3)),
    st.builds(lambda f, v: {f: {"eq": v}}, field_names, st.none()),
)
filters = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.builds(lambda xs: {"and": xs}, st.lists(inner, max_size=3)),
        st.builds(lambda xs: {"or": xs}, st.lists(inner, max_size=3)),
        st.builds(lambda x: {"not": x}, inner),
    ),
    max_leaves=6,
)


def _valid(flt: dict) -> bool:
    try:
        FilterCompiler(FIELDS).compile(flt)
    except FilterError:
        return False
    return True


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flt=filters, rows=st.lists(records, max_size=6))
def test_sql_and_python_agree(flt: dict, rows: list[dict]) -> None:
    if not _valid(flt):
        return
    s = Store(":memory:", [ModelLayout(name="Thing", key_fields=("id",), fields=FIELDS)])
    s.reset([{"__typename": "Thing", "id": f"r{i}", **r} for i, r in enumerate(rows)])
    got = sorted(r["id"] for r in s.query("Thing", where=s.compiler("Thing").compile(flt), limit=100).items)
    evaluator = FilterEvaluator(FIELDS)
    want = sorted(f"r{i}" for i, r in enumerate(rows) if evaluator.matches(flt, {"id": f"r{i}", **r}))
    assert got == want


owner_values = st.sampled_from(["sub::alice", "sub", "alice", "bob", "", "ALICE"])
stored_owner = st.one_of(st.none(), owner_values, st.lists(owner_values, max_size=3), st.integers(0, 2), st.booleans())
auth_conditions = st.one_of(
    st.builds(lambda v: ("owner", "eq", v), owner_values),
    st.builds(lambda v: ("owner", "in", v), st.lists(owner_values, max_size=3)),
    st.builds(lambda v: ("owner", "contains", v), owner_values),
    st.builds(lambda v: ("owner", "containsAny", v), st.lists(owner_values, max_size=3)),
)


@settings(max_examples=150, deadline=None)
@given(conditions=st.lists(auth_conditions, max_size=4), owners=st.lists(stored_owner, max_size=6))
def test_auth_filter_pushdown_matches_the_guards_record_visible(conditions: list, owners: list) -> None:
    from resolvers.filters import auth_filter_branches
    from resolvers.guards import AuthFilter, Condition, record_visible

    auth_filter = AuthFilter(tuple(Condition(field, op, value) for field, op, value in conditions))
    s = Store(":memory:", [ModelLayout(name="Thing", key_fields=("id",), fields=FIELDS)])
    rows = [{"id": f"r{i}", **({} if owner is None and i % 2 else {"owner": owner})} for i, owner in enumerate(owners)]
    s.reset([{"__typename": "Thing", **r} for r in rows])
    got = sorted(r["id"] for r in s.query("Thing", any_of=auth_filter_branches(s.compiler("Thing"), auth_filter),
                                          limit=100).items)
    want = sorted(r["id"] for r in rows if record_visible(auth_filter, r))
    assert got == want
