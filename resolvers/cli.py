"""Console entry point: the build-time commands plus the run-time ones."""

from __future__ import annotations

import sys
from contextlib import nullcontext

from resolvers.commands import register_runtime_commands
from transformer.cli import cli
from transformer.gc_pause import one_shot_command

register_runtime_commands(cli)

ONE_SHOT_COMMANDS = frozenset({"check", "matrix", "transform"})
"""Commands that load a project once and exit: the process may freeze what it loaded (`gc_pause`)."""


def main() -> None:
    one_shot = len(sys.argv) > 1 and sys.argv[1] in ONE_SHOT_COMMANDS
    with one_shot_command() if one_shot else nullcontext():
        cli(prog_name="gqlauth")
