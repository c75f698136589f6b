"""Warnings can be tuned: every warning prints its code, `--quiet` shows errors only, the summary counts
warnings per code, identical warnings print once, and a code can be silenced project-wide in
`gqlauth.json` or on one line of the schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from transformer.cli import cli
from transformer.diagnostics import Severity, warning
from transformer.project import load_project
from transformer.report import summary_line
from transformer.silencing import KNOWN_WARNING_CODES, WARNING_CODES, matches

REPO = Path(__file__).resolve().parents[1]

# Two owner models (two owner-reassign warnings) and one unknown directive used twice (identical warnings).
SCHEMA = """\
type Post @model @auth(rules: [{allow: owner}]) {
  id: ID!
  title: String
}

type Note @model @auth(rules: [{allow: owner}]) {
  id: ID!
  body: String
}
"""


def write_project(folder: Path, schema: str = SCHEMA, settings: object | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "schema.graphql").write_text(schema, encoding="utf-8")
    if settings is not None:
        (folder / "gqlauth.json").write_text(json.dumps(settings), encoding="utf-8")
    return folder


def check(folder: Path, *extra: str) -> Result:
    return CliRunner().invoke(cli, ["check", str(folder), "--auth-modes", "userPools", *extra])


def warning_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if ": warning: " in line]


def test_every_warning_prints_its_code(tmp_path: Path) -> None:
    result = check(write_project(tmp_path / "p"))
    assert result.exit_code == 0, result.output
    lines = warning_lines(result)
    assert len(lines) == 2
    assert all(line.endswith("[lint.owner-reassign]") for line in lines), lines


def test_the_summary_counts_warnings_per_code(tmp_path: Path) -> None:
    result = check(write_project(tmp_path / "p"))
    assert result.stderr.rstrip().splitlines()[-1] == "0 errors, 2 warnings (2 lint.owner-reassign)"


def test_quiet_prints_no_warning_and_no_progress(tmp_path: Path) -> None:
    result = check(write_project(tmp_path / "p"), "--quiet")
    assert result.exit_code == 0
    assert result.stderr == ""


def test_quiet_still_prints_errors_and_their_summary(tmp_path: Path) -> None:
    broken = SCHEMA + "type Bad @model @auth(rules: [{allow: groups}]) { id: ID! }\n"
    result = check(write_project(tmp_path / "p", broken), "-q")
    assert result.exit_code == 1
    assert warning_lines(result) == []
    assert ": error: " in result.stderr and result.stderr.rstrip().endswith("1 error, 0 warnings")


def test_transform_quiet_writes_and_says_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["transform", str(write_project(tmp_path / "p")), "--auth-modes", "userPools", "-o", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == "" and (out / "schema.graphql").is_file()


@pytest.mark.parametrize("entry", ["owner-reassign", "lint.owner-reassign"])
def test_a_code_silenced_in_gqlauth_json_is_not_shown_but_counted(tmp_path: Path, entry: str) -> None:
    result = check(write_project(tmp_path / "p", settings={"silence": [entry]}))
    assert result.exit_code == 0, result.output
    assert warning_lines(result) == []
    assert result.stderr.rstrip().endswith("0 errors, 0 warnings; 2 silenced")


def test_silencing_keeps_other_codes(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "user-pool-group-precedence.json").write_text(
        '[{"groupName": "Unused", "precedence": 1}]', encoding="utf-8"
    )
    result = check(write_project(tmp_path / "p", settings={"silence": ["owner-reassign"]}))
    assert [line.rsplit(" ", 1)[-1] for line in warning_lines(result)] == ["[lint.group-unused]"]


def test_a_misspelt_silence_entry_is_a_warning_with_its_json_path(tmp_path: Path) -> None:
    result = check(write_project(tmp_path / "p", settings={"silence": ["owner-reasign"]}))
    assert result.exit_code == 0
    [typo] = [line for line in warning_lines(result) if "settings.unknown-silence" in line]
    assert "gqlauth.json:silence[0]" in typo and "'owner-reasign'" in typo
    assert len(warning_lines(result)) == 3


def test_silence_must_be_a_list_of_strings(tmp_path: Path) -> None:
    result = check(write_project(tmp_path / "p", settings={"silence": "owner-reassign"}))
    assert result.exit_code == 1
    assert "gqlauth.json:" in result.stderr and "silence" in result.stderr


@pytest.mark.parametrize(
    ("schema", "silenced_models"),
    [
        # a trailing comment on the line the warning points at
        (SCHEMA.replace("{allow: owner}]) {\n  id: ID!\n  title", "{allow: owner}]) { # gqlauth: ignore[owner-reassign]\n"
                        "  id: ID!\n  title"), {"Post"}),
        # a comment line just above it
        ("# gqlauth: ignore[lint.owner-reassign]\n" + SCHEMA, {"Post"}),
        # several codes, and comment lines stacked above
        (SCHEMA.replace("type Note", "# Notes are private.\n# gqlauth: ignore[delete-withheld, owner-reassign]\ntype Note"),
         {"Note"}),
        # a blank line breaks the link
        ("# gqlauth: ignore[owner-reassign]\n\n" + SCHEMA, set()),
        # another code does not silence this one
        ("# gqlauth: ignore[group-unused]\n" + SCHEMA, set()),
    ],
    ids=["trailing", "above", "stacked", "blank-line", "other-code"],
)
def test_a_schema_comment_silences_one_line(tmp_path: Path, schema: str, silenced_models: set[str]) -> None:
    project, diagnostics = load_project(write_project(tmp_path / "p", schema), auth_modes=None)
    assert project is not None
    owners = [d for d in diagnostics if d.code == "lint.owner-reassign"]
    assert len(owners) == 2
    silenced = {re.search(r"ownership of (\w+)", d.message).group(1) for d in owners if d.silenced}  # type: ignore[union-attr]
    assert silenced == silenced_models


def test_errors_cannot_be_silenced(tmp_path: Path) -> None:
    broken = "# gqlauth: ignore[auth.groups-missing, groups]\ntype Bad @model @auth(rules: [{allow: groups}]) { id: ID! }\n"
    result = check(write_project(tmp_path / "p", broken, settings={"silence": ["auth.groups-missing"]}))
    assert result.exit_code == 1 and ": error: " in result.stderr


def test_json_output_marks_silenced_warnings_and_leaves_them_out_of_the_count(tmp_path: Path) -> None:
    result = check(write_project(tmp_path / "p", settings={"silence": ["owner-reassign"]}), "--format", "json")
    payload = json.loads(result.stdout)
    assert payload["warnings"] == 0 and payload["silenced"] == 2
    assert [d["silenced"] for d in payload["diagnostics"]] == [True, True]


def test_identical_warnings_print_once_with_every_place() -> None:
    from transformer.report import diagnostic_text

    same = [warning("lint.x", "same words", file="s.graphql", line=n, column=3) for n in (4, 9, 12)]
    text = diagnostic_text(same).plain
    assert text.splitlines() == ["s.graphql:4:3: warning: same words [lint.x]", "  also at: s.graphql:9:3, s.graphql:12:3"]


def test_summary_orders_codes_by_count() -> None:
    found = [warning("lint.a", "1"), warning("lint.b", "2"), warning("lint.b", "3"), warning("lint.c", "4")]
    found.append(found[0].model_copy(update={"silenced": True}))
    assert summary_line(found) == "0 errors, 4 warnings (2 lint.b, 1 lint.a, 1 lint.c); 1 silenced"


def test_matching_accepts_the_code_with_or_without_its_area() -> None:
    assert matches("owner-reassign", "lint.owner-reassign") and matches("lint.owner-reassign", "lint.owner-reassign")
    assert not matches("lint", "lint.owner-reassign") and not matches("reassign", "lint.owner-reassign")


def test_every_warning_code_in_the_code_base_is_known() -> None:
    """A new warning must be listed in `KNOWN_WARNING_CODES`, or `silence` would call its code a typo."""
    call = re.compile(r"""\bwarning\(\s*(?:code=)?["']([A-Za-z0-9_.-]+)["']""")
    emitted = {
        code
        for folder in ("transformer", "resolvers")
        for path in (REPO / folder).rglob("*.py")
        for code in call.findall(path.read_text(encoding="utf-8"))
    }
    assert emitted, "no warning(...) call found: the pattern is out of date"
    assert emitted <= KNOWN_WARNING_CODES, f"add to transformer/silencing.py: {sorted(emitted - KNOWN_WARNING_CODES)}"
    assert all(w.severity is Severity.WARNING for w in [warning(c, "x") for c in KNOWN_WARNING_CODES])


def test_the_readme_lists_every_warning_code() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert [code for code in WARNING_CODES if f"- `{code}`: " not in readme] == []
