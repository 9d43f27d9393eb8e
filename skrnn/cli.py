"""The ``skrnn`` command: train, evaluate, predict and compare forecasters on a CSV file.

Every command reads a CSV file with one row per date and a date column: any OHLCV export
works, as does ``skrnn.datasets.load_stock("IBM").to_csv("ibm.csv")``. It then does what a
few lines of the public API do, and prints the result::

    skrnn train ibm.csv --target Close --out model.joblib
    skrnn evaluate ibm.csv --model model.joblib --plot holdout.png
    skrnn predict ibm.csv --model model.joblib --out predictions.csv
    skrnn compare ibm.csv --target Close --plot comparison.png
    skrnn demo

The last ``--test-size`` fraction of the rows (30% by default) is the hold-out: ``train``
fits on the rows before it, ``evaluate`` and ``compare`` score on it, always beside the
persistence forecast ("tomorrow = today"). Mistakes in the input (a missing file or column,
too few rows, a bad option) print one line to stderr and exit with status 1 (2 for a
malformed command line), never a traceback.

matplotlib, an optional dependency, is imported only to draw a plot.
"""

import argparse
import math
import sys
import time
import warnings
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import torch
from pandas.api.types import is_numeric_dtype
from sklearn.linear_model import RidgeCV
from sklearn.metrics import (
    mean_absolute_error,
    mean_absolute_percentage_error,
    root_mean_squared_error,
)
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from tqdm import tqdm

import skrnn
from skrnn import (
    GRURegressor,
    LSTMRegressor,
    PersistenceRegressor,
    RNNRegressor,
    SlidingWindow,
    make_supervised,
)
from skrnn._progress import EpochProgressBar
from skrnn.datasets import load_stock
from skrnn.plotting import ForecastDisplay

__all__ = ["main"]

# The choices of the options, kept in sync with the estimators' parameters by tests/test_cli.py.
CELLS = ("rnn", "lstm", "gru")
OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop")
NONLINEARITIES = ("tanh", "relu")

# The models of ``skrnn compare``: key -> (label, cell, network parameters): the usual
# comparison of recurrent architectures (RNN with tanh and relu, deep RNN, bidirectional RNN,
# LSTM, GRU), and "lstm-plain", the network of the tutorials (no skip connection, raw
# windows), to show what the skip connection changes.
NETWORKS = {
    "rnn": ("RNN (tanh)", "rnn", {}),
    "rnn-relu": ("RNN (relu)", "rnn", {"nonlinearity": "relu"}),
    "deep-rnn": ("Deep RNN (2 layers)", "rnn", {"num_layers": 2}),
    "birnn": ("Bidirectional RNN", "rnn", {"bidirectional": True}),
    "lstm": ("LSTM", "lstm", {}),
    "gru": ("GRU", "gru", {}),
    "lstm-plain": ("LSTM, plain (skip=None)", "lstm", {"skip": None, "center": False}),
}
BASELINES = {"persistence": "Persistence", "ridge": "Ridge on lags"}
MODELS = (*BASELINES, *NETWORKS)

MODEL_FILE_FORMAT = "skrnn-cli-model"
_JOBLIB_SUFFIXES = (".joblib", ".pkl", ".pickle")
_EXPECTED_ERRORS = (ValueError, TypeError, KeyError, OSError, ImportError)


