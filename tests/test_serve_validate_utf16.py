"""`@validate` minLength/maxLength count UTF-16 code units through `serve`, in both engines: the suite recorded from
Amplify (`tests/conformance/validate-utf16`), where "😀" counts 2, sent as GraphQL requests."""

from __future__ import annotations

from pathlib import Path

import pytest
from conformance_app_support import SuiteApp
from conformance_http import check_case

from resolvers.suite import Suite, SuiteCase, load_suite

SUITE_PATH = Path(__file__).parent / "conformance" / "validate-utf16" / "suite.json"
SUITE: Suite = load_suite(SUITE_PATH)
CASES = [case for case in SUITE.cases if case.graphql is not None]


@pytest.fixture(scope="module", params=["python", "vtl"])
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> SuiteApp:
    return SuiteApp(SUITE, tmp_path_factory.mktemp(f"utf16-{request.param}"), engine=request.param,
                    suite_path=SUITE_PATH)


def test_the_suite_tells_units_from_characters() -> None:
    outcomes = {case.id: case.expect.allowed for case in SUITE.cases}
    assert outcomes["create-two-astral-meets-min"] and not outcomes["create-four-astral-over-max"]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_recorded_case(app: SuiteApp, case: SuiteCase) -> None:
    response = app.post_case(case)
    assert response.status_code == 200, response.text
    check_case(case, response.json(), app.store.dump)
