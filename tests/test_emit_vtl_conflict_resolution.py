"""Templates of a versioned API (conflict resolution on) as Amplify writes them, checked in Amplify's engine.

The sync query's data slot is the versioned data source's `Sync` (filter = the caller's AND the auth filter, as
list), its auth slot is list's for the `sync` operation; updates and deletes hand the caller's `_version` (0 when
absent) to AppSync instead of checking it themselves, never write the sync fields, and an error passes the data
source's result on. Every template parses and renders in the engine behind `amplify mock` as in ours. That engine's
DynamoDB stand-in (the oracle's `lib/ddb.js`) has no versioned data source (no `Sync`, no conflict detection, no
soft delete): what AppSync does with the requests is not simulated, and a test below says so.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from oracle_support import install_oracle, oracle_missing_reason
from test_emit_vtl_simulator import _callers, _context, _expressions_as_sets, _ours, _simulated
from vtl_engine_support import simulate

from transformer.conflict_resolution import ConflictResolution
from transformer.emit_vtl import build_pipelines, resolver_files
from transformer.emit_vtl.layout import Pipeline
from transformer.project import Project, load_project

TESTS = Path(__file__).parent
PROJECT = TESTS / "datastore_project"
KEYS = TESTS / "differential" / "datastore" / "corpus" / "keys-and-indexes.graphql"
REASON = oracle_missing_reason()


def _project(path: Path = PROJECT) -> Project:
    from differential_support import read_case

    sync = read_case(path).conflict_resolution if path.suffix == ".graphql" else None
    project, diagnostics = load_project(path, conflict_resolution=sync)
    assert project is not None, [d.render() for d in diagnostics]
    return project


def _pipelines(project: Project) -> dict[str, Pipeline]:
    return {p.key: p for p in build_pipelines(project.matrix, project.environment, project.schema)}


def _data(pipeline: Pipeline) -> tuple[str, str]:
    function = next(f for f in pipeline.functions if f.slot.value == "data")
    return function.request, function.response


def test_sync_pipeline_is_list_with_the_sync_operation() -> None:
    pipelines = _pipelines(_project())
    sync, listing = pipelines["Query.syncNotes"], pipelines["Query.listNotes"]
    assert [f.slot.value for f in sync.functions] == [f.slot.value for f in listing.functions]
    sync_auth = next(f for f in sync.functions if f.slot.value == "auth").request
    list_auth = next(f for f in listing.functions if f.slot.value == "auth").request
    assert sync_auth == list_auth
    request, response = _data(sync)
    assert "'operation': 'Sync'" in request and "lastSync" in request and "startedAt" in response


def test_versioned_writes_hand_the_version_to_appsync() -> None:
    pipelines = _pipelines(_project())
    update, _ = _data(pipelines["Mutation.updateNote"])
    delete, _ = _data(pipelines["Mutation.deleteNote"])
    for request in (update, delete):
        assert "$request.put('_version', $util.defaultIfNull($ctx.args.input.get('_version'), 0))" in request
        assert "#gqlauthVersion" not in request
    assert "'_deleted'" in update and "'_lastChangedAt'" in update
    unsynced, _ = load_project(PROJECT, conflict_resolution=ConflictResolution())
    assert unsynced is not None
    plain, _ = _data(_pipelines(unsynced)["Mutation.updateNote"])
    assert "#gqlauthVersion" in plain and "$request.put('_version'" not in plain


def test_every_data_response_passes_the_result_with_an_error() -> None:
    for key, pipeline in _pipelines(_project()).items():
        if pipeline.operation is None:
            continue
        _, response = _data(pipeline)
        if "$ctx.error" in response:
            assert "$util.error($ctx.error.message, $ctx.error.type, $ctx.result)" in response, key


def test_init_stashes_the_delta_sync_ttl_as_amplify() -> None:
    init = _pipelines(_project())["Query.getNote"].functions[0].request
    assert "$ctx.stash.put('deltaSyncTableTtl', '30')" in init


def _versioned_templates() -> dict[str, str]:
    texts: dict[str, str] = {}
    for path in (PROJECT, KEYS):
        project = _project(path)
        for name, text in resolver_files(build_pipelines(project.matrix, project.environment, project.schema)).items():
            texts.setdefault(text, f"{path.stem}/{name}")
    return {name: text for text, name in texts.items()}


def _versioned_context(name: str, auth_type: str, identity: dict[str, Any] | None) -> dict[str, Any]:
    context = _context(name, auth_type, identity)
    keys = {"venue": "v1", "day": "2024-01-01", "slot": 2}
    context["arguments"] = {**context["arguments"], **keys, "lastSync": 1700000000000,
                            "input": {**context["arguments"]["input"], **keys, "code": "c1", "_version": 3}}
    context["result"] = {**context["result"], "startedAt": 1700000001000, "_version": 4}
    return context


@pytest.mark.skipif(REASON is not None, reason=REASON or "")
def test_versioned_templates_parse_and_render_in_amplifys_engine_as_ours() -> None:
    templates = _versioned_templates()
    assert any(".syncNotes." in name for name in templates)
    jobs: list[dict[str, Any]] = []
    for name, text in templates.items():
        for caller, auth_type, identity in _callers(["Admins"]):
            jobs.append({"name": f"{caller}|{name}", "template": text,
                         "context": _versioned_context(name, auth_type, identity)})
    simulated = simulate(jobs)
    assert all(simulated[job["name"]]["parses"] for job in jobs)
    differ = [job["name"] for job in jobs
              if _expressions_as_sets(_ours(job["template"], job["name"].split("|", 1)[1], job["context"]))
              != _expressions_as_sets(_simulated(simulated[job["name"]]))]
    assert not differ
    sync = next(job for job in jobs if job["name"].startswith("plain|datastore_project/Query.sync")
                and job["name"].endswith(".data.1.req.vtl"))
    rendered = _simulated(simulated[sync["name"]])["result"]
    assert rendered["operation"] == "Sync" and rendered["lastSync"] == 1700000000000 and rendered["limit"] == 10
    filtered = {**sync["context"], "arguments": {**sync["context"]["arguments"], "filter": {"body": {"eq": "b"}}},
                "stash": {**sync["context"]["stash"], "authFilter": {"or": [{"owner": {"eq": "sub-ann::ann"}}]}}}
    both = simulate([{"name": "filtered", "template": sync["template"], "context": filtered}])["filtered"]
    assert _expressions_as_sets(_simulated(both)) == _expressions_as_sets(_ours(sync["template"], "sync", filtered))
    assert _expressions_as_sets(_simulated(both))["result"]["filter"]["names"] == ["body", "owner"]
    update = next(job for job in jobs if job["name"].startswith("plain|datastore_project/Mutation.update")
                  and job["name"].endswith(".data.1.req.vtl"))
    written = _simulated(simulated[update["name"]])["result"]
    assert written["_version"] == 3 and "_version" not in json.dumps(written["update"])


@pytest.mark.skipif(REASON is not None, reason=REASON or "")
def test_amplifys_mock_engine_has_no_versioned_data_source() -> None:
    """What AppSync does with `Sync` and `_version` is not simulated: the oracle's DynamoDB stand-in refuses Sync
    and ignores a request's `_version` (no conflict detection, no soft delete)."""
    script = ("const d = require(process.argv[1] + '/lib/ddb.js');"
              "const items = [{id: 'a', _version: 5}];"
              "console.log(JSON.stringify([d.executeDynamo({operation: 'Sync', limit: 10}, items),"
              "d.executeDynamo({operation: 'DeleteItem', key: {id: {S: 'a'}}, _version: 1}, items)]));")
    found = json.loads(subprocess.run(["node", "-e", script, str(install_oracle())], capture_output=True, text=True,
                                      check=True, timeout=60).stdout)
    assert found[0]["error"]["type"] == "OracleUnsupported"
    assert found[1] == {"result": {"id": "a", "_version": 5}}


