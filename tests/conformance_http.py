"""Running conformance cases as HTTP requests: presenting a suite identity as a client would, and
checking the response (and the stored result) against the case's expectation."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from resolvers.issuer import register_identity_credentials, sign_claims
from resolvers.local_state import IamCredentialRecord, LocalState
from resolvers.suite import Suite, SuiteCase, load_suite

SUITE_PATH = Path(__file__).parent / "conformance" / "blog" / "suite.json"
SUITE: Suite | None = load_suite(SUITE_PATH) if SUITE_PATH.exists() else None
SUITE_CLIENT_ID = "oracleclientid"


class SuiteClient:
    """Builds each case's request (body and headers) for one server URL."""

    def __init__(self, suite: Suite, state: LocalState, url: str, region: str) -> None:
        self.suite, self.state, self.url, self.region = suite, state, url, region
        self.credentials: dict[str, IamCredentialRecord] = {}

    def request(self, case: SuiteCase) -> tuple[bytes, dict[str, str]]:
        assert case.graphql is not None
        body = json.dumps({"query": case.graphql.query, "variables": case.graphql.variables or {},
                           "operationName": case.graphql.operationName}).encode()
        headers = {"content-type": "application/json; charset=UTF-8"}
        who = self.suite.identities[case.identity]
        if who.authType == "apiKey":
            headers.update(who.headers or {})
        elif who.authType in ("userPools", "oidc"):
            headers["authorization"] = sign_claims(self.state, (who.identity or {})["claims"])
        elif who.authType == "iam":
            record = self.credentials.get(case.identity)
            if record is None:
                record = self.credentials[case.identity] = register_identity_credentials(self.state, who.to_identity())
            host = self.url.split("://", 1)[1].split("/", 1)[0]
            signed = AWSRequest(method="POST", url=self.url, data=body, headers={**headers, "host": host})
            SigV4Auth(Credentials(record.access_key_id, record.secret_access_key, record.session_token),
                      "appsync", self.region).add_auth(signed)
            headers = dict(signed.headers.items())
        return body, headers


def _at(data: Any, path: list[Any]) -> Any:
    for part in path:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _error_path(path: list[Any], data: dict[str, Any]) -> list[Any]:
    """List indexes replaced by the item's id, as the suite writes paths."""
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


def check_case(case: SuiteCase, result: dict[str, Any], stored_records: Callable[[], list[dict[str, Any]]]) -> None:
    """Assert the response (and, for writes, the stored record) matches the case's expectation."""
    assert case.graphql is not None
    data = result.get("data") or {}
    errors = result.get("errors") or []
    expect = case.expect
    root = (case.graphql.expectPath or [case.operation.split(".")[1]])[0]
    operation_path = [root]
    root_errors = [e for e in errors if e.get("path") == operation_path]
    if case.operation.split(".")[0] in ("Query", "Mutation", "Subscription"):
        if not expect.allowed:
            assert root_errors and root_errors[0]["errorType"] == expect.errorType
            assert root_errors[0]["message"] == expect.message
            assert data.get(root) is None
            return
        assert not root_errors, root_errors
    elif expect.parent is not None and not expect.parent.allowed:
        assert root_errors and root_errors[0]["message"] == expect.parent.message
        assert data.get(root) is None
        return
    else:
        value_path = case.graphql.expectPath or []
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
        stored = next((r for r in stored_records() if r.get("id") == (value or {}).get("id")), None)
        if case.operation.split(".")[1].startswith("delete"):
            assert stored is None
        else:
            assert stored is not None
            assert {k: stored.get(k) for k in expect.result} == expect.result
