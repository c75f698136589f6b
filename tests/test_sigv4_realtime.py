"""SigV4 over the AppSync real-time handshake (`/connect`, body `{}`) and each `start` (body = the data string)."""

from __future__ import annotations

import hashlib
import json

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from resolvers.identity import AuthenticationError
from resolvers.issuer import issue_credentials
from resolvers.local_state import IamCredentialRecord, LocalState
from resolvers.sigv4 import SigV4Verifier, canonical_request
from transformer.group_roles import unauthenticated_role_iam_arn

ENDPOINT = "https://127.0.0.1:8000/graphql"
DATA = json.dumps({"query": "subscription OnCreatePost {\n  onCreatePost {\n    id\n  }\n}\n", "variables": {}})
AMPLIFY_HEADERS = {
    "accept": "application/json, text/javascript",
    "content-encoding": "amz-1.0",
    "content-type": "application/json; charset=UTF-8",
    "host": "127.0.0.1:8000",
}


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> LocalState:
    return LocalState.open(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="module")
def guest(state: LocalState) -> IamCredentialRecord:
    env = state.environment()
    return issue_credentials(state, env, role_arn=unauthenticated_role_iam_arn(env), authenticated=False)


@pytest.fixture(scope="module")
def verifier(state: LocalState) -> SigV4Verifier:
    return SigV4Verifier(state.find_credentials, region="us-east-1")


def amplify_auth_headers(record: IamCredentialRecord, url: str, body: str) -> dict[str, str]:
    """What the library puts in the `header-…` subprotocol or `extensions.authorization`."""
    request = AWSRequest(method="POST", url=url, data=body.encode(), headers=dict(AMPLIFY_HEADERS))
    SigV4Auth(Credentials(record.access_key_id, record.secret_access_key, record.session_token), "appsync",
              "us-east-1").add_auth(request)
    return dict(request.headers.items())


def test_connect_signature_verifies(verifier: SigV4Verifier, guest: IamCredentialRecord) -> None:
    headers = amplify_auth_headers(guest, ENDPOINT + "/connect", "{}")
    assert verifier.verify_signed_payload(headers, "{}", path="/graphql/connect").auth_type == "unauthenticated"


def test_start_signature_verifies_over_the_exact_data_string(verifier: SigV4Verifier,
                                                             guest: IamCredentialRecord) -> None:
    headers = {**amplify_auth_headers(guest, ENDPOINT, DATA),
               "x-amz-user-agent": "aws-amplify/6.22.1 api/1 framework/100", "x-custom": "added after signing"}
    assert verifier.verify_signed_payload(headers, DATA, path="/graphql").access_key_id == guest.access_key_id


def test_start_with_changed_data_is_refused(verifier: SigV4Verifier, guest: IamCredentialRecord) -> None:
    headers = amplify_auth_headers(guest, ENDPOINT, DATA)
    changed = DATA.replace("onCreatePost", "onDeletePost")
    with pytest.raises(AuthenticationError, match="does not match"):
        verifier.verify_signed_payload(headers, changed, path="/graphql")
    with pytest.raises(AuthenticationError, match="does not match"):
        verifier.verify_signed_payload(headers, json.dumps(json.loads(DATA), separators=(",", ":")), path="/graphql")


def test_connect_signature_cannot_authorise_a_start(verifier: SigV4Verifier, guest: IamCredentialRecord) -> None:
    connect = amplify_auth_headers(guest, ENDPOINT + "/connect", "{}")
    with pytest.raises(AuthenticationError, match="does not match"):
        verifier.verify_signed_payload(connect, "{}", path="/graphql")
    with pytest.raises(AuthenticationError, match="does not match"):
        verifier.verify_signed_payload(connect, DATA, path="/graphql")


def test_canonical_request_matches_the_one_amplify_logs() -> None:
    body = b'{"query":"{\\n  listPosts {\\n    items {\\n      id\\n    }\\n  }\\n}\\n","variables":{}}'
    headers = {
        "content-type": "application/json; charset=UTF-8",
        "host": "127.0.0.1:44563",
        "x-amz-date": "20261126T042257Z",
        "x-amz-security-token": "FAKE-SESSION-TOKEN-123",
        "x-amz-user-agent": "aws-amplify/6.22.1 api/1 framework/100",
    }
    signed = ("content-type", "host", "x-amz-date", "x-amz-security-token", "x-amz-user-agent")
    logged = (
        "POST\n/graphql\n\ncontent-type:application/json; charset=UTF-8\nhost:127.0.0.1:44563\n"
        "x-amz-date:20261126T042257Z\nx-amz-security-token:FAKE-SESSION-TOKEN-123\n"
        "x-amz-user-agent:aws-amplify/6.22.1 api/1 framework/100\n\n"
        "content-type;host;x-amz-date;x-amz-security-token;x-amz-user-agent\n" + hashlib.sha256(body).hexdigest()
    )
    assert canonical_request("POST", "/graphql", "", headers, signed, body) == logged


def test_header_values_are_trimmed_and_spaces_collapsed() -> None:
    request = canonical_request("POST", "/", "", {"host": "  a   b  "}, ("host",), b"")
    assert "\nhost:a b\n" in request
