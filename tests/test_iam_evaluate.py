"""IAM's evaluation rules: explicit deny wins, default deny, wildcards, NotAction/NotResource, context."""

from __future__ import annotations

from typing import Any

import pytest

from transformer.iam_policy import NamedPolicy, action_matches, evaluate, resource_matches
from transformer.precedence import CustomPolicy, PolicyDocument

BUCKET = "arn:aws:s3:::media"


def _policy(name: str, *statements: dict[str, Any]) -> NamedPolicy:
    return NamedPolicy(
        name=name, document=PolicyDocument.model_validate({"Version": "2012-10-17", "Statement": list(statements)})
    )


def _allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def _deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def test_nothing_allows_means_implicit_deny() -> None:
    decision = evaluate([], "s3:GetObject", f"{BUCKET}/a")
    assert not decision.allowed and decision.outcome == "implicit-deny" and decision.decided_by is None
    assert decision.reason == "no statement allows it (implicit deny)"


def test_allow_names_the_policy_and_sid() -> None:
    decision = evaluate([_policy("reader", {**_allow("s3:GetObject"), "Sid": "Read"})], "s3:GetObject", f"{BUCKET}/a")
    assert decision.allowed and decision.decided_by is not None
    assert decision.decided_by.label == "reader/Read"
    assert decision.reason == "allowed by reader/Read"


def test_statement_without_sid_is_named_by_index() -> None:
    policy = _policy("p", _allow("s3:PutObject"), _allow("s3:GetObject"))
    assert evaluate([policy], "s3:GetObject", "x").decided_by.label == "p/Statement[1]"  # type: ignore[union-attr]


def test_explicit_deny_wins_over_allow_in_any_policy_and_order() -> None:
    allow_all = _policy("admin", _allow("*"))
    deny_delete = _policy("guard", {**_deny("s3:DeleteObject", f"{BUCKET}/*"), "Sid": "NoDelete"})
    for policies in ([allow_all, deny_delete], [deny_delete, allow_all]):
        decision = evaluate(policies, "s3:DeleteObject", f"{BUCKET}/a")
        assert not decision.allowed and decision.outcome == "explicit-deny"
        assert decision.decided_by is not None and decision.decided_by.label == "guard/NoDelete"
        assert [ref.policy for ref in decision.matching_allows] == ["admin"]
    assert evaluate([allow_all, deny_delete], "s3:GetObject", f"{BUCKET}/a").allowed


def test_custom_policies_and_plain_documents_are_accepted() -> None:
    custom = CustomPolicy.model_validate(
        {
            "PolicyName": "admin-group-policy",
            "PolicyDocument": {"Statement": [_allow("s3:CreateBucket", "arn:aws:s3:::*")]},
        }
    )
    plain = PolicyDocument.model_validate({"Statement": [_deny("s3:CreateBucket", "arn:aws:s3:::secret")]})
    assert evaluate([custom], "s3:CreateBucket", "arn:aws:s3:::new").decided_by.policy == "admin-group-policy"  # type: ignore[union-attr]
    assert evaluate([custom, plain], "s3:CreateBucket", "arn:aws:s3:::secret").decided_by.policy == "policy[1]"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("s3:GetObject", "s3:getobject", True),
        ("S3:GETOBJECT", "s3:GetObject", True),
        ("s3:Get*", "s3:GetObjectAcl", True),
        ("s3:*Object", "s3:PutObject", True),
        ("s3:*Object", "s3:PutObjectAcl", False),
        ("s3:?etObject", "s3:GetObject", True),
        ("s3:?etObject", "s3:GGetObject", False),
        ("*", "dynamodb:Query", True),
        ("s3:*", "s3express:CreateSession", False),
        ("s3:Get", "s3:GetObject", False),
    ],
)
def test_action_wildcards_are_case_insensitive(pattern: str, action: str, expected: bool) -> None:
    assert action_matches(pattern, action) is expected


@pytest.mark.parametrize(
    ("pattern", "resource", "expected"),
    [
        ("*", "arn:aws:s3:::anything/at/all", True),
        ("arn:aws:s3:::*", "arn:aws:s3:::media/key", True),
        ("arn:aws:s3:::media/*", "arn:aws:s3:::media/a/b/c.jpg", True),
        ("arn:aws:s3:::media/*", "arn:aws:s3:::media", False),
        ("arn:aws:s3:::media", "arn:aws:s3:::media", True),
        ("arn:aws:s3:::Media/*", "arn:aws:s3:::media/a", False),
        ("arn:aws:s3:::media/file?.jpg", "arn:aws:s3:::media/file1.jpg", True),
        ("arn:aws:*:*:*:table/Posts", "arn:aws:dynamodb:us-east-1:123456789012:table/Posts", True),
        ("arn:aws:s3:*", "arn:aws:dynamodb:us-east-1:1:table/x", False),
        ("arn:aws:iam::123456789012:role/*", "arn:aws:iam::123456789012:role/a/b", True),
    ],
)
def test_resource_wildcards(pattern: str, resource: str, expected: bool) -> None:
    assert resource_matches(pattern, resource) is expected


def test_not_action_matches_everything_else() -> None:
    policy = _policy("p", {"Effect": "Allow", "NotAction": ["iam:*", "s3:Delete*"], "Resource": "*"})
    assert evaluate([policy], "s3:GetObject", "x").allowed
    assert not evaluate([policy], "s3:DeleteObject", "x").allowed
    assert not evaluate([policy], "IAM:CreateUser", "x").allowed


