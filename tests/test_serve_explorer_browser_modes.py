"""The explorer in a real browser, beyond the default set-up: an OIDC-default API opens signed in through the
local OIDC provider; a server without its dev helpers (serve on a non-loopback --host) still gives a working
page once credentials are pasted; under `--engine vtl` a denial is explained beside the error too.
Skipped without chromium (Debian's) or Playwright."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import uvicorn
from serve_support import CREATE_POST, blog_project, template_state

from resolvers.authenticate import Authenticator
from resolvers.dual_listener import bind_socket
from resolvers.issuer import issue_credentials, mint_token, subject_for
from resolvers.lambda_authorizer import LambdaAuthorizer
from resolvers.local_oidc import local_oidc_verifier
from resolvers.local_state import LocalState
from resolvers.server.app import create_app
from resolvers.server.bindings import store_layouts
from resolvers.store import Store
from transformer.group_roles import authenticated_role_iam_arn
from transformer.project import Project, load_project
from transformer.rules import Provider

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"),
    pytest.mark.timeout(180),
]
RESPONSE_HAS = ("document.querySelector('.graphiql-response') && "
                "document.querySelector('.graphiql-response').textContent.includes('{}')")


class Served:
    """A project served by uvicorn on a free loopback port, in this process."""

    def __init__(self, directory: Path, project: Project, **options: Any) -> None:
        shutil.copytree(template_state(), directory / ".gqlauth", dirs_exist_ok=True)
        self.state = LocalState.open(directory)
        self.store = Store(":memory:", store_layouts(project.matrix, project.schema))
        oidc = local_oidc_verifier(self.state) if Provider.OIDC in project.matrix.auth_modes else None
        authorizer = (LambdaAuthorizer(lambda event: {"isAuthorized": event["authorizationToken"] == "letmein"}, "test")
                      if Provider.FUNCTION in project.matrix.auth_modes else None)
        authenticator = Authenticator(self.state, self.state.environment(),
                                      [m.value for m in project.matrix.auth_modes], oidc_verifier=oidc,
                                      lambda_authorizer=authorizer)
        app = create_app(project, self.store, authenticator, state=self.state, explain=True, **options)
        self.sock = bind_socket("127.0.0.1", 0)
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield launched
        launched.close()


def _served(tmp_path: Path, sdl: str | None, modes: list[Provider], **options: Any) -> Served:
    if sdl is None:
        directory, project = blog_project(tmp_path, modes)
    else:
        directory = tmp_path / "project"
        directory.mkdir()
        (directory / "schema.graphql").write_text(sdl)
        loaded, diagnostics = load_project(directory, auth_modes=modes)
        assert loaded is not None, diagnostics
        project = loaded
    return Served(directory, project, **options)


def _open(browser: Any, served: Served, query: str) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(served.url + f"?query={quote(query)}")
    page.wait_for_selector(".graphiql-execute-button")
    page.errors = errors
    return page


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("GQLAUTH_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


EVERY_MODE_SCHEMA = """
type Post @model @auth(rules: [
  {allow: groups, groups: ["Admins"]},
  {allow: owner},
  {allow: owner, provider: oidc, identityClaim: "sub", ownerField: "author"},
  {allow: public, operations: [read]},
  {allow: private, provider: iam, operations: [read]},
  {allow: custom, operations: [read]}
]) {
  id: ID!
  title: String!
  owner: String
  author: String
}
"""


def test_an_api_with_every_mode_offers_each_default_first_and_signs_iam_in_the_page(browser: Any,
                                                                                     tmp_path: Path) -> None:
    modes = [Provider.USER_POOLS, Provider.API_KEY, Provider.OIDC, Provider.IAM, Provider.FUNCTION]
    served = _served(tmp_path, EVERY_MODE_SCHEMA, modes)
    try:
        served.store.reset([{"__typename": "Post", "id": "p1", "title": "Hello", "owner": "alice"}])
        page = _open(browser, served, "query { listPosts { items { id title } } }")
        page.wait_for_selector("#modes label")
        offered = [label.strip() for label in page.locator("#modes label").all_inner_texts()]
        assert offered == ["User pool", "API key", "OIDC", "IAM", "Lambda", "None"]
        page.check("input[name=mode][value=iam]")
        page.fill("#user", "alice")
        page.fill("#groups", "Admins")
        page.click("#signIn")
        page.wait_for_function("document.getElementById('status').textContent.includes('IAM, signed here as alice')")
        page.click(".graphiql-execute-button")
        page.wait_for_function(RESPONSE_HAS.format("Hello"))
        assert "errors" not in page.locator(".graphiql-response").inner_text()
        page.wait_for_selector("#why:not(.hidden) .allowed")
        assert "Query.listPosts ALLOWED by iam:private" in page.locator("#why").inner_text()
        _shot(page, "explorer-every-mode-iam")
        assert page.errors == []
        page.close()
    finally:
        served.stop()


def test_an_oidc_api_opens_signed_in_through_the_local_provider(browser: Any, tmp_path: Path) -> None:
    served = _served(tmp_path, "type Memo @model @auth(rules: [{allow: owner, provider: oidc, identityClaim: \"sub\"}]) "
                               "{\n  id: ID!\n  text: String\n}\n", [Provider.OIDC])
    try:
        page = _open(browser, served, 'mutation { createMemo(input: {id: "m1", text: "hi"}) { id owner } }')
        page.wait_for_function("document.getElementById('status').textContent.includes('local OIDC provider')")
        assert "signed in as alice" in page.locator("#status").inner_text()
        page.click(".graphiql-execute-button")
        page.wait_for_function(RESPONSE_HAS.format("createMemo"))
        response = page.locator(".graphiql-response").inner_text()
        assert "errors" not in response and '"m1"' in response
        assert page.errors == []
        page.close()
    finally:
        served.stop()


def test_without_the_dev_helpers_the_page_works_with_a_pasted_api_key(browser: Any, tmp_path: Path) -> None:
    served = _served(tmp_path, None, [Provider.API_KEY, Provider.USER_POOLS], dev_endpoints=False)
    try:
        served.store.reset([{"__typename": "Post", "id": "p9", "title": "public", "owner": "alice"}])
        page = _open(browser, served, "query { listPosts { items { id title } } }")
        page.wait_for_selector("#modes label")
        assert page.locator("#reset").is_hidden()
        page.check("input[name=mode][value=apiKey]")
        page.fill("#apiKey", served.state.dev_api_key().key)
        page.dispatch_event("#apiKey", "change")
        page.click(".graphiql-execute-button")
        page.wait_for_function(RESPONSE_HAS.format("p9"))
        assert "errors" not in page.locator(".graphiql-response").inner_text()
        assert page.errors == []
        page.close()
    finally:
        served.stop()


def test_under_the_vtl_engine_a_denial_is_explained_beside_the_error(browser: Any, tmp_path: Path) -> None:
    served = _served(tmp_path, None, [Provider.USER_POOLS, Provider.API_KEY], engine="vtl")
    try:
        page = _open(browser, served, 'mutation { updatePost(input: {id: "p1", title: "mine now"}) { id } }')
        page.request.post(served.url + "graphql", headers={"authorization": mint_token(served.state, user="alice"),
                                                           "content-type": "application/json"},
                          data={"query": CREATE_POST, "variables": {"input": {"id": "p1", "title": "alice's"}}})
        page.wait_for_function("document.getElementById('status').textContent.includes('signed in as alice')")
        page.fill("#user", "bob")
        page.click("#signIn")
        page.wait_for_function("document.getElementById('status').textContent.includes('signed in as bob')")
        page.click(".graphiql-execute-button")
        page.wait_for_selector("#why:not(.hidden) .denied")
        why = page.locator("#why").inner_text()
        assert "Mutation.updatePost" in why and "record owner is alice's, you are bob" in why
        assert "Not Authorized to access updatePost" in page.locator(".graphiql-response").inner_text()
        page.close()
    finally:
        served.stop()


def test_a_minted_token_that_expired_is_minted_again_before_the_request(browser: Any, tmp_path: Path) -> None:
    """The page kept yesterday's token (localStorage): the next request signs in again instead of a 401."""
    served = _served(tmp_path, None, [Provider.USER_POOLS, Provider.API_KEY])
    try:
        expired = mint_token(served.state, user="alice", now=datetime.now(UTC) - timedelta(hours=3))
        saved = {"mode": "userPools", "token": expired, "user": "alice", "groups": "Editors", "pasted": False}
        context = browser.new_context(viewport={"width": 1400, "height": 800})
        context.add_init_script(f"localStorage.setItem('gqlauth.identity', {json.dumps(json.dumps(saved))});")
        page = context.new_page()
        page.goto(served.url + "?query=" + quote('mutation { createPost(input: {id: "p2", title: "t"}) { id owner } }'))
        page.wait_for_selector(".graphiql-execute-button")
        page.wait_for_function("document.getElementById('status').textContent.includes('signed in as alice')")
        page.click(".graphiql-execute-button")
        page.wait_for_function(RESPONSE_HAS.format("createPost"))
        response = page.locator(".graphiql-response").inner_text()
        assert "errors" not in response and '"alice"' in response
        renewed = json.loads(page.evaluate("localStorage.getItem('gqlauth.identity')"))
        assert renewed["token"] != expired and renewed["groups"] == "Editors"
        context.close()
    finally:
        served.stop()


