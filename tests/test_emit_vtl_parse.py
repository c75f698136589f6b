"""Every emitted template parses, for the samples and a schema using every strategy and provider."""

from __future__ import annotations

from pathlib import Path

import pytest
from guard_support import ENV, matrix_from

from resolvers.vtl import Template, VtlContext, render
from transformer.emit_vtl import build_pipelines, resolver_files
from transformer.project import load_project

EVERY_STRATEGY = """
type Doc @model @auth(rules: [
  {allow: groups, groupsField: "editors"},
  {allow: groups, groupsField: "team", operations: [read]},
  {allow: owner, ownerField: "authors"},
  {allow: owner, ownerField: "reviewer", identityClaim: "sub", operations: [update, read]},
  {allow: groups, groups: ["Admins"], groupClaim: "custom:groups"},
  {allow: private, provider: iam, operations: [read]},
  {allow: public, provider: iam, operations: [get]},
  {allow: public, operations: [list]},
  {allow: custom, operations: [create, read]},
  {allow: private, provider: oidc, operations: [read]}
]) {
  id: ID!
  title: String
  secret: String @auth(rules: [{allow: owner, ownerField: "authors"}, {allow: groups, groups: ["Admins"]}])
  editors: [String]
  team: String
  authors: [String]
  reviewer: String
  category: String @index(name: "byCategory", queryField: "docsByCategory", sortKeyFields: ["title"])
}

type Entry @model @auth(rules: [{allow: owner}]) {
  tenant: ID! @primaryKey(sortKeyFields: ["slug"])
  slug: String!
  body: String
}

type Open @model {
  id: ID!
  body: String
}
"""

SAMPLES = sorted(p for p in (Path(__file__).parent / "golden").glob("*/schema.graphql"))


def _assert_all_parse(files: dict[str, str]) -> None:
    assert files
    for name, text in files.items():
        Template.parse(text, name, portable=True)


@pytest.mark.parametrize("schema_path", SAMPLES, ids=[p.parent.name for p in SAMPLES])
def test_sample_templates_parse(schema_path: Path) -> None:
    project, diagnostics = load_project(schema_path)
    assert project is not None, [d.render() for d in diagnostics]
    _assert_all_parse(resolver_files(build_pipelines(project.matrix, project.environment)))


def test_every_strategy_and_provider_parses() -> None:
    matrix = matrix_from(EVERY_STRATEGY)
    files = resolver_files(build_pipelines(matrix, ENV))
    _assert_all_parse(files)
    assert "Query.docsByCategory.data.1.req.vtl" in files
    assert "Doc.secret.auth.1.req.vtl" in files
    assert "Open.body.auth.1.req.vtl" not in files
    for provider_text in ("'Lambda Authorization'", "'IAM Authorization'", "'Open ID Connect Authorization'"):
        assert provider_text in files["Query.getDoc.auth.1.req.vtl"]


def test_file_names_follow_the_amplify_layout() -> None:
    files = resolver_files(build_pipelines(matrix_from(EVERY_STRATEGY), ENV))
    for name in files:
        type_name, field_name, slot, index, kind, ext = name.split(".")
        assert slot in {"init", "auth", "postAuth", "data"}
        assert index == "1" and kind in {"req", "res"} and ext == "vtl"
        assert type_name and field_name


def test_model_without_auth_has_no_auth_slot_and_is_denied_by_post_auth() -> None:
    files = resolver_files(build_pipelines(matrix_from(EVERY_STRATEGY), ENV))
    assert "Query.getOpen.auth.1.req.vtl" not in files
    assert "$util.unauthorized()" in files["Query.getOpen.postAuth.1.req.vtl"]


@pytest.mark.parametrize(
    ("group", "literal"),
    [
        ("a$b#c", "'a$b#c'"),
        ("it's", '"it\'s"'),
        ("a$b#c'd", "$util.urlDecode('a%24b%23c%27d')"),
    ],
)
def test_schema_constants_are_never_interpolated(group: str, literal: str) -> None:
    """Single quotes unless the name holds one: a doubled or escaped quote is read differently by the engines."""
    matrix = matrix_from(f'type T @model @auth(rules: [{{allow: groups, groups: ["{group}"]}}]) {{ id: ID! }}')
    text = resolver_files(build_pipelines(matrix, ENV))["Query.getT.auth.1.req.vtl"]
    assert literal in text
    Template.parse(text, "T", portable=True)


DEFAULTS = """
type Item @model @auth(rules: [{allow: owner}]) {
  id: ID!
  tiny: Float @default(value: "0.0000001")
  huge: Float @default(value: "12345678901234567890.5")
  negative: Float @default(value: "-0.5")
  count: Int @default(value: "-3")
  flag: Boolean @default(value: "true")
  note: String @default(value: "it's $5 #1")
}
"""


def test_default_values_are_literals_every_engine_reads() -> None:
    """No exponent notation (`1e-07` parses in no Velocity), no doubled quotes; each renders as its typed value."""
    matrix = matrix_from(DEFAULTS)
    init = resolver_files(build_pipelines(matrix, ENV))["Mutation.createItem.init.1.req.vtl"]
    context = VtlContext(arguments={"input": {}})
    result = render(Template.parse(init, "init", portable=True), context)
    assert result.error is None
    assert context.arguments["input"] == {"tiny": 1e-07, "huge": 1.2345678901234567e19, "negative": -0.5, "count": -3,
                                          "flag": True, "note": "it's $5 #1"}