def test_not_resource_matches_everything_else() -> None:
    policy = _policy("p", {"Effect": "Deny", "Action": "s3:*", "NotResource": [f"{BUCKET}/public/*"]}, _allow("s3:*"))
    assert evaluate([policy], "s3:GetObject", f"{BUCKET}/public/a").allowed
    assert not evaluate([policy], "s3:GetObject", f"{BUCKET}/private/a").allowed


def test_deny_with_not_action_blocks_all_but_listed() -> None:
    policies = [
        _policy("all", _allow("*")),
        _policy("only-read", {"Effect": "Deny", "NotAction": "s3:Get*", "Resource": "*"}),
    ]
    assert evaluate(policies, "s3:GetObject", "x").allowed
    assert evaluate(policies, "s3:PutObject", "x").outcome == "explicit-deny"


def test_policy_variables_come_from_the_context() -> None:
    policy = _policy("own", _allow("s3:*", "arn:aws:s3:::media/private/${cognito-identity.amazonaws.com:sub}/*"))
    context = {"cognito-identity.amazonaws.com:sub": "us-east-1:abc"}
    assert evaluate([policy], "s3:GetObject", "arn:aws:s3:::media/private/us-east-1:abc/x", context).allowed
    assert not evaluate([policy], "s3:GetObject", "arn:aws:s3:::media/private/us-east-1:zzz/x", context).allowed


def test_unresolved_variable_fails_closed_for_allow_and_deny() -> None:
    allow = _policy("allow", _allow("s3:*", "arn:aws:s3:::media/${aws:username}/*"))
    decision = evaluate([allow], "s3:GetObject", "arn:aws:s3:::media/alice/x")
    assert not decision.allowed and decision.notes
    deny = _policy("deny", _deny("s3:*", "arn:aws:s3:::media/${aws:username}/*"), _allow("s3:*"))
    assert evaluate([deny], "s3:GetObject", "arn:aws:s3:::media/alice/x").outcome == "explicit-deny"
    assert evaluate([deny], "s3:GetObject", "arn:aws:s3:::other/x").allowed


def test_escaped_variable_characters() -> None:
    policy = _policy("p", _allow("s3:GetObject", "arn:aws:s3:::media/${*}"))
    assert evaluate([policy], "s3:GetObject", "arn:aws:s3:::media/*").allowed
    assert not evaluate([policy], "s3:GetObject", "arn:aws:s3:::media/a").allowed


def test_string_like_condition_on_list_prefix() -> None:
    policy = _policy(
        "list", _allow("s3:ListBucket", BUCKET, Condition={"StringLike": {"s3:prefix": ["public/", "public/*"]}})
    )
    assert evaluate([policy], "s3:ListBucket", BUCKET, {"s3:prefix": "public/photos/"}).allowed
    assert not evaluate([policy], "s3:ListBucket", BUCKET, {"s3:prefix": "private/"}).allowed
    assert not evaluate([policy], "s3:ListBucket", BUCKET).allowed  # key absent: a positive operator fails


def test_negated_operator_and_if_exists_with_absent_key() -> None:
    negated = _policy("n", _allow("s3:*", Condition={"StringNotEquals": {"aws:SourceVpc": "vpc-1"}}))
    assert evaluate([negated], "s3:GetObject", "x").allowed
    assert not evaluate([negated], "s3:GetObject", "x", {"aws:SourceVpc": "vpc-1"}).allowed
    if_exists = _policy("e", _allow("s3:*", Condition={"StringEqualsIfExists": {"aws:SourceVpc": "vpc-1"}}))
    assert evaluate([if_exists], "s3:GetObject", "x").allowed
    assert not evaluate([if_exists], "s3:GetObject", "x", {"aws:SourceVpc": "vpc-2"}).allowed


def test_condition_keys_are_case_insensitive_and_bool_values_compare() -> None:
    policy = _policy("b", _allow("s3:*", Condition={"Bool": {"aws:SecureTransport": True}}))
    assert evaluate([policy], "s3:GetObject", "x", {"AWS:SecureTransport": "true"}).allowed
    assert not evaluate([policy], "s3:GetObject", "x", {"aws:securetransport": "false"}).allowed


def test_null_and_for_all_values_operators() -> None:
    null = _policy("n", _allow("s3:*", Condition={"Null": {"aws:TokenIssueTime": "true"}}))
    assert evaluate([null], "s3:GetObject", "x").allowed
    assert not evaluate([null], "s3:GetObject", "x", {"aws:TokenIssueTime": "now"}).allowed
    all_values = _policy("a", _allow("s3:*", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}))
    assert evaluate([all_values], "s3:GetObject", "x", {"aws:TagKeys": ["a"]}).allowed
    assert not evaluate([all_values], "s3:GetObject", "x", {"aws:TagKeys": ["a", "c"]}).allowed
    assert evaluate([all_values], "s3:GetObject", "x").allowed  # IAM's surprise: vacuously true


def test_unknown_condition_operator_fails_closed() -> None:
    condition = {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}
    allow = _policy("a", _allow("s3:*", Condition=condition))
    decision = evaluate([allow], "s3:GetObject", "x", {"aws:CurrentTime": "2030-01-01T00:00:00Z"})
    assert not decision.allowed and "cannot be evaluated" in decision.notes[0]
    deny = _policy("d", _deny("s3:*", Condition=condition), _allow("s3:*"))
    assert evaluate([deny], "s3:GetObject", "x").outcome == "explicit-deny"
