"""What the commands print is what the user wrote: no Rich markup or emoji codes taken from names or
locations, tables that fit the terminal without cutting a role name, and no `<input>:` locations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from resolvers.cli import cli
from transformer.diagnostics import error, warning

EMOJI = ("💯", "😄", "😀")


def write(folder: Path, schema: str, groups: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "schema.graphql").write_text(schema, encoding="utf-8")
    file = [{"groupName": name, "precedence": n} for n, name in enumerate(groups, start=1)]
    (folder / "user-pool-group-precedence.json").write_text(json.dumps(file), encoding="utf-8")
    return folder


def invoke(*args: str, columns: int | None = None) -> Result:
    env = {"COLUMNS": str(columns)} if columns is not None else {}
    return CliRunner().invoke(cli, list(args), env=env)


def test_a_location_and_names_that_look_like_markup_or_emoji_print_as_written(tmp_path: Path) -> None:
    rule = 'type Post @model @auth(rules: [{allow: groups, groups: [":smile:", "[bold]Ops[/bold]", ":100:"]}]) { id: ID! }'
    schema = "\n" * 99 + rule + "\n"
    result = invoke("check", str(write(tmp_path / "p", schema, ["Admins"])), "--auth-modes", "userPools")
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 3
    assert all(line.startswith(str(tmp_path / "p" / "schema.graphql") + ":100:") for line in errors), errors
    for name in (":smile:", "[bold]Ops[/bold]", ":100:"):
        assert any(f"group '{name}' is not defined" in line for line in errors), (name, errors)
    assert not any(e in result.stderr for e in EMOJI)


def test_a_usage_error_prints_the_folder_name_as_written(tmp_path: Path) -> None:
    project = write(tmp_path / "p", "type Post @model @auth(rules: [{allow: owner}]) { id: ID! }\n", [])
    odd = tmp_path / "[red]:smile:"
    odd.mkdir()
    (odd / "keep.txt").write_text("mine", encoding="utf-8")
    result = invoke("transform", str(project), "--auth-modes", "userPools", "-o", str(odd))
    assert result.exit_code == 2
    assert f"refusing to write the build to {odd}:" in result.stderr
    assert not any(e in result.stderr for e in EMOJI)


def test_a_group_name_in_a_report_prints_as_written(tmp_path: Path) -> None:
    result = invoke("access", "--user", "alice", "--groups", "[bold]Ops,:smile:")
    assert result.exit_code == 0, result.output
    assert "alice (groups: [bold]Ops, :smile:)" in result.stderr
    assert not any(e in result.stderr for e in EMOJI)


LONG_ROLES = """\
type Document @model @auth(rules: [
  {allow: groups, groups: ["ExtraordinarilyLongAdministratorsGroup"]},
  {allow: owner, ownerField: "documentAuthorAccountIdentifier"},
  {allow: groups, groupsField: "collaboratingEditorGroups", operations: [read, update]},
  {allow: private, operations: [read]}
]) {
  id: ID!
  title: String
  secretReviewNotes: String @auth(rules: [{allow: groups, groups: ["ExtraordinarilyLongAdministratorsGroup"]}])
  documentAuthorAccountIdentifier: String
  collaboratingEditorGroups: [String]
}
"""


@pytest.fixture(scope="module")
def long_roles(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    project = write(tmp_path_factory.mktemp("roles"), LONG_ROLES, ["ExtraordinarilyLongAdministratorsGroup"])
    table = json.loads(invoke("matrix", str(project), "--format", "json").stdout)
    labels = [row["label"] for model in table["models"] for row in model["rows"]]
    assert any(len(label) > 40 for label in labels), labels
    return project, labels


@pytest.mark.parametrize(("columns", "grid"), [(60, False), (100, False), (200, True)])
def test_the_matrix_table_fits_the_terminal_and_keeps_role_names_whole(
    long_roles: tuple[Path, list[str]], columns: int, grid: bool
) -> None:
    project, labels = long_roles
    result = invoke("matrix", str(project), columns=columns)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= columns, "\n".join(lines)
    for label in labels:
        assert any(label in line for line in lines), f"{label!r} is cut at {columns} columns:\n{result.stdout}"
    assert ("┃ role" in result.stdout) is grid
    assert "secretReviewNotes" in result.stdout


def test_the_matrix_table_in_a_pipe_keeps_its_full_width(long_roles: tuple[Path, list[str]]) -> None:
    project, _ = long_roles
    result = CliRunner().invoke(cli, ["matrix", str(project)], env={"COLUMNS": ""})
    assert "┃ role" in result.stdout


def test_a_problem_without_a_place_has_no_input_location() -> None:
    assert error("x", "no place").render() == "error: no place"
    assert warning("x", "w", json_path="[0].groupName").render() == "[0].groupName: warning: w"
    assert warning("x", "w", file="g.json", json_path="[0].groupName").render() == "g.json:[0].groupName: warning: w"


def test_a_warning_about_a_missing_file_does_not_say_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("access", "--user", "alice", "--groups", "Admins")
    assert "<input>" not in result.stderr
    assert any(line.startswith("warning: no user-pool-group-precedence.json") for line in result.stderr.splitlines())


def test_an_unknown_operation_points_at_the_argument(tmp_path: Path) -> None:
    project = write(tmp_path / "p", "type Post @model @auth(rules: [{allow: owner}]) { id: ID! }\n", [])
    result = invoke("explain", str(project), "--operation", "Mutation.nope", "--user", "bob")
    assert result.exit_code == 1
    assert "<input>" not in result.stderr
    assert "--operation: unknown operation 'Mutation.nope'" in result.stderr


@pytest.mark.parametrize("columns", [60, 160])
def test_explain_keeps_role_names_whole(tmp_path: Path, columns: int) -> None:
    schema = 'type Post @model @auth(rules: [{allow: groups, groups: ["ExtraordinarilyLongAdministratorsGroup"]}, {allow: owner}]) { id: ID! }\n'
    project = write(tmp_path / "p", schema, ["ExtraordinarilyLongAdministratorsGroup"])
    result = invoke("explain", str(project), "--operation", "Mutation.createPost", "--user", "bob", columns=columns)
    assert result.exit_code == 0, result.output
    role = "userPools:staticGroup:ExtraordinarilyLongAdministratorsGroup:cognito:groups"
    lines = result.stdout.splitlines()
    assert any(role in line for line in lines), result.stdout
    assert "not in group ExtraordinarilyLongAdministratorsGroup (cognito:groups: none)" in " ".join(
        line.strip() for line in lines
    )
    # a role name longer than the terminal stays whole on its line; the reasons wrap to fit
    reasons = [line for line in lines if line.startswith(("✓", "✗", "    ")) and role not in line]
    assert reasons and max(len(line.rstrip()) for line in reasons) <= columns, result.stdout


@pytest.mark.parametrize(("columns", "grid"), [(70, False), (250, True)])
def test_access_tables_keep_policy_paths_whole(columns: int, grid: bool) -> None:
    blog = Path(__file__).resolve().parents[1] / "samples" / "blog"
    result = invoke(
        "access", "--user", "alice", "--groups", "Admins", "--storage", str(blog / "storage.json"),
        "--group-file", str(blog / "user-pool-group-precedence.json"), columns=columns,
    )
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert ("┃ location" in result.stderr) is grid
    assert sum("Admins-group-s3-policy/Statement[0]" in line for line in lines) >= 7, result.stderr
    table_lines = lines[3:]
    assert max(len(line.rstrip()) for line in table_lines if not line.startswith("note:")) <= columns
