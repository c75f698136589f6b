"""Every conformance case passes through the guards, via `run_suite` and via `gqlauth test`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from resolvers.cli import cli
from resolvers.suite import run_suite

CONFORMANCE = Path(__file__).parent / "conformance"
BLOG = CONFORMANCE / "blog" / "suite.json"
FEATURES = CONFORMANCE / "features" / "suite.json"


@pytest.mark.parametrize(("path", "count"), [(BLOG, 62), (FEATURES, 35)])
def test_every_case_passes(path: Path, count: int) -> None:
    report = run_suite(path)
    failures = {r.id: r.mismatches for r in report.results if not r.passed}
    assert failures == {}
    assert (report.passed, report.failed) == (count, 0)


def test_gqlauth_test_runs_all_suites() -> None:
    result = CliRunner().invoke(cli, ["test", str(BLOG), str(FEATURES)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "97 passed, 0 failed"


def _copy_blog(tmp_path: Path) -> Path:
    target = tmp_path / "blog"
    shutil.copytree(BLOG.parent, target)
    return target / "suite.json"


def _edit_case(path: Path, case_id: str, **expect: object) -> None:
    suite = json.loads(path.read_text())
    case = next(c for c in suite["cases"] if c["id"] == case_id)
    case["expect"].update(expect)
    path.write_text(json.dumps(suite))


def test_a_wrong_expectation_fails_with_the_explanation(tmp_path: Path) -> None:
    path = _copy_blog(tmp_path)
    _edit_case(path, "create-post-alice-owner-bob", allowed=True, errorType=None, message=None)
    result = CliRunner().invoke(cli, ["test", str(path)])
    assert result.exit_code == 1
    assert "FAIL blog :: create-post-alice-owner-bob" in result.output
    assert "allowed: expected True, got False" in result.output
    assert "userPools:owner:owner:sub::username" in result.output
    assert result.output.strip().splitlines()[-1] == "61 passed, 1 failed"


@pytest.mark.parametrize(
    ("case_id", "change"),
    [
        ("update-post-alice-own", {"result": {"id": "p1", "title": "wrong"}}),
        ("list-posts-bob", {"visibleIds": ["p1"]}),
        ("get-post-bob-private-read", {"fieldErrors": []}),
        ("update-post-alice-reassign-owner", {"fields": {"owner": "alice"}}),
        ("field-internal-notes-iam-authenticated", {"parent": {"operation": "Query.getPost", "allowed": True,
                                                               "errorType": None, "message": None}}),
    ],
)
def test_each_compared_part_can_fail(tmp_path: Path, case_id: str, change: dict[str, object]) -> None:
    path = _copy_blog(tmp_path)
    _edit_case(path, case_id, **change)
    report = run_suite(path)
    assert [r.id for r in report.results if not r.passed] == [case_id]


def test_unreadable_suite_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["test", str(tmp_path / "missing.json")])
    assert result.exit_code == 2
    assert "cannot read" in result.output


def test_invalid_suites_are_input_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert CliRunner().invoke(cli, ["test", str(broken)]).exit_code == 1
    path = _copy_blog(tmp_path)
    suite = json.loads(path.read_text())
    suite["cases"][0]["identity"] = "nobody"
    path.write_text(json.dumps(suite))
    result = CliRunner().invoke(cli, ["test", str(path)])
    assert result.exit_code == 1
    assert "unknown identity 'nobody'" in result.output


def test_unknown_engine_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["test", str(BLOG), "--engine", "nope"])
    assert result.exit_code == 2
    assert "unknown engine" in result.output


def test_json_report() -> None:
    result = CliRunner().invoke(cli, ["test", str(FEATURES), "--json"])
    assert result.exit_code == 0
    payload = json.loads(result.output)
    assert (payload["passed"], payload["failed"]) == (35, 0)
    assert payload["reports"][0]["suite"] == "features"