@pytest.mark.skipif(REASON is not None, reason=REASON or "")
def test_sync_auth_decides_as_amplifys_own_sync_auth(tmp_path: Path) -> None:
    """Amplify's sync auth template (its `protectSyncResolver`) and ours, in the same engine, for an owner, a group
    member and an IAM caller: the same refusals and the same auth filter."""
    from oracle_support import amplify_transform
    from test_emit_vtl_simulator import IAM_USER, _user

    schema = PROJECT / "amplify/backend/api/notesapp/schema.graphql"
    config = '{"project": {"ConflictHandler": "AUTOMERGE", "ConflictDetection": "VERSION"}}'
    amplify = amplify_transform(schema, tmp_path / "out", ("userPools", "iam"), {}, ["--resolver-config", config])
    assert amplify.accepted, amplify.message
    pipelines = _pipelines(_project())
    jobs: list[dict[str, Any]] = []
    for field in ("syncNotes", "syncNotebooks"):
        theirs = (tmp_path / "out" / "resolvers" / f"Query.{field}.auth.1.req.vtl").read_text(encoding="utf-8")
        ours = next(f for f in pipelines[f"Query.{field}"].functions if f.slot.value == "auth").request
        for caller, auth_type, identity in (("owner", "userPools", _user([])), ("admin", "userPools", _user(["Admins"])),
                                            ("iam", "iam", IAM_USER)):
            context = {"arguments": {}, "identity": identity, "authType": auth_type, "typeName": "Query",
                       "fieldName": field, "stash": {"typeName": "Query", "fieldName": field}}
            jobs += [{"name": f"{engine}|{field}|{caller}", "template": text, "context": context}
                     for engine, text in (("ours", ours), ("theirs", theirs))]
    outcomes = simulate(jobs)

    def decision(name: str) -> tuple[object, object]:
        found = outcomes[name]
        return (found["raised"] or {}).get("kind"), (found.get("stash") or {}).get("authFilter")

    for job in jobs[::2]:
        key = job["name"].split("|", 1)[1]
        assert decision(f"ours|{key}") == decision(f"theirs|{key}"), key
    assert decision("theirs|syncNotes|iam")[0] == "unauthorized"
    assert decision("theirs|syncNotes|owner")[1] is not None
