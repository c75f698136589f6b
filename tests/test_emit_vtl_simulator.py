"""Proof in the engine behind `amplify mock` (amplify-appsync-simulator), independent of our own evaluator.

1. Every template of every sample, golden and conformance build parses there, and renders for a
   representative caller set (a member of every group, a plain user, an API key, an IAM role; the users
   also with a client's filter, condition, paging and owner arguments), with the outcome our evaluator gives:
   the same error type and message, or the same JSON.
2. Every conformance suite runs through the oracle's `ourvtl` adapter (`ourvtl/suite.js --build settings`,
   the suite's own IAM roles, identity pool and admin roles, as `gqlauth test` builds it) with the same
   outcome per case as `gqlauth test`: every case passes. The adapter reads one stack, so the build's
   nested stacks are merged first (`transformer.stack_merge`); it does not select fields on the record a relational
   field returns, so those are completed with its own `runField` (`ourvtl_related.js`). Its two engine fixes
   are turned off (`OURVTL_NO_ENGINE_FIXES=1`): the templates must not need them.

The simulator has no `$util.transform.toSubscriptionFilter` (the oracle's shim returns its first argument), so
what subscription templates hand to `$extensions.setSubscriptionFilter` is checked against AppSync's documented
shape in `test_emit_vtl_subscription_filter.py`, not here.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from guard_support import ENV, matrix_from
from oracle_support import install_oracle, oracle_missing_reason
from vtl_engine_support import simulate

from resolvers.suite import load_suite, run_suite
from resolvers.vtl import BARE_RETURN, VtlContext, VtlRuntimeError, get_template, render
from resolvers.vtl.context import VtlInfo
from transformer.emit_vtl import build_pipelines, resolver_files
from transformer.emit_vtl.auth_common import emit_unauthorized_on
from transformer.emit_vtl.vtl import VtlWriter
from transformer.project import load_project

TESTS = Path(__file__).parent
REPO = TESTS.parent
SUITES = sorted((TESTS / "conformance").glob("*/suite.json"))
SCHEMAS = sorted({*(TESTS / "golden").glob("*/schema.graphql"), *(REPO / "samples").glob("*/schema.graphql"),
                  *(TESTS / "conformance").glob("*/schema.graphql")})
REASON = oracle_missing_reason()
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")


NOW = datetime(2024, 1, 1, tzinfo=UTC)
KNOWN_GAPS: dict[tuple[str, str], str] = {}
"""(suite, case) the simulator still decides differently from `gqlauth test`, with why; each must fail there."""
IAM_USER = {"accountId": "123456789012", "cognitoIdentityPoolId": ENV.identity_pool_id,
            "cognitoIdentityId": "us-east-1:caller", "userArn": ENV.auth_role_arn,
            "cognitoIdentityAuthType": "authenticated", "username": "AROAEXAMPLE:CognitoIdentityCredentials"}


def _user(groups: list[str]) -> dict[str, Any]:
    claims: dict[str, Any] = {"sub": "sub-ann", "cognito:username": "ann", "username": "ann", "token_use": "id"}
    if groups:
        claims["cognito:groups"] = groups
    return {"sub": "sub-ann", "username": "ann", "claims": claims, "sourceIp": ["127.0.0.1"], "defaultAuthStrategy": "ALLOW"}


def _templates() -> dict[str, str]:
    """Every distinct template text of every build, under one of its names."""
    texts: dict[str, str] = {}
    for schema in SCHEMAS:
        project, diagnostics = load_project(schema)
        assert project is not None, [d.render() for d in diagnostics]
        for name, text in resolver_files(build_pipelines(project.matrix, project.environment, project.schema)).items():
            texts.setdefault(text, f"{schema.parent.name}/{name}")
    from test_emit_vtl_parse import DEFAULTS, EVERY_STRATEGY
    for label, sdl in (("every-strategy", EVERY_STRATEGY), ("defaults", DEFAULTS)):
        for name, text in resolver_files(build_pipelines(matrix_from(sdl), ENV)).items():
            texts.setdefault(text, f"{label}/{name}")
    return {name: text for text, name in texts.items()}


def _callers(groups: list[str]) -> Iterator[tuple[str, str, dict[str, Any] | None]]:
    yield "member", "userPools", _user(groups)
    yield "plain", "userPools", _user([])
    yield "apiKey", "apiKey", None
    yield "iam", "iam", IAM_USER


RICH_ARGUMENTS = {"filter": {"title": {"eq": "t"}, "or": [{"id": {"ne": "x"}}, {"title": {"beginsWith": "t"}}]},
                  "condition": {"title": {"beginsWith": "t"}}, "sortDirection": "DESC", "nextToken": "abc",
                  "owner": "ann"}
"""A client's filter, condition, paging and owner argument, for a second render of every template."""


