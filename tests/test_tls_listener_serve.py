"""`gqlauth serve`: http:// and https:// on one port by default, `--https` for TLS only, the local CA announced,
and a port in use reported as a usage error."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from amplify_js_support import serving

from resolvers.certificates import TlsFiles, client_ssl_context

BLOG = Path(__file__).resolve().parents[1] / "samples" / "blog"
LIST = b'{"query": "{ listPosts { items { id } } }"}'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("schema.graphql", "user-pool-group-precedence.json"):
        shutil.copy2(BLOG / name, tmp_path / name)
    return tmp_path


def _tls(project: Path) -> TlsFiles:
    directory = project / ".gqlauth" / "tls"
    return TlsFiles(ca_cert=directory / "ca-cert.pem", server_cert=directory / "server-cert.pem",
                    server_key=directory / "server-key.pem")


def test_default_serves_both_schemes_and_announces_the_ca(project: Path) -> None:
    with serving(project) as served:
        plain = httpx.post(served.endpoint, content=LIST)
        secure = httpx.post(served.endpoint.replace("http://", "https://"), content=LIST,
                            verify=client_ssl_context(_tls(project)))
        banner = served.log.read_text()
    assert plain.status_code == secure.status_code == 401
    assert secure.headers["x-amzn-errortype"] == "UnauthorizedException"
    assert str(_tls(project).ca_cert) in banner
    assert f"wss://127.0.0.1:{served.port}/graphql/realtime" in banner
    assert "http:// and https://" in banner


def test_https_flag_serves_tls_only(project: Path) -> None:
    with serving(project, "--https") as served:
        secure = httpx.post(served.endpoint.replace("http://", "https://"), content=LIST,
                            verify=client_ssl_context(_tls(project)))
        with pytest.raises(httpx.HTTPError):
            httpx.post(served.endpoint, content=LIST, timeout=5)
        banner = served.log.read_text()
    assert secure.status_code == 401
    assert "https:// only" in banner


def test_a_port_in_use_is_a_usage_error(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-c", "from resolvers.cli import main; main()", "serve", str(project),
                               "--port", str(port), "--db", ":memory:"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr
