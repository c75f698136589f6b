"""Progress of a long transform on stderr: silent for the first second, then one line per stage.

On a terminal the line is rewritten in place and cleared at the end; elsewhere (CI logs) each stage
is its own line. A transform that finishes within `QUIET_SECONDS` prints nothing.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

QUIET_SECONDS = 1.0


class Progress:
    def __init__(self, stream: TextIO | None = None, *, enabled: bool = True) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.start = time.perf_counter()
        self.tty = self.stream.isatty()
        self.shown = False

    def __call__(self, stage: str) -> None:
        """Report that `stage` begins (e.g. "writing stack.json")."""
        elapsed = time.perf_counter() - self.start
        if not self.enabled or elapsed < QUIET_SECONDS:
            return
        text = f"transform: {stage} ({elapsed:.1f} s)"
        if self.tty:
            self.stream.write(f"\r\x1b[2K{text}")
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown and self.tty:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()


__all__ = ["QUIET_SECONDS", "Progress"]
