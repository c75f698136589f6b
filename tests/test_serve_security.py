"""Attacks on the served API: owner spoofing, field leaks through mutation results, SQL injection
through filter values and field names, tampered page tokens, and forged or expired tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from serve_support import CREATE_POST, NOTES_SCHEMA, Served, serve_blog, serve_schema

from resolvers.issuer import mint_token

LIST_NOTES = ("query L($f: ModelNoteFilterInput, $n: String, $l: Int) "
              "{ listNotes(filter: $f, nextToken: $n, limit: $l) { items { id title owner } nextToken } }")
CREATE_NOTE = "mutation C($input: CreateNoteInput!) { createNote(input: $input) { id title owner secret } }"


@pytest.fixture()
def notes(tmp_path: Path) -> Served:
    served = serve_schema(tmp_path, NOTES_SCHEMA)
    alice, bob = served.token("alice"), served.token("bob")
    for i in range(3):
        served.call(CREATE_NOTE, {"input": {"id": f"a{i}", "title": f"alice {i}", "secret": "a-secret"}}, token=alice)
        served.call(CREATE_NOTE, {"input": {"id": f"b{i}", "title": f"bob {i}", "secret": "b-secret"}}, token=bob)
    return served


def _ids(body: dict) -> list[str]:
    return sorted(item["id"] for item in (body["data"]["listNotes"] or {"items": []})["items"])


def test_owner_spoofing_on_create_is_refused_and_stores_nothing(tmp_path: Path, notes: Served) -> None:
    served = serve_blog(tmp_path)
    alice, bob = served.token("alice"), served.token("bob")
    served.call(CREATE_POST, {"input": {"id": "b0", "title": "bob's"}}, token=bob)
    bob_owner = served.store.get("Post", {"id": "b0"})["owner"]
    for spoofed in (bob_owner, "bob", bob_owner.split("::")[0], None):
        status, body = served.call(CREATE_POST, {"input": {"id": "spoof", "title": "x", "owner": spoofed}}, token=alice)
        assert status == 200
        assert body["data"]["createPost"] is None
        assert body["errors"][0]["errorType"] == "Unauthorized"
    assert served.store.get("Post", {"id": "spoof"}) is None
    status, body = notes.call(CREATE_NOTE, {"input": {"id": "n", "owner": bob_owner}}, token=alice)
    assert body.get("data") is None and body["errors"]


def test_owner_cannot_touch_others_records(notes: Served) -> None:
    alice = notes.token("alice")
    update = "mutation { updateNote(input: {id: \"b0\", title: \"pwned\"}) { id } }"
    delete = "mutation { deleteNote(input: {id: \"b0\"}) { id } }"
    get = "{ getNote(id: \"b0\") { id title secret } }"
    for query in (update, delete, get):
        status, body = notes.call(query, token=alice)
        assert status == 200 and body["errors"][0]["errorType"] == "Unauthorized"
    assert notes.store.get("Note", {"id": "b0"})["title"] == "bob 0"


def test_protected_fields_never_leak_through_mutation_results(tmp_path: Path) -> None:
    served = serve_blog(tmp_path)
    editor = served.token("ed", ["Editors"])
    status, body = served.call(CREATE_POST, {"input": {"id": "p1", "title": "t", "internalNotes": "top secret"}},
                               token=editor)
    assert body["data"]["createPost"]["internalNotes"] is None
    update = ("mutation { updatePost(input: {id: \"p1\", internalNotes: \"still secret\"}) "
              "{ id internalNotes } }")
    status, body = served.call(update, token=editor)
    assert body["data"]["updatePost"] == {"id": "p1", "internalNotes": None}
    admin = served.token("ann", ["Admins"])
    status, body = served.call("mutation { deletePost(input: {id: \"p1\"}) { id internalNotes } }", token=admin)
    assert body["data"]["deletePost"] == {"id": "p1", "internalNotes": None}
    assert "secret" not in json.dumps(body)


def test_field_excluded_readers_get_null_and_an_error(notes: Served) -> None:
    admin = notes.token("ann", ["Admins"])
    status, body = notes.call("{ listNotes { items { id secret } } }", token=admin)
    assert all(item["secret"] is None for item in body["data"]["listNotes"]["items"])
    assert {tuple(e["path"][:2]) for e in body["errors"]} == {("listNotes", "items")}
    assert "secret" not in json.dumps(body["data"]).replace('"secret"', "")


@pytest.mark.parametrize(
    "flt",
    [
        {"title": {"eq": "x' OR '1'='1"}},
        {"title": {"ne": "x' OR '1'='1"}},
        {"title": {"beginsWith": "%"}},
        {"title": {"contains": "' OR 1=1 --"}},
        {"owner": {"ne": "nobody"}},
        {"or": [{"owner": {"beginsWith": ""}}, {"title": {"attributeExists": True}}]},
        {"not": {"owner": {"eq": "x"}}},
        {"title": {"between": ["a", "z') OR ('1'='1"]}},
        {"and": [{"title": {"size": {"ge": 0}}}, {"or": [{"title": {"notContains": "'"}}]}]},
    ],
)
def test_sql_injection_through_filter_values_never_widens_the_owner_filter(notes: Served, flt: dict) -> None:
    status, body = notes.call(LIST_NOTES, {"f": flt}, token=notes.token("alice"))
    assert status == 200
    assert all(note_id.startswith("a") for note_id in _ids(body))
    assert notes.store.count("Note") == 6


@pytest.mark.parametrize(
    "flt",
    [{"title') OR 1=1 --": {"eq": "x"}}, {"$.owner": {"ne": "x"}}, {"title": {"eq) OR (1": "x"}},
     {"owner": {"eq": {"x": 1}}}],
)
def test_field_name_tricks_are_rejected_by_the_schema(notes: Served, flt: dict) -> None:
    status, body = notes.call(LIST_NOTES, {"f": flt}, token=notes.token("alice"))
    assert status == 200
    assert body.get("data") is None and body["errors"]


def test_a_forged_page_token_reveals_nothing(notes: Served) -> None:
    alice = notes.token("alice")
    forged = base64.urlsafe_b64encode(json.dumps({"m": "Note", "s": "Query.listNotes", "a": ['["0"]']})
                                      .encode()).decode().rstrip("=")
    status, body = notes.call(LIST_NOTES, {"n": forged}, token=alice)
    assert all(note_id.startswith("a") for note_id in _ids(body))
    status, body = notes.call(LIST_NOTES, {"n": "%27%20OR%201%3D1"}, token=alice)
    assert body["errors"][0]["errorType"] == "DynamoDB:DynamoDbException"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _hs256_with(secret: bytes, claims: dict, kid: str) -> str:
    """The algorithm-confusion attack: HMAC-signed with the RSA public key as the secret."""
    signing_input = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode()) + "." + \
        _b64(json.dumps(claims).encode())
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + _b64(signature)


def _claims(served: Served) -> dict:
    return jwt.decode(served.token("alice", ["Admins"]), options={"verify_signature": False})


def test_forged_tokens_are_401(notes: Served) -> None:
    settings = notes.state.issuer_settings()
    claims = _claims(notes)
    public_pem = settings.private_key().public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').decode().rstrip("=")
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    valid = notes.token("alice")
    head, body, signature = valid.split(".")
    tampered_claims = jwt.decode(valid, options={"verify_signature": False}) | {"cognito:groups": ["Admins"]}
    tampered = ".".join([head, base64.urlsafe_b64encode(json.dumps(tampered_claims).encode()).decode().rstrip("="),
                         signature])
    forged = [
        f"{header}.{payload}.",
        _hs256_with(public_pem, claims, settings.kid),
        tampered,
        jwt.encode(claims, settings.private_key(), algorithm="RS256", headers={"kid": "unknown"}),
        mint_token(notes.state, user="alice", now=datetime.now(UTC) - timedelta(hours=3)),
    ]
    for token in forged:
        response = notes.client.post("/graphql", json={"query": "{ listNotes { items { id } } }"},
                                     headers={"authorization": token})
        assert response.status_code == 401, token
        assert response.headers["x-amzn-ErrorType"] == "UnauthorizedException"
