"""Every case of the blog conformance suite as a GraphQL request against the in-process app.

Identities are presented as a client would: a token signed with the recorded claims, the API key
header, or a SigV4-signed request with credentials registered for the recorded IAM identity.
"""

from __future__ import annotations

import pytest
from conformance_app_support import SuiteApp
from conformance_http import SUITE, check_case

from resolvers.suite import SuiteCase

if SUITE is None:
    pytest.skip("the shared conformance suite is not available", allow_module_level=True)
assert SUITE is not None
CASES = [case for case in SUITE.cases if case.graphql is not None]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> SuiteApp:
    assert SUITE is not None
    return SuiteApp(SUITE, tmp_path_factory.mktemp("suite"))


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(server: SuiteApp, case: SuiteCase) -> None:
    response = server.post_case(case)
    assert response.status_code == 200, response.text
    check_case(case, response.json(), server.store.dump)
