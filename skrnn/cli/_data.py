"""Reading a CSV series and checking it: separator, dates, columns, missing values, rows.

Every problem is a ValueError naming the option that fixes it, so the command prints one
line instead of a pandas traceback or advice about keyword arguments a shell user cannot
pass.
"""

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype
from sklearn.model_selection import train_test_split

from skrnn import future_dates, make_supervised
from skrnn._forecast import infer_offset as _infer_offset

from ._parser import MISSING
from ._text import date_text, names, one_line

__all__ = ["read_series"]

# Separators to suggest when a file read with another one comes out as a single column.
_SEPARATORS = (";", "\t", ",", "|")


def read_series(
    path,
    date_column="Date",
    *,
    sep=",",
    decimal=".",
    date_format=None,
    dayfirst=False,
    missing="error",
):
    """Read a CSV file of a series: dates parsed, rows sorted by date, indexed by date.

    Parameters
    ----------
    path : str or path-like
        The CSV file.

    date_column : str, default="Date"
        The column holding the dates, matched ignoring case.

    sep : str, default=","
        The field separator. A file whose header line lacks it but holds another common
        separator (``;``, a tab, ``,``, ``|``) is refused with the separator to pass.

    decimal : str, default="."
        The decimal mark of the numbers, e.g. ``","``.

    date_format : str, default=None
        The :func:`~datetime.datetime.strptime` format of the dates, e.g. ``"%d/%m/%Y"``;
        None infers it from the first date.

    dayfirst : bool, default=False
        Read ambiguous dates such as ``01/02/2020`` day first (1 February).

    missing : {"error", "ffill", "drop"}, default="error"
        What to do with missing values in the numeric columns: raise, fill each with the
        last value before it, or drop their rows.

    Returns
    -------
    frame : DataFrame
        The other columns, with a DatetimeIndex named after the date column.

    Raises
    ------
    FileNotFoundError
        If there is no such file.

    ValueError
        If the file is empty, has no rows, no date column, dates that cannot be read,
        repeated dates or (with ``missing="error"``) missing values; the message names the
        option of the ``skrnn`` command that fixes it.

    Examples
    --------
    >>> import os, tempfile
    >>> from skrnn.cli import read_series
    >>> from skrnn.datasets import load_stock
    >>> path = os.path.join(tempfile.mkdtemp(), "ibm.csv")
    >>> load_stock("IBM").to_csv(path)
    >>> read_series(path).equals(load_stock("IBM"))
    True
    >>> load_stock("IBM").to_csv(path, sep=";", decimal=",", date_format="%d/%m/%Y")
    >>> read_series(path, sep=";", decimal=",", dayfirst=True).equals(load_stock("IBM"))
    True
    """
    frame = read_csv(
        path,
        date_column,
        sep=sep,
        decimal=decimal,
        date_format=date_format,
        dayfirst=dayfirst,
    )
    numeric = [name for name in frame.columns if is_numeric_dtype(frame[name])]
    return handle_missing(frame, numeric, missing, path)


