"""`gqlauth transform` loads only what it runs: no server, token or crypto modules."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from resolvers.cli import cli

PROBE = """
import sys
from resolvers.cli import cli
cli.get_command(None, "transform")
heavy = sorted(m for m in ("jwt", "cryptography", "starlette", "uvicorn", "ariadne", "resolvers.commands.serve") if m in sys.modules)
print(",".join(heavy))
"""


def test_transform_does_not_import_the_run_time() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()]
    assert listed == ["access", "check", "credentials", "data", "explain", "groups", "matrix", "serve", "test",
                      "token", "transform"]