# -- argument types: a bad value is one line from argparse, before anything runs --------------
def _int_at_least(minimum):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}, got {text!r}")
        return value

    return parse


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def _fraction(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (exclusive), got {text!r}")
    return value


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (the message and where to find help)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _add_data_options(parser, *, target_required):
    parser.add_argument("data", help="CSV file with a date column, one row per date")
    parser.add_argument(
        "--target",
        required=target_required,
        help="column to forecast, e.g. Close"
        + ("" if target_required else " (default: the one the model was trained for)"),
    )
    parser.add_argument(
        "--date-column",
        default="Date",
        metavar="NAME",
        help="the date column, matched ignoring case (default: Date)",
    )


def _add_split_options(parser, *, default):
    help_default = "the model's" if default is None else f"{default}"
    parser.add_argument(
        "--test-size",
        type=_fraction,
        default=default,
        metavar="FRACTION",
        help=f"last fraction of the rows held out for testing (default: {help_default})",
    )


def _add_threads(parser):
    parser.add_argument(
        "--threads",
        type=_int_at_least(1),
        default=1,
        help="PyTorch CPU threads per fit (default: 1; small recurrent networks gain little "
        "from more, and slow down many times over when the cores are busy)",
    )


def _add_quiet(parser):
    parser.add_argument(
        "--quiet", "-q", action="store_true", help="no progress bar (none when not on a terminal)"
    )


def build_parser():
    """The argument parser of the ``skrnn`` command (used by the docs and the tests)."""
    parser = _Parser(
        prog="skrnn",
        description="Recurrent neural network forecasts of a CSV time series, always beside "
        "the persistence forecast.",
        epilog="Run 'skrnn COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    # train ------------------------------------------------------------------------------
    train = commands.add_parser(
        "train",
        help="fit a network on the training rows and save it",
        description="Fit StandardScaler -> SlidingWindow -> RNN/LSTM/GRU regressor on all rows "
        "but the last --test-size fraction, and save the fitted pipeline.",
    )
    _add_data_options(train, target_required=True)
    train.add_argument(
        "--out",
        required=True,
        help="where to save the model: a .joblib file (with the target and columns it was "
        "trained for; load only files you trust) or any other name for skrnn's data-only "
        "format (skrnn.save; then pass --target to evaluate and predict)",
    )
    train.add_argument(
        "--features",
        nargs="+",
        metavar="COLUMN",
        help="input columns (default: every numeric column, the target included)",
    )
    train.add_argument(
        "--window", type=_int_at_least(1), default=7, help="time steps per window (default: 7)"
    )
    train.add_argument(
        "--horizon", type=_int_at_least(1), default=1, help="steps ahead to forecast (default: 1)"
    )
    train.add_argument(
        "--cell", choices=CELLS, default="lstm", help="recurrent cell (default: lstm)"
    )
    train.add_argument(
        "--hidden-size", type=_int_at_least(1), default=64, help="hidden units (default: 64)"
    )
    train.add_argument(
        "--num-layers", type=_int_at_least(1), default=1, help="stacked layers (default: 1)"
    )
    train.add_argument("--bidirectional", action="store_true", help="bidirectional layers")
    train.add_argument(
        "--nonlinearity",
        choices=NONLINEARITIES,
        help="activation of --cell rnn (default: tanh)",
    )
    train.add_argument(
        "--plain",
        action="store_true",
        help="a plain network (skip=None, center=False) instead of one that corrects a "
        "linear forecast",
    )
    train.add_argument(
        "--epochs", type=_int_at_least(1), default=100, help="maximum epochs (default: 100)"
    )
    train.add_argument(
        "--lr", type=_positive_float, default=1e-3, help="learning rate (default: 0.001)"
    )
    train.add_argument(
        "--optimizer", choices=OPTIMIZERS, default="adam", help="optimizer (default: adam)"
    )
    train.add_argument(
        "--early-stopping",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="stop on the most recent 10%% of the training rows (default: on)",
    )
    _add_split_options(train, default=0.3)
    train.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    _add_threads(train)
    _add_quiet(train)
    train.set_defaults(func=_cmd_train)

    # evaluate ---------------------------------------------------------------------------
    evaluate = commands.add_parser(
        "evaluate",
        help="score a saved model and persistence on the hold-out",
        description="Print MAE, RMSE and MAPE of a saved model and of the persistence forecast "
        "on the last --test-size fraction of the rows. Load only joblib model files you "
        "trust: loading one can run code (skrnn's data-only files cannot).",
    )
    _add_data_options(evaluate, target_required=False)
    evaluate.add_argument("--model", required=True, help="a model saved by 'skrnn train'")
    _add_split_options(evaluate, default=None)
    evaluate.add_argument("--plot", metavar="PNG", help="save a plot of truth vs forecast")
    evaluate.set_defaults(func=_cmd_evaluate)

    # predict ----------------------------------------------------------------------------
    predict = commands.add_parser(
        "predict",
        help="write the forecast made at every row to a CSV file",
        description="Write one forecast per input row, with the row's date: the value of the "
        "target at the next --horizon steps, as forecast from the rows up to that date. The "
        "last row's forecast is the forecast of the future. Load only joblib model files "
        "you trust.",
    )
    _add_data_options(predict, target_required=False)
    predict.add_argument("--model", required=True, help="a model saved by 'skrnn train'")
    predict.add_argument("--out", required=True, help="CSV file to write ('-' for stdout)")
    predict.set_defaults(func=_cmd_predict)

    # compare and demo -------------------------------------------------------------------
    compare = commands.add_parser(
        "compare",
        help="tune and score RNN, deep RNN, bidirectional RNN, LSTM, GRU, ridge, persistence",
        description="Tune every model by grid search over forward-chaining CV (TimeSeriesSplit) "
        "on the training rows, refit it, and score it on the hold-out beside persistence.",
    )
    _add_data_options(compare, target_required=True)
    _add_compare_options(compare)
    compare.add_argument(
        "--features",
        nargs="+",
        metavar="COLUMN",
        help="input columns (default: every numeric column, the target included)",
    )
    compare.add_argument(
        "--horizon", type=_int_at_least(1), default=1, help="steps ahead to forecast (default: 1)"
    )
    _add_split_options(compare, default=0.3)
    compare.add_argument("--plot", metavar="PNG", help="save a plot of the comparison")
    compare.add_argument("--table", metavar="CSV", help="save the results table")
    compare.add_argument(
        "--predictions", metavar="CSV", help="save every model's hold-out forecast"
    )
    compare.set_defaults(func=_cmd_compare)

    demo = commands.add_parser(
        "demo",
        help="run 'compare' on the bundled IBM prices and save a plot",
        description="Compare every model on daily closing prices shipped with skrnn "
        "(skrnn.datasets.load_stock) and save the table, the forecasts and a plot.",
    )
    demo.add_argument("--ticker", default="IBM", help="AAPL, GOOG, IBM or MSFT (default: IBM)")
    demo.add_argument(
        "--output-dir",
        default="demo_output",
        metavar="DIR",
        help="where to write the results (default: demo_output)",
    )
    _add_compare_options(demo)
    demo.set_defaults(func=_cmd_demo, test_size=0.3, horizon=1, features=None)
    return parser


def _add_compare_options(parser):
    parser.add_argument(
        "--models",
        nargs="+",
        choices=MODELS,
        default=list(MODELS),
        metavar="MODEL",
        help=f"models to compare, among {', '.join(MODELS)} (default: all)",
    )
    parser.add_argument(
        "--window",
        nargs="+",
        type=_int_at_least(1),
        default=[7, 14],
        help="window sizes to search (default: 7 14)",
    )
    parser.add_argument(
        "--hidden-size",
        nargs="+",
        type=_int_at_least(1),
        default=[32],
        help="hidden sizes to search (default: 32)",
    )
    parser.add_argument(
        "--lr",
        nargs="+",
        type=_positive_float,
        default=[1e-3],
        help="learning rates to search (default: 0.001)",
    )
    parser.add_argument(
        "--epochs", type=_int_at_least(1), default=30, help="maximum epochs per fit (default: 30)"
    )
    parser.add_argument(
        "--early-stopping",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="early stopping on the most recent training rows (default: on)",
    )
    parser.add_argument(
        "--cv", type=_int_at_least(2), default=3, help="TimeSeriesSplit folds (default: 3)"
    )
    parser.add_argument(
        "--n-jobs", type=int, default=1, help="parallel fits of a grid search (default: 1)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    _add_threads(parser)
    _add_quiet(parser)


# -- entry point ------------------------------------------------------------------------------
def main(argv=None):
    """Run the ``skrnn`` command with arguments `argv` (default: ``sys.argv[1:]``).

    Parameters
    ----------
    argv : list of str, default=None
        The command line, without the program name.

    Returns
    -------
    status : int
        0 on success, 1 when the input is wrong, 2 for a malformed command line.

    Examples
    --------
    >>> from skrnn.cli import main
    >>> main(["--version"])  # doctest: +ELLIPSIS
    skrnn ...
    0
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version or a usage error, already printed
        return exc.code if isinstance(exc.code, int) else 1
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = _show_warning
        try:
            with _torch_threads(getattr(args, "threads", None)):
                return args.func(args) or 0
        except _EXPECTED_ERRORS as exc:
            print(f"skrnn {args.command}: error: {_one_line(exc)}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print(f"skrnn {args.command}: interrupted", file=sys.stderr)
            return 130


@contextmanager
def _torch_threads(n_threads):
    """Run with `n_threads` PyTorch CPU threads (None: leave torch alone), then restore."""
    if n_threads is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _show_warning(message, category, filename, lineno, file=None, line=None):
    print(f"skrnn: warning: {_one_line(message)}", file=sys.stderr)


def _one_line(exc):
    text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
    return " ".join(str(text).split()) or type(exc).__name__


def _version():
    try:
        return version("skrnn")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


# -- reading the data -------------------------------------------------------------------------
def read_series(path, date_column="Date"):
    """Read a CSV file of a series: dates parsed, rows sorted by date, indexed by date.

    Parameters
    ----------
    path : str or path-like
        The CSV file.

    date_column : str, default="Date"
        The column holding the dates, matched ignoring case.

    Returns
    -------
    frame : DataFrame
        The other columns, with a DatetimeIndex named after the date column.

    Examples
    --------
    >>> import os, tempfile
    >>> from skrnn.cli import read_series
    >>> from skrnn.datasets import load_stock
    >>> path = os.path.join(tempfile.mkdtemp(), "ibm.csv")
    >>> load_stock("IBM").to_csv(path)
    >>> read_series(path).equals(load_stock("IBM"))
    True
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: no such file" if not path.exists() else f"{path}: not a file"
        )
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path} is empty.") from None
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ValueError(f"{path} is not a readable CSV file: {_one_line(exc)}") from None
    matches = [col for col in frame.columns if str(col).strip().lower() == date_column.lower()]
    if not matches:
        raise ValueError(
            f"{path} has no {date_column!r} column (its columns: {_names(frame.columns)}); "
            "name the date column with --date-column."
        )
    column = matches[0]
    try:
        dates = pd.to_datetime(frame[column])
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"column {column!r} of {path} does not hold dates: {_one_line(exc)}"
        ) from None
    frame = frame.drop(columns=column).set_index(pd.DatetimeIndex(dates, name=column))
    frame = frame.sort_index(kind="stable")
    duplicated = frame.index.duplicated()
    if duplicated.any():
        raise ValueError(
            f"{path} has {int(duplicated.sum())} repeated dates (first: "
            f"{frame.index[duplicated][0].date()}); one row per date is needed (a file of "
            "several series must be split first)."
        )
    return frame