def read_csv(
    path,
    date_column="Date",
    *,
    sep=",",
    decimal=".",
    date_format=None,
    dayfirst=False,
    group=None,
):
    """:func:`read_series` without the handling of missing values.

    With `group` (a column of series ids), the file holds many series: the rows are
    sorted by series id, then date, and dates may repeat across series but not within one.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: no such file" if not path.exists() else f"{path}: not a file"
        )
    if sep == decimal:
        raise ValueError(
            f"--sep and --decimal are both {_sep_text(sep)}: a file with decimal commas "
            "separates its fields with another character, e.g. --sep ';'."
        )
    _check_separator(path, sep)
    try:
        # Series ids are labels: "001" and "010" stay themselves, not the numbers 1 and 10.
        ids = None if group is None else {group: str}
        frame = pd.read_csv(path, sep=sep, decimal=decimal, dtype=ids)
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path} is empty.") from None
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ValueError(f"{path} is not a readable CSV file: {one_line(exc)}") from None
    matches = [col for col in frame.columns if str(col).strip().lower() == date_column.lower()]
    if not matches:
        raise ValueError(
            f"{path} has no {date_column!r} column (its columns: {names(frame.columns)}); "
            "name the date column with --date-column."
        )
    if frame.empty:
        raise ValueError(
            f"{path} has a header ({names(frame.columns)}) but no rows of data: a series needs "
            "one row per date."
        )
    column = matches[0]
    if group is not None:
        if group not in frame.columns or group == column:
            raise ValueError(
                f"--group {group!r} is not a column of {path} (its columns: "
                f"{names(frame.columns)})."
            )
        if frame[group].isna().any():
            raise ValueError(
                f"column {group!r} of {path} (--group) has {int(frame[group].isna().sum())} "
                "row(s) without a series id; give every row one."
            )
    dates = _parse_dates(frame[column], column, path, date_format, dayfirst)
    undated = dates.isna().to_numpy()
    if undated.any():
        raise ValueError(
            f"{path} has {int(undated.sum())} row(s) without a date in column {column!r} "
            f"(first: row {int(np.argmax(undated)) + 1}); give every row a date."
        )
    frame = frame.drop(columns=column).set_index(pd.DatetimeIndex(dates, name=column))
    if group is None:
        frame = frame.sort_index(kind="stable")
        duplicated = frame.index.duplicated()
    else:
        series = pd.factorize(frame[group], sort=True)[0]
        order = np.lexsort((frame.index.to_numpy(), series))
        frame = frame.iloc[order]
        duplicated = pd.MultiIndex.from_arrays([frame[group], frame.index]).duplicated()
    if duplicated.any():
        within = "" if group is None else f" within a series of --group {group!r}"
        fix = (
            " (a file of several series needs --group COLUMN, naming its column of series ids)"
            if group is None
            else ""
        )
        raise ValueError(
            f"{path} has {int(duplicated.sum())} repeated dates{within} (first: "
            f"{frame.index[duplicated][0].date()}); one row per date is needed{fix}."
        )
    return frame


def _sep_text(sep):
    return "'\\t'" if sep == "\t" else repr(sep)


def _check_separator(path, sep):
    """A header without `sep` but with another common separator: say which to pass."""
    with open(path, encoding="utf-8", errors="replace") as file:
        header = next((line.strip() for line in file if line.strip()), "")
    if sep in header:
        return
    for candidate in _SEPARATORS:
        if candidate in header:
            raise ValueError(
                f"{path} has no {_sep_text(sep)} in its header line {header[:60]!r}; its fields "
                f"look separated by {_sep_text(candidate)}: use --sep {_sep_text(candidate)}."
            )


def _parse_dates(values, column, path, date_format, dayfirst):
    """The dates of `values`; pandas' advice becomes the option that acts on it."""
    where = f"column {column!r} of {path}"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            dates = pd.to_datetime(values, format=date_format, dayfirst=dayfirst)
        except (ValueError, TypeError, OverflowError) as exc:
            dates, reason = None, str(exc)
    if dates is None:
        if date_format is not None and "directive" in reason:  # '%Q' is no strftime code
            raise ValueError(
                f"--date-format {date_format!r} is not a date format ({reason.split(',')[0]}): "
                "write it with strftime codes, e.g. '%Y-%m-%d' or '%d.%m.%Y'."
            )
        if "timezone" in reason.lower():
            raise ValueError(
                f"{where} holds dates in more than one time zone (e.g. "
                f"{values.iloc[0]!r}): write them all in one zone, e.g. UTC."
            )
        raise ValueError(_bad_dates(values, where, date_format, dayfirst))
    for warning in caught:
        text = str(warning.message)
        if "dayfirst" in text:
            fmt = re.search(r"in (\S+) format", text)
            fmt = f" ({fmt.group(1)})" if fmt else ""
            warnings.warn(
                f"the dates of {where} were read day first{fmt}, as only that fits the first "
                "one; pass --dayfirst (or --date-format) to say so.",
                UserWarning,
                stacklevel=2,
            )
        elif "infer format" in text:
            warnings.warn(
                f"the dates of {where} are in no format pandas recognises, so each was read "
                "on its own; pass --date-format to read them all the same way.",
                UserWarning,
                stacklevel=2,
            )
    return pd.Series(dates)


