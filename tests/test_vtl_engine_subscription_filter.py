"""Enhanced subscription filters as the VTL server applies them to events."""

from __future__ import annotations

from resolvers.vtl_engine.subscription_filter import filter_matches


def _filter(*groups: list[tuple[str, str, object]]) -> dict:
    return {"filterGroup": [{"filters": [{"fieldName": f, "operator": o, "value": v} for f, o, v in g]} for g in groups]}


def test_groups_are_ored_and_filters_anded() -> None:
    owner_or_team = _filter([("owner", "eq", "alice")], [("team", "in", ["Admins", "Ops"]), ("title", "beginsWith", "x")])
    assert filter_matches(owner_or_team, {"owner": "alice"})
    assert filter_matches(owner_or_team, {"owner": "bob", "team": "Ops", "title": "xy"})
    assert not filter_matches(owner_or_team, {"owner": "bob", "team": "Ops", "title": "y"})
    assert not filter_matches(owner_or_team, {})


def test_list_operators_and_fail_closed() -> None:
    assert filter_matches(_filter([("teams", "containsAny", ["a", "b"])]), {"teams": ["c", "b"]})
    assert not filter_matches(_filter([("teams", "containsAny", ["a"])]), {"teams": "a"})
    assert filter_matches(_filter([("owners", "contains", "alice")]), {"owners": ["alice"]})
    assert not filter_matches(_filter([("n", "gt", 3)]), {"n": None})
    assert not filter_matches(_filter([("n", "regex", ".*")]), {"n": "x"})
    assert not filter_matches({"filterGroup": []}, {"n": 1})