def _columns(frame, target, features, source):
    """The feature columns to use, after checking that they and the target are numeric."""
    names = list(frame.columns)
    if target not in names:
        raise ValueError(
            f"--target {target!r} is not a column of {source} (columns: {_names(names)})."
        )
    if features is None:
        features = [name for name in names if is_numeric_dtype(frame[name])]
    unknown = [name for name in features if name not in names]
    if unknown:
        raise ValueError(
            f"--features {_names(unknown)}: not column(s) of {source} (columns: {_names(names)})."
        )
    if len(set(features)) != len(features):
        raise ValueError("--features lists a column twice.")
    for name in dict.fromkeys([target, *features]):
        column = frame[name]
        if not is_numeric_dtype(column) or column.dtype == bool:
            raise ValueError(
                f"column {name!r} of {source} is not numeric (e.g. {column.iloc[0]!r}); "
                "choose numeric --features and --target."
            )
        missing = column.isna()
        if missing.any():
            raise ValueError(
                f"column {name!r} of {source} has {int(missing.sum())} missing value(s) (first on "
                f"{_date(frame.index[missing.to_numpy()][0])}); fill or drop them first."
            )
    return list(features)


def _names(names):
    return ", ".join(map(str, names))


def _date(value):
    return value.date() if hasattr(value, "date") else value


