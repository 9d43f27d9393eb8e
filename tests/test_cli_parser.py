"""The ``skrnn`` command's grammar: help, version, usage errors, and that answering them
imports neither PyTorch, scikit-learn nor pandas."""

import importlib.metadata
import subprocess
import sys
import textwrap

import pytest

import skrnn
from skrnn import LSTMRegressor, RNNRegressor
from skrnn.cli import _parser, build_parser, main
from skrnn.datasets import STOCK_TICKERS


def run(capsys, *argv):
    status = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return status, out, err


def python(code):
    """Run `code` in a fresh interpreter; its stdout, stripped."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


HEAVY = ("torch", "sklearn", "pandas", "skorch", "matplotlib")


def test_choices_match_the_estimators():
    from skrnn._base import OPTIMIZERS

    assert set(_parser.OPTIMIZERS) == set(OPTIMIZERS)
    nonlinearity = RNNRegressor._parameter_constraints["nonlinearity"][0]
    assert set(_parser.NONLINEARITIES) == set(nonlinearity.options)
    assert {cell for _, cell, _ in _parser.NETWORKS.values()} == set(_parser.CELLS)
    assert _parser.TICKERS == STOCK_TICKERS


def test_train_defaults_are_the_regressors():
    # The parser imports no estimator (--help answers at once): its defaults are literals
    # that must follow the estimators' when those change.
    args = build_parser().parse_args(["train", "d.csv", "--target", "y", "--out", "m"])
    params = LSTMRegressor().get_params()
    for option, param in [
        ("hidden_size", "hidden_size"),
        ("num_layers", "num_layers"),
        ("epochs", "max_epochs"),
        ("lr", "lr"),
        ("optimizer", "optimizer"),
        ("early_stopping", "early_stopping"),
    ]:
        assert getattr(args, option) == params[param], option


@pytest.mark.parametrize(
    "command", [[], ["train"], ["evaluate"], ["predict"], ["forecast"], ["compare"], ["demo"]]
)
def test_help(capsys, command):
    status, out, err = run(capsys, *command, "--help")
    assert status == 0
    assert out.startswith("usage: skrnn")
    assert err == ""


def test_help_lists_every_option(capsys):
    _, out, _ = run(capsys, "train", "--help")
    for option in [
        "--target", "--out", "--features", "--window", "--horizon", "--cell", "--hidden-size",
        "--num-layers", "--bidirectional", "--nonlinearity", "--epochs", "--lr", "--optimizer",
        "--test-size", "--seed", "--quiet", "--device", "--sep", "--decimal", "--date-format",
        "--dayfirst", "--missing", "--interval",
    ]:  # fmt: skip
        assert option in out
    _, out, _ = run(capsys, "compare", "--help")
    for option in ["--models", "--window", "--cv", "--plot", "--table", "--predictions", "--group"]:
        assert option in out
    for command in ("compare", "demo"):
        assert "--device" in run(capsys, command, "--help")[1]


def test_only_the_commands_that_train_take_a_device():
    commands = build_parser()._subparsers._group_actions[0].choices
    with_device = {
        name
        for name, sub in commands.items()
        if any("--device" in action.option_strings for action in sub._actions)
    }
    assert with_device == {"train", "compare", "demo"}
    args = build_parser().parse_args(["train", "d.csv", "--target", "y", "--out", "m"])
    assert args.device == "cpu"


def test_predict_has_no_horizon_the_model_has_one(capsys):
    status, _, err = run(capsys, "predict", "d.csv", "--model", "m", "--out", "-", "--horizon", 2)
    assert status == 2
    assert "unrecognized arguments: --horizon" in err


def test_version(capsys):
    status, out, _ = run(capsys, "--version")
    assert status == 0
    assert out.strip() == f"skrnn {importlib.metadata.version('skrnn')}"
    assert out.strip() == f"skrnn {skrnn.__version__}"


def test_console_script_is_declared():
    scripts = importlib.metadata.entry_points(group="console_scripts")
    (entry,) = [entry for entry in scripts if entry.name == "skrnn"]
    assert entry.value == "skrnn.cli:main"
    assert entry.load() is main


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        ("train d.csv --target Close --out m --window 0", "--window: must be an integer >= 1"),
        ("train d.csv --target Close --out m --epochs many", "--epochs: must be an integer"),
        ("train d.csv --target Close --out m --test-size 1.5", "--test-size: must be between"),
        ("predict d.csv --model m --out p --interval 0.8 95", "--interval: must be between"),
        ("compare d.csv --target Close --interval", "--interval: expected at least one"),
        ("train d.csv --target Close --out m --lr -1", "--lr: must be a positive number, got '-1'"),
        ("compare d.csv --target Close --lr fast", "--lr: must be a number, got 'fast' or auto"),
        ("train d.csv --target Close --out m --cell transformer", "--cell: invalid choice"),
        ("train d.csv --out m", "the following arguments are required: --target"),
        ("train d.csv --target y --out m --sep ;;", "--sep: must be one character"),
        ("train d.csv --target y --out m --missing zero", "--missing: invalid choice"),
        ("evaluate d.csv --model m --decimal ,,", "--decimal: must be one character"),
        ("compare d.csv --target Close --models lstm arima", "--models: invalid choice"),
        ("compare d.csv --target Close --cv 1", "--cv: must be an integer >= 2, got '1'"),
        ("compare d.csv --target Close --n-jobs 0", "--n-jobs: must be 1 or more, or -1"),
        ("backtest d.csv", "invalid choice: 'backtest'"),
        ("", "the following arguments are required: COMMAND"),
    ],
)
def test_usage_errors_are_one_line(argv, fragment, capsys):
    status, out, err = run(capsys, *argv.split())
    assert status == 2
    assert "Traceback" not in err
    (line,) = err.strip().splitlines()
    assert fragment in line
    assert "--help" in line
    assert out == ""


@pytest.mark.parametrize(("text", "expected"), [(";", ";"), ("\\t", "\t"), ("tab", "\t")])
def test_sep_accepts_a_tab_written_as_an_escape(text, expected):
    args = build_parser().parse_args(["train", "d.csv", "--target", "y", "--out", "m"])
    assert args.sep == ","
    args = build_parser().parse_args(
        ["train", "d.csv", "--target", "y", "--out", "m", "--sep", text]
    )
    assert args.sep == expected


# -- what answering --help costs ------------------------------------------------------------
def test_importing_skrnn_and_the_cli_imports_nothing_heavy():
    out = python(
        f"""
        import sys
        import skrnn, skrnn.cli
        skrnn.cli.build_parser()
        print(sorted(name for name in {HEAVY!r} if name in sys.modules))
        """
    )
    assert out == "[]"


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["--version"],
        ["train", "--help"],
        ["compare", "--help"],
        ["train", "d.csv", "--window", "0"],  # a usage error
        ["frobnicate"],
    ],
    ids=["help", "version", "train-help", "compare-help", "bad-value", "bad-command"],
)
def test_help_version_and_usage_errors_import_no_torch(argv):
    out = python(
        f"""
        import contextlib, io, sys
        from skrnn.cli import main
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            status = main({argv!r})
        print(status, sorted(name for name in {HEAVY!r} if name in sys.modules))
        """
    )
    status, modules = out.split(" ", 1)
    assert status in {"0", "2"}
    assert modules == "[]"


def test_the_console_script_help_in_a_real_process_imports_no_torch():
    code = (
        "import runpy, sys; sys.argv = ['skrnn', '--help']\n"
        "try:\n    runpy.run_module('skrnn.cli', run_name='__main__')\n"
        "except SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
        "print('torch' in sys.modules, file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.startswith("usage: skrnn")
    assert result.stderr.strip() == "False"


@pytest.mark.parametrize("module", ["skrnn", "skrnn.cli"])
def test_python_dash_m_runs_the_command(module):
    result = subprocess.run(
        [sys.executable, "-m", module, "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("usage: skrnn")


def test_public_names_are_imported_on_first_use():
    out = python(
        """
        import sys
        import skrnn
        before = "torch" in sys.modules
        from skrnn import LSTMRegressor, save
        print(before, "torch" in sys.modules, LSTMRegressor.__module__, save.__module__)
        """
    )
    assert out == "False True skrnn._regressor skrnn._io"


def test_lazy_package_attributes():
    assert set(skrnn.__all__) <= set(dir(skrnn))
    for name in skrnn.__all__:
        assert getattr(skrnn, name).__name__ == name
    assert skrnn.load is skrnn._io.load
    assert skrnn.compare_forecasters is skrnn._compare.compare_forecasters
    with pytest.raises(AttributeError, match="has no attribute 'LSTM'"):
        skrnn.LSTM  # noqa: B018
    namespace = {}
    exec("from skrnn import *", namespace)
    assert set(skrnn.__all__) <= set(namespace)
