"""The command line's grammar: argument types, choices and the parser.

Only the standard library is imported here, so ``skrnn --help`` and a usage error answer at
once: the commands import PyTorch, scikit-learn and pandas when they run.
"""

import argparse
import math

from .. import __version__

# skrnn.datasets.STOCK_TICKERS, without importing pandas for --help (a test checks they agree).
TICKERS = ("AAPL", "FB", "GOOG", "IBM", "MSFT")

# The choices of the options, kept in sync with the estimators' parameters by the tests.
CELLS = ("rnn", "lstm", "gru")
OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop")
NONLINEARITIES = ("tanh", "relu")
MISSING = ("error", "ffill", "drop")

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


def _learning_rate(text):
    if text == "auto":
        return text
    try:
        return _positive_float(text)
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(f"{exc} or auto") from None


def _fraction(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (exclusive), got {text!r}")
    return value


def _jobs(text):
    """joblib's n_jobs: a positive count, or -1 (every core), -2 (all but one), ..."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None
    if value == 0:
        raise argparse.ArgumentTypeError("must be 1 or more, or -1 for every core; got 0")
    return value


def _separator(text):
    """One character; ``\\t`` or ``tab`` for a tab, which is awkward to type in a shell."""
    value = "\t" if text in ("\\t", "tab", "TAB") else text
    if len(value) != 1:
        raise argparse.ArgumentTypeError(
            f"must be one character (e.g. ';', or '\\t' for a tab), got {text!r}"
        )
    return value


def _character(text):
    if len(text) != 1:
        raise argparse.ArgumentTypeError(f"must be one character (e.g. ','), got {text!r}")
    return text


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
    csv = parser.add_argument_group("reading the CSV file")
    csv.add_argument(
        "--date-column",
        metavar="NAME",
        help="the date column, matched ignoring case (default: Date; for a model file, the "
        "one it was trained with)",
    )
    csv.add_argument(
        "--sep",
        type=_separator,
        default=",",
        metavar="CHAR",
        help="field separator, e.g. ';' ('\\t' for tabs) (default: ',')",
    )
    csv.add_argument(
        "--decimal",
        type=_character,
        default=".",
        metavar="CHAR",
        help="decimal mark, e.g. ',' (default: '.')",
    )
    csv.add_argument(
        "--date-format",
        metavar="FORMAT",
        help="strftime format of the dates, e.g. '%%d/%%m/%%Y' (default: inferred)",
    )
    csv.add_argument(
        "--dayfirst",
        action="store_true",
        help="read ambiguous dates such as 01/02/2020 day first (1 February)",
    )
    csv.add_argument(
        "--missing",
        choices=MISSING,
        default="error",
        help="missing values in the columns used: stop with an error, fill each with the "
        "last value before it (ffill), or drop their rows (default: error)",
    )


_TEST_SIZE_DEFAULT = (
    "0.3; with --group, the last --horizon values of each series, forecast from the value "
    "before them"
)


def _add_split_options(parser, *, default):
    """--test-size; `default` says what holds without it."""
    parser.add_argument(
        "--test-size",
        type=_fraction,
        metavar="FRACTION",
        help="last fraction of the rows held out for testing; for many series (--group), of "
        f"each series' rows, scored from every one of them (default: {default})",
    )


def _add_group(parser, trained):
    parser.add_argument(
        "--group",
        metavar="COLUMN",
        help="the column of series ids of a file of many series (one row per series and "
        f"date): {trained}, and the last --horizon values of every series are held out, as "
        "forecasting competitions do",
    )


def _add_training_options(parser):
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument(
        "--device",
        default="cpu",
        help="PyTorch device of the networks: cpu, cuda, cuda:1, mps or auto (the best "
        "available) (default: cpu)",
    )
    parser.add_argument(
        "--threads",
        type=_int_at_least(1),
        default=1,
        help="PyTorch CPU threads per fit (default: 1; small recurrent networks gain little "
        "from more, and slow down many times over when the cores are busy)",
    )
    parser.add_argument(
        "--quiet", "-q", action="store_true", help="no progress bar (none when not on a terminal)"
    )


def _add_features(parser):
    parser.add_argument(
        "--features",
        nargs="+",
        metavar="COLUMN",
        help="input columns (default: every numeric column, the target included)",
    )


def _add_horizon(parser):
    parser.add_argument(
        "--horizon", type=_int_at_least(1), default=1, help="steps ahead to forecast (default: 1)"
    )


def _add_interval(parser, help):
    parser.add_argument(
        "--interval",
        nargs="+",
        type=_fraction,
        metavar="LEVEL",
        help=help + " (e.g. 0.8 0.95: the 80%% and 95%% intervals)",
    )


def build_parser():
    """The argument parser of the ``skrnn`` command (used by the docs and the tests).

    Each command's namespace carries ``handler``: the module of :mod:`skrnn.cli` and the
    function that runs it, imported only when it runs.
    """
    parser = _Parser(
        prog="skrnn",
        description="Recurrent neural network forecasts of a CSV time series, always beside "
        "the persistence forecast.",
        epilog="Run 'skrnn COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    _add_train(commands)
    _add_evaluate(commands)
    _add_predict(commands)
    _add_forecast(commands)
    _add_compare(commands)
    _add_demo(commands)
    return parser


def _add_train(commands):
    train = commands.add_parser(
        "train",
        help="fit a network on the training rows and save it",
        description="Fit StandardScaler -> SlidingWindow -> RNN/LSTM/GRU regressor on all rows "
        "but the last --test-size fraction, and save the fitted pipeline.",
    )
    _add_data_options(train, target_required=True)
    _add_group(train, "the network is trained on all of them at once")
    train.add_argument(
        "--out",
        required=True,
        help="where to save the model: a .joblib (or .pkl, .pickle) file (with the target "
        "and columns it was trained for; a pickle: load only files you trust) or any other "
        "name for skrnn's data-only "
        "format (skrnn.save; then pass --target to evaluate and predict)",
    )
    _add_features(train)
    train.add_argument(
        "--future-covariates",
        nargs="+",
        default=[],
        metavar="COLUMN",
        help="columns known ahead of time (calendar, holidays, planned promotions): the model "
        "also sees their values at the dates it forecasts ('skrnn forecast --future' gives "
        "them past the end of the file)",
    )
    train.add_argument(
        "--window", type=_int_at_least(1), default=7, help="time steps per window (default: 7)"
    )
    _add_horizon(train)
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
    _add_interval(
        train,
        "train a quantile network (loss='quantile') whose quantiles bound the central "
        "prediction intervals at these levels, beside the median it forecasts",
    )
    train.add_argument(
        "--epochs", type=_int_at_least(1), default=200, help="maximum epochs (default: 200)"
    )
    train.add_argument(
        "--lr",
        type=_learning_rate,
        default="auto",
        help="learning rate, or auto: 0.005 for many series (--group), 0.001 for one "
        "(default: auto)",
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
    _add_split_options(train, default=_TEST_SIZE_DEFAULT)
    _add_training_options(train)
    train.set_defaults(handler=("train", "run"))


def _add_evaluate(commands):
    evaluate = commands.add_parser(
        "evaluate",
        help="score a saved model and persistence on the hold-out",
        description="Print MAE, RMSE and MAPE of a saved model and of the persistence forecast "
        "on the last --test-size fraction of the rows. Load only joblib model files you "
        "trust: loading one can run code (skrnn's data-only files cannot).",
    )
    _add_data_options(evaluate, target_required=False)
    evaluate.add_argument("--model", required=True, help="a model saved by 'skrnn train'")
    _add_split_options(evaluate, default="the model's")
    _add_interval(
        evaluate,
        "also score the central prediction intervals at these levels (coverage, width, "
        "interval score), the model's from a model trained with --interval, persistence's "
        "from its errors on the training rows",
    )
    evaluate.add_argument("--plot", metavar="PNG", help="save a plot of truth vs forecast")
    evaluate.set_defaults(handler=("evaluate", "run"))


def _add_predict(commands):
    predict = commands.add_parser(
        "predict",
        help="write the forecasts made from every row to a CSV file",
        description="Write the forecasts a saved model makes from every row of the file: one "
        "line per forecast with its origin (the date of the row it was made from), its "
        "step (1 to the model's horizon) and its target_date (the date it forecasts). The "
        "forecasts from the last row are those of the future; their dates follow the file's "
        "frequency. Load only joblib model files you trust.",
    )
    _add_data_options(predict, target_required=False)
    predict.add_argument("--model", required=True, help="a model saved by 'skrnn train'")
    predict.add_argument("--out", required=True, help="CSV file to write ('-' for stdout)")
    _add_interval(
        predict,
        "also write the bounds of the central prediction intervals at these levels, from a "
        "model trained with --interval",
    )
    predict.set_defaults(handler=("predict", "run"))


def _add_forecast(commands):
    forecast = commands.add_parser(
        "forecast",
        help="forecast the values after the last row of the file",
        description="Forecast the --steps values of the target that follow the last row of "
        "the file with a saved model, and write them with their dates: directly from a model "
        "trained with --horizon h (up to h steps), else recursively (each forecast becomes the "
        "next row's target, which needs every other input in --future). Load only joblib "
        "model files you trust.",
    )
    _add_data_options(forecast, target_required=False)
    forecast.add_argument("--model", required=True, help="a model saved by 'skrnn train'")
    forecast.add_argument(
        "--steps",
        type=_int_at_least(1),
        help="values to forecast (default: the model's horizon)",
    )
    forecast.add_argument(
        "--future",
        metavar="CSV",
        help="CSV file of the dates after the end of DATA, read with the same options, with "
        "the future values of the model's --future-covariates (and, for a recursive forecast, "
        "of its other inputs); its dates are the dates forecast (default: the dates continue "
        "the file's frequency)",
    )
    forecast.add_argument(
        "--out", default="-", help="CSV file to write ('-' for stdout, the default)"
    )
    forecast.set_defaults(handler=("forecast", "run"))


def _add_compare(commands):
    compare = commands.add_parser(
        "compare",
        help="tune and score RNN, deep RNN, bidirectional RNN, LSTM, GRU, ridge, persistence",
        description="Tune every model by grid search over forward-chaining CV (TimeSeriesSplit) "
        "on the training rows, refit it, and score it on the hold-out beside persistence "
        "(skrnn.compare_forecasters does the same in Python).",
    )
    _add_data_options(compare, target_required=True)
    _add_group(compare, "each network is trained on all of them at once")
    _add_compare_options(compare)
    _add_features(compare)
    _add_horizon(compare)
    _add_split_options(compare, default=_TEST_SIZE_DEFAULT)
    compare.add_argument("--plot", metavar="PNG", help="save a plot of the comparison")
    compare.add_argument("--table", metavar="CSV", help="save the results table")
    compare.add_argument(
        "--predictions", metavar="CSV", help="save every model's hold-out forecast"
    )
    compare.set_defaults(handler=("compare", "run"))


def _add_demo(commands):
    demo = commands.add_parser(
        "demo",
        help="run 'compare' on the bundled IBM prices and save a plot",
        description="Compare every model on daily closing prices shipped with skrnn "
        "(skrnn.datasets.load_stock) and save the table, the forecasts and a plot.",
    )
    demo.add_argument(
        "--ticker", default="IBM", help=f"{', '.join(TICKERS)} (default: IBM)", metavar="TICKER"
    )
    demo.add_argument(
        "--output-dir",
        default="demo_output",
        metavar="DIR",
        help="where to write the results (default: demo_output)",
    )
    _add_compare_options(demo, group=False)
    demo.set_defaults(handler=("compare", "run_demo"), test_size=0.3, horizon=1, features=None)


def _add_compare_options(parser, group=True):
    """The options `compare` and `demo` share (`group`: the first takes --group)."""
    parser.add_argument(
        "--models",
        nargs="+",
        choices=MODELS,
        metavar="MODEL",
        help=f"models to compare, among {', '.join(MODELS)} (default: all"
        + ("; with --group, all but ridge)" if group else ")"),
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
        type=_learning_rate,
        default=["auto"],
        help="learning rates to search, auto among them: 0.005 for many series (--group), "
        "0.001 for one (default: auto)",
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
        "--cv",
        type=_int_at_least(2),
        default=3,
        help="forward-chaining folds of the grid search: TimeSeriesSplit"
        + (" (with --group, PanelTimeSeriesSplit)" if group else "")
        + " (default: 3)",
    )
    _add_interval(
        parser,
        "also score central prediction intervals at these levels: the networks are trained "
        "as quantile networks, persistence and ridge get the quantiles of their errors on "
        "the training rows",
    )
    parser.add_argument(
        "--n-jobs",
        type=_jobs,
        default=1,
        help="parallel fits of a grid search, -1 for every core (default: 1)",
    )
    _add_training_options(parser)
