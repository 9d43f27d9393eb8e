"""The command line's documentation says what the parser does, and the sources ship no notes
to the authors."""

import ast
import builtins
import re
from pathlib import Path

import pytest

from skrnn.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
CLI_PAGE = ROOT / "docs" / "cli.rst"


def options_of():
    """command -> its option strings."""
    commands = build_parser()._subparsers._group_actions[0].choices
    return {
        name: {option for action in sub._actions for option in action.option_strings}
        for name, sub in commands.items()
    }


def paragraphs(text):
    return [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]


def test_every_option_the_cli_page_names_exists():
    options = options_of()
    known = set().union(*options.values(), build_parser()._option_string_actions)
    page = CLI_PAGE.read_text()
    named = set(re.findall(r"``[^`]*?(--[a-z][\w-]*)", page))
    assert named - known == set()
    # "train --horizon": an option given after a command is that command's.
    for command, option in re.findall(r"``(\w+) (--[a-z][\w-]*)", page):
        if command in options:
            assert option in options[command], (command, option)


@pytest.mark.parametrize("command", ["train", "evaluate", "predict", "forecast", "compare", "demo"])
def test_a_commands_paragraphs_name_only_its_options(command):
    """A paragraph that starts with ``command`` names that command's options, or says whose
    they are (``train --horizon``)."""
    options = options_of()
    page = CLI_PAGE.read_text()
    for paragraph in paragraphs(page):
        if not paragraph.startswith(f"``{command}``"):
            continue
        for literal in re.findall(r"``([^`]+)``", paragraph):
            words = literal.split()
            for i, word in enumerate(words):
                if not word.startswith("--"):
                    continue
                owner = words[i - 1] if i and words[i - 1] in options else command
                assert word in options[owner], (command, literal)


def test_no_notes_to_the_authors_in_the_docs():
    sources = [ROOT / "README.md", *(ROOT / "docs").glob("*.rst"), ROOT / "docs" / "conf.py"]
    for path in sources:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            assert not re.search(r"\b(TODO|FIXME|XXX)\b", line), f"{path.name}:{number}: {line}"


def python_blocks(text):
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def test_readme_code_imports_every_module_it_calls():
    """Every ``name.attr(`` of the README's code, comments included, names something the
    block imports or defines: a reader copies the comments' alternatives too."""
    for block in python_blocks((ROOT / "README.md").read_text()):
        tree = ast.parse(block)
        defined = set(dir(builtins))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                defined |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                defined.add(node.id)
        called = set(re.findall(r"(?<![\w.])([A-Za-z_]\w*)\.\w+\(", block))
        assert called - defined == set(), block
