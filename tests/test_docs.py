"""The README documents what the code declares (Datasette's test_docs.py pattern)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer.config import SETTINGS
from web.config import WEB_SETTINGS
from zhsearch.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _settings_rows() -> dict[str, tuple[str, str]]:
    rows = {}
    for m in re.finditer(r"^\| `(ZHSEARCH_[A-Z_]+)` \| `([^`]*)` \| (.*) \|$", README, re.M):
        rows[m.group(1)] = (m.group(2), m.group(3))
    return rows


@pytest.mark.parametrize("setting", SETTINGS + WEB_SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_in_the_readme_table_with_its_default(setting) -> None:
    rows = _settings_rows()
    assert setting.env in rows, f"{setting.env} missing from README's settings table"
    assert rows[setting.env][0] == setting.default


def test_the_readme_table_lists_no_unknown_setting() -> None:
    declared = {s.env for s in SETTINGS + WEB_SETTINGS}
    assert set(_settings_rows()) <= declared


def test_readme_opens_with_the_two_commands() -> None:
    block = README.split("```sh\n", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in block.strip().splitlines()] == ["make run", "make test"]


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_in_the_cli_table(command: str) -> None:
    assert f"| `zhsearch {command}" in README


def test_every_cli_option_has_help() -> None:
    def walk(group):
        for cmd in group.commands.values():
            yield cmd
            if hasattr(cmd, "commands"):
                yield from walk(cmd)

    for cmd in walk(cli):
        for param in cmd.params:
            if param.param_type_name == "option":
                assert param.help, f"{cmd.name} {param.opts} has no help"


def _tables(text: str) -> list[list[str]]:
    """The README's tables: runs of lines starting with ``|`` (outside code blocks)."""
    tables: list[list[str]] = []
    run: list[str] = []
    fenced = False
    for line in text.splitlines() + [""]:
        fenced ^= line.startswith("```")
        if line.startswith("|") and not fenced:
            run.append(line)
        elif run:
            tables.append(run)
            run = []
    return tables


def test_no_readme_table_is_split() -> None:
    """Each table has its header and separator and every row has as many cells as the header: a blank line
    inside a table (issue 26: the development table) leaves rows that Markdown shows as text."""
    for table in _tables(README):
        assert len(table) >= 2 and re.fullmatch(r"\|(---\|)+", table[1]), table[0]
        cells = table[0].count(" | ")
        for row in table[2:]:
            assert re.sub(r"`[^`]*`|\\\|", "", row).count(" | ") == cells, row[:80]
