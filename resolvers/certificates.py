"""A local certificate authority and a localhost server certificate, for `wss://` and `https://`.

Amplify v6 opens subscriptions at `wss://<endpoint>/realtime` even for an `http://` endpoint, so
the local server needs TLS that Node and browsers trust. The CA is created once per project under
`.gqlauth/tls/` (its certificate is what users give to `NODE_EXTRA_CA_CERTS` or install in a
browser); the server certificate is re-issued by it whenever it is missing, about to expire, or does
not cover a host name asked for.
"""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pydantic import BaseModel, ConfigDict

from resolvers.local_state import LocalState, LocalStateError, now_utc, write_private

DEFAULT_HOSTNAMES: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")
CA_LIFETIME = timedelta(days=3650)
SERVER_LIFETIME = timedelta(days=365)
RENEW_BEFORE = timedelta(days=30)

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TlsFiles(BaseModel):
    model_config = ConfigDict(frozen=True)

    ca_cert: Path
    server_cert: Path
    server_key: Path


def ensure_tls(state: LocalState, hostnames: Iterable[str] = ()) -> TlsFiles:
    """The CA and a server certificate covering localhost, 127.0.0.1, ::1 and `hostnames`."""
    directory = state.tls_dir
    files = TlsFiles(ca_cert=directory / "ca-cert.pem", server_cert=directory / "server-cert.pem",
                     server_key=directory / "server-key.pem")
    wanted = list(dict.fromkeys([*DEFAULT_HOSTNAMES, *(name for name in hostnames if name)]))
    ca_key_path = directory / "ca-key.pem"
    with state.locked():
        if not (files.ca_cert.exists() and ca_key_path.exists()):
            _create_ca(state, files.ca_cert, ca_key_path)
        ca_cert = _load_cert(files.ca_cert)
        if not _server_cert_is_usable(files, ca_cert, wanted):
            _issue_server_cert(files, ca_cert, _load_key(ca_key_path), wanted)
    return files


def server_ssl_context(files: TlsFiles) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(files.server_cert, files.server_key)
    return context


def client_ssl_context(files: TlsFiles) -> ssl.SSLContext:
    """A client context that trusts the local CA only (for tests and scripts)."""
    context = ssl.create_default_context(cafile=str(files.ca_cert))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _create_ca(state: LocalState, cert_path: Path, key_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "gqlauth (local development)"),
        x509.NameAttribute(NameOID.COMMON_NAME, f"gqlauth local CA for {state.project_dir.name}"[:64]),
    ])
    start = now_utc() - timedelta(minutes=5)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    write_private(key_path, _key_pem(key))
    write_private(cert_path, certificate.public_bytes(serialization.Encoding.PEM))


def _issue_server_cert(files: TlsFiles, ca_cert: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey,
                       hostnames: list[str]) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    start = now_utc() - timedelta(minutes=5)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostnames[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(min(start + SERVER_LIFETIME, ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(_general_names(hostnames)), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    write_private(files.server_key, _key_pem(key))
    write_private(files.server_cert, certificate.public_bytes(serialization.Encoding.PEM))


def _server_cert_is_usable(files: TlsFiles, ca_cert: x509.Certificate, hostnames: list[str]) -> bool:
    if not (files.server_cert.exists() and files.server_key.exists()):
        return False
    try:
        certificate = _load_cert(files.server_cert)
        certificate.verify_directly_issued_by(ca_cert)
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        key_matches = _load_key(files.server_key).public_key() == certificate.public_key()
    except (LocalStateError, ValueError, TypeError, x509.ExtensionNotFound, InvalidSignature):
        return False
    covered = set(names.get_values_for_type(x509.DNSName)) | {
        str(address) for address in names.get_values_for_type(x509.IPAddress)}
    fresh = certificate.not_valid_after_utc - now_utc() > RENEW_BEFORE
    return key_matches and fresh and all(_normal(name) in covered for name in hostnames)


def _general_names(hostnames: list[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    for name in hostnames:
        address = _ip(name)
        names.append(x509.IPAddress(address) if address is not None else x509.DNSName(name))
    return names


def _normal(name: str) -> str:
    address = _ip(name)
    return str(address) if address is not None else name


def _ip(name: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return None


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=cert_sign, crl_sign=cert_sign, encipher_only=False,
        decipher_only=False,
    )


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _load_cert(path: Path) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise LocalStateError(f"{path}: not a readable certificate; delete it to have it recreated") from exc


def _load_key(path: Path) -> ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise LocalStateError(f"{path}: not a readable private key; delete the tls folder to recreate it") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise LocalStateError(f"{path}: not an EC private key; delete the tls folder to recreate it")
    return key

