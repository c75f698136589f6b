"""Transform parameters come from Amplify's cli.json and gqlauth.json; strict owner is opt-in."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from resolvers.guards import decide_update
from resolvers.identity import Identity
from transformer.project import load_project

SAMPLE = Path(__file__).parent.parent / "samples" / "blog"
ALICE = Identity.from_appsync(
    "userPools",
    {"sub": "s-alice", "username": "alice", "claims": {"sub": "s-alice", "cognito:username": "alice"}},
)
STORED = {"id": "p1", "title": "t", "owner": "s-alice::alice"}
REASSIGN = {"id": "p1", "owner": "s-bob::bob"}


def blog_copy(tmp_path: Path) -> Path:
    for name in ("schema.graphql", "user-pool-group-precedence.json"):
        shutil.copy(SAMPLE / name, tmp_path)
    return tmp_path / "schema.graphql"


def test_by_default_an_owner_may_reassign_ownership_as_in_amplify(tmp_path: Path) -> None:
    project, _ = load_project(blog_copy(tmp_path))
    assert project is not None and not project.matrix.parameters.strict_owner
    decision = decide_update(project.matrix, "Mutation.updatePost", ALICE, REASSIGN, STORED, project.environment)
    assert decision.allowed


def test_strict_owner_from_gqlauth_json_refuses_reassignment(tmp_path: Path) -> None:
    schema = blog_copy(tmp_path)
    (tmp_path / "gqlauth.json").write_text(json.dumps({"strictOwner": True}))
    project, _ = load_project(schema)
    assert project is not None and project.matrix.parameters.strict_owner
    decision = decide_update(project.matrix, "Mutation.updatePost", ALICE, REASSIGN, STORED, project.environment)
    assert not decision.allowed
    assert decision.error_type == "Unauthorized"
    kept = decide_update(project.matrix, "Mutation.updatePost", ALICE, {"id": "p1", "title": "x"}, STORED, project.environment)
    assert kept.allowed


def test_amplify_cli_json_flags_are_read(tmp_path: Path) -> None:
    schema = blog_copy(tmp_path)
    (tmp_path / "amplify").mkdir()
    (tmp_path / "amplify" / "cli.json").write_text(
        json.dumps({"features": {"graphqltransformer": {"useSubUsernameForDefaultIdentityClaim": False}}})
    )
    project, _ = load_project(schema)
    assert project is not None
    owner_roles = [r for r in project.matrix.models["Post"].roles.values() if r.kind.value == "owner"]
    assert [r.identity_claim for r in owner_roles] == ["username"]


def test_a_bad_settings_file_is_an_input_error_with_its_path(tmp_path: Path) -> None:
    schema = blog_copy(tmp_path)
    (tmp_path / "gqlauth.json").write_text(json.dumps({"strictOwner": "yes please"}))
    project, diagnostics = load_project(schema)
    assert project is None
    [problem] = [d for d in diagnostics if d.severity.value == "error"]
    assert problem.file == str(tmp_path / "gqlauth.json") and problem.json_path == ".strictOwner"
