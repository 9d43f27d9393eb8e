"""The documentation: it builds without warnings, its code runs, and it covers the API."""

import ast
import doctest
import inspect
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import skrnn
import skrnn.datasets
import skrnn.plotting
from skrnn.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"


def test_api_reference_lists_every_public_name():
    api = (DOCS / "api.rst").read_text()
    listed = set(re.findall(r"^   (\w+)$", api, flags=re.MULTILINE))
    listed |= set(re.findall(r"^\.\. autodata:: (\w+)$", api, flags=re.MULTILINE))
    public = set(skrnn.__all__) | set(skrnn.datasets.__all__) | set(skrnn.plotting.__all__)
    assert public - listed == set(), "public names missing from docs/api.rst"


def test_cli_page_describes_every_command():
    page = (DOCS / "cli.rst").read_text()
    commands = build_parser()._subparsers._group_actions[0].choices
    for name in commands:
        assert f"``{name}``" in page, name
        assert f"generated/cli/{name}.txt" in page, name


PUBLIC_CLASSES = [name for name in skrnn.__all__ if inspect.isclass(getattr(skrnn, name))]


@pytest.mark.parametrize("name", PUBLIC_CLASSES)
def test_documented_defaults_are_the_signatures(name):
    """A default is written twice, in ``__init__`` and in the docstring assembled apart from
    it (skrnn._docstrings): they must agree."""
    obj = getattr(skrnn, name)
    parameters = inspect.signature(obj.__init__).parameters
    documented = re.findall(r"^    (\w+) : .*, default=(.+)$", obj.__doc__, flags=re.MULTILINE)
    for parameter, text in documented:
        assert parameter in parameters, f"{name} documents {parameter}, which it does not take"
        try:
            value = ast.literal_eval(text.strip())
        except (ValueError, SyntaxError):  # not a Python literal: compare the text
            value = text.strip()
        default = parameters[parameter].default
        assert value == default or value == str(default), (name, parameter, text, default)


@pytest.mark.parametrize("page", sorted(DOCS.glob("*.rst")), ids=lambda path: path.name)
def test_doctests_in_pages(page):
    result = doctest.testfile(
        str(page), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE
    )
    assert result.failed == 0


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("plot_*.py")), ids=lambda p: p.name)
def test_examples_have_a_title_and_a_baseline(example):
    text = example.read_text()
    title = re.match(r'"""\n(=+)\n(.+)\n(=+)\n', text)
    assert title, "sphinx-gallery needs a docstring that starts with a title"
    assert len(title.group(1)) >= len(title.group(2)) <= len(title.group(3))
    assert "PersistenceRegressor" in text, "every example shows persistence beside the networks"


@pytest.mark.slow
def test_docs_build_without_warnings(tmp_path):
    """Build a copy of the docs (so generated files never land in the source tree),
    without executing the gallery: tests/test_examples.py runs the examples."""
    ignore = shutil.ignore_patterns("_build", "generated", "auto_examples", "gen_modules")
    shutil.copytree(DOCS, tmp_path / "docs", ignore=ignore)
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    shutil.copytree(EXAMPLES.parent / "benchmarks" / "results", tmp_path / "benchmarks" / "results")
    command = [
        sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
        "-D", "sphinx_gallery_conf.plot_gallery=0",
        str(tmp_path / "docs"), str(tmp_path / "html"),
    ]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-5000:]
    for page in ["index", "user_guide", "cli", "api", "auto_examples/index"]:
        assert (tmp_path / "html" / f"{page}.html").is_file(), page
    assert (tmp_path / "html" / "generated" / "skrnn.LSTMRegressor.html").is_file()
