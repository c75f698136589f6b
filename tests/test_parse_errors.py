"""Every @auth validation error is reported with the schema file, line and column of the offending rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from transformer.diagnostics import Severity
from transformer.project import load_project

GROUPS = Path(__file__).parent.parent / "samples" / "blog" / "user-pool-group-precedence.json"


def errors_for(tmp_path: Path, sdl: str, *, auth_modes: list | None = None) -> list:
    schema = tmp_path / "schema.graphql"
    schema.write_text(sdl)
    _, diagnostics = load_project(schema, group_file_path=GROUPS, auth_modes=auth_modes)
    return [d for d in diagnostics if d.severity is Severity.ERROR]


CASES = [
    (
        "unknown strategy",
        'type P @model @auth(rules: [{allow: everyone}]) { id: ID! }',
        "@auth: unknown or missing strategy 'allow: everyone'",
        (1, 29),
    ),
    (
        "provider a strategy does not allow",
        'type P @model @auth(rules: [{allow: owner, provider: apiKey}]) { id: ID! }',
        "@auth directive with 'owner' strategy only supports oidc, userPools",
        (1, 29),
    ),
    (
        "groups with neither groups nor groupsField... both",
        'type P @model @auth(rules: [{allow: groups, groups: ["Admins"], groupsField: "g"}]) { id: ID! g: String }',
        "This rule has groupsField and groups, please use one or the other",
        (1, 29),
    ),
    (
        "empty groups list",
        'type P @model @auth(rules: [{allow: groups, groups: []}]) { id: ID! }',
        "@auth rules using groups cannot have an empty list",
        (1, 29),
    ),
    (
        "identityClaim on a non-owner rule",
        'type P @model @auth(rules: [{allow: groups, groups: ["A"], identityClaim: "sub"}]) { id: ID! }',
        "@auth identityClaim can only be used for 'allow: owner'",
        (1, 29),
    ),
    (
        "groupClaim on a non-group rule",
        'type P @model @auth(rules: [{allow: owner, groupClaim: "roles"}]) { id: ID! }',
        "@auth groupClaim can only be used 'allow: groups'",
        (1, 29),
    ),
    (
        "read combined with get",
        'type P @model @auth(rules: [{allow: private, operations: [read, get]}]) { id: ID! }',
        "'read' cannot be combined with get, list, listen, search or sync",
        (1, 29),
    ),
    (
        "field-level get",
        'type P @model @auth(rules: [{allow: private}]) {\n  id: ID!\n  x: String @auth(rules: [{allow: private, operations: [list]}])\n}',
        "'list' operation is not allowed at the field level.",
        (3, 27),
    ),
    (
        "@auth without @model",
        'type P @auth(rules: [{allow: private}]) { id: ID! }',
        "Types annotated with @auth must also be annotated with @model.",
        (1, 8),
    ),
    (
        "group missing from the precedence file",
        'type P @model @auth(rules: [{allow: groups, groups: ["Ghosts"]}]) { id: ID! }',
        "group 'Ghosts' is not defined in",
        (1, 29),
    ),
    (
        "empty rules",
        'type P @model @auth(rules: []) { id: ID! }',
        "@auth on P does not have any auth rules.",
        (1, 15),
    ),
    (
        "unknown directive argument, quoted as Amplify's graphql-js quotes it",
        'type P @model(foo: 1) { id: ID! }',
        'Unknown argument "foo" on directive "@model".',
        (1, 15),
    ),
    (
        "stray character, worded as Amplify's graphql-js 15 words it",
        'type P @model { id: ID! ~ }',
        'Cannot parse the unexpected character "~".',
        (1, 25),
    ),
    (
        "syntax error",
        'type P @model {\n  id: ID!\n  x:\n}',
        'Expected Name, found "}".',
        (4, 1),
    ),
    (
        "unknown type",
        'type P @model {\n  id: ID!\n  x: Strin\n}',
        'Unknown type "Strin".',
        (3, 6),
    ),
    (
        "@auth on an interface field",
        'interface Node {\n  id: ID! @auth(rules: [{allow: private}])\n}\ntype P @model { id: ID! }',
        "@auth directive is not allowed on interface fields",
        (2, 3),
    ),
]


@pytest.mark.parametrize(("sdl", "message", "position"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_error_has_message_and_location(tmp_path: Path, sdl: str, message: str, position: tuple[int, int]) -> None:
    errors = errors_for(tmp_path, sdl)
    matching = [e for e in errors if message in e.message]
    assert matching, f"no error containing {message!r}; got {[e.render() for e in errors]}"
    found = matching[0]
    assert found.file == str(tmp_path / "schema.graphql")
    assert (found.line, found.column) == position


def test_custom_group_claim_groups_are_not_checked_against_the_group_file(tmp_path: Path) -> None:
    sdl = 'type P @model @auth(rules: [{allow: groups, groups: ["Ghosts"], groupClaim: "custom:roles"}]) { id: ID! }'
    assert errors_for(tmp_path, sdl) == []


def test_provider_missing_from_the_api_auth_modes(tmp_path: Path) -> None:
    from transformer.rules import Provider

    sdl = 'type P @model @auth(rules: [{allow: public, provider: iam}]) { id: ID! }'
    errors = errors_for(tmp_path, sdl, auth_modes=[Provider.USER_POOLS, Provider.API_KEY])
    assert [e.message for e in errors] == [
        "@auth directive with 'iam' provider found, but the project has no IAM authentication provider configured."
    ]
    assert (errors[0].line, errors[0].column) == (1, 29)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    sdl = (
        'type P @model @auth(rules: [{allow: owner, provider: apiKey}, {allow: groups, groups: ["Ghosts"]}]) {\n'
        "  id: ID!\n"
        "  x: String @auth(rules: [{allow: private, operations: [get]}])\n"
        "}\n"
        "type Q @auth(rules: [{allow: public}]) { id: ID! }\n"
    )
    lines = sorted(e.line for e in errors_for(tmp_path, sdl))
    assert lines == [1, 1, 3, 5]


def test_defaults_are_applied_once(tmp_path: Path) -> None:
    from transformer.parse import parse_schema_text
    from transformer.rules import Operation, Provider, Strategy

    schema, diagnostics = parse_schema_text(
        'type P @model @auth(rules: [{allow: owner}, {allow: groups, groups: "Admins"}, {allow: public, operations: [read]}]) { id: ID! }'
    )
    assert schema is not None and diagnostics == []
    owner, group, public = schema.models["P"].rules or ()
    assert (owner.owner_field, owner.identity_claim, owner.provider) == ("owner", "sub::username", Provider.USER_POOLS)
    assert len(owner.operations) == 8
    assert (group.groups, group.group_claim) == (("Admins",), "cognito:groups")
    assert public.allow is Strategy.PUBLIC and public.provider is Provider.API_KEY
    assert set(public.operations) == {Operation.GET, Operation.LIST, Operation.SYNC, Operation.LISTEN, Operation.SEARCH}


def test_argument_of_the_wrong_shape_is_an_error_not_a_crash(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, 'type P @model @auth(rules: [{allow: ["Admins"]}]) { id: ID! }')
    assert [e.message for e in errors] == ["@auth: 'allow' must be a single name, not ['Admins']"]
    assert (errors[0].line, errors[0].column) == (1, 29)
