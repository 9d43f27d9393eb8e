"""Sphinx configuration: numpydoc docstrings, autosummary API pages, an executed gallery."""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # document the source tree, installed or not

import skrnn

# The gallery runs in this process. Small recurrent networks gain nothing from several
# PyTorch threads and slow down many times over when the cores are shared (CI, `make -j`),
# so the build uses one thread, as `skrnn` commands do by default.
os.environ.setdefault("MPLBACKEND", "Agg")
try:
    import torch

    torch.set_num_threads(1)
except ImportError:  # pragma: no cover
    pass

project = "skrnn"
author = "the skrnn developers"
copyright = "the skrnn developers"
release = skrnn.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "auto_examples/*.ipynb"]
root_doc = "index"
default_role = "literal"

# -- API reference ---------------------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False


def _skip_foreign_members(app, what, name, obj, skip, options):
    """Document what skrnn defines, not what its classes inherit from scikit-learn,
    skorch or Python (``get_params``, ``score``, ``set_output``, exception methods, ...):
    those are documented where they are defined."""
    if what != "class" or skip:
        return None
    func = getattr(obj, "fget", obj)
    module = getattr(func, "__module__", None)
    if module is None:
        module = getattr(getattr(func, "__objclass__", None), "__module__", "")
    return True if not str(module).startswith("skrnn") else None


def setup(app):
    app.connect("autodoc-skip-member", _skip_foreign_members)


# -- gallery ---------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(HERE.parent / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "doc_module": ("skrnn",),
    "backreferences_dir": "gen_modules/backreferences",
    "reference_url": {"skrnn": None},
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "plot_gallery": "True",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
}

# -- HTML ------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skrnn {release}"
html_static_path = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_show_sourcelink = False


# -- the command line's help texts, included by cli.rst -------------------------------
def _write_cli_help():
    from skrnn.cli import build_parser

    os.environ["COLUMNS"] = "92"  # argparse wraps to the terminal width
    parser = build_parser()
    out = HERE / "generated" / "cli"
    out.mkdir(parents=True, exist_ok=True)
    texts = {"skrnn": parser.format_help()}
    commands = parser._subparsers._group_actions[0].choices
    texts.update({name: sub.format_help() for name, sub in commands.items()})
    for name, text in texts.items():
        path = out / f"{name}.txt"
        if not path.exists() or path.read_text() != text:
            path.write_text(text)


_write_cli_help()
