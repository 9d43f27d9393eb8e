"""Forecasting past the end of the data: ``forecast`` and ``future_dates``. No torch here.

A fitted model maps the rows of a series (as :func:`~skrnn.make_supervised` makes them) to
the target 1 step ahead, or 1 .. h steps ahead for a direct multi-output model. To forecast
the future, the model predicts from the last row of the history: a direct model gives its
``h`` steps at once; a one-step model is applied recursively, each forecast appended to
the history as the next row's target. Future-known covariates (``<column>_t+<k>`` inputs
made by ``make_supervised(..., future=[column])``) take their values past the end of the
history from a ``future`` frame, which also gives the dates forecast; without one, the
dates continue the history's frequency.
"""

import re
import warnings
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from ._window import SlidingWindow, later_rows, non_numeric_columns

__all__ = ["forecast", "future_dates"]

# An input of the model made by make_supervised(..., future=[column]): column at t + step.
_FUTURE_INPUT = re.compile(r"^(?P<column>.+)_t\+(?P<step>\d+)$")
# How the dates after the end were found (infer_offset), in words.
RULES = {
    "inferred": "at the frequency pandas infers",
    "business_days": "in business days (weekday-only daily dates; holidays are not known)",
    "calendar": "in months (dates a month, quarter or year apart on the same day of the month)",
    "median": "at the median spacing of the dates",
}


def infer_offset(dates):
    """The spacing of `dates`, and the rule that found it.

    pandas' inferred frequency, from all dates or else the last ten (so one holiday long
    ago does not hide it); else, for daily dates without weekends (stock prices), business
    days; else, for dates months apart on the same day of the month, months; else the
    median spacing. Integer positions step by their median spacing.

    Returns
    -------
    offset : pandas DateOffset, Timedelta or int
        Added ``k`` times to the last date, it gives the date ``k`` steps later.

    rule : {"inferred", "business_days", "calendar", "median"}
        Which rule gave `offset`.
    """
    if not isinstance(dates, pd.DatetimeIndex):
        index = pd.Index(dates)
        if pd.api.types.is_datetime64_any_dtype(index.dtype):
            dates = pd.DatetimeIndex(index)
        else:
            if len(index) < 2 or not pd.api.types.is_integer_dtype(index.dtype):
                raise ValueError(
                    "dates must be datetimes, or integer positions with at least two values, "
                    f"to tell the dates that follow; got {index[:3].tolist()}..."
                )
            return int(np.median(np.diff(index.to_numpy()))), "median"
    if len(dates) < 2:
        raise ValueError("a series needs at least two dates to tell the dates that follow.")
    if dates.hasnans:
        raise ValueError(
            f"dates has {int(dates.isna().sum())} missing value(s) (NaT); every row needs a "
            "date to tell the dates that follow: fill or drop those rows."
        )
    if not dates.is_monotonic_increasing:
        raise ValueError(
            "dates must be in time order, oldest first, to tell the dates that follow; sort "
            "the rows by date."
        )
    for recent in (dates, dates[-10:]):
        with warnings.catch_warnings():  # pandas 3 announces it will return an offset
            warnings.filterwarnings("ignore", message="A future version of pandas will return")
            freq = pd.infer_freq(recent) if len(recent) >= 3 else None
        if freq is not None:
            offset = pd.tseries.frequencies.to_offset(freq)
            if offset == pd.offsets.BDay():
                return offset, "business_days"
            return offset, "inferred"
    spacing = pd.Series(dates).diff().median()
    if spacing == pd.Timedelta(days=1) and (dates.day_of_week < 5).all():
        return pd.offsets.BDay(), "business_days"
    months = _calendar_months(dates, spacing)
    if months is not None:
        return months, "calendar"
    return spacing, "median"


