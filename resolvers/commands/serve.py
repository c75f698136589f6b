"""`gqlauth serve`: transform the project, then serve it locally with every rule enforced."""

from __future__ import annotations

import contextlib
import json
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import click

from resolvers.authenticate import Authenticator
from resolvers.frontend_config import FrontendConfigWriter, api_settings, frontend_folder
from resolvers.local_state import LocalState, LocalStateError, find_project
from resolvers.store import MEMORY, RecordError, Store, StoreError, records_from_json
from resolvers.token_verify import DEFAULT_LEEWAY, TokenVerifier
from transformer.commands.options import auth_modes_option, group_file_option, parse_auth_modes, quiet_option
from transformer.diagnostics import Diagnostic, Severity, UnreadableInput, has_errors, read_text
from transformer.environment import AuthEnvironment
from transformer.project import Project, load_project
from transformer.report import (
    EXIT_INPUT_ERRORS,
    EXIT_USAGE,
    fail_usage,
    guarded,
    print_diagnostics,
    stderr_console,
    summary_line,
)
from transformer.rules import Provider

DEFAULT_PORT = 20002
DB_FILE_NAME = "data.sqlite3"

LoadResult = tuple[Project | None, list[Diagnostic]]
STILL_SERVING = "; still serving the last good API"
"""How `resolvers.reload.ApiReloader` ends each line saying a change could not be served (its errors)."""


@dataclass
class OpenedProject:
    state: LocalState
    project: Project
    load: Callable[[], LoadResult] | None = None
    """Loads the project again (for `serve`'s reload)."""


def project_loader(target: Path | None, project_dir: Path, group_file: Path | None, auth_modes: str | None,
                   environment: AuthEnvironment, api: str | None = None) -> Callable[[], LoadResult]:
    """Loads (and checks) the project as the command line names it; called again on every reload."""
    schema_path = target if target is not None and target.is_file() else project_dir
    modes = parse_auth_modes(auth_modes)

    def load() -> LoadResult:
        return load_project(schema_path, group_file_path=group_file, auth_modes=modes, environment=environment,
                            api=api)

    return load


def open_project(target: Path | None, group_file: Path | None, auth_modes: str | None, *,
                 show_warnings: bool = True, api: str | None = None, quiet: bool = False) -> OpenedProject:
    """The project (transformed and checked) and its `.gqlauth/` state; exits with the documented codes.

    `quiet` is `check --quiet`: errors only, then (when there are errors) the summary counting warnings per code."""
    try:
        project_dir = find_project(Path.cwd(), target)
        state = LocalState.open(project_dir)
        environment = state.environment()
    except LocalStateError as exc:
        fail_usage(str(exc))
        raise AssertionError from exc
    project, diagnostics = project_loader(target, project_dir, group_file, auth_modes, environment, api)()
    if quiet:
        print_diagnostics(diagnostics, quiet=True)
        if has_errors(diagnostics):
            stderr_console().print(summary_line(diagnostics), markup=False)
    else:
        shown = diagnostics if show_warnings else [d for d in diagnostics if d.severity is Severity.ERROR]
        if shown:
            print_diagnostics(shown)
    if project is None or has_errors(diagnostics):
        raise SystemExit(EXIT_INPUT_ERRORS)
    return OpenedProject(state=state, project=project,
                         load=project_loader(target, project_dir, group_file, auth_modes, environment, api))


def open_store(opened: OpenedProject, db: str | None) -> Store:
    from resolvers.server.bindings import store_layouts

    try:
        path = db if db is not None else str(opened.state.api_dir(opened.project.schema_path) / DB_FILE_NAME)
        return Store(path if path == MEMORY else str(Path(path).expanduser()),
                     store_layouts(opened.project.matrix, opened.project.schema))
    except (StoreError, LocalStateError) as exc:
        fail_usage(str(exc))
        raise AssertionError from exc


def load_records_file(store: Store, path: Path, *, replace: bool) -> dict[str, int]:
    """Load a JSON data file into the store, all or nothing; bad content exits 1, unreadable 2."""
    try:
        document = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        stderr_console().print(f"{path}:{exc.lineno}:{exc.colno}: error: not valid JSON: {exc.msg}",
                               markup=False)
        raise SystemExit(EXIT_INPUT_ERRORS) from None
    try:
        report = store.load(records_from_json(document), replace=replace)
    except RecordError as exc:
        stderr_console().print(f"{path}: error: {exc} (nothing was loaded)", markup=False)
        raise SystemExit(EXIT_INPUT_ERRORS) from None
    return report.counts