@pytest.mark.parametrize("mode", ["apiKey", "iam"])
def test_a_subscription_started_in_the_page_receives_events(browser: Any, tmp_path: Path, mode: str) -> None:
    """graphql-transport-ws from the page, the credentials in connection_init (IAM: signed in the page)."""
    modes = [Provider.USER_POOLS, Provider.API_KEY, Provider.OIDC, Provider.IAM, Provider.FUNCTION]
    served = _served(tmp_path, EVERY_MODE_SCHEMA, modes)
    try:
        page = _open(browser, served, "subscription { onCreatePost { id title } }")
        page.wait_for_selector("#modes label")
        page.check(f"input[name=mode][value={mode}]")
        if mode == "iam":
            page.fill("#user", "carol")  # iam:private: an authenticated identity-pool role (a guest is refused)
            page.click("#signIn")
            page.wait_for_function("document.getElementById('status').textContent.includes('signed here as carol')")
        page.click(".graphiql-execute-button")
        alice = mint_token(served.state, user="alice")
        deadline = time.monotonic() + 20
        delivered = ""
        while "from alice" not in delivered and time.monotonic() < deadline:
            page.request.post(served.url + "graphql",
                              headers={"authorization": alice, "content-type": "application/json"},
                              data={"query": 'mutation { createPost(input: {title: "from alice"}) { id } }'})
            page.wait_for_timeout(300)
            delivered = page.locator(".graphiql-response").inner_text()
        assert "from alice" in delivered and "errors" not in delivered
        assert page.errors == []
        page.close()
    finally:
        served.stop()


