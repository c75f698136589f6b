"""Every conformance case gives the same outcome through the emitted templates as recorded (or required)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from resolvers.cli import cli
from resolvers.suite import run_suite
from resolvers.vtl_engine.suite_engine import register, run_vtl_suite

SUITES = sorted((Path(__file__).parent / "conformance").glob("*/suite.json"))


@pytest.mark.parametrize("suite_path", SUITES, ids=[p.parent.name for p in SUITES])
def test_every_case_matches_through_the_templates(suite_path: Path) -> None:
    report = run_vtl_suite(suite_path)
    failures = {r.id: r.mismatches for r in report.results if not r.passed}
    assert report.results
    assert failures == {}


def test_vtl_engine_plugs_into_run_suite() -> None:
    register()
    report = run_suite(SUITES[0], engine="vtl")
    assert report.engine == "vtl"
    assert report.failed == 0
    assert report.passed == len(report.results)


def test_gqlauth_test_runs_suites_through_the_templates() -> None:
    result = CliRunner().invoke(cli, ["test", "--engine", "vtl", *map(str, SUITES)])
    assert result.exit_code == 0, result.output
    assert "0 failed" in result.output
