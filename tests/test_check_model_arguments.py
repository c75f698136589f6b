"""`gqlauth check` judges `@model` argument values as Amplify does: its schema validation (graphql-js's
`ValuesOfCorrectTypeRule` on the directive's declared input types) with its message, at the key or value,
and the subscription names its transformers fail on.

The cases are in the parity corpus (`tests/differential/invalid/model-*.graphql`, verdicts recorded there);
the messages below are the ones Amplify's transformer printed for them (`node transform.js CASE OUT`).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from oracle_support import amplify_transform, oracle_missing_reason
from parity_support import CORPUS, gqlauth_verdict, read_case

from transformer.diagnostics import Severity

AMPLIFY_MESSAGES: dict[str, tuple[str, int, int]] = {
    "model-queries-sync": ('Field "sync" is not defined by type "ModelQueryMap".', 2, 28),
    "model-queries-misspelt": ('Field "lists" is not defined by type "ModelQueryMap". Did you mean "list"?', 2, 28),
    "model-queries-get-int": ("String cannot represent a non string value: 5", 2, 33),
    "model-queries-float": ("String cannot represent a non string value: 1.5", 2, 33),
    "model-queries-string": ('Expected value of type "ModelQueryMap", found "getPost".', 2, 27),
    "model-queries-list-value": ('Expected value of type "ModelQueryMap", found [{get: "getPost"}].', 2, 27),
    "model-mutations-upsert": ('Field "upsert" is not defined by type "ModelMutationMap".', 2, 30),
    "model-mutations-create-bool": ("String cannot represent a non string value: true", 2, 38),
    "model-subscriptions-unknown-key": (
        'Field "onUpsert" is not defined by type "ModelSubscriptionMap". Did you mean "onUpdate"?', 2, 34),
    "model-subscriptions-level-private": ('Value "private" does not exist in "ModelSubscriptionLevel" enum.', 2, 41),
    "model-subscriptions-level-string": (
        'Enum "ModelSubscriptionLevel" cannot represent non-enum value: "off". Did you mean the enum value "off"?', 2, 41),
    "model-subscriptions-on-create-int-list": ("String cannot represent a non string value: 1", 2, 45),
    "model-subscriptions-on-create-nested-list": ('String cannot represent a non string value: ["a"]', 2, 45),
    "model-timestamps-unknown-key": (
        'Field "created" is not defined by type "TimestampConfiguration". Did you mean "createdAt"?', 2, 31),
    "model-timestamps-updated-at-int": ("String cannot represent a non string value: 3", 2, 66),
    "model-timestamps-enum-value": ("String cannot represent a non string value: createdOn", 2, 42),
}


def _errors(name: str) -> list[tuple[str, int | None, int | None]]:
    case = read_case(CORPUS / f"{name}.graphql")
    accepted, diagnostics = gqlauth_verdict(case)
    errors = [(d.message, d.line, d.column) for d in diagnostics if d.severity is Severity.ERROR]
    assert not accepted and errors
    return errors


@pytest.mark.parametrize("name", sorted(AMPLIFY_MESSAGES))
def test_the_message_and_place_are_amplifys(name: str) -> None:
    assert _errors(name) == [AMPLIFY_MESSAGES[name]]


def test_a_null_subscription_name_is_amplifys_error_at_the_null() -> None:
    """Amplify's model transformer says `fieldName is required` with no place; gqlauth names the null."""
    assert _errors("model-subscriptions-on-update-null-name-level-public") == [("fieldName is required", 2, 77)]


@pytest.mark.parametrize("key", ["onCreate", "onUpdate", "onDelete"])
def test_a_single_subscription_name_on_a_model_with_auth_says_to_write_a_list(key: str) -> None:
    [(message, line, _column)] = _errors(f"model-subscriptions-on-{key[2:].lower()}-string")
    assert message.startswith(f"@model subscriptions.{key} on Post must be a list of names ({key}: [\"")
    assert line == 2


@pytest.mark.parametrize(
    "name",
    [
        "model-subscriptions-on-create-string-no-auth",
        "model-subscriptions-on-create-string-sandbox",
        "model-subscriptions-on-create-string-level-public",
        "model-subscriptions-on-create-string-create-nulled",
        "model-subscriptions-on-create-null-name-level-off",
        "model-subscriptions-on-delete-null-name-mutations-null",
        "model-queries-null-keys",
        "model-subscriptions-level-null",
        "model-timestamps-null-fields",
    ],
)
def test_what_amplify_lets_through_is_accepted(name: str) -> None:
    accepted, diagnostics = gqlauth_verdict(read_case(CORPUS / f"{name}.graphql"))
    assert accepted, [d.render() for d in diagnostics if d.severity is Severity.ERROR]


@pytest.mark.parametrize("name", ["model-queries-sync", "model-subscriptions-level-string", "model-timestamps-unknown-key"])
def test_the_recorded_messages_are_amplifys_live(name: str) -> None:
    reason = oracle_missing_reason()
    if reason:
        pytest.skip(reason)
    case = read_case(CORPUS / f"{name}.graphql")
    with tempfile.TemporaryDirectory() as scratch:
        result = amplify_transform(case.path, Path(scratch) / "out", case.auth_modes, case.params)
    assert not result.accepted
    message, line, column = AMPLIFY_MESSAGES[name]
    printed = result.stderr + result.message
    assert message in printed, printed
    assert f"GraphQL request:{line}:{column}" in printed, printed
