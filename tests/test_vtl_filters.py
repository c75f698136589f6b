"""Filter inputs to DynamoDB expressions and subscription filters: placeholders only, never spliced text."""

from __future__ import annotations

import json
import re

import pytest

from resolvers.vtl import VtlContext, VtlError, dynamodb_expression, render_text, subscription_filter


def expression(filter_map: dict) -> dict:
    context = VtlContext(arguments={"filter": filter_map})
    text = render_text("$util.transform.toDynamoDBFilterExpression($ctx.args.filter)", context).text
    return json.loads(text)


def substitute(result: dict) -> str:
    """The expression with placeholders replaced, for readable assertions."""
    text = result["expression"]
    for placeholder, name in result["expressionNames"].items():
        text = re.sub(re.escape(placeholder) + r"\b", name, text)
    for placeholder, typed in sorted(result["expressionValues"].items(), key=lambda kv: -len(kv[0])):
        text = text.replace(placeholder, json.dumps(next(iter(typed.values()))))
    return text


def test_documented_example() -> None:
    result = expression({"title": {"contains": "Hello World"}})
    assert result == {
        "expression": "contains(#title, :title_contains)",
        "expressionNames": {"#title": "title"},
        "expressionValues": {":title_contains": {"S": "Hello World"}},
    }


@pytest.mark.parametrize(
    ("condition", "readable"),
    [
        ({"eq": "a"}, 'f = "a"'),
        ({"ne": 1}, 'f <> "1"'),
        ({"le": 1}, 'f <= "1"'),
        ({"lt": 1}, 'f < "1"'),
        ({"ge": 1}, 'f >= "1"'),
        ({"gt": 1}, 'f > "1"'),
        ({"contains": "x"}, 'contains(f, "x")'),
        ({"notContains": "x"}, 'NOT contains(f, "x")'),
        ({"beginsWith": "x"}, 'begins_with(f, "x")'),
        ({"between": [1, 5]}, 'f BETWEEN "1" AND "5"'),
        ({"attributeExists": True}, "attribute_exists(f)"),
        ({"attributeExists": False}, "attribute_not_exists(f)"),
        ({"attributeType": "S"}, 'attribute_type(f, "S")'),
        ({"size": {"gt": 2}}, 'size(f) > "2"'),
        ({"size": {"between": [1, 2]}}, 'size(f) BETWEEN "1" AND "2"'),
        ({"in": ["a", "b"]}, 'f IN ("a", "b")'),
        ({"in": []}, "attribute_exists(f) AND attribute_not_exists(f)"),
    ],
)
def test_each_operator(condition: dict, readable: str) -> None:
    assert substitute(expression({"f": condition})) == readable


def test_fields_combined_with_and() -> None:
    result = expression({"a": {"eq": 1}, "b": {"gt": 2, "lt": 9}})
    assert substitute(result) == '(a = "1") AND (b > "2") AND (b < "9")'


def test_nested_and_or_not() -> None:
    result = expression(
        {
            "or": [
                {"owner": {"eq": "alice"}},
                {"and": [{"owner": {"eq": "bob"}}, {"not": {"status": {"eq": "draft"}}}]},
            ],
            "title": {"beginsWith": "T"},
        }
    )
    assert substitute(result) == (
        '((owner = "alice") OR ((owner = "bob") AND (NOT (status = "draft")))) AND (begins_with(title, "T"))'
    )
    assert len(result["expressionValues"]) == 4 and len(set(result["expressionValues"])) == 4
    assert result["expressionNames"] == {"#owner": "owner", "#status": "status", "#title": "title"}


def test_same_field_many_times_gets_distinct_value_placeholders() -> None:
    result = expression({"or": [{"owner": {"eq": "a"}}, {"owner": {"eq": "b"}}, {"owner": {"eq": "c"}}]})
    assert sorted(result["expressionValues"]) == [":owner_eq", ":owner_eq_1", ":owner_eq_2"]
    assert {v["S"] for v in result["expressionValues"].values()} == {"a", "b", "c"}


@pytest.mark.parametrize(
    "attack",
    ['") OR 1=1', "x) OR attribute_exists(#owner", ":owner_eq", "#owner", "' OR ''='", "a AND b"],
)
def test_injection_in_values_stays_a_value(attack: str) -> None:
    result = expression({"owner": {"eq": attack}, "title": {"contains": attack}})
    assert result["expression"] == "(#owner = :owner_eq) AND (contains(#title, :title_contains))"
    assert result["expressionValues"] == {":owner_eq": {"S": attack}, ":title_contains": {"S": attack}}


