"""The accept/reject corpus (`tests/differential/invalid/`): reading its cases and Amplify's recorded verdicts.

Each case is one `.graphql` file whose header comments give the API's auth modes and Amplify transform
parameters (`# auth-modes: userPools,apiKey`, `# params: name=value,...`). `verdicts.json` holds what
Amplify's transformer did with each (accepted, or rejected with its message), recorded by
`record_verdicts.py` so the test runs without the oracle.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, RootModel

from transformer.auth_modes import parse_auth_modes
from transformer.diagnostics import Diagnostic, has_errors
from transformer.matrix import TransformParameters
from transformer.project import load_project

CORPUS = Path(__file__).parent / "differential" / "invalid"
VERDICTS = CORPUS / "verdicts.json"

PARAMETER_NAMES = {
    "useSubUsernameForDefaultIdentityClaim": "use_sub_username_for_default_identity_claim",
    "populateOwnerFieldForStaticGroupAuth": "populate_owner_field_for_static_group_auth",
    "subscriptionsInheritPrimaryAuth": "subscriptions_inherit_primary_auth",
    "sandboxModeEnabled": "sandbox_mode_enabled",
}


class Verdict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    accepted: bool
    message: str = ""


class Verdicts(RootModel[dict[str, Verdict]]):
    pass


@dataclass(frozen=True)
class ParityCase:
    name: str
    path: Path
    auth_modes: tuple[str, ...]
    params: dict[str, str]

    @property
    def sdl(self) -> str:
        return self.path.read_text(encoding="utf-8")


def read_case(path: Path) -> ParityCase:
    modes = "userPools"
    params: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line.lstrip("# ").partition(":")
        if key.strip() == "auth-modes":
            modes = value.strip()
        elif key.strip() == "params":
            params.update(dict(p.strip().split("=", 1) for p in value.split(",") if p.strip()))
    return ParityCase(path.stem, path, tuple(m.strip() for m in modes.split(",")), params)


def corpus() -> list[ParityCase]:
    return [read_case(p) for p in sorted(CORPUS.glob("*.graphql"))]


def load_verdicts() -> dict[str, Verdict]:
    return Verdicts.model_validate_json(VERDICTS.read_text(encoding="utf-8")).root


def _parameters(case: ParityCase) -> TransformParameters:
    values = {PARAMETER_NAMES[k]: v.lower() == "true" for k, v in case.params.items()}
    return TransformParameters(**values)


def gqlauth_verdict(case: ParityCase) -> tuple[bool, list[Diagnostic]]:
    """Whether `gqlauth check` accepts the case (errors make it reject; warnings do not)."""
    project, diagnostics = load_project(
        case.path,
        auth_modes=parse_auth_modes(",".join(case.auth_modes)),
        auth_modes_source="case header",
        parameters=_parameters(case),
    )
    return project is not None and not has_errors(diagnostics), diagnostics
