"""The frontend's configuration for the local endpoint, as `amplify mock` writes it.

Amplify Gen 1 keeps a JavaScript app's configuration in its source folder (`SourceDir` in
`amplify/.config/project-config.json`, usually `src/`) as `aws-exports.js` and
`amplifyconfiguration.json`, in the flat format `Amplify.configure` reads (`aws_appsync_*` keys; the
library takes the default auth mode and the API key from it, other modes are chosen per request).
`serve` points these at itself:

* where: the project's `SourceDir`, else an existing `src/`, else `.gqlauth/frontend/` (a project
  without a frontend gets the files where nothing picks them up by accident);
* what: the existing file's other keys (Auth, Storage, ...) are kept, the API keys replaced;
* safety: a file gqlauth did not write (its content is not what gqlauth last wrote there) is
  copied to `.gqlauth/frontend-backup/` first and put back when `serve` stops, as `amplify mock`
  does; a file gqlauth wrote is simply rewritten (and left pointing at the local endpoint).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from transformer.rules import Provider

EXPORTS_FILE = "aws-exports.js"
JSON_FILE = "amplifyconfiguration.json"
RECORD_FILE = "frontend-config.json"
BACKUP_DIR = "frontend-backup"
FALLBACK_DIR = "frontend"

AUTHENTICATION_TYPES = {
    Provider.API_KEY: "API_KEY",
    Provider.IAM: "AWS_IAM",
    Provider.USER_POOLS: "AMAZON_COGNITO_USER_POOLS",
    Provider.OIDC: "OPENID_CONNECT",
    Provider.FUNCTION: "AWS_LAMBDA",
}
API_KEYS = ("aws_appsync_graphqlEndpoint", "aws_appsync_region", "aws_appsync_authenticationType",
            "aws_appsync_apiKey")
_EXPORTS_OBJECT = re.compile(r"const\s+awsmobile\s*=\s*(\{.*\})\s*;?\s*export\s+default\s+awsmobile", re.DOTALL)


class _SourceDirConfig(BaseModel):
    model_config = ConfigDict(extra="ignore")

    SourceDir: str = "src"


class _JavascriptConfig(BaseModel):
    model_config = ConfigDict(extra="ignore")

    config: _SourceDirConfig = _SourceDirConfig()


class _ProjectConfig(BaseModel):
    """The part of `amplify/.config/project-config.json` that says where the frontend keeps its config."""

    model_config = ConfigDict(extra="ignore")

    frontend: str | None = None
    javascript: _JavascriptConfig | None = None


class _WrittenRecord(BaseModel):
    """`.gqlauth/frontend-config.json`: what gqlauth last wrote where, and what it must put back."""

    written: dict[str, str] = {}
    """Absolute path -> sha256 of the content gqlauth wrote."""
    backups: dict[str, str] = {}
    """Absolute path -> the backup of the file that was there before."""


def api_settings(endpoint: str, region: str, modes: Sequence[Provider], api_key: str | None) -> dict[str, Any]:
    """The `aws_appsync_*` settings for the endpoint; the first mode is the default."""
    settings: dict[str, Any] = {
        "aws_project_region": region,
        "aws_appsync_graphqlEndpoint": endpoint,
        "aws_appsync_region": region,
        "aws_appsync_authenticationType": AUTHENTICATION_TYPES[modes[0]] if modes else "API_KEY",
    }
    if api_key is not None and Provider.API_KEY in modes:
        settings["aws_appsync_apiKey"] = api_key
    return settings


def frontend_folder(project_dir: Path, state_dir: Path) -> Path:
    """Where the project's frontend keeps its Amplify configuration."""
    config_path = project_dir / "amplify" / ".config" / "project-config.json"
    if config_path.is_file():
        try:
            config = _ProjectConfig.model_validate_json(config_path.read_text(encoding="utf-8"))
        except (ValidationError, OSError, UnicodeDecodeError):
            config = _ProjectConfig()
        if config.javascript is not None and (config.frontend in (None, "javascript")):
            return (project_dir / config.javascript.config.SourceDir).resolve()
    if (project_dir / "src").is_dir():
        return (project_dir / "src").resolve()
    return (state_dir / FALLBACK_DIR).resolve()


def read_existing(path: Path) -> dict[str, Any]:
    """The settings in an existing `aws-exports.js` / `amplifyconfiguration.json` ({} when unreadable)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    if path.suffix == ".js":
        match = _EXPORTS_OBJECT.search(text)
        if match is None:
            return {}
        text = match.group(1)
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def render_exports(settings: dict[str, Any]) -> str:
    body = json.dumps(settings, indent=4, ensure_ascii=False)
    return ("/* eslint-disable */\n"
            "// Written by `gqlauth serve` for its local endpoint (as `amplify mock` does).\n\n"
            f"const awsmobile = {body};\n\n\nexport default awsmobile;\n")


def render_json(settings: dict[str, Any]) -> str:
    return json.dumps(settings, indent=4, ensure_ascii=False) + "\n"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.gqlauth-tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


@dataclass
class FrontendConfigWriter:
    """Writes the two files and puts back any file it replaced (`restore`)."""

    folder: Path
    state_dir: Path
    messages: list[str] = field(default_factory=list)

    @property
    def record_path(self) -> Path:
        return self.state_dir / RECORD_FILE

    def _record(self) -> _WrittenRecord:
        try:
            return _WrittenRecord.model_validate_json(self.record_path.read_text(encoding="utf-8"))
        except (OSError, ValidationError, UnicodeDecodeError):
            return _WrittenRecord()

    def _save(self, record: _WrittenRecord) -> None:
        _write_atomic(self.record_path, record.model_dump_json(indent=2) + "\n")

    def write(self, settings: dict[str, Any]) -> list[Path]:
        """Write both files for `settings` (keeping the other keys of existing ones); returns the paths."""
        record = self._record()
        written: list[Path] = []
        for name, render in ((EXPORTS_FILE, render_exports), (JSON_FILE, render_json)):
            path = (self.folder / name).resolve()
            key = str(path)
            merged = {**read_existing(path), **settings} if path.exists() else dict(settings)
            if "aws_appsync_apiKey" not in settings:
                merged.pop("aws_appsync_apiKey", None)
            text = render(merged)
            if path.exists() and key not in record.backups:
                current = path.read_text(encoding="utf-8", errors="replace")
                if record.written.get(key) != _digest(current):
                    backup = self.state_dir / BACKUP_DIR / f"{_digest(key)[:12]}-{name}"
                    backup.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, backup)
                    record.backups[key] = str(backup)
                    self.messages.append(f"{path}: not written by gqlauth; saved to {backup}, put back when "
                                         "serve stops")
            _write_atomic(path, text)
            record.written[key] = _digest(text)
            written.append(path)
        self._save(record)
        return written

    def restore(self) -> list[Path]:
        """Put back the files gqlauth replaced; returns the paths restored."""
        record = self._record()
        restored: list[Path] = []
        for key, backup in list(record.backups.items()):
            source = Path(backup)
            if source.is_file():
                os.replace(source, key)
                restored.append(Path(key))
            record.backups.pop(key)
            record.written.pop(key, None)
        self._save(record)
        return restored


__all__ = ["AUTHENTICATION_TYPES", "FrontendConfigWriter", "api_settings", "frontend_folder", "read_existing",
           "render_exports", "render_json"]
