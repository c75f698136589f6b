"""Run-time CLI commands; each module holds one command (or one command group)."""

from __future__ import annotations

import click


def register_runtime_commands(group: click.Group) -> None:
    from resolvers.commands import credentials, token

    group.add_command(token.token)
    group.add_command(credentials.credentials)
    from resolvers.commands import explain, test

    group.add_command(explain.explain)
    group.add_command(test.test)
    from resolvers.commands import data, serve

    group.add_command(serve.serve)
    group.add_command(data.data)