def user_pool_verifier(state: LocalState, *, issuer: str | None, jwks_url: str | None, client_id: str | None,
                       leeway: int) -> TokenVerifier:
    """The token verifier `serve` uses: the local issuer's, or `issuer`'s; `leeway` seconds of clock skew."""
    if issuer is not None:
        verifier = TokenVerifier(issuer=issuer.rstrip("/"), client_id=client_id,
                                 jwks_url=jwks_url or issuer.rstrip("/") + "/.well-known/jwks.json")
    else:
        verifier = TokenVerifier.local(state, client_id=client_id)
    verifier.leeway = timedelta(seconds=leeway)
    return verifier


@click.command("serve")
@click.argument("target", required=False, type=click.Path(path_type=Path, exists=True))
@group_file_option
@auth_modes_option
@click.option("--api", default=None, metavar="NAME", help="The Amplify API to serve when the project holds several.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535))
@click.option("--db", default=None, help="SQLite file (default: .gqlauth/data.sqlite3; .gqlauth/<api>/data.sqlite3 when the project has several APIs); :memory: for a throwaway store.")
@click.option("--seed", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="JSON records to load at start (a list or map of records with __typename).")
@click.option("--issuer", default=None, help="Accept tokens of this Cognito/OIDC issuer instead of the local one.")
@click.option("--jwks-url", default=None, help="JWKS of --issuer (default: <issuer>/.well-known/jwks.json).")
@click.option("--client-id", default=None,
              help="App client id tokens must be issued for (default: the local issuer's; with --issuer: any).")
@click.option("--oidc-issuer", default=None, metavar="URL",
              help="For the oidc mode: accept this OpenID Connect provider's tokens instead of the local provider's.")
@click.option("--oidc-client-id", default=None, metavar="ID", help="Audience --oidc-issuer's tokens must carry.")
@click.option("--oidc-jwks-url", default=None, metavar="URL",
              help="JWKS of --oidc-issuer (default: the jwks_uri of its /.well-known/openid-configuration).")
@click.option("--api-key", "api_keys", multiple=True, metavar="KEY",
              help="Also accept this API key (repeatable), e.g. a deployed API's key in recorded requests.")
@click.option("--no-explorer", is_flag=True, help="Do not serve the explorer page at /.")
@click.option("--allow-dev-endpoints", is_flag=True,
              help="With a --host that is not a loopback address, keep the explorer's helpers (token and "
                   "credential minting, store reset, explanations); they still answer only callers on this machine.")
# -- realtime/TLS hook (issue 8, resolvers/realtime/serving.py) --
@click.option("--https", "https_only", is_flag=True,
              help="TLS only (default: http:// and https:// on the same port; wss:// for Amplify subscriptions).")
# -- end realtime/TLS hook --
@click.option("--engine", type=click.Choice(["python", "vtl"]), default="python", show_default=True,
              help="python: the guards; vtl: execute the emitted AppSync resolver templates (as amplify mock).")
# -- Lambda authorizer hook (issue 14, resolvers/lambda_authorizer.py) --
@click.option("--authorizer", default=None, metavar="SPEC",
              help="Lambda authorizer: module:function, or a project file path/to/auth.py|index.js[:handler] "
                   "(default: gqlauth.json's lambdaAuthorizer, else the function Amplify's cli-inputs.json names).")
# -- dev loop (issue 13): reload, token leeway --
@click.option("--no-reload", is_flag=True,
              help="Do not watch the schema, the group file and the settings (default: reload the API on a change).")
@click.option("--no-request-log", is_flag=True,
              help="Do not print a line per operation (who, what, allowed or denied by which rule).")
@click.option("--no-frontend-config", is_flag=True,
              help="Do not write aws-exports.js / amplifyconfiguration.json for the local endpoint.")
@click.option("--leeway", type=click.IntRange(0, 3600), default=int(DEFAULT_LEEWAY.total_seconds()),
              show_default=True, metavar="SECONDS",
              help="Clock skew allowed on token exp/nbf/iat; 0 rejects a token the second it expires.")
@quiet_option
@guarded
def serve(target: Path | None, group_file: Path | None, auth_modes: str | None, api: str | None, host: str, port: int,
          db: str | None, seed: Path | None, issuer: str | None, jwks_url: str | None, client_id: str | None,
          api_keys: tuple[str, ...], no_explorer: bool, https_only: bool, engine: str,
          authorizer: str | None = None, no_reload: bool = False, no_request_log: bool = False,
          no_frontend_config: bool = False,
          leeway: int = int(DEFAULT_LEEWAY.total_seconds()), allow_dev_endpoints: bool = False,
          oidc_issuer: str | None = None, oidc_client_id: str | None = None, oidc_jwks_url: str | None = None,
          quiet: bool = False) -> None:
    """Serve PROJECT_DIR_OR_SCHEMA's API locally (queries, mutations, subscriptions), rules enforced.

    The API is reloaded in place when the schema, the group file or the settings change. --quiet keeps the
    banner and the request log (--no-request-log turns that off).
    """
    from starlette.applications import Starlette

    from resolvers.realtime.serving import ListenError, prepare_app, serve_with_realtime
    from resolvers.reload import ApiReloader, LiveApp
    from resolvers.server.app import create_app
    from resolvers.server.bindings import store_layouts
    from resolvers.server.pubsub import Subscriptions

    if jwks_url is not None and issuer is None:
        raise click.UsageError("--jwks-url needs --issuer")
    if (oidc_client_id is not None or oidc_jwks_url is not None) and oidc_issuer is None:
        raise click.UsageError("--oidc-client-id and --oidc-jwks-url need --oidc-issuer")
    opened = open_project(target, group_file, auth_modes, api=api, quiet=quiet)
    project, state = opened.project, opened.state
    store = open_store(opened, db)
    if seed is not None:
        from resolvers.commands.data import check_records_file

        try:
            check_records_file(opened, seed)
            counts = load_records_file(store, seed, replace=False)
        except UnreadableInput as exc:
            fail_usage(str(exc))
            return
        stderr_console().print(f"seeded {sum(counts.values())} record(s) from {seed}", markup=False)
    verifier = user_pool_verifier(state, issuer=issuer, jwks_url=jwks_url, client_id=client_id, leeway=leeway)
    from resolvers.lambda_authorizer import AuthorizerConfigError, authorizer_for
    from resolvers.local_oidc import local_oidc_verifier, remote_oidc_verifier
    from resolvers.server.explorer_endpoints import is_loopback_host

    def authenticator_for(served: Project) -> Authenticator:
        """Raises AuthorizerConfigError or ValueError for a project whose modes cannot be served."""
        lambda_authorizer, lambda_line = authorizer_for(served.schema_path, authorizer,
                                                        has_lambda_mode=Provider.FUNCTION in served.matrix.auth_modes)
        if lambda_line is not None and not quiet:
            stderr_console().print(f"  {lambda_line}", markup=False)
        oidc = None  # -- OIDC: the local provider, or --oidc-issuer --
        if Provider.OIDC in served.matrix.auth_modes:
            oidc = (remote_oidc_verifier(oidc_issuer, client_id=oidc_client_id, jwks_url=oidc_jwks_url,
                                         leeway=timedelta(seconds=leeway)) if oidc_issuer is not None
                    else local_oidc_verifier(state, leeway=timedelta(seconds=leeway)))
        return Authenticator(state, state.environment(), [mode.value for mode in served.matrix.auth_modes],
                             user_pool_verifier=verifier, api_keys=api_keys, lambda_authorizer=lambda_authorizer,
                             oidc_verifier=oidc)

    bus = Subscriptions()

    def build_app(served: Project) -> Starlette:
        store.add_layouts(store_layouts(served.matrix, served.schema))
        app = create_app(served, store, authenticator_for(served), state=state, bus=bus,
                         explorer=not no_explorer, engine=engine, explain=not no_explorer,
                         dev_endpoints=dev_endpoints,
                         request_log=None if no_request_log else print_request_line)
        prepare_app(app)
        return app

    dev_endpoints = allow_dev_endpoints or is_loopback_host(host)
    _print_banner(project, state, host, port, store.path, oidc_issuer)
    if not dev_endpoints:
        stderr_console().print(f"  dev:       {host} is not a loopback address: token minting, credentials and store "
                               "reset are off (--allow-dev-endpoints to keep them)", markup=False)
    try:
        live = LiveApp(build_app(project))
    except (AuthorizerConfigError, ValueError) as exc:
        fail_usage(str(exc))
        return
    stop_reload = None
    reloader = None
    if not no_reload and opened.load is not None:
        reloader = ApiReloader(live, project, opened.load, build_app,
                               report=reload_reporter(quiet),
                               report_diagnostics=print_diagnostics, roots=[state.dir.parent])
        stop_reload = reloader.start()
        watched = "schema, group file, settings, your resolvers" if project.custom_resolvers.folder else \
            "schema, group file, settings"
        stderr_console().print(f"  reload:    on ({watched})   --no-reload to turn off", markup=False)
    _stop_cleanly_on_sigterm()
    frontend = None if no_frontend_config else FrontendConfig(state, project, scheme="https" if https_only else "http")
    if reloader is not None and frontend is not None:
        reloader.on_reload.append(frontend.update)
    try:
        # -- realtime/TLS hook (issue 8): /graphql/realtime, local CA + server cert, http+https on one port --
        try:
            serve_with_realtime(live, state, host=host, port=port, https_only=https_only, prepared=True,
                                announce=lambda line: stderr_console().print(line, markup=False),
                                on_listening=frontend.listening if frontend is not None else None)
        except ListenError as exc:
            fail_usage(str(exc))
        # -- end realtime/TLS hook --
    finally:
        if stop_reload is not None:
            stop_reload.set()
        if frontend is not None:
            frontend.restore()
        store.close()
    raise SystemExit(0)


def reload_reporter(quiet: bool) -> Callable[[str], None]:
    """Prints the reloader's lines; with `quiet`, only those saying a change could not be served (errors)."""
    def report(line: str) -> None:
        if not quiet or line.endswith(STILL_SERVING):
            stderr_console().print(line, markup=False)

    return report


def print_request_line(line: str) -> None:
    stderr_console().print(f"{datetime.now().strftime('%H:%M:%S')} {line}", markup=False, highlight=False,
                           soft_wrap=True)


def _stop_cleanly_on_sigterm() -> None:
    """SIGTERM ends `serve` as Ctrl-C does, through its clean-up (uvicorn re-raises the signal once it has
    stopped; with the default handler the process would die before putting the frontend files back)."""
    def stop(_signum: int, _frame: object) -> None:
        raise SystemExit(0)

    with contextlib.suppress(ValueError):  # not the main thread (tests driving serve in-process)
        signal.signal(signal.SIGTERM, stop)


class FrontendConfig:
    """`serve`'s frontend configuration: written once listening, rewritten when the modes change, restored."""

    def __init__(self, state: LocalState, project: Project, *, scheme: str = "http") -> None:
        self.state = state
        self.project = project
        self.scheme = scheme
        self.endpoint: str | None = None
        self.writer = FrontendConfigWriter(frontend_folder(state.dir.parent, state.dir), state.dir)

    def listening(self, host: str, port: int) -> None:
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else (f"[{host}]" if ":" in host else host)
        self.endpoint = f"{self.scheme}://{shown}:{port}/graphql"
        self.update()

    def update(self, project: Project | None = None) -> None:
        """Write the files for the served project (`project`, after a reload); only once listening."""
        if project is not None:
            if project.matrix.auth_modes == self.project.matrix.auth_modes:
                self.project = project
                return
            self.project = project
        if self.endpoint is None:
            return
        modes = self.project.matrix.auth_modes
        api_key = self.state.dev_api_key().key if Provider.API_KEY in modes else None
        console = stderr_console()
        try:
            paths = self.writer.write(api_settings(self.endpoint, self.state.environment().region, modes, api_key))
        except OSError as exc:
            console.print(f"  frontend:  not written: {exc}   (--no-frontend-config to turn off)", markup=False)
            return
        for message in self.writer.messages:
            console.print(f"  frontend:  {message}", markup=False)
        self.writer.messages.clear()
        console.print(f"  frontend:  wrote {', '.join(str(p) for p in paths)}   (--no-frontend-config to turn off)",
                      markup=False)

    def restore(self) -> None:
        for path in self.writer.restore():
            stderr_console().print(f"gqlauth: put back {path}", markup=False)


def _print_banner(project: Project, state: LocalState, host: str, port: int, db: str,
                  oidc_issuer: str | None = None) -> None:
    console = stderr_console()
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}"
    modes = project.matrix.auth_modes
    console.print(f"gqlauth: serving {project.schema_path} at {url}/graphql", markup=False)
    console.print(f"  explorer:  {url}/", markup=False)
    console.print(f"  store:     {db}", markup=False)
    console.print(f"  auth modes: {', '.join(m.value for m in modes)}", markup=False)
    if Provider.API_KEY in modes:
        console.print(f"  API key:   {state.dev_api_key().key}   (header x-api-key)", markup=False)
    if Provider.USER_POOLS in modes:
        console.print("  token:     gqlauth token --user alice --groups Admins   (header Authorization)",
                      markup=False)
    if Provider.IAM in modes:
        console.print("  IAM:       gqlauth credentials --user alice   (sign requests with SigV4)", markup=False)
    if Provider.OIDC in modes:
        console.print(f"  OIDC:      tokens of {oidc_issuer}   (header Authorization)" if oidc_issuer is not None else
                      "  OIDC:      gqlauth token --oidc --user alice   (the local OIDC provider; header Authorization)",
                      markup=False)
    console.print("  denied?    gqlauth explain SCHEMA --operation Mutation.createPost --user alice", markup=False)


__all__ = ["DEFAULT_PORT", "EXIT_USAGE", "OpenedProject", "load_records_file", "open_project", "open_store", "serve",
           "user_pool_verifier"]