def _calendar_months(dates, spacing):
    """Monthly, quarterly, half-yearly or yearly steps for dates about that far apart on
    the same day of the month (or on month ends), a gap among them or not: month lengths
    differ, so their median spacing would drift off the calendar."""
    for months in (1, 3, 6, 12):
        if abs(spacing / pd.Timedelta(days=1) - 30.44 * months) > 3 * (1 + months // 3):
            continue
        if dates.is_month_start.all():
            return pd.offsets.MonthBegin(months)
        if dates.is_month_end.all():
            return pd.offsets.MonthEnd(months)
        if (dates.day == dates.day[0]).all():
            return pd.DateOffset(months=months)
    return None


def future_dates(dates, steps):
    """The `steps` dates that follow the last of `dates`, at their frequency.

    The frequency is pandas' inferred one (from all the dates, or else the last ten); for
    daily dates without weekends, such as stock prices, business days (holidays are not
    known); for dates a month, quarter or year apart on the same day of the month (or
    month ends), with a gap among them, months; otherwise the median spacing. Integer
    positions (a RangeIndex) continue at their median step.

    Parameters
    ----------
    dates : DatetimeIndex or array-like of datetimes or of integers
        The dates of a series in time order, at least two.

    steps : int
        How many dates to return.

    Returns
    -------
    future : DatetimeIndex or Index of shape (steps,)
        The next `steps` dates, named like `dates`.

    Examples
    --------
    >>> import pandas as pd
    >>> from skrnn import future_dates
    >>> daily = pd.date_range("2024-01-01", periods=10, freq="D")
    >>> future_dates(daily, 2).strftime("%Y-%m-%d").tolist()
    ['2024-01-11', '2024-01-12']
    >>> friday = pd.bdate_range("2024-01-01", "2024-01-12")  # weekdays only
    >>> future_dates(friday, 2).strftime("%a %d").tolist()
    ['Mon 15', 'Tue 16']
    """
    steps = _check_steps(steps, allow_none=False)
    offset, _ = infer_offset(dates)
    name = getattr(dates, "name", None)
    last = pd.Index(dates)[-1]
    if isinstance(offset, Integral):
        return pd.Index([last + offset * step for step in range(1, steps + 1)], name=name)
    return pd.DatetimeIndex([last + offset * step for step in range(1, steps + 1)], name=name)


def forecast(model, history, *, target, steps=None, future=None, group=None, date=None):
    """Forecast the values of `target` that follow the last row of `history`.

    The model predicts from the end of the history: a direct multi-output model (fitted on
    ``make_supervised(..., horizon=h)``) gives the next ``h`` values at once; a one-step
    model is applied recursively, each forecast becoming the next row's target. Recursion
    needs every other input at the dates forecast, so it is used only for a model whose
    inputs are the target and columns of `future`; train a direct model where other inputs
    would themselves need forecasting. The result says which was used.

    Parameters
    ----------
    model : fitted estimator or Pipeline
        Predicts from rows of the history (as :func:`~skrnn.make_supervised` makes them),
        e.g. ``make_pipeline(StandardScaler(), SlidingWindow(7), LSTMRegressor())``: 1
        output (one step ahead) or ``h`` outputs (steps 1 .. h). Its inputs are the
        columns of `history` it was fitted on (``feature_names_in_``, else every column but
        `date`), and the ``<column>_t+<k>`` columns of future-known covariates, which are
        built here from `history` and `future` as ``make_supervised`` builds them.

    history : DataFrame
        The series up to now, one row per date, oldest first (for many series, each
        series' rows in time order), with a DatetimeIndex or a `date` column. Only the
        last ``window`` rows of each series are used when the model is a Pipeline with one
        :class:`~skrnn.SlidingWindow`; all rows otherwise.

    target : str
        The column forecast: fed back by the recursion, and named in the result.

    steps : int or None, default=None
        How many values to forecast. None: as many as the model forecasts at once (its
        number of outputs). A direct model forecasts up to its number of outputs; a
        one-step model any number, recursively.

    future : DataFrame or None, default=None
        Values known ahead of time, one row per date after the end of `history` (earlier
        rows are ignored), dated like it (index or `date` column; and the `group` column
        for many series): the future-known covariates the model takes, and for a
        recursive forecast every input other than the target. Its dates are the dates
        forecast. None: the dates continue the history's frequency (see
        :func:`future_dates`), and the model may take no such inputs.

    group : str or None, default=None
        The column of `history` (and `future`) holding each row's series id, for a long
        frame of many series: one forecast per series. A model of one series (its
        SlidingWindow has no ``group``) forecasts each series alone.

    date : str or None, default=None
        The column holding the dates; None: the index.

    Returns
    -------
    forecasts : DataFrame
        One row per series and date forecast, indexed by that date: the `group` column
        (many series only), ``step`` (1 for the first date after the end), the forecast
        `target`, and ``method``: ``"direct"`` or ``"recursive"``.

    Raises
    ------
    ValueError
        If the history lacks an input of the model, `future` lacks values the forecast
        needs (a covariate, or a date), or `steps` is more than a direct model forecasts.

    See Also
    --------
    make_supervised : Build the rows and targets the model is fitted on.
    future_dates : The dates after the end of a series.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from skrnn import SlidingWindow, forecast, make_supervised
    >>> dates = pd.date_range("2024-01-01", periods=60, freq="D")
    >>> sales = pd.DataFrame({"sales": np.arange(60.0)}, index=dates)
    >>> X, y = make_supervised(sales, target="sales")
    >>> model = make_pipeline(SlidingWindow(3, flatten=True), LinearRegression()).fit(X, y)
    >>> forecast(model, sales, target="sales", steps=3).round(6)
                step  sales     method
    2024-03-01     1   60.0  recursive
    2024-03-02     2   61.0  recursive
    2024-03-03     3   62.0  recursive
    """
    history = _check_history(history, target, group, date)
    steps = _check_steps(steps, allow_none=True)
    if future is not None and not isinstance(future, pd.DataFrame):
        raise TypeError(f"future must be a DataFrame or None, got {type(future).__name__}.")
    check_is_fitted(model)
    if _windows_one_series(model, group):
        return _series_by_series(model, history, target, steps, future, group, date)
    inputs, named = _model_inputs(model, history, target, group, date)
    max_shift = max((step for _, _, step in inputs), default=0)
    covariates = sorted({column for _, column, step in inputs if step}, key=str)
    series = _Series.split(history, group, date, _history_rows(model))

    def dates_needed(n_dates, columns, why, n_complete=None):
        """Per series, the next `n_dates` rows of `future` (or dates at the history's
        frequency), `columns` known in the first `n_complete` of them."""
        n_complete = n_dates if n_complete is None else n_complete
        if future is None:
            if columns and n_complete:
                raise ValueError(_missing_future_text(columns, n_complete, why))
            return [part.next_dates(n_dates) for part in series]
        return [
            part.future_rows(future, n_dates, columns, n_complete, why, group, date)
            for part in series
        ]

    # The first forecast, from the last row of each series.
    horizon_dates = dates_needed(max_shift, covariates, "the model's future-known inputs")
    first = _predict_last(model, series, horizon_dates, inputs, named, target, group)
    n_outputs = first.shape[1]
    steps = n_outputs if steps is None else steps
    if steps <= n_outputs:
        method = "direct"
        values = first[:, :steps]
        target_dates = dates_needed(steps, [], "the dates forecast")
    elif n_outputs > 1:
        raise ValueError(
            f"steps={steps}, but the model forecasts {n_outputs} steps at once (a direct "
            f"model): pass steps <= {n_outputs}, or fit a model with horizon={steps}."
        )
    else:
        method = "recursive"
        others = [
            column for _, column, step in inputs if not step and column not in (target, group)
        ]
        unknown = others if future is None else [c for c in others if c not in future.columns]
        if unknown:
            unknown = sorted(set(unknown), key=str)
            verb = "is" if len(unknown) == 1 else "are"
            raise ValueError(
                f"a recursive forecast (steps={steps} from a one-step model) feeds each "
                f"forecast back as the next row's {target!r}, so every other input must be "
                f"known at the dates forecast, but {_names(unknown)} {verb} not in future. "
                "Pass their future values in future, or fit a direct model "
                f"(make_supervised(..., horizon={steps})) and forecast with it."
            )
        known = sorted(set(others) | set(covariates), key=str)
        n_inputs = steps - 1 + max_shift  # future rows the recursion reads inputs from
        rows = dates_needed(
            max(steps, n_inputs), known, "the recursive forecast's inputs", n_complete=n_inputs
        )
        values = _recursive(model, series, rows, first, steps, inputs, named, target, group)
        target_dates = rows
    return _result(series, target_dates, values, target, group, date, method)


# -- the history, split by series ----------------------------------------------------------
class _Series:
    """One series of the history: its id, its last rows (oldest first) and its dates."""

    def __init__(self, key, rows, all_dates):
        self.key = key
        self.rows = rows  # the rows the forecast needs, indexed by date
        self.all_dates = all_dates

    @classmethod
    def split(cls, history, group, date, n_rows):
        dates = pd.Index(history[date]) if date is not None else history.index
        frame = history.set_axis(dates, axis=0)
        if date is not None:
            frame = frame.drop(columns=date)
        keys = [None] if group is None else pd.unique(history[group])
        parts = []
        for key in keys:
            rows = frame if key is None else frame[(history[group] == key).to_numpy()]
            if not rows.index.is_monotonic_increasing or rows.index.has_duplicates:
                where = "history" if key is None else f"series {_plain(key)!r} of history"
                raise ValueError(
                    f"the dates of {where} must increase from row to row (one row per date, "
                    "oldest first)."
                )
            parts.append(cls(key, rows if n_rows is None else rows.iloc[-n_rows:], rows.index))
        return parts

    @property
    def last_date(self):
        return self.all_dates[-1]

    def next_dates(self, n_dates):
        """The `n_dates` dates after the end, at the series' frequency, as an empty frame."""
        if n_dates == 0:
            return pd.DataFrame(index=self.all_dates[:0])
        if len(self.all_dates) < 2:
            raise ValueError(
                f"{self._where()} has a single date: pass future to give the dates forecast."
            )
        return pd.DataFrame(index=future_dates(self.all_dates, n_dates))

    def future_rows(self, future, n_dates, columns, n_complete, why, group, date):
        """The first `n_dates` rows of `future` after the end, `columns` known in the
        first `n_complete` of them."""
        frame = future
        if group is not None:
            if group not in future.columns:
                raise ValueError(f"future lacks the group column {group!r}.")
            frame = future[(future[group] == self.key).to_numpy()]
        if date is not None:
            if date not in frame.columns:
                raise ValueError(f"future lacks the date column {date!r}.")
            frame = frame.set_index(date)
        missing = [column for column in columns if column not in frame.columns]
        if missing and n_complete:
            raise ValueError(_missing_future_text(missing, n_complete, why, have=future.columns))
        try:
            after = frame.loc[frame.index > self.last_date].sort_index(kind="stable")
        except TypeError:
            raise ValueError(
                "the dates of future cannot be compared with those of history: give future "
                f"the same kind of dates (its index or the date column), got "
                f"{frame.index[:2].tolist()} after {self.last_date!r}."
            ) from None
        if len(after) < n_dates:
            raise ValueError(
                f"future has {len(after)} row(s) dated after the end of {self._where()} "
                f"({_date_text(self.last_date)}), but {why} need {n_dates}."
            )
        after = after.iloc[:n_dates]
        if after.index.has_duplicates:
            repeated = after.index[after.index.duplicated()][0]
            raise ValueError(
                f"future has more than one row dated {_date_text(repeated)} (for "
                f"{self._where()}): one row per date, as in history."
            )
        gaps = after[columns].iloc[:n_complete].isna().to_numpy()
        if gaps.any():
            row, column = np.argwhere(gaps)[0]
            raise ValueError(
                f"future has no value of {columns[column]!r} on "
                f"{_date_text(after.index[row])} (for {self._where()}), which {why} need."
            )
        text = non_numeric_columns(after[columns])
        if text:
            raise ValueError(
                f"future's column(s) {_names(text)} hold values that are not numbers (for "
                f"{self._where()}); {why} read them as numbers: encode them as in history."
            )
        return after

    def _where(self):
        return "history" if self.key is None else f"series {_plain(self.key)!r}"


def _check_history(history, target, group, date):
    if isinstance(history, pd.Series):
        history = history.to_frame()
    if not isinstance(history, pd.DataFrame):
        raise TypeError(
            f"history must be a DataFrame (the rows of the series, dated), got "
            f"{type(history).__name__}."
        )
    if len(history) == 0:
        raise ValueError("history has no rows.")
    for name, column in (("target", target), ("group", group), ("date", date)):
        if column is not None and column not in history.columns:
            raise ValueError(
                f"{name}={column!r} is not a column of history; columns are "
                f"{list(history.columns)}."
            )
    if group is not None and history[group].isna().any():
        raise ValueError(
            f"group column {group!r} of history has {int(history[group].isna().sum())} "
            "missing series id(s): every row must name its series."
        )
    index = history.index
    datetimes = isinstance(index, pd.DatetimeIndex)
    if date is None and not datetimes and not pd.api.types.is_integer_dtype(index.dtype):
        raise ValueError(
            "history needs dates: a DatetimeIndex, a date column named by date=, or "
            f"integer positions; its index holds {history.index.dtype} values"
            + (
                " (periods: history.to_timestamp() gives their start dates)."
                if isinstance(index, pd.PeriodIndex)
                else "."
            )
        )
    return history


def _check_steps(steps, *, allow_none):
    if steps is None and allow_none:
        return None
    if isinstance(steps, bool) or not isinstance(steps, Integral) or steps < 1:
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}.")
    return int(steps)


