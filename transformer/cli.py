"""The `gqlauth` command group and its build-time commands.

Run-time commands (serve, token, explain, test, ...) are added by `resolvers.cli`, which is the
console entry point: `transformer` never imports `resolvers`.
"""

from __future__ import annotations

import click

from transformer.commands import register_build_commands
from transformer.lazy_commands import LazyGroup


@click.group(name="gqlauth", cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gqlauth")
def cli() -> None:
    """Amplify-style @auth rules and Cognito group precedence: check, transform, decide, serve."""


register_build_commands(cli)
