"""The explorer in a real browser (Debian's chromium, driven by Playwright): every auth mode of the API is
offered, a user-pools-only API opens signed in (no 401), a denied request shows why beside the result,
IAM requests are signed in the page, and a button empties the store. Screenshots go to
`GQLAUTH_SCREENSHOTS` when set (the README's come from here). Skipped without chromium or Playwright."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import uvicorn
from serve_support import CREATE_POST, NOTES_SCHEMA, blog_project, template_state

from resolvers.authenticate import Authenticator
from resolvers.dual_listener import bind_socket
from resolvers.issuer import mint_token
from resolvers.lambda_authorizer import LambdaAuthorizer
from resolvers.local_oidc import local_oidc_verifier
from resolvers.local_state import LocalState
from resolvers.reload import LiveApp
from resolvers.server.app import create_app
from resolvers.server.bindings import store_layouts
from resolvers.store import Store
from transformer.project import Project, load_project
from transformer.rules import Provider

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"),
    pytest.mark.timeout(180),
]
UPDATE = 'mutation { updatePost(input: {id: "p1", title: "mine now"}) { id title } }'
LIST = "query { listPosts { items { id title } } }"


class Live:
    def __init__(self, directory: Path, project: Project, authorizer: Any = None, oidc_verifier: Any = None) -> None:
        shutil.copytree(template_state(), directory / ".gqlauth", dirs_exist_ok=True)
        self.state = LocalState.open(directory)
        self.store = Store(":memory:", store_layouts(project.matrix, project.schema))
        self.lines: list[str] = []
        authenticator = Authenticator(self.state, self.state.environment(),
                                      [m.value for m in project.matrix.auth_modes], lambda_authorizer=authorizer,
                                      oidc_verifier=oidc_verifier)
        self.authenticator = authenticator
        self.live = LiveApp(self.app_for(project))
        self.sock = bind_socket("127.0.0.1", 0)
        self.server = uvicorn.Server(uvicorn.Config(self.live, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"

    def app_for(self, project: Project) -> Any:
        """The API for `project` over the same store and credentials (what `serve` swaps in on a reload)."""
        self.store.add_layouts(store_layouts(project.matrix, project.schema))
        return create_app(project, self.store, self.authenticator, state=self.state, request_log=self.lines.append,
                          explain=True)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def blog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    directory, project = blog_project(tmp_path_factory.mktemp("explorer"),
                                      [Provider.USER_POOLS, Provider.API_KEY, Provider.IAM])
    live = Live(directory, project)
    yield live
    live.stop()


@pytest.fixture(scope="module")
def pools_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    directory = tmp_path_factory.mktemp("pools") / "project"
    directory.mkdir()
    (directory / "schema.graphql").write_text(NOTES_SCHEMA)
    project, diagnostics = load_project(directory, auth_modes=[Provider.USER_POOLS])
    assert project is not None, diagnostics
    live = Live(directory, project)
    yield live
    live.stop()


@pytest.fixture(scope="module")
def lambda_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    directory = tmp_path_factory.mktemp("lambda") / "project"
    directory.mkdir()
    (directory / "schema.graphql").write_text(
        "type Memo @model @auth(rules: [{allow: custom}]) {\n  id: ID!\n  text: String\n}\n")
    project, diagnostics = load_project(directory, auth_modes=[Provider.FUNCTION])
    assert project is not None, diagnostics
    authorizer = LambdaAuthorizer(lambda event: {"isAuthorized": event["authorizationToken"] == "letmein"}, "test")
    live = Live(directory, project, authorizer)
    yield live
    live.stop()


@pytest.fixture(scope="module")
def oidc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    directory = tmp_path_factory.mktemp("oidc") / "project"
    directory.mkdir()
    (directory / "schema.graphql").write_text(
        "type Memo @model @auth(rules: [{allow: owner, provider: oidc, identityClaim: \"sub\"}, {allow: public}]) {\n"
        "  id: ID!\n  text: String\n}\n")
    project, diagnostics = load_project(directory, auth_modes=[Provider.API_KEY, Provider.OIDC])
    assert project is not None, diagnostics
    shutil.copytree(template_state(), directory / ".gqlauth", dirs_exist_ok=True)
    live = Live(directory, project, oidc_verifier=local_oidc_verifier(LocalState.open(directory)))
    yield live
    live.stop()


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("GQLAUTH_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def _open(browser: Any, live: Live, query: str | None = None) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 800})
    page.goto(live.url + (f"?query={quote(query)}" if query else ""))
    page.wait_for_selector(".graphiql-execute-button")
    return page


def _run(page: Any) -> None:
    """Run the editor's document, once a changed identity's editor has replaced the old one."""
    page.wait_for_load_state("networkidle")
    page.click(".graphiql-execute-button")


def test_a_user_pools_only_api_opens_signed_in_with_its_schema_and_no_error(browser: Any, pools_only: Live) -> None:
    page = _open(browser, pools_only, "query { listNotes { items { id title } } }")
    page.wait_for_function("document.getElementById('status').textContent.includes('signed in as alice')")
    modes = page.locator("#modes label").all_inner_texts()
    assert [m.strip() for m in modes] == ["User pool", "None"]
    _run(page)
    page.wait_for_function("document.querySelector('.graphiql-response') && "
                           "document.querySelector('.graphiql-response').textContent.includes('listNotes')")
    response = page.locator(".graphiql-response").inner_text()
    assert "errors" not in response and "Unauthorized" not in response
    assert page.locator("#status.error").count() == 0
    _shot(page, "explorer-user-pools-first-screen")
    page.close()


def test_a_denied_request_shows_every_rule_tried_beside_the_error(browser: Any, blog: Live) -> None:
    blog.store.reset()
    token = mint_token(blog.state, user="alice")
    page = _open(browser, blog, UPDATE)
    page.request.post(blog.url + "graphql", headers={"authorization": token, "content-type": "application/json"},
                      data={"query": CREATE_POST, "variables": {"input": {"id": "p1", "title": "alice's"}}})
    page.check("input[name=mode][value=userPools]")
    page.fill("#user", "bob")
    page.fill("#groups", "Viewers")
    page.click("#signIn")
    page.wait_for_function("document.getElementById('status').textContent.includes('signed in as bob')")
    page.wait_for_selector(".graphiql-execute-button")
    _run(page)
    page.wait_for_selector("#why:not(.hidden) .denied")
    why = page.locator("#why").inner_text()
    assert "Mutation.updatePost" in why and "DENIED" in why
    assert "staticGroup:Admins" in why and "alice" in why  # the owner rule says whose record it is
    assert "Not Authorized to access updatePost" in page.locator(".graphiql-response").inner_text()
    _shot(page, "explorer-denied-why")
    page.close()


def test_iam_requests_are_signed_in_the_page_with_local_credentials(browser: Any, blog: Live) -> None:
    page = _open(browser, blog, LIST)
    page.check("input[name=mode][value=iam]")
    page.check("#guest")
    page.click("#signIn")
    page.wait_for_function("document.getElementById('status').textContent.includes('IAM, signed here as a guest')")
    page.wait_for_selector(".graphiql-execute-button")
    blog.lines.clear()
    _run(page)
    page.wait_for_function("document.querySelector('.graphiql-response') && "
                           "document.querySelector('.graphiql-response').textContent.includes('listPosts')")
    # The signature was accepted (no 401): the rules decided, and the blog's rules give IAM nothing.
    assert blog.lines and blog.lines[-1].startswith("iam (") and "Query.listPosts DENIED" in blog.lines[-1]
    assert "Not Authorized to access listPosts" in page.locator(".graphiql-response").inner_text()
    page.close()


def test_every_mode_of_the_api_is_offered_and_the_reset_button_empties_the_store(browser: Any, blog: Live) -> None:
    blog.store.reset([{"__typename": "Post", "id": "x", "title": "t", "owner": "alice"}])
    page = _open(browser, blog)
    page.wait_for_selector("#modes label")
    assert [m.strip() for m in page.locator("#modes label").all_inner_texts()] == ["User pool", "API key", "IAM", "None"]
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#reset")
    page.wait_for_function("document.getElementById('status').textContent.includes('store reset')")
    assert blog.store.dump() == []
    _shot(page, "explorer-modes")
    page.close()


def test_a_lambda_token_is_sent_as_the_authorization_header(browser: Any, lambda_only: Live) -> None:
    page = _open(browser, lambda_only, "query { listMemos { items { id } } }")
    page.wait_for_selector("#modes label")
    assert [m.strip() for m in page.locator("#modes label").all_inner_texts()] == ["Lambda", "None"]
    page.fill("#token", "letmein")  # the click on Run leaves the field, which commits it before the request
    _run(page)
    page.wait_for_function("document.querySelector('.graphiql-response') && "
                           "document.querySelector('.graphiql-response').textContent.includes('listMemos')")
    assert "errors" not in page.locator(".graphiql-response").inner_text()
    assert "Query.listMemos ALLOWED" in lambda_only.lines[-1]
    assert "Lambda authorization token" in page.locator("#status").inner_text()
    page.close()


def test_an_oidc_token_is_minted_for_a_user_by_the_local_provider(browser: Any, oidc: Live) -> None:
    page = _open(browser, oidc, 'mutation { createMemo(input: {id: "m1", text: "hi"}) { id owner } }')
    page.wait_for_selector("#modes label")
    assert [m.strip() for m in page.locator("#modes label").all_inner_texts()] == ["API key", "OIDC", "None"]
    page.check("input[name=mode][value=oidc]")
    page.fill("#user", "olga")
    page.click("#signIn")
    page.wait_for_function("document.getElementById('status').textContent.includes('olga')")
    _run(page)
    page.wait_for_selector("#why:not(.hidden) .allowed")
    assert "createMemo" in page.locator(".graphiql-response").inner_text()
    assert oidc.lines[-1].startswith("olga (oidc") and "Mutation.createMemo ALLOWED by oidc:owner" in oidc.lines[-1]
    page.close()


def test_a_reload_refetches_the_schema_and_an_invalid_edit_shows_its_errors(browser: Any, tmp_path: Path) -> None:
    directory = tmp_path / "project"
    directory.mkdir()
    (directory / "schema.graphql").write_text(NOTES_SCHEMA)
    project, _ = load_project(directory, auth_modes=[Provider.USER_POOLS])
    assert project is not None
    live = Live(directory, project)
    try:
        page = _open(browser, live)
        page.wait_for_function("document.getElementById('status').textContent.includes('signed in as alice')")
        introspections: list[str] = []
        page.on("request", lambda request: introspections.append(request.url)
                if request.url.endswith("/dev/introspection") else None)
        live.live.errors = [f"{directory / 'schema.graphql'}:3:1: error: something is wrong"]
        page.wait_for_selector("#reloadErrors:not(.hidden)")
        assert "the last good API is still served" in page.locator("#reloadErrors").inner_text()
        assert "schema.graphql:3:1: error: something is wrong" in page.locator("#reloadErrors").inner_text()
        _shot(page, "explorer-reload-errors")

        (directory / "schema.graphql").write_text(NOTES_SCHEMA + "type Tag @model @auth(rules: [{allow: private}]) "
                                                  "{ id: ID! name: String }\n")
        reloaded, _ = load_project(directory, auth_modes=[Provider.USER_POOLS])
        assert reloaded is not None
        live.live.swap(live.app_for(reloaded))
        page.wait_for_selector("#reloadErrors.hidden", state="attached")
        page.wait_for_function("document.getElementById('status').textContent.includes('reloaded')")
        deadline = time.monotonic() + 10
        while not introspections and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        assert introspections, "the schema was not fetched again after the reload"
        page.close()
    finally:
        live.stop()
