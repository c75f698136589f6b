"""A project laid out as the Amplify CLI writes it: group file, cli.json flags, split schemas, several APIs,
and the starter schema's global rule. Each case builds a temporary Amplify-style project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from serve_support import serve_schema

from transformer.amplify_layout import ProjectLayoutError, resolve_schema_path
from transformer.cli import cli
from transformer.project import load_project
from transformer.rules import Provider

OWNER_SCHEMA = """type Post @model @auth(rules: [{allow: owner}, {allow: groups, groups: ["Admins"]}]) {
  id: ID!
  title: String
}
"""
STARTER_SCHEMA = """# This "input" configures a global authorization rule to enable public access to
# all models in this schema. Learn more about authorization rules here: https://docs.amplify.aws/cli/graphql/authorization-rules
input AMPLIFY { globalAuthRule: AuthRule = { allow: public } } # FOR TESTING ONLY!

type Todo @model {
  id: ID!
  name: String!
  description: String
}
"""
GROUPS = [{"groupName": "Admins", "precedence": 1}]


def amplify_project(root: Path, apis: dict[str, str | dict[str, str]], cli_json: object | None = None) -> Path:
    """`root/amplify/backend/api/<api>/schema.graphql` (a str) or `schema/<file>` (a dict of files)."""
    for api, schema in apis.items():
        folder = root / "amplify" / "backend" / "api" / api
        if isinstance(schema, str):
            folder.mkdir(parents=True)
            (folder / "schema.graphql").write_text(schema)
        else:
            (folder / "schema").mkdir(parents=True)
            for name, text in schema.items():
                (folder / "schema" / name).write_text(text)
    if cli_json is not None:
        (root / "amplify" / "cli.json").write_text(json.dumps(cli_json))
    return root


def write_groups(path: Path, groups: list[dict[str, object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(groups, indent=2))
    return path


def documented(root: Path) -> Path:
    return root / "amplify" / "backend" / "auth" / "userPoolGroups" / "user-pool-group-precedence.json"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


# -- the group file ------------------------------------------------------------------------------


def test_the_documented_group_file_is_found_before_other_copies(tmp_path: Path) -> None:
    root = amplify_project(tmp_path, {"blog": OWNER_SCHEMA})
    real = write_groups(documented(root), GROUPS)
    write_groups(root / "amplify" / "backend" / "auth" / "blogauth" / "userPoolGroups" / "user-pool-group-precedence.json", [])
    write_groups(root / "amplify" / "backend" / "api" / "blog" / "user-pool-group-precedence.json", [])
    project, diagnostics = load_project(root)
    assert project is not None, diagnostics
    assert project.group_file_path == real.resolve()
    assert not [d for d in diagnostics if d.code == "groups.undefined"]


def test_a_resource_folder_group_file_is_the_fallback(tmp_path: Path) -> None:
    root = amplify_project(tmp_path, {"blog": OWNER_SCHEMA})
    older = write_groups(root / "amplify" / "backend" / "auth" / "blogauth" / "userPoolGroups" / "user-pool-group-precedence.json", GROUPS)
    project, _ = load_project(root)
    assert project is not None and project.group_file_path == older.resolve()


def test_groups_add_edits_the_documented_file_and_leaves_stray_copies_alone(tmp_path: Path) -> None:
    root = amplify_project(tmp_path, {"blog": OWNER_SCHEMA})
    real = write_groups(documented(root), GROUPS)
    stray = write_groups(root / "amplify" / "backend" / "api" / "blog" / "user-pool-group-precedence.json", [])
    code, output = run("groups", "add", "Editors", "--schema", str(root))
    assert code == 0, output
    assert [g["groupName"] for g in json.loads(real.read_text())] == ["Admins", "Editors"]
    assert json.loads(stray.read_text()) == []


def test_groups_add_creates_the_file_where_the_amplify_cli_writes_it(tmp_path: Path) -> None:
    root = amplify_project(tmp_path, {"blog": OWNER_SCHEMA})
    code, output = run("groups", "add", "Admins", "--schema", str(root))
    assert code == 0, output
    assert json.loads(documented(root).read_text()) == [{"groupName": "Admins", "precedence": 1}]
    assert not (root / "amplify" / "backend" / "api" / "blog" / "user-pool-group-precedence.json").exists()


# -- amplify/cli.json ----------------------------------------------------------------------------


def test_lower_case_cli_json_flags_are_read(tmp_path: Path) -> None:
    flags = {
        "usesubusernamefordefaultidentityclaim": False,
        "populateownerfieldforstaticgroupauth": False,
        "improvepluralization": True,
        "transformerversion": 2,
    }
    root = amplify_project(tmp_path, {"blog": OWNER_SCHEMA}, {"features": {"graphqltransformer": flags}})
    write_groups(documented(root), GROUPS)
    project, diagnostics = load_project(root)
    assert project is not None, diagnostics
    params = project.matrix.parameters
    assert not params.use_sub_username_for_default_identity_claim
    assert not params.populate_owner_field_for_static_group_auth
    assert params.improve_pluralization
    owners = [r for r in project.matrix.models["Post"].roles.values() if r.kind.value == "owner"]
    assert [r.identity_claim for r in owners] == ["username"]
    assert not [d for d in diagnostics if d.code.startswith("settings.")]


def test_an_unknown_cli_json_flag_is_a_warning_with_its_file_and_json_path(tmp_path: Path) -> None:
    cli_json = {"features": {"graphqltransformer": {"usesubusernamefordefaultidentityclaim": True, "usesubusername": False}}}
    root = amplify_project(tmp_path, {"blog": OWNER_SCHEMA}, cli_json)
    project, diagnostics = load_project(root)
    assert project is not None
    [unknown] = [d for d in diagnostics if d.code == "settings.unknown-flag"]
    assert unknown.severity.value == "warning"
    assert unknown.file == str(root / "amplify" / "cli.json")
    assert unknown.json_path == "features.graphqltransformer.usesubusername"


def test_a_flag_of_the_wrong_type_is_an_error_with_its_json_path(tmp_path: Path) -> None:
    cli_json = {"features": {"graphqltransformer": {"improvepluralization": "yes"}}}
    root = amplify_project(tmp_path, {"blog": OWNER_SCHEMA}, cli_json)
    project, diagnostics = load_project(root)
    assert project is None
    [problem] = [d for d in diagnostics if d.severity.value == "error"]
    assert problem.json_path == "features.graphqltransformer.improvepluralization"


# -- the schema: split files, several APIs ------------------------------------------------------


def test_a_schema_split_over_files_keeps_each_files_locations(tmp_path: Path) -> None:
    root = amplify_project(
        tmp_path,
        {
            "blog": {
                "a-post.graphql": OWNER_SCHEMA,
                "b-comment.graphql": "\n\ntype Comment @model @auth(rules: [{allow: owner, operations: [fly]}]) { id: ID! }\n",
            }
        },
    )
    project, diagnostics = load_project(root)
    assert project is None
    [problem] = [d for d in diagnostics if d.severity.value == "error"]
    assert problem.file == str(root / "amplify" / "backend" / "api" / "blog" / "schema" / "b-comment.graphql")
    assert (problem.line, problem.column) == (3, 35)


def test_a_split_schema_loads_every_file(tmp_path: Path) -> None:
    comment = "type Comment @model @auth(rules: [{allow: private}]) { id: ID! text: String }\n"
    root = amplify_project(tmp_path, {"blog": {"post.graphql": OWNER_SCHEMA, "nested.graphql": comment}})
    write_groups(documented(root), GROUPS)
    project, diagnostics = load_project(root)
    assert project is not None, diagnostics
    assert sorted(project.schema.models) == ["Comment", "Post"]
    assert project.schema.models["Comment"].location is not None
    assert project.schema.models["Comment"].location.file.endswith("nested.graphql")


def test_several_apis_need_api_and_the_error_lists_them(tmp_path: Path) -> None:
    root = amplify_project(tmp_path, {"shop": OWNER_SCHEMA, "admin": {"s.graphql": OWNER_SCHEMA}})
    code, output = run("check", str(root))
    assert code == 2
    assert "admin, shop" in output and "--api NAME" in output
    code, output = run("check", str(root), "--api", "admin")
    assert code == 0, output
    assert "api/admin/schema" in output
    code, output = run("check", str(root), "--api", "missing")
    assert code == 2 and "APIs found: admin, shop" in output


def test_errors_say_where_they_looked(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ProjectLayoutError) as caught:
        resolve_schema_path(tmp_path / "empty")
    message = str(caught.value)
    assert "schema.graphql" in message and "amplify/backend/api/<api>" in message
    code, output = run("transform", str(tmp_path / "empty"), "-o", str(tmp_path / "build"))
    assert code == 2 and "looked for" in output
    assert not (tmp_path / "build").exists()


def test_api_names_a_project_folder_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "schema.graphql").write_text(OWNER_SCHEMA)
    code, output = run("check", str(tmp_path / "schema.graphql"), "--api", "x")
    assert code == 2 and "not an Amplify project folder" in output


# -- the starter schema's global rule -------------------------------------------------------------


def test_the_global_public_rule_opens_models_without_auth_to_api_keys(tmp_path: Path) -> None:
    root = amplify_project(tmp_path, {"starter": STARTER_SCHEMA})
    project, diagnostics = load_project(root, auth_modes=[Provider.API_KEY])
    assert project is not None, diagnostics
    assert project.matrix.parameters.sandbox_mode_enabled
    assert "AMPLIFY" not in project.schema.sdl


def test_the_global_rule_is_not_copied_into_the_output_schema(tmp_path: Path) -> None:
    root = amplify_project(tmp_path, {"starter": STARTER_SCHEMA})
    code, output = run("transform", str(root), "--auth-modes", "userPools,apiKey", "-o", str(tmp_path / "build"))
    assert code == 0, output
    emitted = (tmp_path / "build" / "schema.graphql").read_text()
    assert "AMPLIFY" not in emitted and "globalAuthRule" not in emitted
    assert "type Todo @aws_api_key" in emitted


def test_without_an_api_key_the_global_rule_leaves_models_closed_and_warns(tmp_path: Path) -> None:
    root = amplify_project(tmp_path, {"starter": STARTER_SCHEMA})
    project, diagnostics = load_project(root, auth_modes=[Provider.USER_POOLS])
    assert project is not None
    assert not project.matrix.parameters.sandbox_mode_enabled
    [warned] = [d for d in diagnostics if d.code == "amplify.sandbox-no-api-key"]
    assert (warned.line, warned.column) == (3, 1)


def test_a_global_rule_other_than_public_is_an_error_at_its_place(tmp_path: Path) -> None:
    schema = STARTER_SCHEMA.replace("{ allow: public }", "{ allow: private }")
    root = amplify_project(tmp_path, {"starter": schema})
    project, diagnostics = load_project(root, auth_modes=[Provider.API_KEY])
    assert project is None
    [problem] = [d for d in diagnostics if d.severity.value == "error"]
    assert problem.code == "amplify.global-rule" and (problem.line, problem.column) == (3, 1)


def test_serve_answers_api_key_requests_on_the_starter_schema(tmp_path: Path) -> None:
    served = serve_schema(tmp_path, STARTER_SCHEMA, [Provider.API_KEY, Provider.USER_POOLS])
    status, body = served.call(
        'mutation { createTodo(input: {id: "t1", name: "milk"}) { id name } }', api_key=served.api_key
    )
    assert status == 200 and body["data"]["createTodo"] == {"id": "t1", "name": "milk"}, body
    status, body = served.call("{ listTodos { items { id name } } }", api_key=served.api_key)
    assert body["data"]["listTodos"]["items"] == [{"id": "t1", "name": "milk"}], body
    status, body = served.call("{ listTodos { items { id } } }", token=served.token("alice"))
    assert body["data"] is None or body["data"]["listTodos"] is None
    assert body["errors"][0]["errorType"] == "Unauthorized"


def test_a_missing_group_file_says_where_it_was_looked_for(tmp_path: Path) -> None:
    root = amplify_project(tmp_path, {"blog": OWNER_SCHEMA})
    project, diagnostics = load_project(root)
    assert project is not None
    [missing] = [d for d in diagnostics if d.code == "groups.no-file"]
    assert str(documented(root).resolve()) in missing.message
    assert str((root / "amplify" / "backend" / "api" / "blog" / "user-pool-group-precedence.json").resolve()) in missing.message


def test_access_takes_api_too(tmp_path: Path) -> None:
    root = amplify_project(tmp_path, {"shop": OWNER_SCHEMA, "admin": OWNER_SCHEMA})
    write_groups(documented(root), GROUPS)
    code, output = run("access", "--user", "alice", "--groups", "Admins", "--schema", str(root), "--api", "shop")
    assert code == 0, output
    code, output = run("access", "--user", "alice", "--schema", str(root), "--api", "nope")
    assert code == 2 and "APIs found: admin, shop" in output


def test_the_current_environments_cli_json_overrides_cli_json(tmp_path: Path) -> None:
    cli_json = {"features": {"graphqltransformer": {"improvepluralization": False, "usesubusernamefordefaultidentityclaim": True}}}
    root = amplify_project(tmp_path, {"blog": OWNER_SCHEMA}, cli_json)
    (root / "amplify" / ".config").mkdir()
    (root / "amplify" / ".config" / "local-env-info.json").write_text(json.dumps({"envName": "prod"}))
    (root / "amplify" / "cli.prod.json").write_text(
        json.dumps({"features": {"graphqltransformer": {"improvepluralization": True, "usesubusername": 1}}})
    )
    (root / "amplify" / "cli.dev.json").write_text(json.dumps({"features": {"graphqltransformer": {"improvepluralization": "x"}}}))
    project, diagnostics = load_project(root)
    assert project is not None, diagnostics
    assert project.matrix.parameters.improve_pluralization
    assert project.matrix.parameters.use_sub_username_for_default_identity_claim
    [unknown] = [d for d in diagnostics if d.code == "settings.unknown-flag"]
    assert unknown.file == str(root / "amplify" / "cli.prod.json")


def test_each_api_has_its_own_auth_modes(tmp_path: Path) -> None:
    public = 'type Note @model @auth(rules: [{allow: public}]) { id: ID! }\n'
    root = amplify_project(tmp_path, {"shop": {"a.graphql": public}, "admin": OWNER_SCHEMA})
    for api, modes in (("shop", ("API_KEY", [])), ("admin", ("AMAZON_COGNITO_USER_POOLS", [{"mode": "AWS_IAM"}]))):
        settings = {"serviceConfiguration": {"defaultAuthType": {"mode": modes[0]}, "additionalAuthTypes": modes[1]}}
        (root / "amplify" / "backend" / "api" / api / "cli-inputs.json").write_text(json.dumps(settings))
    shop, _ = load_project(root, api="shop")
    admin, _ = load_project(root, api="admin")
    assert shop is not None and shop.auth_modes == [Provider.API_KEY]
    assert admin is not None and admin.auth_modes == [Provider.USER_POOLS, Provider.IAM]


def test_the_starter_schemas_output_is_amplifys_in_sandbox_mode(tmp_path: Path) -> None:
    """What the Amplify CLI does with the global rule (sandbox mode, the input dropped), checked live."""
    from oracle_support import amplify_transform, compare_schemas, oracle_missing_reason

    reason = oracle_missing_reason()
    if reason:
        pytest.skip(reason)
    root = amplify_project(tmp_path, {"starter": STARTER_SCHEMA})
    schema = root / "amplify" / "backend" / "api" / "starter" / "schema.graphql"
    amplify = amplify_transform(schema, tmp_path / "amplify-out", ("userPools", "apiKey"), {"sandboxModeEnabled": "true"})
    assert amplify.accepted, amplify.message
    code, output = run("transform", str(root), "--auth-modes", "userPools,apiKey", "-o", str(tmp_path / "build"))
    assert code == 0, output
    report = compare_schemas(tmp_path / "amplify-out" / "schema.graphql", tmp_path / "build" / "schema.graphql")
    assert report.get("identical") is True, report


def test_data_and_serve_commands_take_api(tmp_path: Path) -> None:
    from resolvers.cli import cli as gqlauth

    root = amplify_project(tmp_path, {"shop": OWNER_SCHEMA, "admin": OWNER_SCHEMA})
    runner = CliRunner()
    result = runner.invoke(gqlauth, ["data", "dump", "--project", str(root), "--db", ":memory:"])
    assert result.exit_code == 2 and "admin, shop" in result.output and "--api NAME" in result.output
    result = runner.invoke(gqlauth, ["data", "dump", "--project", str(root), "--api", "shop", "--db", ":memory:"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []
    result = runner.invoke(gqlauth, ["serve", str(root), "--api", "nope"])
    assert result.exit_code == 2 and "APIs found: admin, shop" in result.output
