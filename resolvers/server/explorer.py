"""The explorer page: GraphiQL and React bundled under `static/` (MIT, see THIRD_PARTY_LICENSES.txt), so it
works with no internet, plus an identity bar: the dev API key, a local token minted for a user and
groups (`POST /dev/token`), or a pasted token; OIDC and Lambda tokens; IAM requests signed in the page
(SigV4) with local credentials (`POST /dev/credentials`). A denied request shows why beside the result
(the decisions the server explains to it); a button empties the store. Subscriptions run over
graphql-transport-ws."""

from __future__ import annotations

from functools import cache
from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
EXPLORER_ASSETS = ("react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "graphiql.min.css")


@cache
def explorer_html() -> str:
    return (STATIC_DIR / "explorer.html").read_text(encoding="utf-8")
