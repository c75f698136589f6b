"""Which provider a request came through, and the checks that need no record: IAM roles, API key.

Provider isolation: a rule only ever matches a request made through its own provider (Amplify wraps
each provider's checks in `#if($util.authType() == "...")`).
"""

from __future__ import annotations

from resolvers.identity import AuthType, Identity
from transformer.environment import AuthEnvironment
from transformer.rules import Provider

PROVIDER_OF_AUTH_TYPE: dict[AuthType, Provider] = {
    AuthType.USER_POOLS: Provider.USER_POOLS,
    AuthType.OIDC: Provider.OIDC,
    AuthType.IAM: Provider.IAM,
    AuthType.API_KEY: Provider.API_KEY,
    AuthType.LAMBDA: Provider.FUNCTION,
}

PROVIDER_LABEL: dict[Provider, str] = {
    Provider.USER_POOLS: "Cognito user pools",
    Provider.OIDC: "OIDC",
    Provider.IAM: "IAM",
    Provider.API_KEY: "API key",
    Provider.FUNCTION: "Lambda (custom)",
}


def provider_of(identity: Identity) -> Provider:
    return PROVIDER_OF_AUTH_TYPE[identity.auth_type]


def wrong_provider(request: Provider, rule: Provider) -> str:
    return f"wrong provider: request is {PROVIDER_LABEL[request]}, rule is {rule.value}"


def iam_public_matches(identity: Identity, env: AuthEnvironment) -> bool:
    """IAM public: exactly the identity pool's unauthenticated role."""
    return identity.user_arn is not None and identity.user_arn == env.unauth_role_arn


def iam_private_matches(identity: Identity, env: AuthEnvironment, *, via_identity_pool: bool = True) -> bool:
    """IAM private: the authenticated role, or any authenticated identity of the same identity pool
    (so users holding a user-pool-group role pass). Amplify's create check for a role allowed on only
    some fields compares the role ARN alone (`via_identity_pool=False`)."""
    if identity.user_arn is not None and identity.user_arn == env.auth_role_arn:
        return True
    return (
        via_identity_pool
        and identity.cognito_identity_pool_id is not None
        and identity.cognito_identity_pool_id == env.identity_pool_id
        and identity.cognito_identity_auth_type == "authenticated"
    )


def iam_admin_role(identity: Identity, env: AuthEnvironment) -> str | None:
    """The admin role a request is signed with, if any: such requests skip every @auth check.

    The role name is anchored as `:assumed-role/<name>/` in the caller's ARN (Amplify's current
    check; older versions used a plain substring test), and the identity pool's own roles never
    count as admin roles.
    """
    arn = identity.user_arn
    if identity.auth_type is not AuthType.IAM or not arn or not env.admin_roles:
        return None
    if arn in (env.auth_role_arn, env.unauth_role_arn):
        return None
    anchored = f"{arn}/"
    for role in env.admin_roles:
        if f":assumed-role/{role}/" in anchored:
            return role
    return None