def _context(name: str, auth_type: str, identity: dict[str, Any] | None) -> dict[str, Any]:
    type_name, field_name = name.split("/")[-1].split(".")[:2]
    record = {"__typename": type_name, "id": "r1", "title": "t", "owner": "sub-ann::ann", "owners": ["sub-ann::ann"],
              "editors": ["Admins"], "groups": ["Admins"], "createdAt": "2024-01-01T00:00:00.000Z",
              "updatedAt": "2024-01-01T00:00:00.000Z"}
    result = {**record, "items": [record], "scannedCount": 1, "nextToken": None}
    stash = {"typeName": type_name, "fieldName": field_name, "conditions": [], "connectionAttributes": {},
             "tableName": type_name, "authRole": ENV.auth_role_arn, "unauthRole": ENV.unauth_role_arn,
             "identityPoolId": ENV.identity_pool_id, "adminRoles": ["AdminRole"], "hasAuth": True}
    return {"arguments": {"id": "r1", "input": {"id": "r1", "title": "t"}, "limit": 10}, "identity": identity,
            "authType": auth_type, "source": record, "result": result, "prev": {"result": result}, "stash": stash,
            "typeName": type_name, "fieldName": field_name}


def _ours(template: str, name: str, context: dict[str, Any]) -> dict[str, Any]:
    result = render(get_template(template, name, portable=True), VtlContext(
        arguments=context["arguments"], identity=context["identity"], auth_type=context["authType"],
        source=context["source"], result=context["result"], prev_result=context["prev"]["result"],
        stash=context["stash"], info=VtlInfo(fieldName=context["fieldName"], parentTypeName=context["typeName"]),
        now=NOW))
    if result.error is not None:
        return _raised(result.error)
    if result.has_returned:
        return {"result": None if result.returned is BARE_RETURN else result.returned}
    return {"result": result.json()}


def _raised(error: VtlRuntimeError) -> dict[str, Any]:
    return {"errorType": error.error_type, "message": error.message}


def _simulated(outcome: dict[str, Any]) -> dict[str, Any]:
    raised = outcome["raised"]
    if raised is not None:
        if raised["kind"] == "unauthorized":
            return {"errorType": "Unauthorized", "message": raised["appsyncMessage"]}
        return {"errorType": raised["errorType"], "message": raised["message"]}
    result = outcome["result"]
    return {"result": json.loads(result) if isinstance(result, str) and outcome.get("isReturn") else result}


def _expressions_as_sets(value: Any) -> Any:
    """DynamoDB expressions as the attribute names and values they use: the two engines name placeholders and
    place parentheses differently (`:title_eq` / `:and_0_title_eq`); the suites check their meaning."""
    if isinstance(value, list):
        return [_expressions_as_sets(item) for item in value]
    if not isinstance(value, dict):
        return value
    if {"expression", "expressionNames", "expressionValues"} <= set(value):
        return {"names": sorted(set((value["expressionNames"] or {}).values())),
                "values": sorted(json.dumps(v, sort_keys=True) for v in (value["expressionValues"] or {}).values())}
    return {key: _expressions_as_sets(item) for key, item in value.items()}


def test_every_template_parses_and_renders_as_our_evaluator_renders_it() -> None:
    groups = ["Admins", "Editors", "Moderators", "Members"]
    templates = _templates()
    assert len(templates) > 200
    jobs: list[dict[str, Any]] = []
    for name, text in templates.items():
        for caller, auth_type, identity in _callers(groups):
            context = _context(name, auth_type, identity)
            rich = {**context, "arguments": {**context["arguments"], **RICH_ARGUMENTS}}
            jobs.append({"name": f"{caller}|{name}", "template": text, "context": context})
            if auth_type == "userPools":
                jobs.append({"name": f"{caller}+arguments|{name}", "template": text, "context": rich})
    simulated = simulate(jobs)
    unparsed = sorted({job["name"].split("|", 1)[1]: simulated[job["name"]]["parseError"] for job in jobs
                       if not simulated[job["name"]]["parses"]}.items())
    assert not unparsed
    crashed = [(job["name"], simulated[job["name"]]["raised"]) for job in jobs
               if (simulated[job["name"]]["raised"] or {}).get("kind") in ("engine", "mappingTemplate")]
    assert not crashed
    differ = []
    for job in jobs:
        caller_name, name = job["name"].split("|", 1)
        mine = _expressions_as_sets(_ours(job["template"], name, job["context"]))
        theirs = _expressions_as_sets(_simulated(simulated[job["name"]]))
        if mine != theirs:
            differ.append((caller_name, name, mine, theirs))
    assert not differ[:5], f"{len(differ)} renders differ"


def _python_wrapper(root: Path) -> Path:
    """The python `suite.js --build settings` calls: build as `gqlauth test` does, then merge the nested stacks."""
    wrapper = root / "python.sh"
    wrapper.write_text(f'#!/bin/sh\n"{sys.executable}" "$@" && "{sys.executable}" -m transformer.stack_merge "$3" "$3" '
                       '--substitute\n',
                       encoding="utf-8")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return wrapper


