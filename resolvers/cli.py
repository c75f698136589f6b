"""Console entry point: the build-time commands plus the run-time ones."""

from __future__ import annotations

from resolvers.commands import register_runtime_commands
from transformer.cli import cli

register_runtime_commands(cli)


def main() -> None:
    cli(prog_name="gqlauth")
