"""`transform` replaces only a build folder it made: a user's files are never lost to `-o`.

Each case runs at the root of a temporary Amplify + React app (or a temporary copy of `samples/`),
takes a snapshot of every file, and checks that a refused transform exits 2 and changes nothing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sample_copies import SAMPLES, copy_sample

from transformer.cli import cli
from transformer.output_folder import MARKER_FILE, BuildMarker, UnsafeOutputFolder, check_output_folder

REPO = Path(__file__).resolve().parents[1]
BLOG = REPO / "samples" / "blog"
MODES = "userPools,apiKey,iam"
API_DIR = Path("amplify/backend/api/blogapp")
AUTH_DIR = Path("amplify/backend/auth/blogauth/userPoolGroups")


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file and folder under `root`, with file contents, so that any change shows."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))
    }


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A frontend app with an Amplify backend, as the current directory."""
    root = tmp_path / "my-app"
    (root / "src").mkdir(parents=True)
    (root / "src" / "App.js").write_text("export default function App() { return null }\n", encoding="utf-8")
    (root / "build").mkdir()
    (root / "build" / "index.html").write_text("<!doctype html><title>my app</title>\n", encoding="utf-8")
    (root / "package.json").write_text('{"name": "my-app"}\n', encoding="utf-8")
    (root / API_DIR).mkdir(parents=True)
    shutil.copy(BLOG / "schema.graphql", root / API_DIR / "schema.graphql")
    (root / AUTH_DIR).mkdir(parents=True)
    shutil.copy(BLOG / "user-pool-group-precedence.json", root / AUTH_DIR / "user-pool-group-precedence.json")
    monkeypatch.chdir(root)
    return root


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["transform", *args, "--auth-modes", MODES])


def assert_refused(result: Result, root: Path, before: dict[str, bytes | None], *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "refusing to write the build" in result.stderr and "nothing was changed" in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert snapshot(root) == before


@pytest.mark.parametrize(
    ("out", "reason"),
    [
        (".", "contains amplify/backend/api/blogapp/schema.graphql"),
        ("src", "not empty (App.js)"),
        ("build", "not empty (index.html)"),
        ("amplify", "contains"),
        (str(API_DIR), "holds schema.graphql"),
        (str(AUTH_DIR), "holds user-pool-group-precedence.json"),
        ("..", "contains"),
    ],
)
def test_a_folder_gqlauth_did_not_make_is_refused_and_untouched(app: Path, out: str, reason: str) -> None:
    before = snapshot(app.parent)
    assert_refused(run(".", "-o", out), app.parent, before, reason)


def test_the_default_build_folder_of_a_frontend_is_refused(app: Path) -> None:
    before = snapshot(app)
    assert_refused(run("."), app, before, "index.html", MARKER_FILE)


def test_the_current_directory_is_refused_even_when_it_holds_no_input(app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = app.parent / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    before = snapshot(app.parent)
    assert_refused(run(str(app), "-o", "."), app.parent, before, "current directory")


def test_a_file_is_refused(app: Path) -> None:
    before = snapshot(app)
    result = run(".", "-o", "package.json")
    assert result.exit_code == 2 and "is a file" in result.stderr
    with pytest.raises(UnsafeOutputFolder, match="not a folder"):
        check_output_folder(Path("package.json"), [app / API_DIR / "schema.graphql"])
    assert snapshot(app) == before


def test_a_folder_with_a_foreign_marker_is_refused(app: Path) -> None:
    (app / "out").mkdir()
    (app / "out" / MARKER_FILE).write_text('{"generator": "something-else"}', encoding="utf-8")
    before = snapshot(app)
    assert_refused(run(".", "-o", "out"), app, before, "not empty")


@pytest.fixture
def samples_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = copy_sample(SAMPLES, tmp_path / "checkout" / "samples")
    monkeypatch.chdir(copy.parent)
    return copy


@pytest.mark.parametrize("out", ["samples", "samples/blog"])
def test_the_samples_folder_is_refused(samples_copy: Path, out: str) -> None:
    before = snapshot(samples_copy)
    assert_refused(run("samples/blog", "-o", out), samples_copy, before, "samples")


def test_a_new_nested_folder_is_created_with_the_marker(app: Path) -> None:
    result = run(".", "-o", "gen/api/build")
    assert result.exit_code == 0, result.output
    out = app / "gen" / "api" / "build"
    BuildMarker.model_validate(json.loads((out / MARKER_FILE).read_text(encoding="utf-8")))
    assert (out / "schema.graphql").is_file() and (out / "access-matrix.json").is_file()
    assert (app / "src" / "App.js").is_file() and (app / "build" / "index.html").is_file()


def test_an_empty_folder_is_used(app: Path) -> None:
    (app / "api-build").mkdir()
    result = run(".", "-o", "api-build")
    assert result.exit_code == 0, result.output
    assert (app / "api-build" / MARKER_FILE).is_file()


def test_a_previous_gqlauth_build_is_replaced_as_a_whole(app: Path) -> None:
    assert run(".", "-o", "api-build").exit_code == 0
    (app / "api-build" / "leftover.txt").write_text("from an older build", encoding="utf-8")
    result = run(".", "-o", "api-build")
    assert result.exit_code == 0, result.output
    names = {p.name for p in (app / "api-build").iterdir()}
    assert "leftover.txt" not in names and {MARKER_FILE, "schema.graphql", "stack.json"} <= names
    assert [p.name for p in app.iterdir() if p.name.startswith(".api-build")] == []


def test_the_marker_is_not_listed_among_the_outputs(app: Path) -> None:
    result = run(".", "-o", "api-build")
    assert result.exit_code == 0, result.output
    assert MARKER_FILE not in result.stderr


def test_sample_copies_leave_out_what_the_readme_tour_leaves_behind(tmp_path: Path) -> None:
    """The tour serves `samples/blog` in place: its `.gqlauth/` store, keys and scratch files must not
    reach the temporary copies the tests run on."""
    sample = copy_sample(SAMPLES / "blog", tmp_path / "blog")
    inputs = snapshot(sample)
    (sample / ".gqlauth").mkdir()
    (sample / ".gqlauth" / "data.sqlite3").write_bytes(b"SQLite format 3\x00")
    (sample / ".gqlauth" / "p1.json").write_text('{"id": "p1"}', encoding="utf-8")
    (sample / "build").mkdir()
    (sample / "build" / MARKER_FILE).write_text("{}", encoding="utf-8")
    assert snapshot(copy_sample(sample, tmp_path / "copy")) == inputs


def test_the_home_folder_and_the_file_system_root_are_refused(
    app: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    inputs = [app / API_DIR / "schema.graphql"]
    with pytest.raises(UnsafeOutputFolder, match="home folder"):
        check_output_folder(home, inputs)
    with pytest.raises(UnsafeOutputFolder, match="root of the file system"):
        check_output_folder(Path("/"), inputs)
    assert list(home.iterdir()) == []