def _model_inputs(model, history, target, group, date):
    """The model's inputs as (name, column of history, step ahead) and whether it was
    fitted with names; step 0 is the column at the row, step k its value k rows later."""
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        columns = [column for column in history.columns if column != date]
        return [(column, column, 0) for column in columns], False
    inputs = []
    for name in names:
        if name in history.columns:
            inputs.append((name, name, 0))
            continue
        match = _FUTURE_INPUT.match(str(name))
        column = match and _column_named(history.columns, match.group("column"))
        if column is None:
            raise ValueError(
                f"the model takes an input {name!r}, which is neither a column of history "
                "nor the future value of one (make_supervised(..., future=[column]) names "
                "those <column>_t+<k>)."
            )
        if column == target:
            raise ValueError(f"the model takes {name!r}, a future value of the target.")
        inputs.append((name, column, int(match.group("step"))))
    if target not in [column for _, column, step in inputs if not step]:
        raise ValueError(
            f"the model does not take target={target!r} as an input (its inputs: "
            f"{_names(names)}); forecasting past the end needs the model of the target's past."
        )
    return inputs, True


def _column_named(columns, text):
    matches = [column for column in columns if str(column) == text]
    return matches[0] if matches else None


def _windows_one_series(model, group):
    """Whether `model` cuts windows from one series (its SlidingWindow has no group): its
    windows would then reach across the series of a long frame."""
    windows = _sliding_windows(model)
    if len(windows) != 1 or windows[0].group == group:
        return False
    if windows[0].group is not None:
        raise ValueError(
            f"group={group!r}, but the model's SlidingWindow reads the series ids from "
            f"group={windows[0].group!r}: pass group={windows[0].group!r}."
        )
    return group is not None