def _supervised(frame, target, horizon, test_size, source):
    """X (every column), y, the number of training rows and the first hold-out row.

    The hold-out is the last `test_size` fraction of the rows with a target, as
    ``train_test_split(..., shuffle=False)`` makes it. For a multi-step forecast the
    ``horizon - 1`` rows before it are left out of training: their targets lie in the
    hold-out period (TimeSeriesSplit's ``gap`` does the same between CV folds).
    """
    if len(frame) <= horizon:
        raise ValueError(
            f"{source} has {len(frame)} rows: too few for a --horizon {horizon} forecast."
        )
    X, y = make_supervised(frame, target=target, horizon=horizon)
    try:
        X_train, _ = train_test_split(X, test_size=test_size, shuffle=False)
    except ValueError:
        raise ValueError(
            f"{source} has {len(frame)} rows: too few to hold out --test-size {test_size} of them."
        ) from None
    test_start = len(X_train)
    n_train = test_start - (horizon - 1)
    if n_train < 1:
        raise ValueError(f"{source} has {len(frame)} rows: too few to train on.")
    return X, y, n_train, test_start


def _check_rows(n_train, windows, source, test_size, folds=1):
    """Enough training rows (per CV fold) for the largest window."""
    window = max(windows)
    per_fold = n_train // folds
    if per_fold <= window:
        where = "" if folds == 1 else f" and {folds - 1} cross-validation folds (--cv)"
        raise ValueError(
            f"{source}: {n_train} training rows (after holding out --test-size {test_size}){where} "
            f"are too few for --window {window}: need more than {window * folds} rows; use a "
            "longer file or a smaller window."
        )


def _check_output(path, option):
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise FileNotFoundError(f"{option} {path}: directory {parent} does not exist.")


def _check_matplotlib(option):
    try:
        import matplotlib
    except ImportError:
        raise ImportError(f'{option} needs matplotlib: pip install "skrnn[plot]".') from None
    matplotlib.use("Agg")  # files only; no window, works without a display


# -- building models --------------------------------------------------------------------------
def _network(cell, **params):
    classes = {"rnn": RNNRegressor, "lstm": LSTMRegressor, "gru": GRURegressor}
    return classes[cell](**params)


def _pipeline(final, window, flatten=False):
    """StandardScaler -> SlidingWindow -> `final`, with the step names the CLI's grids use."""
    return Pipeline(
        [
            ("scale", StandardScaler()),
            ("window", SlidingWindow(window, flatten=flatten)),
            ("model", final),
        ]
    )


