"""What the explorer page needs besides `/dev/token`: IAM credentials to sign its requests with, and the
schema without credentials (so the first screen of an API without an API key is the editor, not a 401).

Both answer local callers only (`is_local_caller`): another site open in the browser can neither
obtain credentials nor read the schema through them.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, graphql_sync
from graphql import parse as parse_document
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from resolvers.issuer import issue_credentials, subject_for
from resolvers.server.app import ServerCore, is_local_caller
from transformer.group_roles import authenticated_role_iam_arn, resolve_roles, unauthenticated_role_iam_arn

Endpoint = Callable[[Request], Awaitable[Response]]


def _refused(message: str, status: int) -> JSONResponse:
    return JSONResponse({"errors": [{"errorType": "Forbidden" if status == 403 else "BadRequestException",
                                     "message": message}]}, status_code=status)


async def _json_body(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return None


def credentials_endpoint(core: ServerCore) -> Endpoint:
    """`POST /dev/credentials` `{"user": "alice", "groups": [...]}` or `{"guest": true}`: what the identity
    pool would hand out (the user's preferred group role, else the authenticated role; or the guest role)."""

    async def endpoint(request: Request) -> Response:
        state = core.state
        if state is None or not is_local_caller(request):
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


def introspection_endpoint(core: ServerCore) -> Endpoint:
    """`POST /dev/introspection`: the explorer's schema query, answered without credentials."""

    async def endpoint(request: Request) -> Response:
        if not is_local_caller(request):
            return _refused("Only available to local callers", 403)
        body = await _json_body(request)
        query = body.get("query") if isinstance(body, dict) else None
        name = body.get("operationName") if isinstance(body, dict) else None
        if not isinstance(query, str) or not is_introspection(query, name if isinstance(name, str) else None):
            return _refused("Only an introspection query is answered here", 400)
        result = graphql_sync(core.schema, query, operation_name=name if isinstance(name, str) else None)
        return JSONResponse(result.formatted)

    return endpoint


__all__ = ["credentials_endpoint", "introspection_endpoint", "is_introspection"]
