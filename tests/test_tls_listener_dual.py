"""One port serving http:// and https:// (and ws:// / wss://), chosen by the first byte; TLS-only and plain modes."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from websockets.asyncio.client import connect

from resolvers.certificates import TlsFiles, client_ssl_context, ensure_tls, server_ssl_context
from resolvers.dual_listener import ListenerServer, ListenMode, bind_socket, build_server
from resolvers.local_state import LocalState


async def _scheme(request: Request) -> JSONResponse:
    return JSONResponse({"scheme": request.url.scheme, "body": (await request.body()).decode()})


async def _echo(websocket: WebSocket) -> None:
    await websocket.accept(subprotocol="graphql-ws" if "graphql-ws" in websocket.scope["subprotocols"] else None)
    text = await websocket.receive_text()
    await websocket.send_text(f"{websocket.url.scheme}:{text}")
    await websocket.close()


APP = Starlette(routes=[Route("/graphql", _scheme, methods=["GET", "POST"]), WebSocketRoute("/graphql/realtime", _echo)])


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return ensure_tls(LocalState.open(tmp_path_factory.mktemp("project")))


@contextlib.contextmanager
def serving(mode: ListenMode, tls: TlsFiles) -> Iterator[ListenerServer]:
    sock = bind_socket("127.0.0.1", 0)
    server = build_server(APP, sock, mode, server_ssl_context(tls))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.01)
    try:
        yield server
    finally:
        server.should_exit = True
        thread.join(10)


def test_http_and_https_share_one_port(tls: TlsFiles) -> None:
    with serving(ListenMode.BOTH, tls) as server:
        plain = httpx.post(f"http://127.0.0.1:{server.port}/graphql", content=b"hello")
        secure = httpx.post(f"https://127.0.0.1:{server.port}/graphql", content=b"hello",
                            verify=client_ssl_context(tls))
        by_name = httpx.get(f"https://localhost:{server.port}/graphql", verify=client_ssl_context(tls))
    assert plain.json() == {"scheme": "http", "body": "hello"}
    assert secure.json() == {"scheme": "https", "body": "hello"}
    assert by_name.json()["scheme"] == "https"


def test_ws_and_wss_share_one_port(tls: TlsFiles) -> None:
    async def exchange(url: str, context: ssl.SSLContext | None) -> tuple[str | None, str]:
        async with connect(url, subprotocols=["graphql-ws"], ssl=context) as ws:  # type: ignore[list-item]
            await ws.send("hi")
            return ws.subprotocol, str(await ws.recv())

    with serving(ListenMode.BOTH, tls) as server:
        secure = asyncio.run(exchange(f"wss://127.0.0.1:{server.port}/graphql/realtime", client_ssl_context(tls)))
        plain = asyncio.run(exchange(f"ws://127.0.0.1:{server.port}/graphql/realtime", None))
    assert secure == ("graphql-ws", "wss:hi")
    assert plain == ("graphql-ws", "ws:hi")


def test_https_only_mode_refuses_plain_http(tls: TlsFiles) -> None:
    with serving(ListenMode.HTTPS, tls) as server:
        secure = httpx.get(f"https://127.0.0.1:{server.port}/graphql", verify=client_ssl_context(tls))
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{server.port}/graphql", timeout=5)
    assert secure.json()["scheme"] == "https"


def test_http_only_mode_serves_plain_http(tls: TlsFiles) -> None:
    with serving(ListenMode.HTTP, tls) as server:
        assert httpx.get(f"http://127.0.0.1:{server.port}/graphql").json()["scheme"] == "http"


def test_untrusted_certificate_is_rejected_by_a_verifying_client(tls: TlsFiles) -> None:
    with serving(ListenMode.BOTH, tls) as server, pytest.raises(httpx.ConnectError):
        httpx.get(f"https://127.0.0.1:{server.port}/graphql", verify=ssl.create_default_context())


def test_silent_broken_and_garbage_clients_do_not_stop_the_server(tls: TlsFiles) -> None:
    with serving(ListenMode.BOTH, tls) as server:
        silent = socket.create_connection(("127.0.0.1", server.port))
        socket.create_connection(("127.0.0.1", server.port)).close()
        garbage_tls = socket.create_connection(("127.0.0.1", server.port))
        garbage_tls.sendall(b"\x16\x03\x01\x00\x05junk!")
        garbage_tls.settimeout(5)
        with contextlib.suppress(OSError):
            assert garbage_tls.recv(100) is not None
        garbage_tls.close()
        still = httpx.get(f"https://127.0.0.1:{server.port}/graphql", verify=client_ssl_context(tls))
        plain = httpx.get(f"http://127.0.0.1:{server.port}/graphql")
        silent.close()
    assert still.json()["scheme"] == "https"
    assert plain.json()["scheme"] == "http"


def test_tls_context_is_required_for_tls_modes(tmp_path: Path) -> None:
    sock = bind_socket("127.0.0.1", 0)
    try:
        with pytest.raises(ValueError, match="needs a TLS context"):
            build_server(APP, sock, ListenMode.BOTH, None)
    finally:
        sock.close()