def _progress_callbacks(args, desc):
    if args.quiet:
        return None
    return [("progress", EpochProgressBar(desc=desc, leave=False))]


# -- train ------------------------------------------------------------------------------------
def _cmd_train(args):
    if args.nonlinearity is not None and args.cell != "rnn":
        raise ValueError(f"--nonlinearity applies to --cell rnn only (got --cell {args.cell}).")
    _check_output(args.out, "--out")
    source = args.data
    frame = read_series(args.data, args.date_column)
    features = _columns(frame, args.target, args.features, source)
    X, y, n_train, test_start = _supervised(
        frame, args.target, args.horizon, args.test_size, source
    )
    X = X[features]
    _check_rows(n_train, [args.window], source, args.test_size)

    params = dict(
        hidden_size=args.hidden_size,
        num_layers=args.num_layers,
        bidirectional=args.bidirectional,
        max_epochs=args.epochs,
        lr=args.lr,
        optimizer=args.optimizer,
        early_stopping=args.early_stopping,
        random_state=args.seed,
        callbacks=_progress_callbacks(args, f"train {args.cell}"),
    )
    if args.nonlinearity is not None:
        params["nonlinearity"] = args.nonlinearity
    if args.plain:
        params.update(skip=None, center=False)
    network = _network(args.cell, **params)
    model = _pipeline(network, args.window)
    start = time.perf_counter()
    model.fit(X.iloc[:n_train], y.iloc[:n_train])
    seconds = time.perf_counter() - start
    # The progress bar belongs to this run, not to the saved model.
    network.set_params(callbacks=None)

    if _is_joblib(args.out):
        bundle = {
            "format": MODEL_FILE_FORMAT,
            "model": model,
            "target": args.target,
            "features": features,
            "horizon": args.horizon,
            "test_size": args.test_size,
            "date_column": args.date_column,
        }
        joblib.dump(bundle, args.out)
        later = ""
    else:
        skrnn.save(model, args.out)  # data only: the pipeline, not what it was trained for
        later = f" --target {args.target}"
        if args.test_size != 0.3:
            later += f" --test-size {args.test_size}"

    index = X.index
    kept = network.best_epoch_
    print(
        f"Trained {type(network).__name__} on {n_train} rows of {source} "
        f"({_date(index[0])} to {_date(index[n_train - 1])}) in {seconds:.1f} s: "
        f"{network.n_iter_} epochs, kept {_kept(kept)}."
    )
    print(f"Saved the model to {args.out}.")
    print(
        f"Score it on the hold-out (the last {len(X) - test_start} rows): "
        f"skrnn evaluate {source} --model {args.out}{later}"
    )
    return 0


def _kept(best_epoch):
    if best_epoch == 0:
        return "the starting weights (epoch 0: training did not beat the linear forecast)"
    return f"the weights of epoch {best_epoch}"


