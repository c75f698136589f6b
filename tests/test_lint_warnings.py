"""Each lint: the schema that triggers it, what it says, and a schema that does not trigger it."""

from __future__ import annotations

from pathlib import Path

from transformer.diagnostics import Diagnostic, Severity
from transformer.lints import lint
from transformer.matrix import TransformParameters, build_matrix
from transformer.parse import parse_schema_text
from transformer.precedence import parse_group_file
from transformer.rules import Provider

MODES = [Provider.USER_POOLS, Provider.API_KEY, Provider.IAM, Provider.OIDC]
BLOG = Path(__file__).parent / "conformance" / "blog"


def _lint(sdl: str, groups: str | None = None, parameters: TransformParameters | None = None) -> list[Diagnostic]:
    schema, problems = parse_schema_text(sdl, "schema.graphql")
    assert schema is not None, problems
    matrix, errors = build_matrix(schema, MODES, parameters)
    assert matrix is not None, errors
    group_file = None
    if groups is not None:
        group_file, group_problems = parse_group_file(groups, "groups.json")
        assert group_file is not None, group_problems
    found = lint(schema, matrix, group_file, Path("groups.json"))
    assert all(d.severity is Severity.WARNING for d in found)
    return found


def _codes(found: list[Diagnostic]) -> list[str]:
    return [d.code for d in found]


def test_owner_who_may_update_the_owner_field_is_warned_with_the_fix() -> None:
    found = _lint("type Todo @model @auth(rules: [{allow: owner}]) { id: ID! name: String }")
    (reassign,) = [d for d in found if d.code == "lint.owner-reassign"]
    assert "Todo" in reassign.message
    assert "owner: String @auth(rules: [{allow: owner, operations: [read, delete]}])" in reassign.message
    assert reassign.line == 1


def test_custom_owner_field_is_named_in_the_fix() -> None:
    found = _lint('type Todo @model @auth(rules: [{allow: owner, ownerField: "author"}]) { id: ID! author: String }')
    (reassign,) = [d for d in found if d.code == "lint.owner-reassign"]
    assert 'ownerField: "author"' in reassign.message


def test_locked_owner_field_is_not_warned() -> None:
    sdl = (
        "type Todo @model @auth(rules: [{allow: owner}]) { id: ID! name: String "
        "owner: String @auth(rules: [{allow: owner, operations: [read, delete]}]) }"
    )
    assert "lint.owner-reassign" not in _codes(_lint(sdl))


def test_strict_owner_parameter_silences_the_reassignment_warning() -> None:
    found = _lint(
        "type Todo @model @auth(rules: [{allow: owner}]) { id: ID! }", parameters=TransformParameters(strict_owner=True)
    )
    assert "lint.owner-reassign" not in _codes(found)


def test_owner_field_that_is_the_primary_key_is_not_warned() -> None:
    sdl = 'type Todo @model @auth(rules: [{allow: owner, ownerField: "id"}]) { id: ID! }'
    assert "lint.owner-reassign" not in _codes(_lint(sdl))


def test_static_group_with_custom_claim_warns_about_substring_matching() -> None:
    sdl = 'type Doc @model @auth(rules: [{allow: groups, groups: ["Admin"], groupClaim: "role"}]) { id: ID! }'
    (found,) = [d for d in _lint(sdl) if d.code == "lint.group-claim-substring"]
    assert "'role'" in found.message and "SuperAdmins" in found.message


def test_default_group_claim_is_not_a_substring_risk() -> None:
    sdl = 'type Doc @model @auth(rules: [{allow: groups, groups: ["Admin"]}]) { id: ID! }'
    assert "lint.group-claim-substring" not in _codes(_lint(sdl))


def test_groups_no_rule_uses_are_reported_with_their_json_path() -> None:
    sdl = 'type Doc @model @auth(rules: [{allow: groups, groups: ["Admins"]}]) { id: ID! }'
    groups = '[{"groupName": "Admins", "precedence": 1}, {"groupName": "Viewers", "precedence": 2}]'
    (unused,) = [d for d in _lint(sdl, groups) if d.code == "lint.group-unused"]
    assert '"Viewers"' in unused.message
    assert unused.json_path == "[1].groupName"
    assert unused.file == "groups.json"


def test_blog_owners_cannot_delete_their_own_posts() -> None:
    found = _lint((BLOG / "schema.graphql").read_text(encoding="utf-8"))
    (withheld,) = [d for d in found if d.code == "lint.delete-withheld"]
    assert withheld.message.startswith("owner (field owner) may delete Post")
    assert "internalNotes" in withheld.message
    assert withheld.line == 12


def test_blog_warnings_match_amplifys_reassignment_warning() -> None:
    found = _lint((BLOG / "schema.graphql").read_text(encoding="utf-8"))
    reassigned = sorted(d.message.split(":")[0] for d in found if d.code == "lint.owner-reassign")
    assert reassigned == ["owners may reassign ownership of Comment", "owners may reassign ownership of Post"]


def test_roles_without_delete_in_model_rules_are_not_reported() -> None:
    sdl = (
        'type Doc @model @auth(rules: [{allow: groups, groups: ["Editors"], operations: [read]}]) {\n'
        "  id: ID!\n"
        '  notes: String @auth(rules: [{allow: groups, groups: ["Editors"]}])\n'
        "}"
    )
    assert "lint.delete-withheld" not in _codes(_lint(sdl))


def test_field_hidden_from_some_readers_warns_that_filters_on_it_are_refused() -> None:
    found = _lint(
        "type Post @model @auth(rules: [{allow: owner}, {allow: private, operations: [read]}]) { id: ID! title: String\n"
        "  notes: String @auth(rules: [{allow: owner}]) }"
    )
    (hidden,) = [d for d in found if d.code == "lint.filter-hidden-field"]
    assert "Post.notes" in hidden.message and "filter" in hidden.message
    assert hidden.line == 2


def test_field_every_reader_may_read_is_not_warned_about_filters() -> None:
    found = _lint(
        "type Post @model @auth(rules: [{allow: owner}]) { id: ID! title: String\n"
        "  notes: String @auth(rules: [{allow: owner}]) }"
    )
    assert "lint.filter-hidden-field" not in _codes(found)
