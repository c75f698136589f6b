"""How every command shows diagnostics and turns them into exit codes.

Text goes to stderr as `file:line:col: error: message` (coloured on a terminal); `--format json`
prints one JSON document to stdout for tools. Exit codes: 0 clean (warnings allowed), 1 errors in
the inputs, 2 usage errors or unreadable files. Nothing ever surfaces as a traceback.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import click
from rich.console import Console

from transformer.diagnostics import Diagnostic, InputError, Severity, UsageProblem, has_errors

EXIT_OK = 0
EXIT_INPUT_ERRORS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

P = ParamSpec("P")
R = TypeVar("R")


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def print_diagnostics(diagnostics: list[Diagnostic], fmt: str = "text") -> None:
    if fmt == "json":
        payload = {
            "errors": sum(d.severity is Severity.ERROR for d in diagnostics),
            "warnings": sum(d.severity is Severity.WARNING for d in diagnostics),
            "diagnostics": [d.model_dump(mode="json") for d in diagnostics],
        }
        click.echo(json.dumps(payload, indent=2))
        return
    console = stderr_console()
    for diagnostic in diagnostics:
        style = "bold red" if diagnostic.severity is Severity.ERROR else "yellow"
        console.print(
            f"{diagnostic.location()}: [{style}]{diagnostic.severity.value}[/{style}]: ",
            end="",
            markup=True,
        )
        console.print(diagnostic.message, markup=False)


def summary_line(diagnostics: list[Diagnostic]) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def exit_code_for(diagnostics: list[Diagnostic]) -> int:
    return EXIT_INPUT_ERRORS if has_errors(diagnostics) else EXIT_OK


def fail_usage(message: str) -> None:
    """Report a usage problem or an unreadable file and exit 2."""
    stderr_console().print(f"[bold red]error[/bold red]: {message}", markup=True, highlight=False)
    sys.exit(EXIT_USAGE)


def guarded(command: Callable[P, R]) -> Callable[P, R]:
    """Turn the exceptions a command may meet into clean messages and the documented exit codes."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except UsageProblem as exc:
            fail_usage(str(exc))
        except InputError as exc:
            print_diagnostics(exc.diagnostics)
            sys.exit(EXIT_INPUT_ERRORS)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
            if os.environ.get("GQLAUTH_DEBUG"):
                raise
            stderr_console().print(
                f"[bold red]internal error[/bold red]: {type(exc).__name__}: {exc} "
                "(set GQLAUTH_DEBUG=1 for the traceback)",
                markup=True,
                highlight=False,
            )
            sys.exit(EXIT_INTERNAL)
        raise AssertionError("unreachable")

    return wrapper
