"""Problems found in the user's inputs, as values with locations until the CLI prints them."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Diagnostic(BaseModel):
    """One problem: where it is (file plus line/column for SDL, or a JSON path) and what it is."""

    model_config = ConfigDict(frozen=True)

    severity: Severity
    message: str
    code: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    json_path: str | None = None
    silenced: bool = False
    """A warning the project silenced (`gqlauth.json` or a `# gqlauth: ignore[...]` comment): not shown."""

    def location(self) -> str:
        """`file:line:col`, `file:json.path` or `file`; empty when the problem has no place in a file."""
        parts = [self.file] if self.file else []
        if self.line is not None and parts:
            parts += [str(self.line), str(self.column or 1)]
        text = ":".join(parts)
        if self.json_path is not None:
            text += (f":{self.json_path}" if self.line is None else f" ({self.json_path})") if text else self.json_path
        return text

    def render(self) -> str:
        location = self.location()
        return f"{location + ': ' if location else ''}{self.severity.value}: {self.message}"


def error(code: str, message: str, **where: object) -> Diagnostic:
    return Diagnostic(severity=Severity.ERROR, code=code, message=message, **where)  # type: ignore[arg-type]


def warning(code: str, message: str, **where: object) -> Diagnostic:
    return Diagnostic(severity=Severity.WARNING, code=code, message=message, **where)  # type: ignore[arg-type]


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


class InputError(Exception):
    """Raised when the inputs cannot be used at all; carries every diagnostic found so far."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(d.render() for d in diagnostics))
        self.diagnostics = diagnostics


class UsageProblem(Exception):
    """A problem with how a command was called (CLI exit 2); its text is the whole message."""


class UnreadableInput(UsageProblem):
    """A file that does not exist or cannot be read: a usage problem (CLI exit 2), not a rule error."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: cannot read: {reason}")
        self.path = str(path)
        self.reason = reason


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableInput(path, exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)) from exc
