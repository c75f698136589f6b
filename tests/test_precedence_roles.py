"""Cognito's precedence rule: which role a user in several groups gets from the identity pool."""

from __future__ import annotations

import pytest

from transformer.environment import AuthEnvironment
from transformer.group_roles import authenticated_role_iam_arn, resolve_roles
from transformer.precedence import GroupFile, UserPoolGroup

ENV = AuthEnvironment()
AUTH_ROLE = authenticated_role_iam_arn(ENV)


def _file(*groups: tuple[str, int]) -> GroupFile:
    return GroupFile([UserPoolGroup(groupName=name, precedence=precedence) for name, precedence in groups])


BLOG = _file(("Admins", 1), ("Editors", 2), ("Viewers", 3))


def test_lowest_precedence_wins_regardless_of_claim_order() -> None:
    for groups in (["Editors", "Admins"], ["Admins", "Editors"], ["Viewers", "Admins", "Editors"]):
        resolution = resolve_roles(groups, BLOG, ENV)
        assert resolution.preferred_role == ENV.group_role_arn("Admins")
        assert resolution.effective_role_arn == ENV.group_role_arn("Admins")
        assert resolution.preferred_group == "Admins" and resolution.is_group_role


def test_roles_claim_lists_every_group_role_in_precedence_order() -> None:
    resolution = resolve_roles(["Viewers", "Admins"], BLOG, ENV)
    assert resolution.roles == [ENV.group_role_arn("Admins"), ENV.group_role_arn("Viewers")]


def test_zero_is_the_highest_precedence() -> None:
    group_file = _file(("Root", 0), ("Admins", 1))
    assert resolve_roles(["Admins", "Root"], group_file, ENV).preferred_group == "Root"


def test_tie_with_different_roles_gives_no_preferred_role_and_the_authenticated_role() -> None:
    group_file = _file(("Admins", 1), ("Editors", 1), ("Viewers", 3))
    resolution = resolve_roles(["Editors", "Admins", "Viewers"], group_file, ENV)
    assert resolution.preferred_role is None
    assert resolution.effective_role_arn == AUTH_ROLE
    assert not resolution.is_group_role
    assert len(resolution.roles) == 3
    assert "share the lowest precedence (1)" in resolution.reason


def test_tie_with_the_same_role_gives_that_role() -> None:
    group_file = _file(("Admins", 1), ("Editors", 1))
    shared = "arn:aws:iam::123456789012:role/shared"
    resolution = resolve_roles(
        ["Editors", "Admins"], group_file, ENV, role_arns={"Admins": shared, "Editors": shared}
    )
    assert resolution.preferred_role == shared == resolution.effective_role_arn
    assert resolution.roles == [shared]


def test_tie_only_matters_at_the_lowest_precedence() -> None:
    group_file = _file(("Admins", 1), ("Editors", 2), ("Viewers", 2))
    assert resolve_roles(["Admins", "Editors", "Viewers"], group_file, ENV).preferred_group == "Admins"


def test_group_without_role_is_skipped() -> None:
    roles = {"Admins": None, "Editors": "arn:aws:iam::123456789012:role/editors"}
    resolution = resolve_roles(["Admins", "Editors"], BLOG, ENV, role_arns=roles)
    assert resolution.preferred_group == "Editors"
    assert resolution.roles == ["arn:aws:iam::123456789012:role/editors"]


def test_tie_with_a_roleless_group_is_not_a_tie() -> None:
    group_file = _file(("Admins", 1), ("Editors", 1))
    roles = {"Admins": "arn:aws:iam::123456789012:role/admins"}  # Editors absent from the map: no role
    assert resolve_roles(["Admins", "Editors"], group_file, ENV, role_arns=roles).preferred_group == "Admins"


def test_all_groups_roleless_gives_the_authenticated_role() -> None:
    resolution = resolve_roles(["Admins"], BLOG, ENV, role_arns={})
    assert resolution.roles == [] and resolution.preferred_role is None
    assert resolution.effective_role_arn == AUTH_ROLE
    assert "has a role" in resolution.reason


@pytest.mark.parametrize("groups", [[], ["Strangers"]])
def test_user_in_no_known_group_gets_the_authenticated_role(groups: list[str]) -> None:
    resolution = resolve_roles(groups, BLOG, ENV)
    assert resolution.roles == [] and resolution.preferred_role is None
    assert (
        resolution.effective_role_arn
        == AUTH_ROLE
        == f"arn:aws:iam::{ENV.account_id}:role/{ENV.auth_role_name}"
    )


def test_unknown_groups_are_ignored_beside_known_ones() -> None:
    resolution = resolve_roles(["Strangers", "Viewers"], BLOG, ENV)
    assert resolution.preferred_group == "Viewers"
    assert resolution.roles == [ENV.group_role_arn("Viewers")]


def test_resolution_is_frozen() -> None:
    resolution = resolve_roles(["Admins"], BLOG, ENV)
    with pytest.raises(ValueError):
        resolution.preferred_role = None  # type: ignore[misc]
