"""Every case of the blog conformance suite as a GraphQL request against the in-process app.

Identities are presented as a client would: a token signed with the recorded claims, the API key
header, or a SigV4-signed request with credentials registered for the recorded IAM identity.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from starlette.testclient import TestClient

from resolvers.authenticate import Authenticator
from resolvers.issuer import register_identity_credentials, sign_claims
from resolvers.local_state import LocalState
from resolvers.server.app import create_app
from resolvers.server.bindings import store_layouts
from resolvers.store import Store
from resolvers.suite import AUTH_MODES, Suite, SuiteCase, load_suite
from resolvers.token_verify import TokenVerifier
from transformer.project import load_project

SUITE_PATH = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "blog" / "suite.json"
if not SUITE_PATH.exists():
    pytest.skip("the shared conformance suite is not available", allow_module_level=True)

SUITE: Suite = load_suite(SUITE_PATH)


class SuiteServer:
    def __init__(self, tmp: Path) -> None:
        settings = SUITE.settings
        self.env = settings.environment()
        project, diagnostics = load_project(SUITE_PATH.parent / SUITE.schema_file,
                                            group_file_path=SUITE_PATH.parent / SUITE.userPoolGroups,
                                            auth_modes=[AUTH_MODES[m] for m in SUITE.authModes],
                                            parameters=settings.transformParameters.to_parameters(),
                                            environment=self.env)
        assert project is not None, diagnostics
        self.project = project
        self.state = LocalState.open(tmp)
        issuer = "https://cognito-idp.us-east-1.amazonaws.com/" + (settings.userPoolId or "")
        verifier = TokenVerifier.local(self.state, issuer=issuer, client_id="oracleclientid")
        self.authenticator = Authenticator(self.state, self.env, SUITE.authModes, user_pool_verifier=verifier,
                                           api_keys=settings.apiKeys)
        self.store = Store(":memory:", store_layouts(project.matrix, project.schema))
        self.app = create_app(project, self.store, self.authenticator, state=self.state, env=self.env)
        self.client = TestClient(self.app, base_url="http://127.0.0.1:20002")
        self.credentials: dict[str, Any] = {}

    def send(self, case: SuiteCase) -> dict[str, Any]:
        assert case.graphql is not None
        body = json.dumps({"query": case.graphql.query, "variables": case.graphql.variables or {},
                           "operationName": case.graphql.operationName}).encode()
        headers = {"content-type": "application/json; charset=UTF-8"}
        who = SUITE.identities[case.identity]
        if who.authType == "apiKey":
            headers.update(who.headers or {})
        elif who.authType in ("userPools", "oidc"):
            headers["authorization"] = sign_claims(self.state, who.identity["claims"])
        elif who.authType == "iam":
            record = self.credentials.get(case.identity)
            if record is None:
                record = register_identity_credentials(self.state, who.to_identity())
                self.credentials[case.identity] = record
            request = AWSRequest(method="POST", url="http://127.0.0.1:20002/graphql", data=body,
                                 headers={**headers, "host": "127.0.0.1:20002"})
            SigV4Auth(Credentials(record.access_key_id, record.secret_access_key, record.session_token),
                      "appsync", self.env.region).add_auth(request)
            headers = dict(request.headers.items())
        response = self.client.post("/graphql", content=body, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> SuiteServer:
    return SuiteServer(tmp_path_factory.mktemp("suite"))


def _at(data: Any, path: list[Any]) -> Any:
    for part in path:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _error_path(path: list[Any], data: dict[str, Any]) -> list[Any]:
    """Replace list indexes by the item's id, as the suite writes paths."""
    out: list[Any] = []
    current: Any = data
    for part in path:
        if isinstance(part, int) and isinstance(current, list):
            item = current[part] if part < len(current) else None
            out.append(item.get("id") if isinstance(item, dict) else part)
            current = item
        else:
            out.append(part)
            current = current.get(part) if isinstance(current, dict) else None
    return out


CASES = [case for case in SUITE.cases if case.graphql is not None]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(server: SuiteServer, case: SuiteCase) -> None:
    server.store.reset([SUITE.items[key] for key in case.items])
    result = server.send(case)
    data = result.get("data") or {}
    errors = result.get("errors") or []
    expect = case.expect
    root = (case.graphql.expectPath or [case.operation.split(".")[1]])[0] if case.graphql else None
    operation_path = [root]
    root_errors = [e for e in errors if e.get("path") == operation_path]
    if case.operation.split(".")[0] in ("Query", "Mutation", "Subscription"):
        if expect.allowed:
            assert not root_errors, root_errors
        else:
            assert root_errors and root_errors[0]["errorType"] == expect.errorType
            assert root_errors[0]["message"] == expect.message
            assert data.get(root) is None
            return
    elif expect.parent is not None and not expect.parent.allowed:
        assert root_errors and root_errors[0]["message"] == expect.parent.message
        assert data.get(root) is None
        return
    else:
        value_path = case.graphql.expectPath
        field_errors = [e for e in errors if e.get("path") == value_path]
        if expect.allowed:
            assert not field_errors, field_errors
            assert _at(data, value_path) == (expect.result or {}).get(value_path[-1])
        else:
            assert field_errors and field_errors[0]["errorType"] == expect.errorType
            assert field_errors[0]["message"] == expect.message
            assert _at(data, value_path) is None
        return
    value = data.get(root)
    if expect.visibleIds is not None:
        assert sorted(item["id"] for item in value["items"]) == expect.visibleIds
    if expect.fields is not None:
        if expect.visibleIds is not None:
            by_id = {item["id"]: item for item in value["items"]}
            for item_id, fields in expect.fields.items():
                assert {k: by_id[item_id].get(k) for k in fields} == fields
        else:
            assert value is not None
            assert {k: value.get(k) for k in expect.fields} == expect.fields
    if expect.fieldErrors is not None:
        got = sorted((tuple(map(str, _error_path(e["path"], data))), e.get("errorType"), e["message"])
                     for e in errors if e.get("path") != operation_path)
        want = sorted((tuple(map(str, fe.path)), fe.errorType, fe.message) for fe in expect.fieldErrors)
        assert got == want
    if expect.result is not None and case.operation.startswith("Mutation."):
        stored = next((r for r in server.store.dump() if r.get("id") == (value or {}).get("id")), None)
        if case.operation.split(".")[1].startswith("delete"):
            assert stored is None
        else:
            assert stored is not None
            assert {k: stored.get(k) for k in expect.result} == expect.result