def _series_by_series(model, history, target, steps, future, group, date):
    """forecast() of each series of a long frame alone, for a model of one series."""
    if future is not None and group not in future.columns:
        raise ValueError(f"future lacks the group column {group!r}.")
    results = []
    for key, rows in history.groupby(group, sort=False):
        ahead = None if future is None else future[(future[group] == key).to_numpy()]
        result = forecast(
            model,
            rows.drop(columns=group),
            target=target,
            steps=steps,
            future=None if ahead is None else ahead.drop(columns=group),
            date=date,
        )
        results.append(result.assign(**{group: key})[[group, *result.columns]])
    return pd.concat(results)


def _history_rows(model):
    """Rows per series a forecast from the last row needs: the window of the model's one
    SlidingWindow (a Pipeline whose other steps act row by row), else None (all rows)."""
    windows = _sliding_windows(model)
    return windows[0].window if len(windows) == 1 else None


def _sliding_windows(model):
    """The SlidingWindow steps of a Pipeline (none for a bare estimator)."""
    return [step for _, step in getattr(model, "steps", []) if isinstance(step, SlidingWindow)]


# -- predicting -----------------------------------------------------------------------------
def _frame(parts, future_parts, inputs, target, group):
    """The model's input rows for every series: each series' rows and then its future rows
    (target unknown), with the future-known columns built within the series. Returns the
    frame of inputs and, per series, the positions of its rows in it."""
    blocks, positions, start = [], [], 0
    for part, ahead in zip(parts, future_parts, strict=True):
        ahead = ahead.drop(columns=[target], errors="ignore")  # unknown: forecast here
        block = pd.concat([part.rows, ahead.reindex(columns=part.rows.columns)])
        if group is not None:
            block[group] = part.key
        blocks.append(block)
        positions.append(np.arange(start, start + len(block)))
        start += len(block)
    frame = pd.concat(blocks)
    codes = np.repeat(np.arange(len(blocks)), [len(block) for block in blocks])
    columns = {}
    for name, column, step in inputs:
        values = frame[column].to_numpy()
        if step:
            later = later_rows(codes, step)
            values = np.where(later >= 0, values[np.maximum(later, 0)], np.nan)
        columns[name] = values
    return pd.DataFrame(columns), positions