@pytest.fixture(scope="module")
def ourvtl_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The adapter's report on every suite, by suite path, with relational field selections completed."""
    oracle = install_oracle()
    root = tmp_path_factory.mktemp("ourvtl")
    env = {**os.environ, "GQLAUTH_PYTHON": str(_python_wrapper(root)), "OURVTL_NO_ENGINE_FIXES": "1"}
    report_path = root / "report.json"
    subprocess.run(["node", str(oracle / "ourvtl" / "suite.js"), "--build", "settings", "--keep", str(root / "builds"),
                    "--json", str(report_path), *map(str, SUITES)], env=env, capture_output=True, text=True,
                   timeout=600, check=False)
    report = json.loads(report_path.read_text(encoding="utf-8"))
    suites = {str(Path(s["path"]).resolve()): s for s in report["suites"]}
    _complete_related_fields(oracle, suites)
    return suites


def _complete_related_fields(oracle: Path, suites: dict[str, dict[str, Any]]) -> None:
    """Fill in `fields` for relational field reads the adapter resolved without selecting on their record."""
    checks, pending = [], []
    for path, report in suites.items():
        suite = load_suite(Path(path))
        cases = {case.id: case for case in suite.cases}
        for result in report["results"]:
            if result["passed"] or any("got nothing" not in m or not m.startswith("fields:") for m in result["mismatches"]):
                continue
            case = cases[result["id"]]
            value = ((result["outcome"] or {}).get("result") or {}).get(case.operation.partition(".")[2])
            expected = case.expect.fields or {}
            if isinstance(value, dict) and "items" in value:
                result["completed"] = {"fields": {"nextToken": value.get("nextToken")}, "fieldErrors": []}
            elif isinstance(value, dict):
                identity = suite.identities[case.identity]
                checks.append({"id": f"{path}|{case.id}", "buildDir": report["buildDir"], "typeName": value["__typename"],
                               "names": list(expected), "record": value, "items": [suite.items[k] for k in case.items],
                               "authType": identity.authType, "identity": identity.identity,
                               "headers": identity.headers or {}})
                pending.append(result)
    if not checks:
        return
    completed = subprocess.run(["node", str(TESTS / "ourvtl_related.js"), str(oracle)], input=json.dumps(checks),
                               capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stderr[-3000:]
    for result, answer in zip(pending, json.loads(completed.stdout), strict=True):
        result["completed"] = {"fields": answer["values"], "fieldErrors": answer["denied"]}


def _passes(result: dict[str, Any], expect_fields: dict[str, Any] | None) -> bool:
    if result["passed"]:
        return True
    completed = result.get("completed")
    if completed is None or expect_fields is None:
        return False
    return completed["fields"] == expect_fields and not completed["fieldErrors"]


@pytest.mark.parametrize("suite_path", SUITES, ids=[p.parent.name for p in SUITES])
def test_suite_outcomes_in_the_simulator_are_gqlauth_tests(suite_path: Path,
                                                          ourvtl_report: dict[str, dict[str, Any]]) -> None:
    ours = {result.id: result.passed for result in run_suite(suite_path).results}
    simulated = ourvtl_report.get(str(suite_path.resolve()))
    assert simulated is not None, f"{suite_path}: the adapter did not build it"
    cases = {case.id: case for case in load_suite(suite_path).cases}
    outcomes = {r["id"]: _passes(r, cases[r["id"]].expect.fields) for r in simulated["results"]}
    assert set(outcomes) == set(ours)
    gaps = {case_id for (suite, case_id) in KNOWN_GAPS if suite == suite_path.parent.name}
    assert not any(outcomes[case_id] for case_id in gaps), "a known gap is closed: remove it from KNOWN_GAPS"
    outcomes = {case_id: passed for case_id, passed in outcomes.items() if case_id not in gaps}
    differ = {case_id: next(r["mismatches"] for r in simulated["results"] if r["id"] == case_id)
              for case_id, passed in outcomes.items() if passed != ours[case_id]}
    assert not differ
    assert all(ours.values())


def test_unauthorized_on_lists_read_as_java_prints_them_in_both_engines() -> None:
    """`Unauthorized on [content, title]`: the list is joined in the template, since the simulator's engine
    prints a list `content,title` where Java prints `[content, title]`."""
    w = VtlWriter()
    w.line("#set($denied = ['content', 'title'])")
    emit_unauthorized_on(w, "$denied")
    template = w.text()
    expected = {"errorType": "Unauthorized", "message": "Unauthorized on [content, title]"}
    context = _context("blog/Mutation.updatePost.auth.1.res.vtl", "userPools", _user([]))
    assert _ours(template, "denied.vtl", context) == expected
    assert _simulated(simulate([{"name": "denied", "template": template, "context": context}])["denied"]) == expected
