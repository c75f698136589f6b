"""Helpers for the real-time tests: connect headers for each auth mode, as the Amplify library builds them."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from resolvers.local_state import IamCredentialRecord

AMPLIFY_SIGNED_HEADERS = {
    "accept": "application/json, text/javascript",
    "content-encoding": "amz-1.0",
    "content-type": "application/json; charset=UTF-8",
}
USER_AGENT = "aws-amplify/6.22.1 api/1 framework/100"


def header_subprotocol(headers: Mapping[str, str]) -> str:
    return "header-" + base64.urlsafe_b64encode(json.dumps(dict(headers)).encode()).decode().rstrip("=")


def api_key_headers(key: str, host: str) -> dict[str, str]:
    return {"host": host, "x-amz-date": "20261126T041102Z", "x-api-key": key}


def token_headers(token: str, host: str) -> dict[str, str]:
    return {"Authorization": token, "host": host}


def iam_headers(record: IamCredentialRecord, endpoint: str, body: str, host: str, *,
                region: str = "us-east-1") -> dict[str, str]:
    """SigV4 over `POST endpoint` with `body`: `<endpoint>/connect` + `{}` for the handshake, the data for a start."""
    request = AWSRequest(method="POST", url=endpoint, data=body.encode(),
                         headers={**AMPLIFY_SIGNED_HEADERS, "host": host})
    SigV4Auth(Credentials(record.access_key_id, record.secret_access_key, record.session_token), "appsync",
              region).add_auth(request)
    return {name.lower(): value for name, value in request.headers.items()}


def start_message(message_id: str, data: str, authorization: Mapping[str, str]) -> str:
    return json.dumps({"id": message_id, "type": "start", "payload": {
        "data": data, "extensions": {"authorization": {**authorization, "x-amz-user-agent": USER_AGENT}}}})


def subscription_data(query: str, variables: Mapping[str, object] | None = None) -> str:
    return json.dumps({"query": query, "variables": dict(variables or {})})
