"""`serve --leeway SECONDS`: the clock skew allowed on a token's exp; `--leeway 0` rejects a token the second
it expires, the default (30 s) accepts one that expired a moment ago."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from click.testing import CliRunner
from serve_support import template_state

from resolvers.commands.serve import serve, user_pool_verifier
from resolvers.identity import AuthenticationError
from resolvers.issuer import mint_token
from resolvers.local_state import LocalState, now_utc


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> LocalState:
    directory = tmp_path_factory.mktemp("leeway")
    shutil.copytree(template_state(), directory / ".gqlauth")
    return LocalState.open(directory)


def _expired_seconds_ago(state: LocalState, seconds: int) -> str:
    return mint_token(state, user="alice", expires_in=timedelta(minutes=5),
                      now=now_utc() - timedelta(minutes=5, seconds=seconds))


def test_leeway_zero_rejects_a_token_that_just_expired(state: LocalState) -> None:
    strict = user_pool_verifier(state, issuer=None, jwks_url=None, client_id=None, leeway=0)
    with pytest.raises(AuthenticationError):
        strict.verify(_expired_seconds_ago(state, 3))


def test_the_default_leeway_accepts_it_and_not_a_token_past_the_leeway(state: LocalState) -> None:
    default = user_pool_verifier(state, issuer=None, jwks_url=None, client_id=None, leeway=30)
    assert default.verify(_expired_seconds_ago(state, 3)).username == "alice"
    with pytest.raises(AuthenticationError):
        default.verify(_expired_seconds_ago(state, 40))


def test_leeway_is_a_documented_option_with_bounds() -> None:
    runner = CliRunner()
    assert "--leeway SECONDS" in runner.invoke(serve, ["--help"]).output
    refused = runner.invoke(serve, ["--leeway", "-1"])
    assert refused.exit_code == 2 and "--leeway" in refused.output
