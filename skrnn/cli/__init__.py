"""The ``skrnn`` command: train, evaluate, predict, forecast and compare forecasters on a CSV
file.

Every command reads a CSV file with one row per date and a date column: any OHLCV export
works, as does ``skrnn.datasets.load_stock("IBM").to_csv("ibm.csv")``. It then does what a
few lines of the public API do, and prints the result::

    skrnn train ibm.csv --target Close --out model.joblib
    skrnn evaluate ibm.csv --model model.joblib --plot holdout.png
    skrnn predict ibm.csv --model model.joblib --out predictions.csv
    skrnn forecast ibm.csv --model model.joblib --out next.csv
    skrnn compare ibm.csv --target Close --plot comparison.png
    skrnn demo

The last ``--test-size`` fraction of the rows (30% by default) is the hold-out: ``train``
fits on the rows before it, ``evaluate`` and ``compare`` score on it, always beside the
persistence forecast ("tomorrow = today"). Mistakes in the input (a missing file or column,
too few rows, a bad option) print one line to stderr and exit with status 1 (2 for a
malformed command line), never a traceback.

One module per command (``train``, ``evaluate``, ``predict``, ``forecast``, ``compare`` with
``demo``), imported only when it runs: ``--help``, ``--version`` and usage errors import
neither PyTorch, scikit-learn nor pandas. matplotlib, an optional dependency, is imported
only to draw a plot.
"""

import importlib
import sys
import warnings

from ._parser import build_parser
from ._text import one_line

__all__ = ["build_parser", "main", "read_series"]

# What a wrong input raises; anything else is a bug and keeps its traceback.
_EXPECTED_ERRORS = (ValueError, TypeError, KeyError, OSError, ImportError)


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
    module_name, function_name = args.handler
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = _show_warning
        try:
            module = importlib.import_module(f".{module_name}", __name__)
            return getattr(module, function_name)(args) or 0
        except _EXPECTED_ERRORS as exc:
            print(f"skrnn {args.command}: error: {one_line(exc)}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print(f"skrnn {args.command}: interrupted", file=sys.stderr)
            return 130


def _show_warning(message, category, filename, lineno, file=None, line=None):
    print(f"skrnn: warning: {one_line(message)}", file=sys.stderr)


def __getattr__(name):
    # read_series needs pandas: imported on first use, not by ``skrnn --help``.
    if name == "read_series":
        from ._data import read_series

        return read_series
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
