"""The transform parameters a project sets, read where the project keeps them.

* Amplify's flags from `amplify/cli.json` (`features.graphqltransformer`), found walking up from the
  schema: `useSubUsernameForDefaultIdentityClaim`, `populateOwnerFieldForStaticGroupAuth`,
  `subscriptionsInheritPrimaryAuth`, and the API's sandbox mode.
* gqlauth's own opt-ins from `gqlauth.json` beside the schema: `{"strictOwner": true}` forbids an
  owner to reassign the owner field (off by default: it changes what a deployed Amplify API does).

Both files are optional; a broken one is an input error with its JSON path.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from transformer.diagnostics import Diagnostic, error, read_text
from transformer.matrix import TransformParameters

SETTINGS_FILE_NAME = "gqlauth.json"


class AmplifyTransformerFeatures(BaseModel):
    model_config = ConfigDict(extra="allow")

    useSubUsernameForDefaultIdentityClaim: bool = True
    populateOwnerFieldForStaticGroupAuth: bool = True
    subscriptionsInheritPrimaryAuth: bool = False


class GqlauthSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    strictOwner: bool = False
    sandboxModeEnabled: bool = False


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


def _validation_errors(exc: ValidationError, path: Path, prefix: str) -> list[Diagnostic]:
    return [
        error(
            "settings.invalid",
            item["msg"],
            file=str(path),
            json_path=prefix + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in item["loc"]),
        )
        for item in exc.errors()
    ]


def load_transform_parameters(schema_path: Path) -> tuple[TransformParameters, list[Diagnostic]]:
    folder = schema_path.resolve().parent
    problems: list[Diagnostic] = []
    features = AmplifyTransformerFeatures()
    cli_json = _find_upwards(folder, "amplify/cli.json")
    if cli_json is not None:
        data, problems = _read_json(cli_json)
        section = data.get("features", {}).get("graphqltransformer", {}) if isinstance(data, dict) else {}
        try:
            features = AmplifyTransformerFeatures.model_validate(section if isinstance(section, dict) else {})
        except ValidationError as exc:
            problems += _validation_errors(exc, cli_json, "features.graphqltransformer")
    own = GqlauthSettings()
    own_path = folder / SETTINGS_FILE_NAME
    if own_path.is_file():
        data, own_problems = _read_json(own_path)
        problems += own_problems
        if not own_problems:
            try:
                own = GqlauthSettings.model_validate(data)
            except ValidationError as exc:
                problems += _validation_errors(exc, own_path, "")
    return (
        TransformParameters(
            use_sub_username_for_default_identity_claim=features.useSubUsernameForDefaultIdentityClaim,
            populate_owner_field_for_static_group_auth=features.populateOwnerFieldForStaticGroupAuth,
            subscriptions_inherit_primary_auth=features.subscriptionsInheritPrimaryAuth,
            sandbox_mode_enabled=own.sandboxModeEnabled,
            strict_owner=own.strictOwner,
        ),
        problems,
    )