# -- evaluate and predict ---------------------------------------------------------------------
def _load_model(path):
    """The fitted model and what it was trained for (target, features, ...) from a file.

    A joblib file written by ``skrnn train`` holds both. A bare fitted estimator or
    Pipeline (:func:`skrnn.save`, or ``joblib.dump(model, path)``) works too; its features
    are its ``feature_names_in_`` and ``--target`` must be given.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"--model {path}: no such file")
    if not _is_joblib(path):
        try:
            content = skrnn.load(path)
        except ValueError as exc:
            raise ValueError(f"--model {path}: {_one_line(exc)}") from None
    else:
        try:
            content = joblib.load(path)
        except Exception as exc:  # unpickling fails in many ways on a file that is no model
            raise ValueError(f"--model {path} is not a model file: {_one_line(exc)}") from None
    if isinstance(content, dict) and content.get("format") == MODEL_FILE_FORMAT:
        info = dict(content)
        return info.pop("model"), info
    if not hasattr(content, "predict"):
        raise ValueError(f"--model {path} holds a {type(content).__name__}, not a model.")
    features = getattr(content, "feature_names_in_", None)
    if features is None:
        raise ValueError(
            f"--model {path} does not record its input columns (fit it on a DataFrame, or "
            "train it with 'skrnn train')."
        )
    final = content[-1] if hasattr(content, "steps") else content
    info = {
        "target": None,
        "features": list(features),
        "horizon": int(getattr(final, "n_outputs_", 1)),
        "test_size": None,
    }
    return content, info


def _is_joblib(path):
    return Path(path).suffix.lower() in _JOBLIB_SUFFIXES


def _model_and_data(args):
    model, info = _load_model(args.model)
    target = args.target or info["target"]
    if target is None:
        raise ValueError(
            f"--model {args.model} does not say which column it forecasts: pass --target."
        )
    frame = read_series(args.data, args.date_column)
    features = info["features"]
    missing = [name for name in features if name not in frame.columns]
    if missing:
        raise ValueError(
            f"{args.data} lacks the column(s) the model was trained on: {_names(missing)}."
        )
    features = _columns(frame, target, features, args.data)
    return model, info, target, frame, features


def _metrics(y_true, y_pred):
    """MAE, RMSE and MAPE (%) of a forecast, averaged over its outputs."""
    return {
        "MAE": mean_absolute_error(y_true, y_pred),
        "RMSE": root_mean_squared_error(y_true, y_pred),
        "MAPE %": 100 * mean_absolute_percentage_error(y_true, y_pred),
    }


def _persistence(X, y, target, n_train, test_start):
    """Persistence forecasts of the hold-out rows, fitted (mapped) on the training rows."""
    persistence = PersistenceRegressor().fit(X[[target]].iloc[:n_train], y.iloc[:n_train])
    return persistence.predict(X[[target]].iloc[test_start:])


def _cmd_evaluate(args):
    if args.plot:
        _check_output(args.plot, "--plot")
        _check_matplotlib("--plot")
    model, info, target, frame, features = _model_and_data(args)
    test_size = args.test_size or info["test_size"] or 0.3
    horizon = info["horizon"]
    X, y, n_train, test_start = _supervised(frame, target, horizon, test_size, args.data)
    # Predict from the whole file, so the first hold-out rows' windows reach back into the
    # training rows instead of being padded: that is the history a forecaster would have.
    y_pred = model.predict(X[features])[test_start:]
    y_test = y.iloc[test_start:]
    y_base = _persistence(X, y, target, n_train, test_start)
    name = _model_name(model)
    table = pd.DataFrame(
        [_metrics(y_test, y_pred), _metrics(y_test, y_base)], index=[name, "Persistence"]
    )
    table["MAE / persistence"] = table["MAE"] / table.loc["Persistence", "MAE"]
    ahead = "1 step" if horizon == 1 else f"1 to {horizon} steps"
    print(
        f"Hold-out: the last {len(y_test)} rows of {args.data} ({_date(y_test.index[0])} to "
        f"{_date(y_test.index[-1])}), forecasting {target} {ahead} ahead."
    )
    print(_format_table(table.rename_axis("model").reset_index()))
    if args.plot:
        display = ForecastDisplay.from_predictions(y_test, y_pred, baseline=y_base, name=name)
        display.ax_.set_title(f"{target}, {ahead} ahead: hold-out of {Path(args.data).name}")
        _save_figure(display.figure_, args.plot)
        print(f"Saved the plot to {args.plot}.")
    return 0


def _model_name(model):
    final = model[-1] if hasattr(model, "steps") else model
    return type(final).__name__


def _cmd_predict(args):
    if args.out != "-":
        _check_output(args.out, "--out")
    model, _, target, frame, features = _model_and_data(args)
    y_pred = model.predict(frame[features])
    y_pred = y_pred.reshape(len(frame), -1)
    columns = [f"{target}_t+{step}" for step in range(1, y_pred.shape[1] + 1)]
    predictions = pd.DataFrame(y_pred, index=frame.index, columns=columns)
    if args.out == "-":
        predictions.to_csv(sys.stdout)
        return 0
    predictions.to_csv(args.out)
    print(
        f"Wrote {len(predictions)} forecasts to {args.out}: row t holds the forecast of "
        f"{target} at t+1{'' if len(columns) == 1 else f'..t+{len(columns)}'} made on row t's "
        f"date; the last ({_date(frame.index[-1])}) is the forecast of the future."
    )
    return 0


# -- compare and demo -------------------------------------------------------------------------
def _compare_candidates(args, target, features):
    """(key, label, input columns, pipeline, param grid) of every model to compare."""
    windows = sorted(set(args.window))
    for key in args.models:
        if key == "persistence":
            # Nothing to tune: the forecast is the target's last value, whatever the window.
            pipeline = _pipeline(PersistenceRegressor(), windows[0])
            yield key, BASELINES[key], [target], pipeline, {}
        elif key == "ridge":
            pipeline = _pipeline(RidgeCV(alphas=np.logspace(-6, 6, 25)), windows[0], flatten=True)
            yield key, BASELINES[key], features, pipeline, {"window__window": windows}
        else:
            label, cell, params = NETWORKS[key]
            network = _network(
                cell,
                max_epochs=args.epochs,
                early_stopping=args.early_stopping,
                random_state=args.seed,
                **params,
            )
            grid = {
                "window__window": windows,
                "model__hidden_size": sorted(set(args.hidden_size)),
                "model__lr": sorted(set(args.lr)),
            }
            yield key, label, features, _pipeline(network, windows[0]), grid


def compare_models(frame, args, source):
    """Tune, refit and score every model of ``args.models`` on `frame`.

    Returns a dict: ``table`` (one row per model), ``forecasts`` (the truth and every
    model's forecast of the hold-out rows), ``searches`` (the fitted GridSearchCV per model
    key) and ``n_train`` (the number of training rows).
    """

    args.models = list(dict.fromkeys(args.models))
    features = _columns(frame, args.target, args.features, source)
    X, y, n_train, test_start = _supervised(
        frame, args.target, args.horizon, args.test_size, source
    )
    _check_rows(n_train, args.window, source, args.test_size, folds=args.cv + 1)
    y_train, y_test = y.iloc[:n_train], y.iloc[test_start:]
    cv = TimeSeriesSplit(n_splits=args.cv, gap=args.horizon - 1)

    rows, forecasts, searches = [], {"truth": y_test}, {}
    candidates = list(_compare_candidates(args, args.target, features))
    bar = tqdm(candidates, desc="compare", unit="model", disable=True if args.quiet else None)
    for key, label, columns, pipeline, grid in bar:
        bar.set_postfix_str(label)
        search = GridSearchCV(
            pipeline,
            grid,
            cv=cv,
            scoring="neg_mean_absolute_error",
            n_jobs=args.n_jobs,
            error_score="raise",
        )
        start = time.perf_counter()
        search.fit(X[columns].iloc[:n_train], y_train)
        seconds = time.perf_counter() - start
        # Hold-out windows reach back into the training rows: the history a forecaster has.
        y_pred = search.predict(X[columns])[test_start:]
        final = search.best_estimator_[-1]
        rows.append(
            {
                "model": label,
                "best params": _params_text(search.best_params_),
                **{k: v for k, v in _metrics(y_test, y_pred).items() if k != "MAPE %"},
                "epochs": getattr(final, "n_iter_", None),
                "kept epoch": getattr(final, "best_epoch_", None),
                "fit s": seconds,
            }
        )
        forecasts[key] = y_pred
        searches[key] = search
    bar.close()
    table = pd.DataFrame(rows)
    if "persistence" in args.models:
        reference = table.loc[args.models.index("persistence"), "MAE"]
        table.insert(4, "MAE / persistence", table["MAE"] / reference)
    for column in ("epochs", "kept epoch"):
        table[column] = table[column].astype("Int64")
    return {
        "table": table,
        "forecasts": _forecast_frame(forecasts, args.horizon),
        "searches": searches,
        "n_train": n_train,
    }


def _forecast_frame(forecasts, horizon):
    truth = forecasts["truth"]
    columns = {}
    for key, values in forecasts.items():
        values = np.asarray(values).reshape(len(truth), -1)
        for step in range(values.shape[1]):
            columns[key if horizon == 1 else f"{key}_t+{step + 1}"] = values[:, step]
    return pd.DataFrame(columns, index=truth.index)


def _params_text(params):
    if not params:
        return "-"
    return ", ".join(f"{name.split('__')[-1]}={value:g}" for name, value in params.items())


def _format_table(table):
    """A results table as text: text columns left-aligned, numbers right-aligned."""
    formats = {"MAPE %": "{:.2f}", "MAE / persistence": "{:.3f}", "fit s": "{:.1f}"}
    lines = []
    for column in table.columns:
        values = table[column]
        numeric = pd.api.types.is_numeric_dtype(values)
        fmt = formats.get(column, "{:.4f}" if pd.api.types.is_float_dtype(values) else "{}")
        cells = ["-" if pd.isna(value) else fmt.format(value) for value in values]
        width = max(len(str(column)), *map(len, cells))
        align = str.rjust if numeric else str.ljust
        lines.append([align(str(column), width), *(align(cell, width) for cell in cells)])
    return "\n".join("  ".join(row).rstrip() for row in zip(*lines, strict=True))


_TABLE_NOTES = """\
epochs: epochs trained in the final refit; kept epoch: whose weights the network kept.
Kept epoch 0 means training did not significantly beat the network's starting point, its
linear forecast (persistence, plus ridge corrections where they hold up), on the most recent
training rows, so the network is that forecast."""
_PLAIN_NOTE = """\
'LSTM, plain' is the network of the usual tutorials: skip=None, center=False."""


def _print_comparison(table, args, source, n_train, n_test):
    print(
        f"{source}: {args.target}, {'1 step' if args.horizon == 1 else f'{args.horizon} steps'} "
        f"ahead; tuned on the first {n_train} rows ({args.cv}-fold TimeSeriesSplit), "
        f"scored on the last {n_test}."
    )
    print(_format_table(table))
    if any(key in NETWORKS for key in args.models):
        print(_TABLE_NOTES)
    if "lstm-plain" in args.models:
        print(_PLAIN_NOTE)


def _plot_comparison(table, forecasts, args, path, last=120):
    """The last hold-out days (truth, persistence, ridge, best network) and every model's MAE."""
    import matplotlib.pyplot as plt

    labels = dict(zip(args.models, table["model"], strict=True))
    mae = dict(zip(args.models, table["MAE"], strict=True))
    step = "" if args.horizon == 1 else "_t+1"
    networks = [key for key in args.models if key in NETWORKS]
    main_key = min(networks, key=mae.get) if networks else args.models[0]
    fig, (ax_series, ax_bars) = plt.subplots(
        2, 1, figsize=(9, 8), height_ratios=[3, 2], layout="constrained"
    )
    recent = forecasts.iloc[-last:]
    truth = recent[f"truth{step}"]
    baseline = None if main_key == "persistence" else recent.get(f"persistence{step}")
    display = ForecastDisplay.from_predictions(
        truth,
        recent[f"{main_key}{step}"],
        baseline=baseline,
        name=f"{labels[main_key]}{', best network' if networks else ''}",
        ax=ax_series,
    )
    if "ridge" in labels and main_key != "ridge":
        ridge = recent[f"ridge{step}"]
        display.ax_.plot(
            recent.index,
            ridge,
            color="tab:green",
            linewidth=1.0,
            label=f"{labels['ridge']} (MAE {mean_absolute_error(truth, ridge):.4g})",
        )
        display.ax_.legend(loc="best")
    ahead = "" if args.horizon == 1 else ", 1 step ahead"
    ax_series.set_title(f"{args.target}: the last {len(recent)} rows of the hold-out{ahead}")

    column = "MAE / persistence" if "MAE / persistence" in table else "MAE"
    values = table[column].to_numpy()
    colors = ["tab:gray" if key in BASELINES else "tab:blue" for key in args.models]
    log = values.max() / values.min() > 5
    base = values.min() / 1.5 if log else 0.0
    bars = ax_bars.barh(table["model"], values - base, left=base, color=colors)
    ax_bars.bar_label(bars, labels=[f"{value:.3f}" for value in values], padding=3)
    ax_bars.invert_yaxis()
    if log:
        ax_bars.set_xscale("log")
    if column == "MAE / persistence":
        ax_bars.axvline(1.0, color="black", linestyle="--", linewidth=1)
    ax_bars.set_xlim(right=values.max() * (3 if log else 1.15))
    scale = ", log scale" if log else ""
    ax_bars.set_xlabel(f"{column} on the whole hold-out (lower is better{scale})")
    _save_figure(fig, path)


