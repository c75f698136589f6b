"""The real Amplify JS library (aws-amplify 6.22.1) against `gqlauth serve` on the blog sample.

For API key, user pool (access and ID tokens) and IAM: lists, creates, updates, refusals where the
rules refuse, refused credentials reported as `Unauthorized`, and subscription events over the
AppSync real-time protocol (wss:// on the same port, trusted through NODE_EXTRA_CA_CERTS).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from amplify_js_support import (
    ClientRun,
    ServeProcess,
    auth_args,
    install_client,
    install_legacy_library,
    node_missing_reason,
    run_client,
    serving,
    start_subscriber,
)

from resolvers.issuer import issue_credentials, mint_token, subject_for
from resolvers.local_state import LocalState, now_utc
from transformer.group_roles import unauthenticated_role_iam_arn

pytestmark = pytest.mark.skipif(node_missing_reason() is not None, reason=node_missing_reason() or "")

BLOG = Path(__file__).resolve().parents[1] / "samples" / "blog"
LIST = "query { listPosts { items { id title owner } } }"
CREATE = "mutation Create($input: CreatePostInput!) { createPost(input: $input) { id title owner } }"
UPDATE = "mutation Update($input: UpdatePostInput!) { updatePost(input: $input) { id title owner } }"
ON_CREATE = "subscription OnCreatePost { onCreatePost { id title owner internalNotes } }"
T = TypeVar("T")


@dataclass
class Blog:
    served: ServeProcess
    client: Path
    api_key: str
    alice_access: str
    alice_id: str
    bob_editor_id: str
    carol_access: str
    expired: str
    forged: str
    admin_iam: dict[str, str]
    guest_iam: dict[str, str]
    legacy: Future[Path]
    """aws-amplify 6.5.4, installed in the background while the other tests run."""

    def run(self, auth: list[str], query: str, variables: dict[str, Any] | None = None) -> ClientRun:
        return run_client(self.client, self.served, auth, query, variables)


@pytest.fixture(scope="module")
def blog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Blog]:
    background = ThreadPoolExecutor(max_workers=1)
    legacy = background.submit(install_legacy_library)
    client = install_client()
    project = tmp_path_factory.mktemp("blog")
    for name in ("schema.graphql", "user-pool-group-precedence.json"):
        shutil.copy2(BLOG / name, project / name)
    state = LocalState.open(project)
    env = state.environment()
    admin_role = env.group_role_name("Admins")
    state.save_environment(env.model_copy(update={"admin_roles": (admin_role,)}))
    env = state.environment()
    admin = issue_credentials(state, env, role_arn=env.group_role_arn("Admins"), authenticated=True,
                              user_sub=subject_for("root"), label="root")
    guest = issue_credentials(state, env, role_arn=unauthenticated_role_iam_arn(env), authenticated=False)
    alice = mint_token(state, user="alice", use="access")
    head, payload, signature = alice.split(".")
    with background, serving(project, "--auth-modes", "userPools,apiKey,iam") as served:
        yield Blog(
            served=served, client=client, api_key=state.dev_api_key().key,
            alice_access=alice, alice_id=mint_token(state, user="alice", use="id"),
            bob_editor_id=mint_token(state, user="bob", groups=["Editors"], use="id"),
            carol_access=mint_token(state, user="carol", use="access"),
            expired=mint_token(state, user="alice", use="access", expires_in=timedelta(minutes=5),
                               now=now_utc() - timedelta(hours=1)),
            forged=".".join([head, payload, signature[::-1]]),
            admin_iam={"access_key_id": admin.access_key_id, "secret_access_key": admin.secret_access_key,
                       "session_token": admin.session_token or ""},
            guest_iam={"access_key_id": guest.access_key_id, "secret_access_key": guest.secret_access_key,
                       "session_token": guest.session_token or ""},
            legacy=legacy,
        )


def _parallel(*calls: Callable[[], T]) -> list[T]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return [future.result() for future in [pool.submit(call) for call in calls]]


def _ok(run: ClientRun) -> dict[str, Any]:
    assert run.code == 0 and not run.result.get("errors"), (run.result, run.stderr[-1500:])
    return dict(run.result["data"])


def _user(token: str) -> list[str]:
    return auth_args("userPool", token=token)


def test_api_key_lists_and_is_refused_writes(blog: Blog) -> None:
    key = auth_args("apiKey", api_key=blog.api_key)
    listed, created = _parallel(lambda: blog.run(key, LIST),
                                lambda: blog.run(key, CREATE, {"input": {"title": "by key"}}))
    assert isinstance(_ok(listed)["listPosts"]["items"], list)
    assert created.code == 1
    assert created.messages() == ["Not Authorized to access createPost on type Mutation"]
    assert created.result["errors"][0]["errorType"] == "Unauthorized"


def test_the_configuration_serve_wrote_is_what_the_library_reads(blog: Blog) -> None:
    """`Amplify.configure` with the amplifyconfiguration.json `serve` wrote: endpoint, default mode, API key."""
    config = blog.served.project / ".gqlauth" / "frontend" / "amplifyconfiguration.json"
    written = json.loads(config.read_text())
    assert written["aws_appsync_graphqlEndpoint"] == blog.served.endpoint
    assert written["aws_appsync_authenticationType"] == "AMAZON_COGNITO_USER_POOLS"
    elsewhere = replace(blog.served, port=1)  # only the file names the real endpoint
    by_key = run_client(blog.client, elsewhere, ["--config", str(config), "--auth", "apiKey"], LIST)
    as_alice = run_client(blog.client, elsewhere, ["--config", str(config), *_user(blog.alice_access)], LIST)
    assert isinstance(_ok(by_key)["listPosts"]["items"], list)
    assert isinstance(_ok(as_alice)["listPosts"]["items"], list)


def test_user_pool_access_and_id_tokens_create_update_with_the_same_owner(blog: Blog) -> None:
    by_access, by_id = _parallel(lambda: blog.run(_user(blog.alice_access), CREATE, {"input": {"title": "a1"}}),
                                 lambda: blog.run(_user(blog.alice_id), CREATE, {"input": {"title": "a2"}}))
    first, second = _ok(by_access)["createPost"], _ok(by_id)["createPost"]
    assert first["owner"] == second["owner"] == "alice"
    updated = _ok(blog.run(_user(blog.alice_id), UPDATE, {"input": {"id": first["id"], "title": "a1!"}}))
    assert updated["updatePost"] == {"id": first["id"], "title": "a1!", "owner": "alice"}
    refused, listed = _parallel(
        lambda: blog.run(_user(blog.carol_access), UPDATE, {"input": {"id": first["id"], "title": "carol's now"}}),
        lambda: blog.run(_user(blog.carol_access), LIST))
    assert refused.code == 1 and refused.result["errors"][0]["errorType"] in ("Unauthorized",
                                                                              "DynamoDB:ConditionalCheckFailedException")
    titles = {item["title"] for item in _ok(listed)["listPosts"]["items"]}
    assert {"a1!", "a2"} <= titles and "carol's now" not in titles


def test_iam_admin_role_lists_creates_updates_and_a_guest_is_refused(blog: Blog) -> None:
    admin = auth_args("iam", **blog.admin_iam)
    created = _ok(blog.run(admin, CREATE, {"input": {"title": "by iam", "owner": "alice"}}))["createPost"]
    listed, updated, guest = _parallel(
        lambda: blog.run(admin, LIST),
        lambda: blog.run(admin, UPDATE, {"input": {"id": created["id"], "title": "by iam!"}}),
        lambda: blog.run(auth_args("iam", **blog.guest_iam), LIST))
    assert created["id"] in {item["id"] for item in _ok(listed)["listPosts"]["items"]}
    assert _ok(updated)["updatePost"]["title"] == "by iam!"
    assert guest.code == 1 and guest.messages() == ["Not Authorized to access listPosts on type Query"]


def _bad_http_credentials(blog: Blog) -> dict[str, list[str]]:
    bad_secret = {**blog.admin_iam, "secret_access_key": blog.admin_iam["secret_access_key"][::-1]}
    return {
        "wrong api key": auth_args("apiKey", api_key="da2-wrongwrongwrongwrongwrong"),
        "forged token": _user(blog.forged),
        "expired token": _user(blog.expired),
        "bad sigv4 signature": auth_args("iam", **bad_secret),
    }


def test_refused_credentials_over_http_are_the_librarys_unauthorized(blog: Blog) -> None:
    cases = _bad_http_credentials(blog)
    runs = _parallel(*[lambda auth=auth: blog.run(auth, LIST) for auth in cases.values()])
    for case, run in zip(cases, runs, strict=True):
        assert run.code == 1, case
        assert run.messages() == ["Unauthorized"], (case, run.result)
        original = run.result["errors"][0]["originalError"]
        assert original["name"] == "UnauthorizedException", case
        assert original["$metadata"]["httpStatusCode"] == 401, case


def test_owner_gets_her_own_events_and_not_another_users_protected_fields(blog: Blog) -> None:
    subscriber = start_subscriber(blog.client, blog.served, _user(blog.alice_access), ON_CREATE, count=2,
                                  trigger='mutation { createPost(input: {title: "alice live"}) { id } }')
    subscriber.wait_for("ack")
    bobs = blog.run(auth_args("userPool", token=blog.bob_editor_id), CREATE,
                    {"input": {"title": "bob live", "internalNotes": "editors only"}})
    _ok(bobs)
    assert subscriber.finish() == 0, subscriber.seen
    events = [event["value"]["data"]["onCreatePost"] for event in subscriber.seen if event["type"] == "next"]
    by_title = {event["title"]: event for event in events}
    assert set(by_title) == {"alice live", "bob live"}
    assert by_title["alice live"]["owner"] == "alice"
    assert by_title["bob live"]["owner"] == "bob" and by_title["bob live"]["internalNotes"] is None
    assert all(set(event) == {"id", "title", "owner", "internalNotes"} for event in events)


def test_api_key_id_token_and_iam_subscribers_receive_events(blog: Blog) -> None:
    subscribers = {
        "apiKey": start_subscriber(blog.client, blog.served, auth_args("apiKey", api_key=blog.api_key), ON_CREATE),
        "idToken": start_subscriber(blog.client, blog.served, _user(blog.alice_id), ON_CREATE),
        "iam": start_subscriber(blog.client, blog.served, auth_args("iam", **blog.admin_iam), ON_CREATE),
    }
    for subscriber in subscribers.values():
        subscriber.wait_for("ack")
    _ok(blog.run(_user(blog.carol_access), CREATE, {"input": {"title": "for everyone"}}))
    for mode, subscriber in subscribers.items():
        assert subscriber.finish() == 0, (mode, subscriber.seen)
        events = [event["value"]["data"]["onCreatePost"] for event in subscriber.seen if event["type"] == "next"]
        assert [event["title"] for event in events] == ["for everyone"], mode


def test_subscription_refused_by_the_rules_is_the_librarys_unauthorized(blog: Blog) -> None:
    subscriber = start_subscriber(blog.client, blog.served, auth_args("apiKey", api_key=blog.api_key),
                                  "subscription { onCreateComment { id content } }", timeout=20)
    error = subscriber.wait_for("error")
    assert subscriber.finish() == 1
    assert error["error"]["errors"][0]["message"] == "Unauthorized"


def test_refused_credentials_at_the_realtime_handshake_fail_the_subscription(blog: Blog) -> None:
    cases = _bad_http_credentials(blog)
    subscribers = {case: start_subscriber(blog.client, blog.served, auth, ON_CREATE, timeout=20)
                   for case, auth in cases.items()}
    for case, subscriber in subscribers.items():
        error = subscriber.wait_for("error")
        assert subscriber.finish() == 1, case
        assert error["error"]["errors"][0]["message"] == "Connection failed: UnauthorizedException", case


def test_legacy_client_handshake_in_query_parameters_subscribes_and_is_refused(blog: Blog) -> None:
    legacy = blog.legacy.result(timeout=240)
    accepted = start_subscriber(blog.client, blog.served, _user(blog.alice_access), ON_CREATE, amplify_dir=legacy,
                                trigger='mutation { createPost(input: {title: "from 6.5"}) { id } }')
    refused = start_subscriber(blog.client, blog.served, auth_args("apiKey", api_key="da2-wrongwrongwrongwrong"),
                               ON_CREATE, amplify_dir=legacy, timeout=20)
    assert accepted.finish() == 0, accepted.seen
    assert [e["value"]["data"]["onCreatePost"]["title"] for e in accepted.seen if e["type"] == "next"] == ["from 6.5"]
    error = refused.wait_for("error")
    assert refused.finish() == 1
    assert error["error"]["errors"][0]["message"] == "Connection failed: UnauthorizedException"
