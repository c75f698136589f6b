"""Decide who a request is, choosing the auth mode from its headers as AppSync does.

`x-api-key` means API key; an `Authorization` value starting with `AWS4-HMAC-SHA256` means IAM;
any other `Authorization` value is a token for the user pool, the OIDC provider (told apart by its
issuer) or the Lambda authorizer. Only the API's own modes are accepted; everything else, and any
credential that fails its check, is an `AuthenticationError` that the server answers with 401.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from resolvers.identity import AuthenticationError, AuthType, Identity
from resolvers.lambda_authorizer import LambdaAuthorizer as LambdaRunner
from resolvers.lambda_authorizer import MissingAuthorizer, RequestContext, Verdict, request_context_from_body
from resolvers.local_state import LocalState, now_utc
from resolvers.sigv4 import CredentialLookup, SigV4Verifier, identity_from_credentials, is_sigv4
from resolvers.token_verify import TokenVerifier
from transformer.environment import AuthEnvironment

__all__ = [
    "UNAUTHORIZED_ERROR_TYPE",
    "UNAUTHORIZED_HEADERS",
    "UNAUTHORIZED_MESSAGE",
    "AuthenticationError",
    "Authenticator",
    "LambdaAuthorizer",
    "unauthorized_response_body",
]

UNAUTHORIZED_ERROR_TYPE = "UnauthorizedException"
UNAUTHORIZED_MESSAGE = "You are not authorized to make this call."
UNAUTHORIZED_HEADERS: Mapping[str, str] = {"x-amzn-ErrorType": UNAUTHORIZED_ERROR_TYPE}
"""Headers of a 401: the Amplify library reads the error name from `x-amzn-ErrorType`."""

LambdaAuthorizer = Callable[[str], Mapping[str, Any] | None]
"""Called with the `Authorization` value; returns the `resolverContext` to allow, or None to deny.
(A `resolvers.lambda_authorizer.LambdaAuthorizer` gets AppSync's whole event instead.)"""


class RequestAuthorizer(Protocol):
    """AppSync's Lambda authorizer: the whole event in, `isAuthorized`/`resolverContext`/`deniedFields` out."""

    def authorize(self, token: str, context: RequestContext) -> Verdict: ...


def unauthorized_response_body(message: str = UNAUTHORIZED_MESSAGE) -> dict[str, Any]:
    """AppSync's JSON body for a request refused for its credentials (HTTP 401)."""
    return {"errors": [{"errorType": UNAUTHORIZED_ERROR_TYPE, "message": message}]}


class Authenticator:
    """Turns a request's credentials into an `Identity` for the API's configured auth modes."""

    def __init__(
        self,
        state: LocalState | None,
        env: AuthEnvironment,
        modes: Sequence[str | AuthType],
        *,
        user_pool_verifier: TokenVerifier | None = None,
        oidc_verifier: TokenVerifier | None = None,
        lambda_authorizer: LambdaAuthorizer | RequestAuthorizer | None = None,
        api_keys: Iterable[str] = (),
        credential_lookup: CredentialLookup | None = None,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self.modes = tuple(dict.fromkeys(_auth_type(mode) for mode in modes))
        if not self.modes:
            raise ValueError("an API needs at least one auth mode")
        self.env = env
        self._state = state
        self._clock = clock
        self._extra_api_keys = tuple(api_keys)
        self._token_verifiers: list[TokenVerifier] = []
        if AuthType.USER_POOLS in self.modes:
            self._token_verifiers.append(
                user_pool_verifier or TokenVerifier.local(self._require_state(), issuer=env.issuer))
        if AuthType.OIDC in self.modes:
            if oidc_verifier is None:
                raise ValueError("the oidc auth mode needs an OIDC token verifier (issuer and JWKS URL)")
            self._token_verifiers.append(oidc_verifier)
        if AuthType.LAMBDA in self.modes and lambda_authorizer is None:
            lambda_authorizer = MissingAuthorizer()
        self._lambda = lambda_authorizer
        self._sigv4: SigV4Verifier | None = None
        if AuthType.IAM in self.modes:
            lookup = credential_lookup or self._require_state().find_credentials
            self._sigv4 = SigV4Verifier(lookup, region=env.region, clock=clock)

    def authenticate(
        self,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        source_ip: str | None = None,
    ) -> Identity:
        """The caller of an HTTP request; `path` and `query` as sent, `body` the exact bytes."""
        lowered = {name.lower(): value for name, value in headers.items() if isinstance(value, str)}
        identity = self._identify(method, path, query, lowered, body)
        return identity.model_copy(update={"source_ip": (source_ip,) if source_ip else ()})

    def authenticate_connection(self, auth_headers: Mapping[str, Any], endpoint_path: str, *,
                                source_ip: str | None = None) -> Identity:
        """The real-time handshake's `header` JSON; IAM signs `POST <endpoint>/connect` with body `{}`."""
        return self.authenticate("POST", endpoint_path.rstrip("/") + "/connect", "", _strings(auth_headers),
                                 b"{}", source_ip=source_ip)

    def authenticate_subscription(self, auth_headers: Mapping[str, Any], data: str, endpoint_path: str, *,
                                  source_ip: str | None = None) -> Identity:
        """A real-time `start`: `extensions.authorization`; IAM signs `POST <endpoint>` over the `data` string."""
        return self.authenticate("POST", endpoint_path, "", _strings(auth_headers), data.encode(),
                                 source_ip=source_ip)

    def _identify(self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes) -> Identity:
        authorization = headers.get("authorization", "").strip()
        api_key = headers.get("x-api-key")
        if api_key is not None and (AuthType.API_KEY in self.modes or not authorization):
            return self._api_key(api_key)
        if not authorization:
            raise AuthenticationError("Valid authorization header not provided")
        if is_sigv4(authorization):
            if self._sigv4 is None:
                raise AuthenticationError("IAM authorization is not enabled for this API")
            record = self._sigv4.verify(method, path, query, headers, body)
            return identity_from_credentials(record)
        verifier = self._token_verifier_for(authorization)
        if verifier is not None:
            return verifier.verify(authorization)
        if self._lambda is not None:
            return self._lambda_identity(authorization, headers, body)
        raise AuthenticationError("Token authorization is not enabled for this API")

    def _api_key(self, presented: str) -> Identity:
        if AuthType.API_KEY not in self.modes:
            raise AuthenticationError("API key authorization is not enabled for this API")
        now = self._clock()
        known: list[str] = list(self._extra_api_keys)
        expired: list[str] = []
        if self._state is not None:
            for stored in self._state.api_keys():
                (known if stored.is_valid(now) else expired).append(stored.key)
        matched = False
        for key in known:
            matched |= hmac.compare_digest(key.encode(), presented.strip().encode())
        if matched:
            return Identity(auth_type=AuthType.API_KEY, api_key=presented.strip())
        if any(hmac.compare_digest(key.encode(), presented.strip().encode()) for key in expired):
            raise AuthenticationError("The API key has expired")
        raise AuthenticationError("The API key is not valid for this API")

    def accepts_issuer(self, issuer: str) -> bool:
        """Whether tokens of `issuer` are verified here (the explorer offers minting only then)."""
        return any(verifier.issuer == issuer for verifier in self._token_verifiers)

    def _token_verifier_for(self, authorization: str) -> TokenVerifier | None:
        if not self._token_verifiers:
            return None
        if len(self._token_verifiers) == 1 and self._lambda is None:
            return self._token_verifiers[0]
        issuer = self._token_verifiers[0].issuer_of(authorization)
        matching = [verifier for verifier in self._token_verifiers if verifier.issuer == issuer]
        if matching:
            return matching[0]
        return None if self._lambda is not None else self._token_verifiers[0]

    def _lambda_identity(self, authorization: str, headers: Mapping[str, str], body: bytes) -> Identity:
        assert self._lambda is not None
        if isinstance(self._lambda, LambdaRunner | MissingAuthorizer) or hasattr(self._lambda, "authorize"):
            authorizer: Any = self._lambda
            verdict = authorizer.authorize(authorization, request_context_from_body(body, headers))
            return Identity(auth_type=AuthType.LAMBDA, resolver_context=verdict.resolver_context,
                            lambda_denied_fields=verdict.denied_fields)
        try:
            context = self._lambda(authorization)
        except Exception as exc:  # noqa: BLE001 - a failing authorizer denies, it never lets through
            raise AuthenticationError("The Lambda authorizer failed") from exc
        if context is None:
            raise AuthenticationError("The Lambda authorizer denied the request")
        return Identity(auth_type=AuthType.LAMBDA, resolver_context=dict(context))

    def _require_state(self) -> LocalState:
        if self._state is None:
            raise ValueError("this auth mode needs the project's local state (keys and credentials)")
        return self._state


def _auth_type(mode: str | AuthType) -> AuthType:
    """An auth type by its own name, AppSync's, or the `@auth` provider name (`function` is Lambda)."""
    if isinstance(mode, AuthType):
        return mode
    return AuthType.LAMBDA if mode == "function" else AuthType.parse(mode)


def _strings(headers: Mapping[str, Any]) -> dict[str, str]:
    return {name: value for name, value in headers.items() if isinstance(name, str) and isinstance(value, str)}
