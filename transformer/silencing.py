"""Warnings a project chose not to see again: by code project-wide, or on one line of the schema.

* `gqlauth.json` beside the schema: `{"silence": ["owner-reassign", "lint.group-unused"]}`.
* In the schema, a comment on the line a warning points at, or on the comment lines just above it:
  `# gqlauth: ignore[owner-reassign, delete-withheld]`.

A code may be written in full (`lint.owner-reassign`) or without its area (`owner-reassign`).
Only warnings can be silenced; a silenced warning is kept, marked `silenced`, so that the summary can
count it and `--format json` can show it. A `silence` entry that names no known warning is itself a
warning, so that a typo does not quietly silence nothing.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from transformer.amplify_layout import project_folder
from transformer.diagnostics import Diagnostic, Severity, warning
from transformer.transform_settings import SETTINGS_FILE_NAME, project_settings

WARNING_CODES: dict[str, str] = {
    "amplify.sandbox-no-api-key": "input AMPLIFY's public globalAuthRule without an API key: sandbox mode stays off",
    "auth.argument-ignored": "an @auth argument that has no effect on the rule's strategy",
    "auth.groups-field-type": "a groupsField that is not String or [String]: the rule never matches",
    "auth.non-model-dynamic": "owner or dynamic group rules on a non-model type: ignored, as in Amplify",
    "auth.owner-field-type": "an ownerField that is not String, ID or a list of them: the rule never matches",
    "conflict-resolution.unknown-model": "a conflict resolution strategy for a type that is not a @model: ignored, as in Amplify",
    "directive.unsupported": "a directive gqlauth does not serve yet: the field resolves to null",
    "group-name-not-alphanumeric": "a group name Amplify's CLI would reject",
    "group-precedence-tie": "two groups with one precedence: no preferred role for members of both",
    "group-role-name-too-long": "a group whose IAM role name would exceed IAM's 64-character limit",
    "groups.no-file": "no group file found: group names in rules are not checked",
    "iam-policy-lint": "a finding of the IAM policy linter in a group's customPolicies",
    "lint.delete-withheld": "a role the model's rules let delete that never can (a field rule withholds delete)",
    "lint.filter-hidden-field": "a field hidden from some readers that a filter or condition can reveal in AppSync",
    "lint.group-claim-substring": "a static group rule on a custom claim that Amplify tests as a substring",
    "lint.group-unused": "a group of the group file that no rule names",
    "lint.handler-missing": "a @function or @http field gqlauth.json maps to no local handler: serve answers NotConfigured",
    "lint.owner-reassign": "owners may update the owner field, so they can give a record away",
    "lint.required-field-unreadable": "a required field some reader may not read: the whole record nulls for them",
    "resolvers.deploy-conflict": "a resolver of the API's stacks for a field Amplify already resolves: amplify push fails",
    "resolvers.field-unresolved": "a custom Query or Mutation field of an Amplify API that nothing resolves: AppSync answers null",
    "resolvers.override-ignored": "a resolvers/ file replacing a template Amplify generates: gqlauth does not apply it",
    "resolvers.unknown-field": "a resolver of the API's stacks for a field the schema does not have",
    "resolvers.unresolved-reference": "a reference in the API's stacks gqlauth cannot follow",
    "settings.unknown-flag": "an Amplify feature flag the Amplify CLI does not define",
    "settings.unknown-silence": "a silence entry of gqlauth.json that names no warning",
}
"""Every warning code gqlauth emits, with what it means (a test checks it against the `warning(...)` calls)."""

KNOWN_WARNING_CODES: frozenset[str] = frozenset(WARNING_CODES)

IGNORE_COMMENT = re.compile(r"#\s*gqlauth:\s*ignore\[([^\]]*)\]")


def matches(entry: str, code: str) -> bool:
    """Whether a silence entry names `code`: in full, or without the area before the first dot."""
    entry = entry.strip()
    return entry == code or ("." in code and code.split(".", 1)[1] == entry)


def project_silence(schema_path: Path) -> list[str]:
    """The `silence` list of the project's `gqlauth.json`; empty when absent or broken (reported elsewhere)."""
    return project_settings(schema_path).silence


@cache
def _line_comments(file: str, mtime_ns: int) -> dict[int, tuple[frozenset[str], bool]]:
    """Per 1-based line: the codes its ignore comment names, and whether the line is only a comment."""
    found: dict[int, tuple[frozenset[str], bool]] = {}
    try:
        lines = Path(file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return found
    for number, line in enumerate(lines, start=1):
        match = IGNORE_COMMENT.search(line)
        if match is not None:
            codes = frozenset(c.strip() for c in match.group(1).split(",") if c.strip())
            found[number] = (codes, line.lstrip().startswith("#"))
        elif line.lstrip().startswith("#"):
            found[number] = (frozenset(), True)
    return found


def _line_silences(diagnostic: Diagnostic) -> frozenset[str]:
    """The codes silenced for the line a diagnostic points at: its own comment and the comment lines above."""
    if diagnostic.file is None or diagnostic.line is None:
        return frozenset()
    try:
        mtime = Path(diagnostic.file).stat().st_mtime_ns
    except OSError:
        return frozenset()
    comments = _line_comments(diagnostic.file, mtime)
    codes: set[str] = set(comments.get(diagnostic.line, (frozenset(), False))[0])
    line = diagnostic.line - 1
    while line in comments and comments[line][1]:
        codes |= comments[line][0]
        line -= 1
    return frozenset(codes)


def _unknown_entries(entries: list[str], settings: Path) -> list[Diagnostic]:
    known = ", ".join(sorted(KNOWN_WARNING_CODES))
    return [
        warning(
            "settings.unknown-silence",
            f"'{entry}' is not a warning code, so it silences nothing (known: {known})",
            file=str(settings),
            json_path=f"silence[{index}]",
        )
        for index, entry in enumerate(entries)
        if not any(matches(entry, code) for code in KNOWN_WARNING_CODES)
    ]


def apply_silencing(diagnostics: list[Diagnostic], schema_path: Path) -> list[Diagnostic]:
    """Mark the warnings the project silenced; add a warning for each silence entry that names nothing."""
    entries = project_silence(schema_path)
    result = list(diagnostics) + _unknown_entries(entries, project_folder(schema_path) / SETTINGS_FILE_NAME)
    marked: list[Diagnostic] = []
    for diagnostic in result:
        if diagnostic.severity is Severity.WARNING and not diagnostic.silenced:
            here = _line_silences(diagnostic)
            if any(matches(entry, diagnostic.code) for entry in (*entries, *here)):
                diagnostic = diagnostic.model_copy(update={"silenced": True})
        marked.append(diagnostic)
    return marked


__all__ = ["IGNORE_COMMENT", "KNOWN_WARNING_CODES", "WARNING_CODES", "apply_silencing", "matches", "project_silence"]
