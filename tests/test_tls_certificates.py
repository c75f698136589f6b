"""The local CA and localhost certificate: created once, private, trusted by a client given the CA only."""

from __future__ import annotations

import socket
import ssl
import threading
from pathlib import Path

import pytest
from cryptography import x509

from resolvers.certificates import client_ssl_context, ensure_tls, server_ssl_context
from resolvers.local_state import LocalState


@pytest.fixture()
def state(tmp_path: Path) -> LocalState:
    return LocalState.open(tmp_path)


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _sans(path: Path) -> set[str]:
    names = _cert(path).extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return set(names.get_values_for_type(x509.DNSName)) | {str(ip) for ip in names.get_values_for_type(x509.IPAddress)}


def test_ca_and_server_certificate_are_created_private(state: LocalState) -> None:
    files = ensure_tls(state)
    for path in (files.ca_cert, files.server_cert, files.server_key, files.ca_cert.with_name("ca-key.pem")):
        assert path.stat().st_mode & 0o777 == 0o600
    ca = _cert(files.ca_cert)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    server = _cert(files.server_cert)
    assert not server.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    server.verify_directly_issued_by(ca)
    assert _sans(files.server_cert) == {"localhost", "127.0.0.1", "::1"}


def test_second_call_changes_nothing(state: LocalState) -> None:
    first = ensure_tls(state)
    before = (first.ca_cert.read_bytes(), first.server_cert.read_bytes(), first.server_key.read_bytes())
    second = ensure_tls(LocalState.open(state.project_dir))
    assert (second.ca_cert.read_bytes(), second.server_cert.read_bytes(), second.server_key.read_bytes()) == before


def test_new_host_name_reissues_the_server_cert_with_the_same_ca(state: LocalState) -> None:
    first = ensure_tls(state)
    ca_before = first.ca_cert.read_bytes()
    files = ensure_tls(state, ["dev.local", "192.168.1.20"])
    assert files.ca_cert.read_bytes() == ca_before
    assert {"dev.local", "192.168.1.20", "localhost"} <= _sans(files.server_cert)
    _cert(files.server_cert).verify_directly_issued_by(_cert(files.ca_cert))


def test_mismatched_server_key_is_repaired(state: LocalState) -> None:
    files = ensure_tls(state)
    files.server_key.write_bytes(files.ca_cert.with_name("ca-key.pem").read_bytes())
    ensure_tls(state)
    context = server_ssl_context(files)
    assert isinstance(context, ssl.SSLContext)


def _handshake(server_context: ssl.SSLContext, client_context: ssl.SSLContext, host: str, server_name: str) -> str:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.bind((host, 0))
    listener.listen(1)
    port = listener.getsockname()[1]

    def serve() -> None:
        connection, _ = listener.accept()
        try:
            with server_context.wrap_socket(connection, server_side=True) as tls:
                tls.sendall(b"hello")
        except (ssl.SSLError, OSError):
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        with socket.create_connection((host, port), timeout=5) as raw, \
                client_context.wrap_socket(raw, server_hostname=server_name) as tls:
            return tls.recv(5).decode()
    finally:
        thread.join(timeout=5)
        listener.close()


@pytest.mark.parametrize("server_name", ["localhost", "127.0.0.1"])
def test_client_trusting_the_ca_completes_a_verified_handshake(state: LocalState, server_name: str) -> None:
    files = ensure_tls(state)
    assert _handshake(server_ssl_context(files), client_ssl_context(files), "127.0.0.1", server_name) == "hello"


def test_client_without_the_ca_refuses_the_server(state: LocalState) -> None:
    files = ensure_tls(state)
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(server_ssl_context(files), ssl.create_default_context(), "127.0.0.1", "localhost")


def test_other_host_names_are_not_covered(state: LocalState) -> None:
    files = ensure_tls(state)
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(server_ssl_context(files), client_ssl_context(files), "127.0.0.1", "example.com")


def test_another_projects_ca_is_not_trusted(state: LocalState, tmp_path_factory: pytest.TempPathFactory) -> None:
    files = ensure_tls(state)
    other = ensure_tls(LocalState.open(tmp_path_factory.mktemp("other")))
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(server_ssl_context(files), client_ssl_context(other), "127.0.0.1", "localhost")
