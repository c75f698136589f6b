"""The API's auth modes: from `--auth-modes`, or from an Amplify project's API settings.

Amplify keeps them in `amplify/backend/api/<api>/cli-inputs.json`
(`serviceConfiguration.defaultAuthType.mode` and `additionalAuthTypes[].mode`) and, after a push, in
`amplify/backend/backend-config.json` (`api.<api>.output.authConfig`). The first mode is the default
one: it decides which AppSync directives the output schema can leave out.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from transformer.diagnostics import InputError, error, read_text
from transformer.rules import Provider

APPSYNC_MODES: dict[str, Provider] = {
    "AMAZON_COGNITO_USER_POOLS": Provider.USER_POOLS,
    "API_KEY": Provider.API_KEY,
    "AWS_IAM": Provider.IAM,
    "OPENID_CONNECT": Provider.OIDC,
    "AWS_LAMBDA": Provider.FUNCTION,
}
"""AppSync's authentication type names -> `@auth` providers."""

MODE_ALIASES: dict[str, Provider] = {
    "userpools": Provider.USER_POOLS,
    "cognito": Provider.USER_POOLS,
    "apikey": Provider.API_KEY,
    "iam": Provider.IAM,
    "identitypool": Provider.IAM,
    "oidc": Provider.OIDC,
    "function": Provider.FUNCTION,
    "lambda": Provider.FUNCTION,
    **{name.lower(): provider for name, provider in APPSYNC_MODES.items()},
}


def parse_auth_modes(text: str) -> list[Provider]:
    """`userPools,apiKey,iam` -> providers, default first; raises ValueError naming a bad entry."""
    modes: list[Provider] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        mode = MODE_ALIASES.get(part.lower())
        if mode is None:
            raise ValueError(f"unknown auth mode '{part}' (use userPools, apiKey, iam, oidc, lambda)")
        if mode not in modes:
            modes.append(mode)
    if not modes:
        raise ValueError("no auth mode given")
    return modes


class _AuthType(BaseModel):
    model_config = ConfigDict(extra="allow")

    mode: str


class _ServiceConfiguration(BaseModel):
    model_config = ConfigDict(extra="allow")

    defaultAuthType: _AuthType
    additionalAuthTypes: list[_AuthType] = []


class ApiCliInputs(BaseModel):
    """The part of an Amplify API's `cli-inputs.json` that names its auth modes."""

    model_config = ConfigDict(extra="allow")

    serviceConfiguration: _ServiceConfiguration


class _Authentication(BaseModel):
    model_config = ConfigDict(extra="allow")

    authenticationType: str


class _AuthConfig(BaseModel):
    model_config = ConfigDict(extra="allow")

    defaultAuthentication: _Authentication
    additionalAuthenticationProviders: list[_Authentication] = []


def _providers(names: list[str], file: Path) -> list[Provider]:
    modes: list[Provider] = []
    for name in names:
        provider = APPSYNC_MODES.get(name)
        if provider is None:
            known = ", ".join(APPSYNC_MODES)
            raise InputError([error("auth-modes.unknown", f"unknown auth mode '{name}' (known: {known})", file=str(file))])
        if provider not in modes:
            modes.append(provider)
    return modes


def modes_from_cli_inputs(path: Path) -> list[Provider]:
    try:
        inputs = ApiCliInputs.model_validate(json.loads(read_text(path)))
    except (ValueError, ValidationError) as exc:
        raise InputError(
            [error("auth-modes.cli-inputs", f"cannot read the API's auth modes: {_short(exc)}", file=str(path))]
        ) from exc
    config = inputs.serviceConfiguration
    return _providers([config.defaultAuthType.mode, *(t.mode for t in config.additionalAuthTypes)], path)


def modes_from_backend_config(path: Path, api_name: str | None = None) -> list[Provider] | None:
    try:
        data = json.loads(read_text(path))
    except ValueError as exc:
        raise InputError([error("auth-modes.backend-config", f"invalid JSON: {exc}", file=str(path))]) from exc
    apis = data.get("api") if isinstance(data, dict) else None
    if not isinstance(apis, dict):
        return None
    for name, api in sorted(apis.items()):
        if api_name is not None and name != api_name:
            continue
        raw = api.get("output", {}).get("authConfig") if isinstance(api, dict) else None
        if raw is None:
            continue
        try:
            config = _AuthConfig.model_validate(raw)
        except ValidationError as exc:
            raise InputError(
                [error("auth-modes.backend-config", f"api.{name}.output.authConfig: {_short(exc)}", file=str(path))]
            ) from exc
        names = [config.defaultAuthentication.authenticationType]
        names += [p.authenticationType for p in config.additionalAuthenticationProviders]
        return _providers(names, path)
    return None


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{where}: {first['msg']}"
    return str(exc)


def discover_auth_modes(schema_path: Path) -> tuple[list[Provider], str] | None:
    """The auth modes of the Amplify project that holds `schema_path`, with where they were found."""
    start = (schema_path if schema_path.is_dir() else schema_path.parent).resolve()
    for directory in (start, *start.parents):
        if directory.parent.name == "api" and (directory / "cli-inputs.json").is_file():
            path = directory / "cli-inputs.json"
            return modes_from_cli_inputs(path), str(path)
        backend = directory / "amplify" / "backend"
        if backend.is_dir():
            candidates = sorted(backend.glob("api/*/cli-inputs.json"))
            if len(candidates) == 1:
                return modes_from_cli_inputs(candidates[0]), str(candidates[0])
            if candidates:
                return None
            config = backend / "backend-config.json"
            if config.is_file():
                found = modes_from_backend_config(config)
                if found is not None:
                    return found, str(config)
            return None
        if directory.name == "backend" and directory.parent.name == "amplify":
            config = directory / "backend-config.json"
            api_name = schema_path.parent.name if schema_path.parent.parent.name == "api" else None
            if config.is_file():
                found = modes_from_backend_config(config, api_name)
                if found is not None:
                    return found, str(config)
            return None
    return None


__all__ = [
    "APPSYNC_MODES",
    "ApiCliInputs",
    "discover_auth_modes",
    "modes_from_backend_config",
    "modes_from_cli_inputs",
    "parse_auth_modes",
]
