"""The offline explorer page (placeholder until the bundled assets are added)."""

from __future__ import annotations

from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"


def explorer_html() -> str:
    return (STATIC_DIR / "explorer.html").read_text(encoding="utf-8")
