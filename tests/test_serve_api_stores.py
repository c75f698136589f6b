"""Each API of an Amplify project with several APIs has its own store (`.gqlauth/<api>/`), so that
`serve --api shop` and `serve --api admin` never see each other's records; a project with one API
keeps its store in `.gqlauth/` as before. Keys and credentials stay shared."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from resolvers.cli import cli as gqlauth
from resolvers.commands.serve import DB_FILE_NAME, open_project, open_store

SCHEMA = """type Post @model @auth(rules: [{allow: owner}, {allow: public}]) {
  id: ID!
  title: String
}
"""


def _project(root: Path, apis: list[str]) -> Path:
    for api in apis:
        folder = root / "amplify" / "backend" / "api" / api
        folder.mkdir(parents=True)
        (folder / "schema.graphql").write_text(SCHEMA)
    return root


def _records(path: Path, post_id: str) -> Path:
    path.write_text(json.dumps([{"__typename": "Post", "id": post_id, "title": "t", "owner": "alice"}]))
    return path


def _dump(root: Path, *api: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(gqlauth, ["data", "dump", "--project", str(root), *api])
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))


def _load(root: Path, file: Path, *api: str) -> None:
    result = CliRunner().invoke(gqlauth, ["data", "load", str(file), "--project", str(root), *api])
    assert result.exit_code == 0, result.output


def test_two_apis_keep_separate_stores(tmp_path: Path) -> None:
    root = _project(tmp_path / "app", ["shop", "admin"])
    _load(root, _records(tmp_path / "shop.json", "s1"), "--api", "shop")
    _load(root, _records(tmp_path / "admin.json", "a1"), "--api", "admin")
    assert [r["id"] for r in _dump(root, "--api", "shop")] == ["s1"]
    assert [r["id"] for r in _dump(root, "--api", "admin")] == ["a1"]
    state = root / ".gqlauth"
    assert (state / "shop" / DB_FILE_NAME).is_file() and (state / "admin" / DB_FILE_NAME).is_file()
    assert not (state / DB_FILE_NAME).exists()
    assert (state / "shop").stat().st_mode & 0o077 == 0


def test_serve_opens_the_store_of_the_api_it_serves(tmp_path: Path) -> None:
    root = _project(tmp_path / "app", ["shop", "admin"])
    _load(root, _records(tmp_path / "shop.json", "s1"), "--api", "shop")
    for api, expected in (("shop", ["s1"]), ("admin", [])):
        opened = open_project(root, None, None, show_warnings=False, api=api)
        with open_store(opened, None) as store:
            assert [r["id"] for r in store.dump()] == expected
        assert opened.state.dir == root.resolve() / ".gqlauth"


def test_one_api_keeps_the_store_in_the_state_folder(tmp_path: Path) -> None:
    root = _project(tmp_path / "app", ["shop"])
    _load(root, _records(tmp_path / "shop.json", "s1"))
    assert (root / ".gqlauth" / DB_FILE_NAME).is_file()
    assert not (root / ".gqlauth" / "shop").exists()
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "schema.graphql").write_text(SCHEMA)
    _load(plain, _records(tmp_path / "plain.json", "p1"))
    assert (plain / ".gqlauth" / DB_FILE_NAME).is_file()
    assert [r["id"] for r in _dump(plain)] == ["p1"]
