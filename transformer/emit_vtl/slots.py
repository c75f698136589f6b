"""The init and postAuth slots every operation pipeline has."""

from __future__ import annotations

from transformer.conflict_resolution import DELTA_SYNC_TABLE_TTL
from transformer.emit_vtl.deployment import ADMIN_ROLE_SEPARATOR
from transformer.emit_vtl.identity import admin_role_bypass
from transformer.emit_vtl.memo import per_owner
from transformer.emit_vtl.vtl import VtlWriter, empty_payload, q
from transformer.environment import AuthEnvironment
from transformer.matrix import TransformParameters


def init_request(
    type_name: str, field_name: str, model: str | None, environment: AuthEnvironment, *, versioned: bool = False
) -> str:
    """Stash what later slots read: names, the identity pool's roles, and the IAM admin roles (and, as Amplify
    does for a versioned table, the delta-sync table's TTL in minutes).

    The admin roles arrive as one comma-joined string, so that a deployment substitutes a single
    Parameter (`deployment.py`)."""
    w = VtlWriter()
    w.qr(f"$ctx.stash.put('typeName', {q(type_name)})")
    w.qr(f"$ctx.stash.put('fieldName', {q(field_name)})")
    w.line("#set($conditions = [])")
    w.qr("$ctx.stash.put('conditions', $conditions)")
    w.line("#set($connectionAttributes = {})")
    w.qr("$ctx.stash.put('connectionAttributes', $connectionAttributes)")
    if model is not None:
        w.line(f"#set($metadata = {{'dataSourceType': 'AMAZON_DYNAMODB', 'modelName': {q(model)}}})")
        w.qr("$ctx.stash.put('metadata', $metadata)")
        w.qr(f"$ctx.stash.put('tableName', {q(model)})")
        if versioned:
            w.qr(f"$ctx.stash.put('deltaSyncTableTtl', {q(str(DELTA_SYNC_TABLE_TTL))})")
    return w.text() + _environment_stash(environment)


@per_owner
def _environment_stash(environment: AuthEnvironment) -> str:
    """The end of every init template: the deployment's roles and identity pool (the same text in each)."""
    w = VtlWriter()
    w.qr(f"$ctx.stash.put('authRole', {q(environment.auth_role_arn)})")
    w.qr(f"$ctx.stash.put('unauthRole', {q(environment.unauth_role_arn)})")
    w.qr(f"$ctx.stash.put('identityPoolId', {q(environment.identity_pool_id)})")
    w.line(f"#set($adminRoleNames = {q(ADMIN_ROLE_SEPARATOR.join(environment.admin_roles))})")
    w.line("#set($adminRoles = [])")
    with w.block(f"#foreach($adminRole in $adminRoleNames.split({q(ADMIN_ROLE_SEPARATOR)}))", "#if($adminRole != '')"):
        w.qr("$adminRoles.add($adminRole)")
    w.qr("$ctx.stash.put('adminRoles', $adminRoles)")
    w.line(empty_payload())
    return w.text()


@per_owner
def post_auth_request(parameters: TransformParameters) -> str:
    """Deny a model without `@auth`, unless sandbox mode lets API keys in or the caller is an IAM admin role."""
    w = VtlWriter()
    with w.block("#if($ctx.stash.get('hasAuth') != true)"):
        if parameters.sandbox_mode_enabled:
            with w.block("#if($util.authType() == 'API Key Authorization')"):
                w.line("#return({})")
        admin_role_bypass(w, "{}")
        w.line("$util.unauthorized()")
    w.line(empty_payload())
    return w.text()


def no_auth_gate_request(parameters: TransformParameters) -> str:
    """A read of a model without `@auth` (through a relation): the same gate as postAuth, unconditionally."""
    w = VtlWriter()
    if parameters.sandbox_mode_enabled:
        with w.block("#if($util.authType() == 'API Key Authorization')"):
            w.line("#return({})")
    admin_role_bypass(w, "{}")
    w.line("$util.unauthorized()")
    return w.text()


def pass_through_response() -> str:
    """A deciding function's response: nothing for the next function."""
    return "{}\n"
