"""The transform parameters a project sets, read where the project keeps them.

* Amplify's feature flags from `amplify/cli.json` (`features.graphqltransformer`), found walking up from
  the schema. The Amplify CLI writes and reads these keys in lower case (`usesubusernamefordefaultidentityclaim`);
  they are matched without regard to case, and a key Amplify does not know is a warning with its JSON path.
* gqlauth's own opt-ins from `gqlauth.json` beside the schema: `{"strictOwner": true}` forbids an
  owner to reassign the owner field (off by default: it changes what a deployed Amplify API does).

Both files are optional; a broken one is an input error with its JSON path.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from transformer.amplify_layout import project_folder
from transformer.diagnostics import Diagnostic, error, read_text, warning
from transformer.matrix import TransformParameters

SETTINGS_FILE_NAME = "gqlauth.json"
FLAGS_SECTION = "graphqltransformer"


class AmplifyTransformerFeatures(BaseModel):
    """Amplify CLI's `graphQLTransformer` feature flags, by their lower-case names.

    The ones gqlauth's output depends on have their transformer defaults; the others are accepted (the CLI
    knows them) and have no effect here.
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    usesubusernamefordefaultidentityclaim: bool = True
    populateownerfieldforstaticgroupauth: bool = True
    subscriptionsinheritprimaryauth: bool = False
    improvepluralization: bool = False
    addmissingownerfields: bool | None = None
    validatetypenamereservedwords: bool | None = None
    useexperimentalpipelinedtransformer: bool | None = None
    enableiterativegsiupdates: bool | None = None
    secondarykeyasgsi: bool | None = None
    skipoverridemutationinputtypes: bool | None = None
    transformerversion: int | None = None
    suppressschemamigrationprompt: bool | None = None
    securityenhancementnotification: bool | None = None
    showfieldauthnotification: bool | None = None
    usefieldnameforprimarykeyconnectionfield: bool | None = None
    enableautoindexquerynames: bool | None = None
    respectprimarykeyattributesonconnectionfield: bool = True
    shoulddeepmergedirectiveconfigdefaults: bool | None = None


KNOWN_FLAGS = frozenset(AmplifyTransformerFeatures.model_fields)


class LambdaAuthorizerSetting(BaseModel):
    model_config = ConfigDict(extra="forbid")

    handler: str
    ttlSeconds: int = Field(default=300, ge=0, le=3600)


class GqlauthSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    strictOwner: bool = False
    sandboxModeEnabled: bool = False
    silence: list[str] = []
    """Warning codes not to show for this project (see `transformer.silencing`)."""
    lambdaAuthorizer: str | LambdaAuthorizerSetting | None = None
    """`serve`'s Lambda authorizer (read by `resolvers.lambda_authorizer`)."""
    functions: dict[str, str] = {}
    """`serve`'s handlers for `@function` names (read by `resolvers.server.handlers`)."""
    http: dict[str, str] = {}
    """`serve`'s local base URLs for `@http` origins (read by `resolvers.server.handlers`)."""


def _find_upwards(start: Path, relative: str) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / relative
        if candidate.is_file():
            return candidate
    return None


def _read_json(path: Path) -> tuple[object, list[Diagnostic]]:
    try:
        return json.loads(read_text(path)), []
    except json.JSONDecodeError as exc:
        return None, [error("settings.json", f"not valid JSON: {exc.msg}", file=str(path), line=exc.lineno, column=exc.colno)]


def _validation_errors(exc: ValidationError, path: Path, prefix: str, names: dict[str, str] | None = None) -> list[Diagnostic]:
    names = names or {}
    return [
        error(
            "settings.invalid",
            item["msg"],
            file=str(path),
            json_path=prefix + "".join(f"[{p}]" if isinstance(p, int) else f".{names.get(str(p), p)}" for p in item["loc"]),
        )
        for item in exc.errors()
    ]


def _case_insensitive(data: dict[str, object], key: str) -> tuple[str, object] | None:
    return next(((k, v) for k, v in data.items() if k.lower() == key), None)


class _FlagSection(BaseModel):
    """The `features.graphqltransformer` keys of one cli file, lower-cased, with where each came from."""

    values: dict[str, object] = {}
    spelled: dict[str, str] = {}
    file: str = ""
    prefix: str = "features.graphqltransformer"


