"""The runbook works as written: every `stjarna …` command named in the operations docs is a real
command of this CLI (its `--help` succeeds), and every script it names exists."""

from __future__ import annotations

import argparse
import re

import pytest

from shared import cli
from shared.paths import REPO_ROOT

DOCS = ["docs/operations.md", "docs/orders.md", "docs/flags.md", "docs/admin.md", "README.md"]
COMMAND = re.compile(r"\bstjarna((?: [a-z][a-z0-9-]*)+)")


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse keeps subparsers only here
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def command_paths() -> list[tuple[str, tuple[str, ...]]]:
    found: dict[tuple[str, ...], str] = {}
    for doc in DOCS:
        for line in (REPO_ROOT / doc).read_text(encoding="utf-8").splitlines():
            for match in COMMAND.finditer(line):
                words = tuple(match.group(1).split())
                found.setdefault(words, doc)
    return sorted((doc, words) for words, doc in found.items())


def resolve(words: tuple[str, ...]) -> tuple[tuple[str, ...], argparse.ArgumentParser]:
    """The longest prefix of ``words`` that names (sub)commands, and the parser it reaches."""
    parser, path = cli.build_parser(), ()
    for word in words:
        children = _subcommands(parser)
        if word not in children:
            break
        parser, path = children[word], (*path, word)
    return path, parser


@pytest.mark.parametrize(("doc", "words"), command_paths(), ids=lambda v: " ".join(v) if isinstance(v, tuple) else v)
def test_every_documented_command_exists(doc, words, capsys):
    path, parser = resolve(words)
    assert path, f"{doc}: 'stjarna {' '.join(words)}' is not a command"
    assert not _subcommands(parser), f"{doc}: 'stjarna {' '.join(path)}' needs a subcommand"
    with pytest.raises(SystemExit) as done:
        cli.main([*path, "--help"])
    assert done.value.code == 0
    assert "usage: stjarna " + " ".join(path) in capsys.readouterr().out


def test_the_docs_name_commands_at_all():
    assert len(command_paths()) >= 15


@pytest.mark.parametrize("script", sorted({m for doc in DOCS for m in re.findall(
    r"\bscripts/[a-z-]+", (REPO_ROOT / doc).read_text(encoding="utf-8"))}))
def test_every_documented_script_exists(script):
    assert (REPO_ROOT / script).is_file(), script
