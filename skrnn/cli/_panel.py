"""Files of many series (``--group``): their supervised rows, and forecasts by series and date.

A file of many series has one row per series and date, the series told apart by a column
of ids. The rows go through the same public functions as one series
(:func:`skrnn.make_supervised` and :class:`skrnn.SlidingWindow` with ``group=``), and the
forecasts come out long: one line per series, origin and step, with the date forecast.
"""

import numpy as np
import pandas as pd

from skrnn import make_supervised
from skrnn._compare import panel_holdout

from ._text import names

__all__ = ["panel_forecasts", "panel_holdout", "panel_supervised"]


def panel_supervised(frame, target, horizon, group, test_size, source, covariates=()):
    """X (the ids, every column, and the future values of `covariates`) and y (`horizon`
    columns) of every series, after checking that each is long enough to hold out its last
    values and train on the rest."""
    lengths = frame.groupby(group, sort=False).size()
    # The competitions' hold-out: one forecast of the last `horizon` values, from the value
    # before them; training needs a row whose targets all precede them.
    needed = 2 * horizon + 1 if test_size is None else horizon + 2
    short = lengths[lengths < needed]
    if len(short):
        what = (
            f"hold out its last --horizon {horizon} values and train on those before"
            if test_size is None
            else f"hold out --test-size {test_size:g} of its rows for a --horizon {horizon} "
            "forecast and train on the rest"
        )
        raise ValueError(
            f"{len(short)} series of {source} are too short to {what} (at least {needed} "
            f"values are needed): {names(list(map(str, short.index[:5])))} with "
            f"{names(list(map(int, short.to_numpy()[:5])))} values. Drop them from the file, "
            "or lower --horizon."
        )
    future = list(covariates) or None
    return make_supervised(frame, target=target, horizon=horizon, group=group, future=future)


def panel_forecasts(forecasts, frame, group, horizon):
    """The hold-out forecasts of many series, one line per series, origin and step.

    `forecasts` is :func:`skrnn.compare_forecasters`' table of them (the ids, then a column
    per model and step, indexed by the origin's date); `frame` the series read from the
    file, whose dates give each forecast's target date.
    """
    steps = range(1, horizon + 1)
    suffixes = [""] if horizon == 1 else [f"_t+{step}" for step in steps]
    models = [
        name[: len(name) - len(suffixes[0])]
        for name in forecasts.columns
        if name != group and name.endswith(suffixes[0])
    ]
    origins = pd.DatetimeIndex(forecasts.index)
    target_dates = np.empty((len(forecasts), horizon), dtype="datetime64[ns]")
    ids = forecasts[group].to_numpy()
    for series, rows in pd.Series(np.arange(len(ids))).groupby(ids, sort=False):
        dates = frame.index[frame[group].to_numpy() == series].to_numpy()
        at = np.searchsorted(dates, origins[rows.to_numpy()].to_numpy())
        target_dates[rows.to_numpy()] = dates[at[:, None] + np.arange(1, horizon + 1)]
    parts = []
    for step, suffix in zip(steps, suffixes, strict=True):
        part = {
            group: ids,
            "origin": origins,
            "step": step,
            "target_date": target_dates[:, step - 1],
        }
        part.update({model: forecasts[model + suffix].to_numpy() for model in models})
        parts.append(pd.DataFrame(part))
    long = pd.concat(parts, ignore_index=True)
    order = np.lexsort((long["step"], long["origin"], pd.factorize(long[group])[0]))
    return long.iloc[order].reset_index(drop=True)