def _bad_dates(values, where, date_format, dayfirst):
    """Why the dates cannot be read: the first bad value, and what to pass instead."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        coerced = pd.to_datetime(values, format=date_format, dayfirst=dayfirst, errors="coerce")
        bad = (coerced.isna() & values.notna()).to_numpy()
        row = int(np.argmax(bad)) if bad.any() else 0
        example = f"{values.iloc[row]!r} (row {row + 1})"
        if date_format is not None:
            return f"{where} does not hold dates in --date-format {date_format!r}: e.g. {example}."
        if not dayfirst:
            try:
                pd.to_datetime(values, dayfirst=True)
                return (
                    f"{where} holds dates that only read day first, e.g. {example}: pass "
                    "--dayfirst (or --date-format, e.g. '%d/%m/%Y')."
                )
            except (ValueError, TypeError, OverflowError):
                pass
    return (
        f"{where} does not hold dates in one format, e.g. {example}: pass --date-format "
        "(e.g. --date-format '%d.%m.%Y'), or --dayfirst for day-first dates."
    )


def handle_missing(frame, columns, policy, source, group=None):
    """`frame` with missing values in `columns` refused, forward-filled (within each
    series of `group`) or dropped."""
    if policy not in MISSING:
        raise ValueError(f"--missing must be one of {', '.join(MISSING)}, got {policy!r}.")
    columns = list(dict.fromkeys(columns))
    infinite = np.isinf(frame[columns].to_numpy(dtype=float, na_value=np.nan))
    if infinite.any():
        column = int(infinite.any(axis=0).argmax())
        name, first = columns[column], frame.index[infinite[:, column]][0]
        raise ValueError(
            f"column {name!r} of {source} holds an infinite value (first on "
            f"{date_text(first)}): replace it, or leave the cell empty and choose --missing."
        )
    gaps = frame[columns].isna()
    if not gaps.to_numpy().any():
        return frame
    if policy == "error":
        name = gaps.any().idxmax()
        first = frame.index[gaps[name].to_numpy()][0]
        raise ValueError(
            f"column {name!r} of {source} has {int(gaps[name].sum())} missing value(s) (first "
            f"on {date_text(first)}); pass --missing ffill to carry the last value forward, or "
            "--missing drop to drop their rows."
        )
    if policy == "ffill":
        filled = frame.copy()
        if group is None:
            filled[columns] = frame[columns].ffill()
        else:
            filled[columns] = frame.groupby(group, sort=False)[columns].ffill()
        leading = filled[columns].isna().sum()
        if leading.any():
            name = leading.idxmax()
            raise ValueError(
                f"column {name!r} of {source} starts with {int(leading[name])} missing "
                "value(s), which --missing ffill cannot fill (no value comes before them); "
                "pass --missing drop."
            )
        return filled
    kept = frame.loc[~gaps.any(axis=1).to_numpy()]
    if kept.empty:
        raise ValueError(
            f"--missing drop leaves no rows of {source}: every row misses a value in "
            f"{names(columns)}."
        )
    return kept


def select_columns(frame, target, features, source, covariates=(), group=None):
    """The feature columns to use, after checking that they, the target and the future-known
    `covariates` are numeric (`group`, the column of series ids, is none of them)."""
    columns = [name for name in frame.columns if name != group]
    if target not in columns:
        raise ValueError(
            f"--target {target!r} is not a column of {source} (columns: {names(columns)})."
        )
    if features is None:
        # Booleans count as numbers to pandas, but select_columns refuses them.
        features = [
            name for name in columns if is_numeric_dtype(frame[name]) and frame[name].dtype != bool
        ]
    unknown = [name for name in features if name not in columns]
    if unknown:
        raise ValueError(
            f"--features {names(unknown)}: not column(s) of {source} (columns: {names(columns)})."
        )
    if len(set(features)) != len(features):
        raise ValueError("--features lists a column twice.")
    unknown = [name for name in covariates if name not in columns]
    if unknown:
        raise ValueError(
            f"--future-covariates {names(unknown)}: not column(s) of {source} (columns: "
            f"{names(columns)})."
        )
    if target in covariates:
        raise ValueError(
            f"--future-covariates lists the target {target!r}: its future values are what is "
            "forecast."
        )
    if len(set(covariates)) != len(covariates):
        raise ValueError("--future-covariates lists a column twice.")
    for name in dict.fromkeys([target, *features, *covariates]):
        column = frame[name]
        if not is_numeric_dtype(column) or column.dtype == bool:
            raise ValueError(_not_numeric(column, name, source))
    return list(features)


def _not_numeric(column, name, source):
    values = column.dropna()
    bad = values[pd.to_numeric(values, errors="coerce").isna()] if len(values) else values
    example = bad.iloc[0] if len(bad) else (values.iloc[0] if len(values) else None)
    hint = "choose numeric --features and --target"
    if isinstance(example, str) and re.fullmatch(r"[-+]?[\d.\s]*\d,\d+", example.strip()):
        hint = "its numbers look written with a decimal comma: pass --decimal ','"
    return f"column {name!r} of {source} is not numeric (e.g. {example!r}); {hint}."


def supervised(frame, target, horizon, test_size, source, covariates=()):
    """X (every column, and the future values of `covariates`), y, the number of training
    rows and the first hold-out row.

    The hold-out is the last `test_size` fraction of the rows with a target, as
    ``train_test_split(..., shuffle=False)`` makes it. For a multi-step forecast the
    ``horizon - 1`` rows before it are left out of training: their targets lie in the
    hold-out period (TimeSeriesSplit's ``gap`` does the same between CV folds).
    """
    if len(frame) <= horizon:
        raise ValueError(
            f"{source} has {len(frame)} rows: too few for a --horizon {horizon} forecast."
        )
    X, y = make_supervised(frame, target=target, horizon=horizon, future=list(covariates) or None)
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


def check_rows(n_train, windows, source, test_size, folds=1):
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


def read_for(args, columns_of):
    """The series of ``args.data`` with the CSV options of `args`, and its feature columns.

    `columns_of(frame)` returns (target, features or None, future-known covariates);
    missing values are handled in those columns only, so a gap in a column the command
    does not use is no error.
    """
    group = getattr(args, "group", None)
    frame = read_csv(
        args.data,
        args.date_column or "Date",
        sep=args.sep,
        decimal=args.decimal,
        date_format=args.date_format,
        dayfirst=args.dayfirst,
        group=group,
    )
    target, features, covariates = columns_of(frame)
    if group is not None and target == group:
        raise ValueError(f"--target {target!r} is the --group column of series ids.")
    features = select_columns(frame, target, features, args.data, covariates, group)
    frame = handle_missing(frame, [target, *features, *covariates], args.missing, args.data, group)
    return frame, features


def base_columns(features, columns):
    """The columns of the file a model's inputs come from, and its future-known covariates.

    An input ``<column>_t+<k>`` that is not itself a column of the file is the value of
    ``<column>`` k rows later (``make_supervised(..., future=[column])``).
    """
    base, covariates = [], []
    for name in features:
        match = None if name in columns else re.fullmatch(r"(.+)_t\+\d+", str(name))
        if match and match.group(1) in columns:
            if match.group(1) not in covariates:
                covariates.append(match.group(1))
        else:
            base.append(name)
    return base, covariates


def target_dates(index, steps):
    """The date each forecast is of: row ``t``, step ``k`` forecasts row ``t + k``.

    Inside the data that is the date of row ``t + k``; past its end, the dates continue at
    the index's frequency (:func:`infer_offset`).

    Returns
    -------
    dates : ndarray of datetime64 of shape (len(index), steps)

    frequency : str
        How the dates past the end were made, for the user.
    """
    _, frequency = infer_offset(index)
    extended = pd.DatetimeIndex(index).append(future_dates(index, steps))
    rows = np.arange(len(index))[:, None] + np.arange(1, steps + 1)[None, :]
    return extended.to_numpy()[rows], frequency


def infer_offset(index):
    """The spacing of the dates of `index` (:func:`skrnn.future_dates`' rule), and its
    description for the user."""
    offset, rule = _infer_offset(pd.DatetimeIndex(index))
    if rule == "business_days":
        return offset, _BUSINESS_DAYS
    if rule in ("inferred", "calendar"):
        return offset, f"at the file's frequency, {offset.freqstr}"
    days = offset / pd.Timedelta(days=1)
    text = f"{days:g} day(s)" if days == int(days) else str(offset)
    return offset, f"at the median spacing of the file's dates, {text}"


_BUSINESS_DAYS = "in business days, as in the file; holidays are not known"