def _save_figure(fig, path):
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=110)
    plt.close(fig)


def _run_compare(frame, args, source, outputs):
    result = compare_models(frame, args, source)
    table, forecasts = result["table"], result["forecasts"]
    _print_comparison(table, args, source, result["n_train"], len(forecasts))
    if outputs.get("table"):
        table.to_csv(outputs["table"], index=False)
    if outputs.get("predictions"):
        forecasts.to_csv(outputs["predictions"])
    if outputs.get("plot"):
        _plot_comparison(table, forecasts, args, outputs["plot"])
    return result


def _cmd_compare(args):
    outputs = {"plot": args.plot, "table": args.table, "predictions": args.predictions}
    for option, path in outputs.items():
        if path:
            _check_output(path, f"--{option}")
    if args.plot:
        _check_matplotlib("--plot")
    frame = read_series(args.data, args.date_column)
    _run_compare(frame, args, args.data, outputs)
    written = [path for path in outputs.values() if path]
    if written:
        print(f"Saved {', '.join(written)}.")
    return 0


def _cmd_demo(args):
    out = Path(args.output_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--output-dir {out} exists and is not a directory.")
    try:
        _check_matplotlib("the demo's plot")
        plot = out / "comparison.png"
    except ImportError as exc:
        print(f"skrnn demo: {exc} Skipping the plot.", file=sys.stderr)
        plot = None
    frame = load_stock(args.ticker)
    out.mkdir(parents=True, exist_ok=True)
    args.target, args.date_column = "Close", "Date"
    outputs = {
        "table": out / "comparison.csv",
        "predictions": out / "predictions.csv",
        "plot": plot,
    }
    start = time.perf_counter()
    _run_compare(frame, args, f'skrnn.datasets.load_stock("{args.ticker}")', outputs)
    written = ", ".join(str(path) for path in outputs.values() if path)
    print(f"Saved {written} ({time.perf_counter() - start:.0f} s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
