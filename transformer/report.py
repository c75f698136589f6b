"""How every command shows diagnostics and turns them into exit codes.

Text goes to stderr as `file:line:col: error: message [code]` (coloured on a terminal, never read as
Rich markup or emoji codes; identical problems at several places printed once); `--format json`
prints one JSON document to stdout for tools. Exit codes: 0 clean (warnings allowed), 1 errors in
the inputs, 2 usage errors or unreadable files. Nothing ever surfaces as a traceback.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, ParamSpec, TypeVar

import click
from rich.console import Console
from rich.text import Text

from transformer.diagnostics import Diagnostic, InputError, Severity, UsageProblem, has_errors

EXIT_OK = 0
EXIT_INPUT_ERRORS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

P = ParamSpec("P")
R = TypeVar("R")


def plain_console(*, stderr: bool = True, width: int | None = None) -> Console:
    """A console that prints text as given: no markup, no emoji codes, no highlighting.

    Messages carry user text (`schema.graphql:100:32`, names such as `[bold]` or `:smile:`) that Rich
    would otherwise read as markup or as emoji codes (`:100:` is one); styles are applied through
    `rich.text.Text` instead.
    """
    return Console(stderr=stderr, highlight=False, soft_wrap=width is None, markup=False, emoji=False, width=width)


def terminal_width() -> int | None:
    """The width tables must fit: `COLUMNS` when set, else the terminal's; None when stdout is not a terminal."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def stderr_console() -> Console:
    return plain_console()


def stdout_console(width: int | None = None) -> Console:
    return plain_console(stderr=False, width=width)


_SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow"}


def _grouped(diagnostics: list[Diagnostic]) -> list[list[Diagnostic]]:
    """Identical problems (same severity, code and message) at several places, as one entry each."""
    groups: dict[tuple[Severity, str, str], list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        groups.setdefault((diagnostic.severity, diagnostic.code, diagnostic.message), []).append(diagnostic)
    return list(groups.values())


def shown_path(path: Path | str) -> str:
    """A path as a user types it: relative to the working directory when it lies under it."""
    if not Path(path).is_absolute():
        return str(path)
    try:
        return Path(path).relative_to(Path.cwd()).as_posix()
    except (ValueError, OSError):
        return str(path)


def _as_typed(diagnostic: Diagnostic) -> Diagnostic:
    if diagnostic.file is None:
        return diagnostic
    return diagnostic.model_copy(update={"file": shown_path(diagnostic.file)})


def _diagnostic_parts(same: list[Diagnostic]) -> tuple[str, Severity, str, str, str]:
    """The pieces of one printed entry: location prefix, severity, message, `[code]`, `also at` line."""
    same = [_as_typed(d) for d in same]
    first = same[0]
    location = first.location()
    others = [d.location() or "(no location)" for d in same[1:]]
    also = f"\n  also at: {', '.join(others)}" if others else ""
    return f"{location}: " if location else "", first.severity, f": {first.message} ", f"[{first.code}]", also


def diagnostic_text(same: list[Diagnostic]) -> Text:
    """`file:line:col: warning: message [code]`, with the other places of an identical problem."""
    location, severity, message, code, also = _diagnostic_parts(same)
    text = Text(location)
    text.append(severity.value, style=_SEVERITY_STYLE[severity])
    text.append(message)
    text.append(code, style="dim")
    if also:
        text.append(also)
    return text


def _plain_entry(same: list[Diagnostic]) -> str | None:
    """The entry exactly as Rich prints it without colours, or None when Rich would change the text
    (tabs, control characters), so that plain output never differs from Rich's."""
    location, severity, message, code, also = _diagnostic_parts(same)
    entry = f"{location}{severity.value}{message}{code}{also}\n"
    return entry if entry.replace("\n", "").isprintable() else None


def print_diagnostics(diagnostics: list[Diagnostic], fmt: str = "text", *, quiet: bool = False) -> None:
    """Every diagnostic that is not silenced; with `quiet`, errors only."""
    shown = [d for d in diagnostics if not d.silenced]
    if fmt == "json":
        payload = {
            "errors": sum(d.severity is Severity.ERROR for d in shown),
            "warnings": sum(d.severity is Severity.WARNING for d in shown),
            "silenced": len(diagnostics) - len(shown),
            "diagnostics": [d.model_dump(mode="json") for d in diagnostics],
        }
        click.echo(json.dumps(payload, indent=2))
        return
    if quiet:
        shown = [d for d in shown if d.severity is Severity.ERROR]
    console = stderr_console()
    if console.color_system is not None:
        for same in _grouped(shown):
            console.print(diagnostic_text(same))
        return
    _print_plain(console, _grouped(shown))


def _print_plain(console: Console, entries: list[list[Diagnostic]]) -> None:
    """Uncoloured output (stderr is not a terminal) as one write: thousands of warnings through
    Rich's renderer took a noticeable part of a large transform."""
    chunk: list[str] = []
    for same in entries:
        entry = _plain_entry(same)
        if entry is not None:
            chunk.append(entry)
            continue
        console.file.write("".join(chunk))
        chunk = []
        console.print(diagnostic_text(same))
    console.file.write("".join(chunk))
    console.file.flush()


def summary_line(diagnostics: list[Diagnostic]) -> str:
    """`0 errors, 3 warnings (2 lint.owner-reassign, 1 lint.group-unused); 1 silenced`."""
    shown = [d for d in diagnostics if not d.silenced]
    errors = sum(d.severity is Severity.ERROR for d in shown)
    warnings = Counter(d.code for d in shown if d.severity is Severity.WARNING)
    count = sum(warnings.values())
    text = f"{errors} error{'s' * (errors != 1)}, {count} warning{'s' * (count != 1)}"
    if warnings:
        text += " (" + ", ".join(f"{n} {code}" for code, n in warnings.most_common()) + ")"
    silenced = len(diagnostics) - len(shown)
    if silenced:
        text += f"; {silenced} silenced"
    return text


def exit_code_for(diagnostics: list[Diagnostic]) -> int:
    return EXIT_INPUT_ERRORS if has_errors(diagnostics) else EXIT_OK


def fail_usage(message: str) -> NoReturn:
    """Report a usage problem or an unreadable file and exit 2."""
    stderr_console().print(Text.assemble(("error", "bold red"), f": {message}"))
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
                Text.assemble(
                    ("internal error", "bold red"),
                    f": {type(exc).__name__}: {exc} (set GQLAUTH_DEBUG=1 for the traceback)",
                )
            )
            sys.exit(EXIT_INTERNAL)
        raise AssertionError("unreachable")

    return wrapper
