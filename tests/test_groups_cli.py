"""`gqlauth groups`: list, add, remove (refused while rules name the group), order; atomic, lossless edits."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from transformer.cli import cli

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "blog"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    shutil.copy(SAMPLES / "schema.graphql", tmp_path / "schema.graphql")
    data = json.loads((SAMPLES / "user-pool-group-precedence.json").read_text())
    data[1]["note"] = {"kept": True}  # an unknown key on Editors
    (tmp_path / "user-pool-group-precedence.json").write_text(json.dumps(data, indent=2) + "\n")
    return tmp_path


def _run(project: Path, *args: str) -> tuple[int, str, str]:
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(project)
    try:
        result = runner.invoke(cli, ["groups", *args])
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stdout, result.stderr


def _groups(project: Path) -> list[dict[str, object]]:
    return json.loads((project / "user-pool-group-precedence.json").read_text())


def test_list_json_in_precedence_order(project: Path) -> None:
    code, out, _ = _run(project, "list", "--json")
    assert code == 0
    listed = json.loads(out)["groups"]
    assert [(g["groupName"], g["precedence"]) for g in listed] == [("Admins", 1), ("Editors", 2), ("Viewers", 3)]
    assert listed[0]["customPolicies"] == ["admin-group-policy"]


def test_list_table_goes_to_stderr(project: Path) -> None:
    code, out, err = _run(project, "list")
    assert code == 0 and out == ""
    assert "Admins" in err and "admin-group-policy" in err


def test_add_defaults_to_max_plus_one_and_keeps_everything(project: Path) -> None:
    before = _groups(project)
    code, _, err = _run(project, "add", "Moderators")
    assert code == 0, err
    after = _groups(project)
    assert after[:3] == before
    assert after[3] == {"groupName": "Moderators", "precedence": 4}
    assert after[1]["note"] == {"kept": True}
    assert (project / "user-pool-group-precedence.json").read_text().endswith("}\n]\n")


def test_add_with_precedence_and_tie_warning(project: Path) -> None:
    code, _, err = _run(project, "add", "Reviewers", "--precedence", "2")
    assert code == 0
    assert _groups(project)[3] == {"groupName": "Reviewers", "precedence": 2}
    assert "same precedence (2)" in err


@pytest.mark.parametrize(
    ("name", "message"),
    [("Admins", 'group "Admins" already exists'), ("Team A", "whitespace"), ("x" * 129, "1 to 128 characters")],
)
def test_add_rejects_invalid_names(project: Path, name: str, message: str) -> None:
    before = (project / "user-pool-group-precedence.json").read_bytes()
    code, _, err = _run(project, "add", name)
    assert code == 1
    assert message in err
    assert (project / "user-pool-group-precedence.json").read_bytes() == before


def test_add_creates_the_file_when_missing(tmp_path: Path) -> None:
    code, _, err = _run(tmp_path, "add", "Admins")
    assert code == 0, err
    assert _groups(tmp_path) == [{"groupName": "Admins", "precedence": 1}]


def test_remove_refused_while_a_rule_names_the_group(project: Path) -> None:
    before = (project / "user-pool-group-precedence.json").read_bytes()
    code, _, err = _run(project, "remove", "Editors")
    assert code == 1
    assert '"Editors" is still named by 2 rule(s)' in err and "schema.graphql:" in err
    assert (project / "user-pool-group-precedence.json").read_bytes() == before


def test_remove_with_force(project: Path) -> None:
    code, _, _ = _run(project, "remove", "Editors", "--force")
    assert code == 0
    assert [g["groupName"] for g in _groups(project)] == ["Admins", "Viewers"]
    assert _groups(project)[0]["customPolicies"]


def test_remove_unused_group(project: Path) -> None:
    code, _, err = _run(project, "remove", "Viewers", "--schema", str(project / "schema.graphql"))
    assert code == 0, err
    assert [g["groupName"] for g in _groups(project)] == ["Admins", "Editors"]


def test_remove_refused_without_a_schema_to_check(project: Path) -> None:
    (project / "schema.graphql").unlink()
    code, _, err = _run(project, "remove", "Viewers")
    assert code == 1 and "no schema found" in err


def test_remove_refused_when_the_schema_has_errors(project: Path) -> None:
    (project / "schema.graphql").write_text("type Post @model @auth(rules: [{allow: groups}]) { id: ID! }")
    code, _, err = _run(project, "remove", "Viewers")
    assert code == 1 and "cannot be checked" in err


def test_remove_unknown_group(project: Path) -> None:
    code, _, err = _run(project, "remove", "Nobody")
    assert code == 1 and 'no group "Nobody"' in err


def test_order_renumbers_and_keeps_keys_and_file_order(project: Path) -> None:
    code, _, err = _run(project, "order", "Viewers", "Admins")
    assert code == 0, err
    after = _groups(project)
    assert [(g["groupName"], g["precedence"]) for g in after] == [("Admins", 2), ("Editors", 3), ("Viewers", 1)]
    assert list(after[1]) == ["groupName", "precedence", "note"]
    assert after[0]["customPolicies"][0]["PolicyName"] == "admin-group-policy"


def test_order_back_is_byte_identical(project: Path) -> None:
    original = (project / "user-pool-group-precedence.json").read_bytes()
    _run(project, "order", "Viewers", "Editors", "Admins")
    code, _, _ = _run(project, "order", "Admins", "Editors", "Viewers")
    assert code == 0
    assert (project / "user-pool-group-precedence.json").read_bytes() == original


def test_order_rejects_unknown_and_repeated_names(project: Path) -> None:
    assert _run(project, "order", "Admins", "Ghosts")[0] == 1
    assert _run(project, "order", "Admins", "Admins")[0] == 2


def test_edits_refused_on_an_invalid_file(project: Path) -> None:
    (project / "user-pool-group-precedence.json").write_text('[{"groupName": "A", "precedence": -1}]')
    code, _, err = _run(project, "add", "B")
    assert code == 1 and "[0].precedence" in err and "not changed" in err


def test_missing_group_file_is_a_usage_error(tmp_path: Path) -> None:
    assert _run(tmp_path, "order", "A")[0] == 2
    assert _run(tmp_path, "list")[0] == 2


def test_write_is_atomic_when_the_write_fails(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = project / "user-pool-group-precedence.json"
    before = target.read_bytes()

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    code, _, err = _run(project, "add", "Moderators")
    assert code == 2 and "cannot write: disk full" in err
    assert target.read_bytes() == before
    assert [p.name for p in project.iterdir() if p.name.endswith(".tmp")] == []


def test_explicit_group_file_option(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    code, out, _ = _run(elsewhere, "list", "--json", "--group-file", str(project / "user-pool-group-precedence.json"))
    assert code == 0 and len(json.loads(out)["groups"]) == 3


def test_add_creates_the_file_beside_the_schema(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    (tmp_path / "schema.graphql").write_text("type Post @model { id: ID! }")
    elsewhere = tmp_path_factory.mktemp("cwd")
    code, _, err = _run(elsewhere, "add", "Admins", "--schema", str(tmp_path / "schema.graphql"))
    assert code == 0, err
    assert _groups(tmp_path) == [{"groupName": "Admins", "precedence": 1}]
    assert not (elsewhere / "user-pool-group-precedence.json").exists()