def test_a_refused_subscription_shows_why_beside_the_error(browser: Any, tmp_path: Path) -> None:
    """A guest's IAM credentials: iam:private is for authenticated roles, so onCreatePost is refused, and why."""
    modes = [Provider.USER_POOLS, Provider.API_KEY, Provider.OIDC, Provider.IAM, Provider.FUNCTION]
    served = _served(tmp_path, EVERY_MODE_SCHEMA, modes)
    try:
        page = _open(browser, served, "subscription { onCreatePost { id title } }")
        page.wait_for_selector("#modes label")
        page.check("input[name=mode][value=iam]")
        page.check("#guest")
        page.click("#signIn")
        page.wait_for_function("document.getElementById('status').textContent.includes('signed here as a guest')")
        page.click(".graphiql-execute-button")
        page.wait_for_function(RESPONSE_HAS.format("Not Authorized to access onCreatePost"))
        page.wait_for_selector("#why:not(.hidden) .denied")
        why = page.locator("#why").inner_text()
        assert "Subscription.onCreatePost" in why and "iam:private" in why
        assert page.errors == []
        page.close()
    finally:
        served.stop()


def test_iam_credentials_pasted_from_gqlauth_credentials_sign_requests_without_the_helpers(browser: Any,
                                                                                           tmp_path: Path) -> None:
    modes = [Provider.USER_POOLS, Provider.API_KEY, Provider.OIDC, Provider.IAM, Provider.FUNCTION]
    served = _served(tmp_path, EVERY_MODE_SCHEMA, modes, dev_endpoints=False)
    try:
        served.store.reset([{"__typename": "Post", "id": "p1", "title": "Hello", "owner": "alice"}])
        env = served.state.environment()
        record = issue_credentials(served.state, env, role_arn=authenticated_role_iam_arn(env), authenticated=True,
                                   user_sub=subject_for("alice"), label="alice")
        printed = (f"AWS_ACCESS_KEY_ID={record.access_key_id}\nAWS_SECRET_ACCESS_KEY={record.secret_access_key}\n"
                   f"AWS_SESSION_TOKEN={record.session_token}\n")
        page = _open(browser, served, "query { listPosts { items { id title } } }")
        page.wait_for_selector("#modes label")
        page.check("input[name=mode][value=iam]")
        page.click("#paste")
        page.fill("#token", "not credentials")
        page.dispatch_event("#token", "change")
        assert "not credentials" in page.locator("#status.error").inner_text()
        page.fill("#token", printed)
        page.dispatch_event("#token", "change")
        page.wait_for_function("document.getElementById('status').textContent.includes('pasted credentials')")
        page.click(".graphiql-execute-button")
        page.wait_for_function(RESPONSE_HAS.format("Hello"))
        assert "errors" not in page.locator(".graphiql-response").inner_text()
        assert page.errors == []
        page.close()
    finally:
        served.stop()


def test_iam_without_webcrypto_says_how_to_open_the_page(browser: Any, tmp_path: Path) -> None:
    """Opened over plain http:// from another host the page has no WebCrypto: IAM says what to do, no crash."""
    served = _served(tmp_path, None, [Provider.USER_POOLS, Provider.API_KEY, Provider.IAM])
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 800})
        context.add_init_script("Object.defineProperty(window.crypto, 'subtle', {value: undefined});")
        page = context.new_page()
        page.goto(served.url + "?query=" + quote("query { listPosts { items { id } } }"))
        page.wait_for_selector("#modes label")
        page.check("input[name=mode][value=iam]")
        page.check("#guest")
        page.click("#signIn")
        page.wait_for_function("document.getElementById('status').textContent.includes('signed here as a guest')")
        page.click(".graphiql-execute-button")
        page.wait_for_function(RESPONSE_HAS.format("WebCrypto"))
        assert "https://" in page.locator(".graphiql-response").inner_text()
        context.close()
    finally:
        served.stop()
