"""Docs that cannot rot silently: links and images resolve, every `citeqa` command and option they
name exists, and every setting has its row in the configuration page."""
import argparse
import dataclasses
import re
from pathlib import Path

import pytest

from embeddings import IndexSettings
from qa import Config
from qa.cli import _parser
from tests.conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
COMMAND = re.compile(r"^\s*(?:\$\s+)?(?:\S*/)?citeqa ([a-z][a-z-]*)((?: +(?:\"[^\"]*\"|'[^']*'|[^\s`|;#]+))*)")
"""A command line as the docs show it: ``citeqa ask …``, ``$ citeqa …`` or ``.venv/bin/citeqa …``."""


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {slug(line.lstrip("#")) for line in page.read_text(encoding="utf-8").splitlines() if line.startswith("#")}


def prose(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def test_the_readme_is_short_and_docs_exist():
    assert len(prose(ROOT / "README.md").splitlines()) <= 150
    assert len(PAGES) >= 10


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_and_image_resolves(page):
    for target in LINK.findall(prose(page)):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        assert resolved.exists(), f"{page.name}: link to {target} does not resolve"
        if anchor and resolved.suffix == ".md":
            assert anchor in anchors(resolved), f"{page.name}: {target} names no heading of {resolved.name}"


def subcommands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def code(page: Path) -> list[str]:
    """The lines of a page's code blocks and its inline code spans: where commands are named."""
    text = prose(page)
    blocks = re.findall(r"(?ms)^```[^\n]*\n(.*?)^```", text)
    spans = re.findall(r"`([^`\n]+)`", re.sub(r"(?ms)^```.*?^```", "", text))
    return [line for block in blocks for line in block.splitlines()] + spans


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_citeqa_command_and_option_named_exists(page):
    commands = subcommands()
    for line in code(page):
        for name, rest in COMMAND.findall(line):
            assert name in commands, f"{page.name}: `citeqa {name}` is no subcommand ({', '.join(commands)})"
            known = {s for a in commands[name]._actions for s in a.option_strings}
            for option in re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", rest):
                assert option in known, f"{page.name}: `citeqa {name} {option}` is no option of it"


def test_every_setting_has_a_row_in_the_configuration_page():
    rows = [line.split("|")[1] for line in prose(ROOT / "docs" / "configuration.md").splitlines()
            if line.startswith("| `")]
    named = {name for cell in rows for name in re.findall(r"`([\w.]+)`", cell)}
    fields = [f.name for f in dataclasses.fields(Config) if f.name != "index"]
    fields += [f"index.{f.name}" for f in dataclasses.fields(IndexSettings)]
    missing = [name for name in fields if name not in named]
    assert not missing, f"docs/configuration.md has no row for {missing}"


def test_every_subcommand_and_option_of_the_cli_is_in_the_configuration_page():
    page = prose(ROOT / "docs" / "configuration.md")
    for name, parser in subcommands().items():
        assert f"`citeqa {name}`" in page, f"`citeqa {name}` has no row in docs/configuration.md"
        for option in {s for a in parser._actions for s in a.option_strings if s.startswith("--") and s != "--help"}:
            assert f"`{option}`" in page, f"citeqa {name} {option} is not in docs/configuration.md"
