"""Diagnostics printed to a non-terminal skip Rich's renderer but read exactly as Rich would print them."""

from __future__ import annotations

import io

import pytest

from transformer.diagnostics import Diagnostic, error, warning
from transformer.report import diagnostic_text, plain_console, print_diagnostics

MESSAGES = [
    "plain message",
    "markup-like [bold]x[/bold] and emoji code :smile: and :100:",
    "unicode: café, 日本語, emoji 🎉, combining e\u0301",
    "a tab\there",
    "a carriage\rreturn and a bell\a",
    "non-breaking\u00a0space",
]


def _diagnostics() -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for index, message in enumerate(MESSAGES):
        found.append(warning("lint.x", message, file="schema.graphql", line=index + 1, column=3))
        found.append(error("sdl.y", message))
    found.append(warning("lint.x", MESSAGES[0], file="schema.graphql", line=40, column=1))
    found.append(warning("lint.x", MESSAGES[0], file="other.graphql"))
    return found


def _rich_rendering(diagnostics: list[Diagnostic]) -> str:
    """What Rich writes for each entry through an uncoloured console."""
    buffer = io.StringIO()
    console = plain_console()
    console.file = buffer
    assert console.color_system is None
    from transformer.report import _grouped

    for same in _grouped(diagnostics):
        console.print(diagnostic_text(same))
    return buffer.getvalue()


def test_plain_output_is_riches_output(capsys: pytest.CaptureFixture[str]) -> None:
    diagnostics = _diagnostics()
    expected = _rich_rendering(diagnostics)
    print_diagnostics(diagnostics)
    printed = capsys.readouterr().err
    assert "also at: schema.graphql:40:1, other.graphql" in printed
    assert "a tab" in printed
    assert printed == expected


def test_silenced_and_quiet_still_apply(capsys: pytest.CaptureFixture[str]) -> None:
    diagnostics = _diagnostics()
    diagnostics[0] = diagnostics[0].model_copy(update={"silenced": True})
    print_diagnostics(diagnostics, quiet=True)
    printed = capsys.readouterr().err
    assert "warning:" not in printed
    assert printed.count("error:") == len(MESSAGES)