def _predict(model, X, named):
    with warnings.catch_warnings():
        # Pandas' object columns after a concat with NaN rows are cast by sklearn.
        warnings.filterwarnings("ignore", category=FutureWarning, message=".*Downcasting")
        return np.asarray(model.predict(X if named else X.to_numpy()), dtype=np.float64)


def _predict_last(model, parts, future_parts, inputs, named, target, group):
    """The model's prediction from the last row of every series, (n_series, n_outputs)."""
    frame, positions = _frame(parts, future_parts, inputs, target, group)
    rows = np.concatenate(
        [where[: len(part.rows)] for where, part in zip(positions, parts, strict=True)]
    )
    y_pred = _predict(model, frame.iloc[rows], named).reshape(len(rows), -1)
    last = np.cumsum([len(part.rows) for part in parts]) - 1
    return y_pred[last]


def _recursive(model, parts, future_parts, first, steps, inputs, named, target, group):
    """`steps` recursive forecasts per series, starting from the one-step forecast `first`."""
    future_parts = [ahead.copy() for ahead in future_parts]
    values = np.empty((len(parts), steps))
    values[:, 0] = first[:, 0]
    names = [name for name, column, step in inputs if column == target and not step]
    n_history = [len(part.rows) for part in parts]
    window = _history_rows(model)  # rows a forecast reads; None: all of them
    frame, positions = _frame(parts, future_parts, inputs, target, group)
    fed_back = [frame.columns.get_loc(name) for name in names]
    for step in range(1, steps):
        # The forecast of step `step` is the target of future row step - 1.
        for i, where in enumerate(positions):
            frame.iloc[where[n_history[i] + step - 1], fed_back] = values[i, step - 1]
        # Each series' rows up to the one forecast from: its window, which a short
        # history fills with the forecasts as the recursion goes.
        ends = [n + step for n in n_history]
        blocks = [
            where[0 if window is None else max(0, end - window) : end]
            for where, end in zip(positions, ends, strict=True)
        ]
        rows = np.concatenate(blocks)
        y_pred = _predict(model, frame.iloc[rows], named).reshape(len(rows), -1)
        values[:, step] = y_pred[np.cumsum([len(block) for block in blocks]) - 1, 0]
    return values


def _result(parts, target_dates, values, target, group, date, method):
    blocks = []
    for i, (part, dates) in enumerate(zip(parts, target_dates, strict=True)):
        steps = values.shape[1]
        block = {"step": np.arange(1, steps + 1), target: values[i], "method": method}
        if group is not None:
            block = {group: part.key, **block}
        index = dates.index[:steps]
        blocks.append(pd.DataFrame(block, index=index))
    result = pd.concat(blocks)
    result.index.name = date if date is not None else (parts[0].all_dates.name or None)
    return result


def _missing_future_text(columns, n_dates, why, have=None):
    where = "future is None" if have is None else f"future has only {_names(have)}"
    return (
        f"{why} need the values of {_names(columns)} at the {n_dates} date(s) after the end "
        f"of the history, but {where}: pass them in future, a DataFrame with one row per date "
        "after the end."
    )


def _plain(value):
    """A numpy scalar as the Python value it holds (``3``, not ``np.int64(3)``)."""
    return value.item() if isinstance(value, np.generic) else value


def _names(values):
    return ", ".join(repr(value) for value in values)


def _date_text(value):
    """A date as 2024-01-31 (with its time only if it has one)."""
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return str(value.date())
    return str(value)
