"""Every group-file validation problem, with its JSON path and message, reported all at once."""

from __future__ import annotations

import json
from typing import Any

import pytest

from transformer.diagnostics import Severity
from transformer.precedence import parse_group_file


def _statement(**overrides: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    statement.update(overrides)
    return {k: v for k, v in statement.items() if v is not None}


def _group_with(statement: dict[str, Any], **document: Any) -> list[dict[str, Any]]:
    return [
        {"groupName": "Admins", "precedence": 0},
        {
            "groupName": "Editors",
            "precedence": 1,
            "customPolicies": [
                {
                    "PolicyName": "p",
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": [statement], **document},
                }
            ],
        },
    ]


STATEMENT_PATH = "[1].customPolicies[0].PolicyDocument.Statement[0]"

CASES: list[tuple[str, Any, str, str]] = [
    (
        "effect",
        _group_with(_statement(Effect="Permit")),
        f"{STATEMENT_PATH}.Effect",
        'Effect must be "Allow" or "Deny"',
    ),
    (
        "no action",
        _group_with(_statement(Action=None)),
        STATEMENT_PATH,
        "exactly one of Action and NotAction, found neither",
    ),
    (
        "both actions",
        _group_with(_statement(NotAction="s3:PutObject")),
        STATEMENT_PATH,
        "exactly one of Action and NotAction, found both",
    ),
    (
        "both resources",
        _group_with(_statement(NotResource="arn:aws:s3:::b")),
        STATEMENT_PATH,
        "exactly one of Resource and NotResource, found both",
    ),
    ("no resource", _group_with(_statement(Resource=None)), STATEMENT_PATH, "found neither"),
    (
        "bad action",
        _group_with(_statement(Action=["s3:GetObject", "GetObject"])),
        f"{STATEMENT_PATH}.Action",
        '"GetObject" is not of the form',
    ),
    (
        "action type",
        _group_with(_statement(Action=3)),
        f"{STATEMENT_PATH}.Action",
        "a string or a list of strings",
    ),
    ("empty action list", _group_with(_statement(Action=[])), f"{STATEMENT_PATH}.Action", "empty list"),
    (
        "bad resource",
        _group_with(_statement(Resource="my-bucket")),
        f"{STATEMENT_PATH}.Resource",
        'must be "*" or an ARN',
    ),
    ("principal", _group_with(_statement(Principal="*")), STATEMENT_PATH, "must not have Principal"),
    (
        "unknown statement key",
        _group_with(_statement(Effects="Allow")),
        f"{STATEMENT_PATH}.Effects",
        "unknown key",
    ),
    (
        "version",
        _group_with(_statement(), Version="2020-01-01"),
        "[1].customPolicies[0].PolicyDocument.Version",
        'Version must be "2012-10-17"',
    ),
    (
        "empty statements",
        [
            {
                "groupName": "A",
                "precedence": 1,
                "customPolicies": [{"PolicyName": "p", "PolicyDocument": {"Statement": []}}],
            }
        ],
        "[0].customPolicies[0].PolicyDocument.Statement",
        "at least one statement",
    ),
    (
        "missing document",
        [{"groupName": "A", "precedence": 1, "customPolicies": [{"PolicyName": "p"}]}],
        "[0].customPolicies[0].PolicyDocument",
        "required key is missing",
    ),
    (
        "policy name",
        [
            {
                "groupName": "A",
                "precedence": 1,
                "customPolicies": [{"PolicyName": "my policy", "PolicyDocument": {"Statement": [_statement()]}}],
            }
        ],
        "[0].customPolicies[0].PolicyName",
        "letters, digits",
    ),
    (
        "custom policies type",
        [{"groupName": "A", "precedence": 1, "customPolicies": {}}],
        "[0].customPolicies",
        "must be a list",
    ),
    ("missing name", [{"precedence": 1}], "[0].groupName", "required key is missing"),
    ("empty name", [{"groupName": "", "precedence": 1}], "[0].groupName", "1 to 128 characters"),
    ("long name", [{"groupName": "G" * 129, "precedence": 1}], "[0].groupName", "1 to 128 characters"),
    ("name with space", [{"groupName": "Team A", "precedence": 1}], "[0].groupName", "whitespace or control"),
    ("name type", [{"groupName": 7, "precedence": 1}], "[0].groupName", "must be a string"),
    ("missing precedence", [{"groupName": "A"}], "[0].precedence", "required key is missing"),
    ("negative precedence", [{"groupName": "A", "precedence": -1}], "[0].precedence", "from 0 to 2147483647"),
    ("huge precedence", [{"groupName": "A", "precedence": 2**31}], "[0].precedence", "from 0 to 2147483647"),
    ("string precedence", [{"groupName": "A", "precedence": "1"}], "[0].precedence", "must be an integer"),
    ("float precedence", [{"groupName": "A", "precedence": 1.5}], "[0].precedence", "must be an integer"),
    ("bool precedence", [{"groupName": "A", "precedence": True}], "[0].precedence", "must be an integer"),
    ("entry not object", [{"groupName": "A", "precedence": 1}, "B"], "[1]", "must be an object"),
    (
        "duplicate",
        [{"groupName": "A", "precedence": 1}, {"groupName": "A", "precedence": 2}],
        "[1].groupName",
        'group "A" is already defined at [0]',
    ),
]


@pytest.mark.parametrize(("data", "path", "message"), [case[1:] for case in CASES], ids=[c[0] for c in CASES])
def test_each_validation_error_has_path_and_message(data: Any, path: str, message: str) -> None:
    group_file, diagnostics = parse_group_file(json.dumps(data), "groups.json")
    assert group_file is None
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    assert [(d.json_path, d.file) for d in errors] == [(path, "groups.json")], [d.render() for d in errors]
    assert message in errors[0].message


def test_all_problems_are_reported_at_once() -> None:
    data = [
        {"groupName": "", "precedence": -5},
        {
            "groupName": "B",
            "precedence": 1,
            "customPolicies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [_statement(Effect="Maybe")]}}],
        },
        {"groupName": "B", "precedence": 1},
    ]
    _, diagnostics = parse_group_file(json.dumps(data), "g.json")
    paths = {d.json_path for d in diagnostics if d.severity is Severity.ERROR}
    assert paths == {
        "[0].groupName",
        "[0].precedence",
        "[1].customPolicies[0].PolicyDocument.Statement[0].Effect",
        "[2].groupName",
    }


def test_invalid_json_reports_line_and_column() -> None:
    group_file, diagnostics = parse_group_file('[\n  {"groupName": "A",\n   "precedence": }\n]', "g.json")
    assert group_file is None
    assert (diagnostics[0].line, diagnostics[0].column) == (3, 18)
    assert "not valid JSON" in diagnostics[0].message
    assert diagnostics[0].render().startswith("g.json:3:18: error:")


def test_top_level_must_be_an_array() -> None:
    group_file, diagnostics = parse_group_file('{"groupName": "A"}', "g.json")
    assert group_file is None
    assert "JSON array" in diagnostics[0].message


def test_equal_precedence_is_a_warning_not_an_error() -> None:
    data = [{"groupName": "A", "precedence": 1}, {"groupName": "B", "precedence": 1}]
    group_file, diagnostics = parse_group_file(json.dumps(data), "g.json")
    assert group_file is not None
    [tie] = diagnostics
    assert tie.severity is Severity.WARNING and tie.json_path == "[1].precedence"
    assert '"B" has the same precedence (1) as "A"' in tie.message


def test_non_alphanumeric_name_is_a_warning() -> None:
    group_file, diagnostics = parse_group_file('[{"groupName": "read-only", "precedence": 1}]', "g.json")
    assert group_file is not None
    assert [(d.severity, d.json_path) for d in diagnostics] == [(Severity.WARNING, "[0].groupName")]


def test_single_statement_object_and_string_action_are_valid() -> None:
    data = [
        {
            "groupName": "A",
            "precedence": 0,
            "customPolicies": [
                {
                    "PolicyName": "p",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": {"Effect": "Deny", "NotAction": "s3:*", "NotResource": "*"},
                    },
                }
            ],
        }
    ]
    group_file, diagnostics = parse_group_file(json.dumps(data), "g.json")
    assert group_file is not None and diagnostics == []
    statement = group_file.root[0].policies()[0].PolicyDocument.statements()[0]
    assert statement.NotAction == "s3:*" and statement.actions() == ["s3:*"]


def test_repeated_keys_are_errors_with_their_path() -> None:
    text = (
        '[{"groupName": "A", "precedence": 1, "precedence": 2, "customPolicies": [{"PolicyName": "p", '
        '"PolicyDocument": {"Statement": [{"Effect": "Allow", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}}]}]'
    )
    group_file, diagnostics = parse_group_file(text, "g.json")
    assert group_file is None
    assert [d.json_path for d in diagnostics] == [
        "[0].precedence",
        "[0].customPolicies[0].PolicyDocument.Statement[0].Effect",
    ]
    assert all("appears more than once" in d.message for d in diagnostics)


def test_long_group_name_warns_about_the_role_name_limit() -> None:
    ok, diagnostics = parse_group_file(json.dumps([{"groupName": "G" * 35, "precedence": 1}]), "g.json")
    assert ok is not None and diagnostics == []
    ok, diagnostics = parse_group_file(json.dumps([{"groupName": "G" * 36, "precedence": 1}]), "g.json")
    assert ok is not None
    [too_long] = diagnostics
    assert too_long.severity is Severity.WARNING and "64-character limit" in too_long.message
