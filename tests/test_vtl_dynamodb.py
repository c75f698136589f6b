"""`$util.dynamodb` conversions to DynamoDB typed values."""

from __future__ import annotations

import json

import pytest

from resolvers.vtl import VtlContext, VtlError, render_text


def value(expr: str) -> object:
    return json.loads(render_text(f"$util.toJson({expr})", VtlContext()).text)


def test_to_dynamodb_of_every_type() -> None:
    assert value('$util.dynamodb.toDynamoDB({"s": "x", "n": 1, "f": 1.5, "b": true, "z": null, "l": ["a", 2], "m": {"k": "v"}})') == {
        "M": {
            "s": {"S": "x"},
            "n": {"N": "1"},
            "f": {"N": "1.5"},
            "b": {"BOOL": True},
            "z": {"NULL": True},
            "l": {"L": [{"S": "a"}, {"N": "2"}]},
            "m": {"M": {"k": {"S": "v"}}},
        }
    }


def test_json_variants_are_strings_of_the_same_value() -> None:
    text = render_text('$util.dynamodb.toDynamoDBJson("x")|$util.dynamodb.toMapValuesJson({"a": 1})', VtlContext()).text
    assert text == '{"S":"x"}|{"a":{"N":"1"}}'


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("$util.dynamodb.toString('a')", {"S": "a"}),
        ("$util.dynamodb.toStringSet(['a', 'b'])", {"SS": ["a", "b"]}),
        ("$util.dynamodb.toNumber(3)", {"N": "3"}),
        ("$util.dynamodb.toNumberSet([1, 2.5])", {"NS": ["1", "2.5"]}),
        ("$util.dynamodb.toBinary('AAE=')", {"B": "AAE="}),
        ("$util.dynamodb.toBoolean(false)", {"BOOL": False}),
        ("$util.dynamodb.toNull()", {"NULL": True}),
        ("$util.dynamodb.toList([1, 'a'])", {"L": [{"N": "1"}, {"S": "a"}]}),
        ("$util.dynamodb.toMap({'a': [true]})", {"M": {"a": {"L": [{"BOOL": True}]}}}),
        ("$util.dynamodb.toMapValues({'a': 1, 'b': 'x'})", {"a": {"N": "1"}, "b": {"S": "x"}}),
    ],
)
def test_typed_helpers(expr: str, expected: object) -> None:
    assert value(expr) == expected


@pytest.mark.parametrize(
    "name",
    ["toStringJson('a')", "toNumberJson(1)", "toBooleanJson(true)", "toListJson([1])", "toMapJson({})", "toNullJson()"],
)
def test_typed_json_helpers_return_json_text(name: str) -> None:
    text = render_text(f"$util.dynamodb.{name}", VtlContext()).text
    assert isinstance(json.loads(text), dict)


def test_s3_object() -> None:
    assert value("$util.dynamodb.toS3Object('k', 'b', 'us-east-1')") == {
        "S": '{"s3":{"key":"k","bucket":"b","region":"us-east-1"}}'
    }


@pytest.mark.parametrize("expr", ["$util.dynamodb.toNumber('1')", "$util.dynamodb.toString(1)", "$util.dynamodb.toBoolean('true')"])
def test_wrong_types_raise(expr: str) -> None:
    with pytest.raises(VtlError):
        render_text(expr, VtlContext())
