"""Shared helpers for the guard tests: matrices from SDL text and identities in AppSync's shape."""

from __future__ import annotations

from typing import Any

from resolvers.identity import AuthType, Identity
from transformer.diagnostics import has_errors
from transformer.environment import AuthEnvironment
from transformer.matrix import AccessMatrix, TransformParameters, build_matrix
from transformer.parse import parse_schema_text
from transformer.rules import Provider

ENV = AuthEnvironment(admin_roles=("OpsAdminRole",))
MODES = [Provider.USER_POOLS, Provider.API_KEY, Provider.IAM, Provider.OIDC, Provider.FUNCTION]


def matrix_from(sdl: str, modes: list[Provider] | None = None, **parameters: Any) -> AccessMatrix:
    schema, diagnostics = parse_schema_text(sdl)
    assert schema is not None and not has_errors(diagnostics), [d.render() for d in diagnostics]
    matrix, problems = build_matrix(schema, modes or MODES, TransformParameters(**parameters))
    assert matrix is not None, [d.render() for d in problems]
    return matrix


def sub_of(name: str) -> str:
    return f"sub-{name}"


def owner_value(name: str) -> str:
    return f"{sub_of(name)}::{name}"


def user(name: str, groups: list[str] | str | None = None, *, auth_type: AuthType = AuthType.USER_POOLS,
         **claims: Any) -> Identity:
    values: dict[str, Any] = {"sub": sub_of(name), "cognito:username": name}
    if groups is not None:
        values["cognito:groups"] = groups
    values.update(claims)
    return Identity(auth_type=auth_type, sub=sub_of(name), username=name, claims=values)


def api_key() -> Identity:
    return Identity(auth_type=AuthType.API_KEY, api_key="da2-test")


def iam(arn: str, *, pool: str | None = ENV.identity_pool_id, authenticated: bool | None = True) -> Identity:
    auth = None if authenticated is None else ("authenticated" if authenticated else "unauthenticated")
    return Identity(auth_type=AuthType.IAM, user_arn=arn, cognito_identity_pool_id=pool,
                    cognito_identity_auth_type=auth)


BLOG = """
type Post @model @auth(rules: [
  {allow: groups, groups: ["Admins"]},
  {allow: groups, groups: ["Editors"], operations: [create, update, read]},
  {allow: owner},
  {allow: private, operations: [read]},
  {allow: public, operations: [read]}
]) {
  id: ID!
  title: String!
  content: String
  owner: String
  internalNotes: String @auth(rules: [{allow: groups, groups: ["Admins", "Editors"]}, {allow: owner, operations: [read]}])
}
"""