def _flag_section(cli_json: Path) -> tuple[_FlagSection, list[Diagnostic]]:
    data, problems = _read_json(cli_json)
    if problems or not isinstance(data, dict):
        return _FlagSection(file=str(cli_json)), problems
    features_entry = _case_insensitive(data, "features")
    features = features_entry[1] if features_entry else {}
    section_entry = _case_insensitive(features, FLAGS_SECTION) if isinstance(features, dict) else None
    if section_entry is None:
        return _FlagSection(file=str(cli_json)), []
    section_key, section = section_entry
    prefix = f"{features_entry[0] if features_entry else 'features'}.{section_key}"
    if not isinstance(section, dict):
        return _FlagSection(file=str(cli_json)), [
            error("settings.invalid", "must be an object", file=str(cli_json), json_path=prefix)
        ]
    found = _FlagSection(file=str(cli_json), prefix=prefix)
    for key, value in section.items():
        if key.lower() in KNOWN_FLAGS:
            found.values[key.lower()] = value
            found.spelled[key.lower()] = key
        else:
            problems.append(
                warning(
                    "settings.unknown-flag",
                    f"unknown Amplify feature flag '{key}' (not one the Amplify CLI defines for the GraphQL "
                    "transformer): ignored",
                    file=str(cli_json),
                    json_path=f"{prefix}.{key}",
                )
            )
    return found, problems


def environment_cli_json(cli_json: Path) -> Path | None:
    """`amplify/cli.<env>.json` for the checked-out environment (`amplify/.config/local-env-info.json`),
    whose flags the Amplify CLI lays over `cli.json`'s."""
    env_info = cli_json.parent / ".config" / "local-env-info.json"
    if not env_info.is_file():
        return None
    data, problems = _read_json(env_info)
    env_name = data.get("envName") if isinstance(data, dict) and not problems else None
    candidate = cli_json.parent / f"cli.{env_name}.json" if isinstance(env_name, str) and env_name else None
    return candidate if candidate is not None and candidate.is_file() else None


def read_amplify_features(cli_json: Path) -> tuple[AmplifyTransformerFeatures, list[Diagnostic]]:
    """The `features.graphqltransformer` flags of an `amplify/cli.json` (and of the current environment's
    `cli.<env>.json`, which wins), with warnings for unknown keys."""
    sections: list[_FlagSection] = []
    problems: list[Diagnostic] = []
    for path in (cli_json, environment_cli_json(cli_json)):
        if path is not None:
            section, found = _flag_section(path)
            sections.append(section)
            problems += found
    merged: dict[str, object] = {}
    origin: dict[str, _FlagSection] = {}
    for section in sections:
        merged.update(section.values)
        origin.update({key: section for key in section.values})
    try:
        return AmplifyTransformerFeatures.model_validate(merged), problems
    except ValidationError as exc:
        for item in exc.errors():
            key = str(item["loc"][0]) if item["loc"] else ""
            section = origin.get(key, sections[0])
            problems.append(
                error(
                    "settings.invalid",
                    item["msg"],
                    file=section.file,
                    json_path=f"{section.prefix}.{section.spelled.get(key, key)}",
                )
            )
        return AmplifyTransformerFeatures(), problems


def read_gqlauth_settings(folder: Path) -> tuple[GqlauthSettings, list[Diagnostic]]:
    """`gqlauth.json` in a project folder: the defaults when it is absent, and with its problems when it is
    broken (then also the defaults: nothing half-read)."""
    path = folder / SETTINGS_FILE_NAME
    if not path.is_file():
        return GqlauthSettings(), []
    data, problems = _read_json(path)
    if problems:
        return GqlauthSettings(), problems
    try:
        return GqlauthSettings.model_validate(data), []
    except ValidationError as exc:
        return GqlauthSettings(), _validation_errors(exc, path, "")


def project_settings(schema_path: Path) -> GqlauthSettings:
    """The settings every command applies; a broken file counts as absent here, because loading the project
    reports its problems (`load_transform_parameters`)."""
    return read_gqlauth_settings(project_folder(schema_path))[0]


def load_transform_parameters(schema_path: Path) -> tuple[TransformParameters, list[Diagnostic]]:
    folder = project_folder(schema_path)
    problems: list[Diagnostic] = []
    features = AmplifyTransformerFeatures()
    cli_json = _find_upwards(folder, "amplify/cli.json")
    if cli_json is not None:
        features, problems = read_amplify_features(cli_json)
    own, own_problems = read_gqlauth_settings(folder)
    problems += own_problems
    return (
        TransformParameters(
            use_sub_username_for_default_identity_claim=features.usesubusernamefordefaultidentityclaim,
            populate_owner_field_for_static_group_auth=features.populateownerfieldforstaticgroupauth,
            subscriptions_inherit_primary_auth=features.subscriptionsinheritprimaryauth,
            improve_pluralization=features.improvepluralization,
            respect_primary_key_attributes_on_connection_field=features.respectprimarykeyattributesonconnectionfield,
            sandbox_mode_enabled=own.sandboxModeEnabled,
            strict_owner=own.strictOwner,
        ),
        problems,
    )
