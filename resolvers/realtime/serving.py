"""What `gqlauth serve` adds for Amplify frontends: the real-time route, CORS, TLS, one port for both schemes.

The Amplify library opens `wss://<endpoint>/realtime` even for an `http://` endpoint, so the port
serves TLS with a certificate from the project's local CA (created once under `.gqlauth/tls/`), and
plain HTTP on the same port unless `--https` asks for TLS only.

A browser app runs on another origin (e.g. `http://localhost:5173`), so the endpoint answers CORS
as AppSync does: any origin, any request header, and the response headers the library reads
(`x-amzn-ErrorType` names a refusal, `Date` corrects SigV4 clock skew) exposed to scripts.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp

from resolvers.certificates import TlsFiles, ensure_tls, server_ssl_context
from resolvers.dual_listener import ListenMode, bind_socket, build_server
from resolvers.local_state import LocalState
from resolvers.realtime.endpoint import RealtimeSettings
from resolvers.realtime.server_source import mount_realtime

EXPOSED_HEADERS = ("x-amzn-RequestId", "x-amzn-ErrorType", "x-amzn-ErrorMessage", "x-amz-user-agent", "Date")


class ListenError(Exception):
    """The port cannot be bound (in use, no permission)."""


def serve_with_realtime(app: ASGIApp, state: LocalState, *, host: str, port: int, https_only: bool = False,
                        log_level: str = "warning", settings: RealtimeSettings | None = None,
                        announce: Callable[[str], None] = print, prepared: bool = False,
                        on_listening: Callable[[str, int], None] | None = None) -> None:
    """Mount `/graphql/realtime` (unless `prepared`: see `prepare_app`), make sure the TLS files exist, bind,
    announce, call `on_listening(host, port)`, and serve until stopped."""
    if not prepared:
        if not isinstance(app, Starlette):
            raise TypeError("serve_with_realtime: prepare an app that is not a Starlette app first (prepared=True)")
        prepare_app(app, settings=settings)
    tls = ensure_tls(state, [host] if host not in ("0.0.0.0", "::") else [])
    try:
        sock = bind_socket(host, port)
    except OSError as exc:
        raise ListenError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    mode = ListenMode.HTTPS if https_only else ListenMode.BOTH
    for line in banner_lines(sock, tls, mode):
        announce(line)
    if on_listening is not None:
        bound_host, bound_port = sock.getsockname()[:2]
        on_listening(str(bound_host), int(bound_port))
    build_server(app, sock, mode, server_ssl_context(tls), log_level=log_level).run()


def prepare_app(app: Starlette, *, settings: RealtimeSettings | None = None) -> None:
    """The real-time route and browser CORS on an app made by `create_app` (before it starts)."""
    mount_realtime(app, settings=settings)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "OPTIONS"],
                       allow_headers=["*"], expose_headers=list(EXPOSED_HEADERS), max_age=86400)


def banner_lines(sock: socket.socket, tls: TlsFiles, mode: ListenMode) -> list[str]:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    schemes = "https:// only" if mode is ListenMode.HTTPS else "http:// and https://"
    return [
        f"  listening: {shown}:{port} ({schemes} on the same port)",
        f"  realtime:  wss://{shown}:{port}/graphql/realtime   (Amplify subscriptions)",
        f"  local CA:  {tls.ca_cert}   (NODE_EXTRA_CA_CERTS, or trust it in the browser)",
    ]
