"""The project's `.gqlauth/` state: found from anywhere in the project, private, stable once created."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from resolvers.issuer import issue_credentials
from resolvers.local_state import LocalState, LocalStateError, find_project
from transformer.environment import AuthEnvironment


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_state_directory_and_files_are_private(tmp_path: Path) -> None:
    state = LocalState.open(tmp_path)
    state.issuer_settings()
    state.dev_api_key()
    state.environment()
    assert _mode(state.dir) == 0o700
    files = [path for path in state.dir.iterdir() if path.is_file()]
    assert {path.name for path in files} >= {"issuer.json", "api-keys.json", "environment.json"}
    assert all(_mode(path) == 0o600 for path in files)
    assert not [path for path in files if path.name.endswith(".tmp")]


def test_issuer_key_and_client_id_are_stable_across_opens(tmp_path: Path) -> None:
    first = LocalState.open(tmp_path).issuer_settings()
    second = LocalState.open(tmp_path).issuer_settings()
    assert first.kid == second.kid and first.client_id == second.client_id
    assert first.private_key().public_key().public_numbers() == second.private_key().public_key().public_numbers()


def test_dev_api_key_looks_like_appsync_and_is_kept(tmp_path: Path) -> None:
    key = LocalState.open(tmp_path).dev_api_key()
    assert key.key.startswith("da2-") and len(key.key) == 30
    assert LocalState.open(tmp_path).dev_api_key().key == key.key
    assert [k.key for k in LocalState.open(tmp_path).api_keys()] == [key.key]


def test_environment_is_persisted_and_can_be_replaced(tmp_path: Path) -> None:
    state = LocalState.open(tmp_path)
    assert state.environment() == AuthEnvironment()
    custom = AuthEnvironment(region="eu-west-1", account_id="111122223333", user_pool_id="eu-west-1_X")
    state.save_environment(custom)
    assert LocalState.open(tmp_path).environment() == custom
    assert LocalState.open(tmp_path).environment().issuer.endswith("/eu-west-1_X")


def test_corrupt_state_file_is_a_clear_error(tmp_path: Path) -> None:
    state = LocalState.open(tmp_path)
    state.path("issuer.json").write_text("{not json")
    with pytest.raises(LocalStateError, match="corrupt local state.*delete the file"):
        LocalState.open(tmp_path).issuer_settings()


def test_find_project_walks_up_to_the_schema(tmp_path: Path) -> None:
    (tmp_path / "schema.graphql").write_text("type Query { a: Int }")
    deep = tmp_path / "src" / "components"
    deep.mkdir(parents=True)
    assert find_project(deep) == tmp_path.resolve()


def test_find_project_stops_at_the_nearest_state_directory(tmp_path: Path) -> None:
    (tmp_path / "schema.graphql").write_text("")
    inner = tmp_path / "inner"
    (inner / ".gqlauth").mkdir(parents=True)
    assert find_project(inner / ".gqlauth") == inner.resolve()


def test_schema_inside_an_amplify_project_belongs_to_the_project_root(tmp_path: Path) -> None:
    api = tmp_path / "amplify" / "backend" / "api" / "blog"
    api.mkdir(parents=True)
    (api / "schema.graphql").write_text("")
    assert find_project(api) == tmp_path.resolve()
    assert find_project(tmp_path, explicit=api / "schema.graphql") == tmp_path.resolve()
    assert find_project(tmp_path / "amplify") == tmp_path.resolve()


def test_explicit_project_wins_and_must_exist(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    assert find_project(Path("/"), explicit=other) == other.resolve()
    with pytest.raises(LocalStateError, match="no such project directory"):
        find_project(tmp_path, explicit=tmp_path / "missing")


def test_no_project_found_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LocalStateError, match="no project found.*--project DIR"):
        find_project(tmp_path)


def test_state_directory_is_kept_out_of_git_and_tightened(tmp_path: Path) -> None:
    (tmp_path / ".gqlauth").mkdir(mode=0o755)
    (tmp_path / ".gqlauth").chmod(0o755)
    state = LocalState.open(tmp_path)
    assert _mode(state.dir) == 0o700
    assert "*" in (state.dir / ".gitignore").read_text().splitlines()


def test_concurrent_first_use_agrees_on_one_issuer_key(tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=6) as pool:
        kids = set(pool.map(lambda _: LocalState.open(tmp_path).issuer_settings().kid, range(6)))
    assert len(kids) == 1


def test_credentials_issued_elsewhere_are_seen_by_a_running_server(tmp_path: Path) -> None:
    server = LocalState.open(tmp_path)
    assert server.find_credentials("ASIANOTHINGYET000000") is None
    cli = LocalState.open(tmp_path)
    first = issue_credentials(cli, cli.environment(), role_arn="arn:aws:iam::123456789012:role/r", authenticated=False)
    assert server.find_credentials(first.access_key_id) == first
    second = issue_credentials(cli, cli.environment(), role_arn="arn:aws:iam::123456789012:role/r", authenticated=False)
    assert server.find_credentials(second.access_key_id) == second
    assert server.find_credentials(first.access_key_id) == first