@pytest.mark.parametrize("field", ["a) OR (b", "#x", "na me", ":v", ""])
def test_injection_in_field_names_stays_a_name(field: str) -> None:
    result = expression({field: {"eq": 1}})
    placeholder = next(iter(result["expressionNames"]))
    assert result["expressionNames"] == {placeholder: field}
    assert re.fullmatch(r"#[A-Za-z0-9_]+", placeholder)
    assert result["expression"] == f"{placeholder} = {next(iter(result['expressionValues']))}"


@pytest.mark.parametrize(
    "bad",
    [
        {"f": {"like": "x"}},
        {"f": {"between": [1]}},
        {"f": {"attributeExists": "yes"}},
        {"or": []},
        {"not": {}},
        {"f": "not a map"},
        {"f": {"size": {"contains": 1}}},
    ],
)
def test_unknown_or_malformed_filters_raise(bad: dict) -> None:
    with pytest.raises(VtlError):
        expression(bad)


def test_empty_and_null_filters_give_no_expression() -> None:
    assert dynamodb_expression(None) is None
    assert dynamodb_expression({}) is None
    assert dynamodb_expression({"and": []}) is None
    assert render_text("$util.isNull($util.transform.toDynamoDBFilterExpression($nothing))", VtlContext()).text == "true"


def test_amplify_style_list_request_uses_parse_json() -> None:
    template = """
#set($filter = $util.parseJson($util.transform.toDynamoDBFilterExpression($ctx.stash.authFilter)))
{"version": "2018-05-29", "operation": "Scan", "filter": $util.toJson($filter)}
"""
    context = VtlContext(stash={"authFilter": {"or": [{"owner": {"eq": "s::u"}}, {"owner": {"eq": "s"}}]}})
    document = render_text(template, context).json()
    assert document["filter"]["expression"] == "(#owner = :owner_eq) OR (#owner = :owner_eq_1)"


def test_condition_expression() -> None:
    text = render_text(
        "$util.transform.toDynamoDBConditionExpression({\"version\": {\"eq\": 3}})", VtlContext()
    ).text
    assert json.loads(text) == {
        "expression": "#version = :version_eq",
        "expressionNames": {"#version": "version"},
        "expressionValues": {":version_eq": {"N": "3"}},
    }


def test_subscription_filter_groups_are_disjunctive_normal_form() -> None:
    result = subscription_filter(
        {"priority": {"gt": 1}, "or": [{"owner": {"eq": "a"}}, {"groups": {"containsAny": ["g"]}}]}
    )
    assert result == {
        "filterGroup": [
            {"filters": [{"fieldName": "priority", "operator": "gt", "value": 1},
                         {"fieldName": "owner", "operator": "eq", "value": "a"}]},
            {"filters": [{"fieldName": "priority", "operator": "gt", "value": 1},
                         {"fieldName": "groups", "operator": "containsAny", "value": ["g"]}]},
        ]
    }


def test_subscription_filter_ignored_fields_and_rules() -> None:
    result = subscription_filter({"a": {"eq": 1}, "b": {"eq": 2}}, ["b"], {"owner": {"eq": "me"}})
    assert result == {
        "filterGroup": [
            {"filters": [{"fieldName": "a", "operator": "eq", "value": 1},
                         {"fieldName": "owner", "operator": "eq", "value": "me"}]}
        ]
    }


@pytest.mark.parametrize("bad", [{"not": {"a": {"eq": 1}}}, {"a": {"regex": "x"}}, {"or": []}])
def test_subscription_filter_rejects_what_appsync_cannot_express(bad: dict) -> None:
    with pytest.raises(VtlError):
        render_text("$util.transform.toSubscriptionFilter($ctx.args.f)", VtlContext(arguments={"f": bad}))


def test_subscription_filter_empty_means_none() -> None:
    assert subscription_filter(None) is None
    assert subscription_filter({}) is None


def test_python_callers_get_vtl_errors() -> None:
    with pytest.raises(VtlError, match="unsupported filter operator"):
        dynamodb_expression({"f": {"like": 1}})
