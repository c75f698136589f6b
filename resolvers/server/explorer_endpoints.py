"""What the explorer page needs besides `/dev/token`: IAM credentials to sign its requests with, tokens of
the local OIDC provider, the schema without credentials (so the first screen of an API without an
API key is the editor, not a 401), and the decisions for a request without running it (why a
subscription was refused).

All answer local callers only (`is_local_caller`), and only when the server's dev endpoints are on
(`serve` turns them off on a non-loopback `--host` unless `--allow-dev-endpoints`): another site open in
the browser can neither obtain credentials nor read the schema through them.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Awaitable, Callable
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, graphql_sync
from graphql import parse as parse_document
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from resolvers.authenticate import unauthorized_response_body
from resolvers.identity import AuthenticationError
from resolvers.issuer import issue_credentials, subject_for
from resolvers.local_oidc import LOCAL_OIDC_ISSUER, mint_oidc_token, oidc_group_claims
from resolvers.request_log import identity_label
from resolvers.server.app import ServerCore, is_local_caller
from resolvers.server.explain_denials import explain_request
from transformer.group_roles import authenticated_role_iam_arn, resolve_roles, unauthenticated_role_iam_arn
from transformer.rules import Provider

Endpoint = Callable[[Request], Awaitable[Response]]


def is_loopback_host(host: str) -> bool:
    """Whether `serve --host HOST` listens on this machine only (`0.0.0.0` and `::` listen everywhere)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def _refused(message: str, status: int) -> JSONResponse:
    return JSONResponse({"errors": [{"errorType": "Forbidden" if status == 403 else "BadRequestException",
                                     "message": message}]}, status_code=status)


async def _json_body(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return None


def _user_and_groups(body: Any) -> tuple[str, list[str]] | None:
    if not isinstance(body, dict):
        return None
    user, groups = body.get("user"), body.get("groups", [])
    if isinstance(groups, str):
        groups = [g.strip() for g in groups.split(",") if g.strip()]
    if not isinstance(user, str) or not user.strip() or not isinstance(groups, list) \
            or not all(isinstance(g, str) for g in groups):
        return None
    return user.strip(), groups


def credentials_endpoint(core: ServerCore, *, enabled: bool = True) -> Endpoint:
    """`POST /dev/credentials` `{"user": "alice", "groups": [...]}` or `{"guest": true}`: what the identity
    pool would hand out (the user's preferred group role, else the authenticated role; or the guest role)."""

    async def endpoint(request: Request) -> Response:
        state = core.state
        if state is None or not enabled or not is_local_caller(request):
            return _refused("Credentials are only available to local callers", 403)
        body = await _json_body(request)
        if not isinstance(body, dict):
            return _refused('Expected {"user": "alice", "groups": ["Admins"]} or {"guest": true}', 400)
        env = core.env
        if body.get("guest") is True:
            record = issue_credentials(state, env, role_arn=unauthenticated_role_iam_arn(env), authenticated=False,
                                       label="guest")
        else:
            user, groups = body.get("user"), body.get("groups", [])
            if not isinstance(user, str) or not user.strip() or not isinstance(groups, list) \
                    or not all(isinstance(g, str) for g in groups):
                return _refused('Expected {"user": "alice", "groups": ["Admins"]} or {"guest": true}', 400)
            group_file = core.project.group_file if core.project is not None else None
            role_arn = (resolve_roles(groups, group_file, env).effective_role_arn if group_file is not None
                        else authenticated_role_iam_arn(env))
            record = issue_credentials(state, env, role_arn=role_arn, authenticated=True,
                                       user_sub=subject_for(user.strip()), label=user.strip())
        return JSONResponse({"accessKeyId": record.access_key_id, "secretAccessKey": record.secret_access_key,
                             "sessionToken": record.session_token, "roleArn": record.role_arn,
                             "expiration": record.expires_at.isoformat(), "region": env.region})

    return endpoint


def is_introspection(document_text: str, operation_name: str | None) -> bool:
    """Only `__schema` / `__type` / `__typename` at the root of the chosen operation."""
    try:
        document = parse_document(document_text)
    except GraphQLError:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [op for op in operations if operation_name is None or (op.name and op.name.value == operation_name)]
    if len(chosen) != 1 or chosen[0].operation.value != "query":
        return False
    selections = chosen[0].selection_set.selections
    return bool(selections) and all(getattr(getattr(s, "name", None), "value", "").startswith("__")
                                    for s in selections)


def introspection_endpoint(core: ServerCore, *, enabled: bool = True) -> Endpoint:
    """`POST /dev/introspection`: the explorer's schema query, answered without credentials."""

    async def endpoint(request: Request) -> Response:
        if not enabled or not is_local_caller(request):
            return _refused("Only available to local callers", 403)
        body = await _json_body(request)
        query = body.get("query") if isinstance(body, dict) else None
        name = body.get("operationName") if isinstance(body, dict) else None
        if not isinstance(query, str) or not is_introspection(query, name if isinstance(name, str) else None):
            return _refused("Only an introspection query is answered here", 400)
        result = graphql_sync(core.schema, query, operation_name=name if isinstance(name, str) else None)
        return JSONResponse(result.formatted)

    return endpoint


def oidc_token_endpoint(core: ServerCore, *, enabled: bool = True) -> Endpoint:
    """`POST /dev/oidc-token` `{"user": "alice", "groups": [...]}`: a token of the local OIDC provider, when
    the API has the `oidc` mode and the server accepts that provider's tokens."""

    async def endpoint(request: Request) -> Response:
        state = core.state
        if state is None or not enabled or not is_local_caller(request):
            return _refused("Token minting is only available to local callers", 403)
        if Provider.OIDC not in core.matrix.auth_modes or not core.authenticator.accepts_issuer(LOCAL_OIDC_ISSUER):
            return _refused("This server does not run the local OIDC provider (paste a token of yours)", 404)
        asked = _user_and_groups(await _json_body(request))
        if asked is None:
            return _refused('Expected {"user": "alice", "groups": ["Admins"]}', 400)
        user, groups = asked
        token = mint_oidc_token(state, user=user, groups=groups, group_claims=oidc_group_claims(core.matrix))
        return JSONResponse({"token": token, "user": user, "groups": groups, "issuer": LOCAL_OIDC_ISSUER})

    return endpoint


def explain_endpoint(core: ServerCore, *, enabled: bool = True) -> Endpoint:
    """`POST /dev/explain`: a GraphQL request body with the caller's credentials (signed, for IAM, as for
    `POST /graphql`); answers who the caller is and the decision for each generated root field, nothing run."""

    async def endpoint(request: Request) -> Response:
        if not enabled or not is_local_caller(request):
            return _refused("Only available to local callers", 403)
        body = await request.body()
        try:
            identity = core.authenticator.authenticate("POST", "/graphql", "", dict(request.headers), body,
                                                       source_ip=request.client.host if request.client else None)
        except AuthenticationError as exc:
            return JSONResponse(unauthorized_response_body(exc.message), status_code=401)
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("query"), str):
            return _refused('Expected a GraphQL request body: {"query": "..."}', 400)
        decisions = explain_request(core.schema, core.matrix, core.store, core.env, identity, data)
        return JSONResponse({"identity": identity_label(identity), "decisions": decisions})

    return endpoint


__all__ = ["credentials_endpoint", "explain_endpoint", "introspection_endpoint", "is_introspection", "is_loopback_host",
           "oidc_token_endpoint"]
