"""The stacks of a versioned API (conflict resolution on), as Amplify's stack has them: a delta-sync table, versioned
data sources with `DeltaSyncConfig`, the `_ttl` TTL attribute, and each model's strategy on its data functions;
cfn-lint clean and wired."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint
from stack_support import quota_problems, wiring_problems

from transformer.conflict_resolution import parse_conflict_option
from transformer.emit import transform
from transformer.emit_stack import build_deployment
from transformer.project import Project, load_project

PROJECT = Path(__file__).parent / "datastore_project"


def _errors(template: dict[str, Any]) -> list[str]:
    return [f"{m.rule.id}: {m.message}" for m in lint(json.dumps(template)) if m.rule.id.startswith("E")]


@pytest.fixture(scope="module")
def project() -> Project:
    loaded, diagnostics = load_project(PROJECT)
    assert loaded is not None, [d.render() for d in diagnostics]
    return loaded


def _resources(project: Project) -> dict[str, Any]:
    return {k: v for t in build_deployment(project).templates().values() for k, v in t["Resources"].items()}


def test_every_template_passes_cfn_lint_and_is_wired(project: Project, tmp_path: Path) -> None:
    for path, template in build_deployment(project).templates().items():
        assert _errors(template) == [], path
    out = tmp_path / "build"
    transform(project, out)
    assert wiring_problems(out) == []
    assert quota_problems(out) == []


def test_tables_are_versioned_with_a_delta_sync_table(project: Project) -> None:
    deployment = build_deployment(project)
    delta = deployment.root["Resources"]["AmplifyDataStoreTable"]["Properties"]
    assert [k["AttributeName"] for k in delta["KeySchema"]] == ["ds_pk", "ds_sk"]
    assert delta["TimeToLiveSpecification"] == {"AttributeName": "_ttl", "Enabled": True}
    for model in ("Note", "Notebook"):
        resources = deployment.nested[f"stacks/{model}.json"]["Resources"]
        config = resources[f"DataSource{model}"]["Properties"]["DynamoDBConfig"]
        assert config["Versioned"] is True
        assert config["DeltaSyncConfig"] == {"BaseTableTTL": "43200", "DeltaSyncTableTTL": "30", "DeltaSyncTableName": {
            "Fn::Join": ["-", ["AmplifyDataStore", {"Ref": "ApiId"}]]}}
        table = resources[f"Table{model}"]["Properties"]
        assert table["TimeToLiveSpecification"] == {"AttributeName": "_ttl", "Enabled": True}
        statements = resources[f"TableRole{model}"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        delta = [s["Resource"] for s in statements if "dynamodb:BatchWriteItem" in s["Action"]]
        assert len(delta) == 1 and "AmplifyDataStore" in json.dumps(delta)
    assert deployment.root["Resources"]["AmplifyDataStoreTable"]["Properties"]["TableName"] == {
        "Fn::Join": ["-", ["AmplifyDataStore", {"Fn::GetAtt": ["GraphQLApi", "ApiId"]}]]}
    nested = deployment.root["Resources"]["NoteStack"]["Properties"]["Parameters"]
    assert not any("DeltaSync" in name for name in nested)


def test_each_data_function_carries_its_models_strategy(project: Project) -> None:
    """Notebook takes the default (AUTOMERGE); Note its own LAMBDA handler, whose `-${env}` follows the env
    Parameter; the auth functions that read the table carry none, as in Amplify."""
    functions = {r["Properties"]["Name"]: r["Properties"] for r in _resources(project).values()
                 if r["Type"] == "AWS::AppSync::FunctionConfiguration"}
    assert functions["Query_syncNotebooks_data_1"]["SyncConfig"] == {"ConflictDetection": "VERSION",
                                                                    "ConflictHandler": "AUTOMERGE"}
    note = functions["Mutation_updateNote_data_1"]["SyncConfig"]
    assert note["ConflictHandler"] == "LAMBDA"
    arn = note["LambdaConflictHandlerConfig"]["LambdaConflictHandlerArn"]
    assert arn["Fn::If"][0] == "HasEnvironmentParameter"
    assert arn["Fn::If"][1]["Fn::Sub"][1] == {"env": {"Ref": "env"}} and "notesconflict-${env}" in arn["Fn::If"][1]["Fn::Sub"][0]
    assert arn["Fn::If"][2]["Fn::Sub"].endswith(":function:notesconflict")
    assert functions["Notebook_notes_data_1"]["SyncConfig"]["ConflictHandler"] == "LAMBDA"
    assert "SyncConfig" not in functions["Mutation_updateNote_auth_1"]
    with_sync = {name for name, f in functions.items() if "SyncConfig" in f}
    assert all(name.split("_")[-2] == "data" for name in with_sync)
    deployment = build_deployment(project)
    root = deployment.root
    assert root["Resources"]["NoteStack"]["Properties"]["Parameters"]["env"] == {"Ref": "env"}
    assert "HasEnvironmentParameter" in deployment.nested["stacks/Note.json"]["Conditions"]
    assert "HasEnvironmentParameter" in root["Conditions"] and "env" in root["Parameters"]


def test_without_conflict_resolution_the_stack_is_unversioned(tmp_path: Path) -> None:
    shutil.copytree(PROJECT, tmp_path / "app")
    plain, _ = load_project(tmp_path / "app", conflict_resolution=parse_conflict_option("NONE"))
    assert plain is not None
    text = json.dumps(build_deployment(plain).templates())
    for word in ("Versioned", "DeltaSync", "SyncConfig", "AmplifyDataStoreTable", "_ttl", "ConflictHandler"):
        assert word not in text


def test_a_handler_by_name_and_region(tmp_path: Path) -> None:
    schema = tmp_path / "schema.graphql"
    shutil.copy(PROJECT / "amplify/backend/api/notesapp/schema.graphql", schema)
    config = parse_conflict_option("LAMBDA:fixer:eu-west-1")
    loaded, _ = load_project(schema, conflict_resolution=config)
    assert loaded is not None
    deployment = build_deployment(loaded)
    functions = [r["Properties"] for t in deployment.templates().values() for r in t["Resources"].values()
                 if r["Type"] == "AWS::AppSync::FunctionConfiguration" and "SyncConfig" in r["Properties"]]
    assert functions and all(f["SyncConfig"]["LambdaConflictHandlerConfig"]["LambdaConflictHandlerArn"] == {
        "Fn::Sub": "arn:${AWS::Partition}:lambda:eu-west-1:${AWS::AccountId}:function:fixer"} for f in functions)
    assert "Conditions" not in deployment.root
    for path, template in build_deployment(loaded).templates().items():
        assert _errors(template) == [], path


def test_a_large_versioned_api_fits_cloudformations_quotas(tmp_path: Path) -> None:
    """No Parameter per nested stack for the delta-sync table: the API stack of 150 versioned models stays well
    under 1 MB (400 unversioned models are already close to it)."""
    models = "\n".join(f"type M{i} @model @auth(rules: [{{allow: owner}}]) {{\n  id: ID!\n  t: String\n}}"
                       for i in range(150))
    schema = tmp_path / "schema.graphql"
    schema.write_text(models, encoding="utf-8")
    plain, _ = load_project(schema, conflict_resolution=parse_conflict_option("NONE"))
    synced, _ = load_project(schema, conflict_resolution=parse_conflict_option("LAMBDA:fix-${env}"))
    assert plain is not None and synced is not None
    sizes = [len(json.dumps(build_deployment(p).root)) for p in (plain, synced)]
    assert sizes[1] - sizes[0] < 150 * 40
