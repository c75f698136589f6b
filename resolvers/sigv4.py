"""Verify AWS Signature Version 4 for AppSync (service `appsync`), as the cloud checks it.

The canonical request is rebuilt from what arrived: method, the raw path, the query string, the
headers named in `SignedHeaders` (lower-cased names, trimmed values) and the SHA-256 of the exact
body bytes. The date must be signed and within five minutes of the server's clock; credentials that
carry a session token require it, signed. Signatures are compared in constant time.

Clients disagree on how they escape a path (botocore: `quote(path, safe='/~')`; Amplify:
`encodeURIComponent` with `/` kept) and a query (botocore keeps a URL's query as sent; the spec and
Amplify re-encode it). Each accepted form is derived from the request as received, so accepting
them all lets no signature cover a different request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, unquote

from pydantic import BaseModel, ConfigDict

from resolvers.identity import AuthenticationError, AuthType, Identity
from resolvers.local_state import IamCredentialRecord, now_utc

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "appsync"
MAX_CLOCK_SKEW = timedelta(minutes=5)
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"

CredentialLookup = Callable[[str], IamCredentialRecord | None]

_AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+)\s*,\s*SignedHeaders=(?P<signed>[^,\s]+)\s*,"
    r"\s*Signature=(?P<signature>[0-9a-fA-F]{64})\s*$"
)
_BAD_HEADER = "The authorization header is not a valid AWS Signature Version 4 header"
_MISMATCH = "The request signature we calculated does not match the signature you provided"


class SigV4Authorization(BaseModel):
    """The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header."""

    model_config = ConfigDict(frozen=True)

    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/aws4_request"


def parse_authorization(value: str) -> SigV4Authorization:
    match = _AUTHORIZATION.match(value.strip())
    if match is None:
        raise AuthenticationError(_BAD_HEADER)
    parts = match["credential"].split("/")
    if len(parts) != 5 or parts[4] != "aws4_request" or not all(parts):
        raise AuthenticationError(_BAD_HEADER)
    signed = tuple(match["signed"].split(";"))
    if any(not name or name != name.lower() for name in signed) or list(signed) != sorted(set(signed)):
        raise AuthenticationError(_BAD_HEADER)
    return SigV4Authorization(
        access_key_id=parts[0], date=parts[1], region=parts[2], service=parts[3],
        signed_headers=signed, signature=match["signature"].lower(),
    )


def is_sigv4(authorization: str | None) -> bool:
    return authorization is not None and authorization.lstrip().startswith(ALGORITHM)


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = _hmac(f"AWS4{secret}".encode(), date)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    return key


def canonical_request(method: str, canonical_uri: str, canonical_query: str, headers: Mapping[str, str],
                      signed_headers: tuple[str, ...], body: bytes) -> str:
    """The SigV4 canonical request; `headers` must have lower-case names."""
    header_lines = "".join(f"{name}:{' '.join(headers[name].split())}\n" for name in signed_headers)
    return "\n".join([
        method.upper(), canonical_uri, canonical_query, header_lines, ";".join(signed_headers),
        hashlib.sha256(body).hexdigest(),
    ])


def string_to_sign(amz_date: str, scope: str, request: str) -> str:
    return "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(request.encode()).hexdigest()])


def canonical_uris(raw_path: str) -> list[str]:
    """The canonical URI forms clients compute for the path as sent (percent-encoding kept)."""
    path = raw_path or "/"
    forms = [
        quote(_remove_dot_segments(path), safe="/~"),
        quote(path, safe="/~"),
        quote(path, safe="/~!*'()"),
    ]
    return list(dict.fromkeys(forms))


def canonical_queries(raw_query: str) -> list[str]:
    if not raw_query:
        return [""]
    pairs = [pair.partition("=") for pair in raw_query.split("&") if pair]
    as_sent = "&".join(f"{key}={value}" for key, _, value in sorted(pairs, key=lambda p: (p[0], p[2])))
    encoded_pairs = sorted(
        (quote(unquote(key), safe="-_.~"), quote(unquote(value), safe="-_.~")) for key, _, value in pairs
    )
    encoded = "&".join(f"{key}={value}" for key, value in encoded_pairs)
    return list(dict.fromkeys([encoded, as_sent]))


class SigV4Verifier:
    """Verifies signed requests against the locally issued credentials."""

    def __init__(
        self,
        lookup: CredentialLookup,
        *,
        region: str | None,
        service: str = SERVICE,
        max_skew: timedelta = MAX_CLOCK_SKEW,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self._lookup = lookup
        self.region = region
        self.service = service
        self.max_skew = max_skew
        self._clock = clock

    def verify(self, method: str, path: str, query: str, headers: Mapping[str, str],
               body: bytes) -> IamCredentialRecord:
        """Verify one HTTP request; `path` and `query` exactly as sent (still percent-encoded)."""
        lowered = {name.lower(): value for name, value in headers.items()}
        auth = parse_authorization(lowered.get("authorization", ""))
        record = self._credentials(auth, lowered)
        key = signing_key(record.secret_access_key, auth.date, auth.region, auth.service)
        amz_date = lowered["x-amz-date"]
        for uri in canonical_uris(path):
            for canonical_query in canonical_queries(query):
                request = canonical_request(method, uri, canonical_query, lowered, auth.signed_headers, body)
                expected = hmac.new(key, string_to_sign(amz_date, auth.scope, request).encode(),
                                    hashlib.sha256).hexdigest()
                if hmac.compare_digest(expected, auth.signature):
                    return record
        raise AuthenticationError(_MISMATCH)

    def verify_signed_payload(self, headers: Mapping[str, str], payload: str | bytes, *, path: str,
                              method: str = "POST", query: str = "") -> IamCredentialRecord:
        """Verify headers that sign a payload sent elsewhere: AppSync real-time `connect` and `start`.

        For `start` the client signs `POST <endpoint path>` with the exact `payload.data` string as
        body; for the connection, `POST <endpoint path>/connect` with body `{}`.
        """
        body = payload.encode() if isinstance(payload, str) else payload
        return self.verify(method, path, query, headers, body)

    def _credentials(self, auth: SigV4Authorization, headers: Mapping[str, str]) -> IamCredentialRecord:
        if auth.service != self.service:
            raise AuthenticationError(f"Credential should be scoped to correct service: '{self.service}'")
        if self.region is not None and auth.region != self.region:
            raise AuthenticationError(
                f"Credential should be scoped to a valid region: this API is in '{self.region}'")
        for required in ("host", "x-amz-date"):
            if required not in auth.signed_headers:
                raise AuthenticationError(f"The '{required}' header must be signed")
        missing = [name for name in auth.signed_headers if name not in headers]
        if missing:
            raise AuthenticationError(f"The signed header '{missing[0]}' is missing from the request")
        self._check_date(headers["x-amz-date"], auth.date)
        record = self._lookup(auth.access_key_id)
        if record is None:
            raise AuthenticationError("The security token included in the request is invalid")
        if not record.is_valid(self._clock()):
            raise AuthenticationError("The security token included in the request is expired")
        self._check_session_token(record, auth, headers)
        return record

    def _check_date(self, amz_date: str, scope_date: str) -> None:
        try:
            signed_at = datetime.strptime(amz_date, AMZ_DATE_FORMAT).replace(tzinfo=UTC)
        except ValueError as exc:
            raise AuthenticationError("The x-amz-date header is not a valid date (YYYYMMDDTHHMMSSZ)") from exc
        if amz_date[:8] != scope_date:
            raise AuthenticationError("The credential scope date does not match the x-amz-date header")
        if abs(self._clock() - signed_at) > self.max_skew:
            raise AuthenticationError(
                "Signature expired: the request was signed more than 5 minutes from the server's time")

    @staticmethod
    def _check_session_token(record: IamCredentialRecord, auth: SigV4Authorization,
                             headers: Mapping[str, str]) -> None:
        presented = headers.get("x-amz-security-token")
        if record.session_token is None:
            if presented is not None:
                raise AuthenticationError("The security token included in the request is invalid")
            return
        if presented is None or "x-amz-security-token" not in auth.signed_headers:
            raise AuthenticationError("The request must carry its signed x-amz-security-token")
        if not hmac.compare_digest(presented.strip().encode(), record.session_token.encode()):
            raise AuthenticationError("The security token included in the request is invalid")


def identity_from_credentials(record: IamCredentialRecord, source_ip: tuple[str, ...] = ()) -> Identity:
    """The `$ctx.identity` AppSync gives a caller using identity-pool credentials."""
    return Identity(
        auth_type=AuthType.IAM,
        username=record.username,
        source_ip=source_ip,
        user_arn=record.user_arn,
        account_id=record.account_id,
        cognito_identity_pool_id=record.identity_pool_id,
        cognito_identity_id=record.identity_id,
        cognito_identity_auth_type=record.auth_type,
        cognito_identity_auth_provider=record.auth_provider,
    )


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 dot-segment removal, keeping a trailing slash (as botocore normalises)."""
    output: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(output) > 1:
                output.pop()
        elif segment != ".":
            output.append(segment)
    normalised = "/".join(output)
    if not normalised.startswith("/"):
        normalised = "/" + normalised
    if path.endswith(("/", "/.", "/..")) and not normalised.endswith("/"):
        normalised += "/"
    return normalised
