"""Auth modes: `--auth-modes` text, and discovery from an Amplify project's API settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from transformer.auth_modes import discover_auth_modes, parse_auth_modes
from transformer.diagnostics import InputError
from transformer.rules import Provider


def test_modes_parse_in_order_with_default_first() -> None:
    assert parse_auth_modes("apiKey, userPools,iam,lambda") == [
        Provider.API_KEY,
        Provider.USER_POOLS,
        Provider.IAM,
        Provider.FUNCTION,
    ]


def test_appsync_names_are_accepted_and_duplicates_dropped() -> None:
    assert parse_auth_modes("AMAZON_COGNITO_USER_POOLS,OPENID_CONNECT,oidc") == [Provider.USER_POOLS, Provider.OIDC]


@pytest.mark.parametrize("text", ["", " , ", "userPools,kerberos"])
def test_bad_mode_lists_are_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        parse_auth_modes(text)


def _amplify_api(root: Path, cli_inputs: dict[str, object] | None) -> Path:
    api = root / "amplify" / "backend" / "api" / "blog"
    api.mkdir(parents=True)
    schema = api / "schema.graphql"
    schema.write_text("type Post @model { id: ID! }\n", encoding="utf-8")
    if cli_inputs is not None:
        (api / "cli-inputs.json").write_text(json.dumps(cli_inputs), encoding="utf-8")
    return schema


def test_modes_come_from_the_apis_cli_inputs(tmp_path: Path) -> None:
    schema = _amplify_api(
        tmp_path,
        {
            "version": 1,
            "serviceConfiguration": {
                "apiName": "blog",
                "defaultAuthType": {"mode": "AMAZON_COGNITO_USER_POOLS"},
                "additionalAuthTypes": [{"mode": "API_KEY", "expirationTime": 7}, {"mode": "AWS_IAM"}],
            },
        },
    )
    found = discover_auth_modes(schema)
    assert found is not None
    modes, source = found
    assert modes == [Provider.USER_POOLS, Provider.API_KEY, Provider.IAM]
    assert source.endswith("cli-inputs.json")
    assert discover_auth_modes(tmp_path) == found


def test_modes_come_from_backend_config_when_there_are_no_cli_inputs(tmp_path: Path) -> None:
    schema = _amplify_api(tmp_path, None)
    backend_config = {
        "api": {
            "blog": {
                "service": "AppSync",
                "output": {
                    "authConfig": {
                        "defaultAuthentication": {"authenticationType": "API_KEY"},
                        "additionalAuthenticationProviders": [{"authenticationType": "AWS_LAMBDA"}],
                    }
                },
            }
        }
    }
    (tmp_path / "amplify" / "backend" / "backend-config.json").write_text(json.dumps(backend_config), encoding="utf-8")
    assert discover_auth_modes(schema) == (
        [Provider.API_KEY, Provider.FUNCTION],
        str((tmp_path / "amplify" / "backend" / "backend-config.json").resolve()),
    )


def test_no_amplify_project_means_no_discovered_modes(tmp_path: Path) -> None:
    schema = tmp_path / "schema.graphql"
    schema.write_text("type Post @model { id: ID! }\n", encoding="utf-8")
    assert discover_auth_modes(schema) is None


def test_a_broken_cli_inputs_file_is_an_input_error_naming_the_file(tmp_path: Path) -> None:
    schema = _amplify_api(tmp_path, {"serviceConfiguration": {"defaultAuthType": {"mode": "KERBEROS"}}})
    with pytest.raises(InputError) as raised:
        discover_auth_modes(schema)
    (problem,) = raised.value.diagnostics
    assert "KERBEROS" in problem.message and problem.file and problem.file.endswith("cli-inputs.json")
