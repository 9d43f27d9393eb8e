"""``skrnn predict``: the forecasts a saved model makes from every row of a CSV series.

The output is long: one line per forecast, with the date it was made from (``origin``), the
date it is of (``target_date``) and how many steps ahead that is (``step``).
"""

import sys

import numpy as np
import pandas as pd

from skrnn import make_supervised

from ._data import target_dates
from ._output import check_output, write_output
from ._text import date_text
from .evaluate import check_quantiles, model_and_data, model_forecast


def run(args):
    if args.out != "-":
        check_output(args.out, "--out", args)
    model, info, target, frame, features, covariates = model_and_data(args)
    if args.interval:
        check_quantiles(model, args.model)
    group = info.get("group")
    rows = frame
    if covariates:  # inputs known only where the covariates' future values are
        rows, _ = make_supervised(frame, target, info["horizon"], future=covariates, group=group)
    inputs = rows[features] if group is None else rows[[group, *features]]
    if args.interval:
        y_pred, bands = model_forecast(model, inputs, args.interval, args.model)
    else:
        y_pred = model.predict(inputs)
    y_pred = np.asarray(y_pred).reshape(len(rows), -1)
    steps = y_pred.shape[1]
    dates, frequency = _target_dates(frame, rows, group, steps)
    columns = {} if group is None else {group: np.repeat(rows[group].to_numpy(), steps)}
    predictions = pd.DataFrame(
        {
            **columns,
            "origin": np.repeat(rows.index.to_numpy(), steps),
            "target_date": dates.ravel(),
            "step": np.tile(np.arange(1, steps + 1), len(rows)),
            f"{target}_forecast": y_pred.ravel(),
        }
    )
    if args.interval:
        for level, (lower, upper) in bands.items():
            predictions[f"{target}_lower_{100 * level:g}"] = np.ravel(lower)
            predictions[f"{target}_upper_{100 * level:g}"] = np.ravel(upper)
    if args.out == "-":
        predictions.to_csv(sys.stdout, index=False)
        return 0
    write_output(args.out, "--out", lambda file: predictions.to_csv(file, index=False))
    ahead = "1 step" if steps == 1 else f"1 to {steps} steps"
    bounds = ""
    if args.interval:
        levels = " and ".join(f"{100 * level:g}%" for level in args.interval)
        bounds = f", and the lower and upper bounds of its {levels} intervals"
    described = (
        f"Wrote {len(predictions)} forecasts of {target} to {args.out}, {ahead} ahead of each "
        f"of the {len(rows)} rows. Each line has the forecast's origin (the date it was made "
        f"from, with the rows up to it), its step and its target_date (the date it "
        f"forecasts){bounds}."
    )
    if group is not None:
        print(
            f"{described} The forecasts from the last row of each of the "
            f"{frame[group].nunique()} series (--group {group}) are of the future, dated "
            f"{frequency}."
        )
        return 0
    if covariates:
        print(
            f"{described} The model takes the values of {', '.join(map(str, covariates))} at "
            f"the dates it forecasts, which the file does not have for its last "
            f"{len(frame) - len(rows)} rows: 'skrnn forecast --future' forecasts past the end."
        )
        return 0
    future = pd.DatetimeIndex(dates[-1])
    until = "" if steps == 1 else f" to {date_text(future[-1])}"
    print(
        f"{described} The forecasts from the last row ({date_text(frame.index[-1])}) are of "
        f"the future: {date_text(future[0])}{until}, {frequency}."
    )
    return 0


def _target_dates(frame, rows, group, steps):
    """The date each forecast of `rows` is of, each series' dates continuing its own
    frequency past its end; and how they were made."""
    if group is None:
        dates, frequency = target_dates(frame.index, steps)
        return dates[: len(rows)], frequency
    parts, frequency = [], None
    for series, count in rows.groupby(group, sort=False).size().items():
        dates, frequency = target_dates(frame.index[frame[group].to_numpy() == series], steps)
        parts.append(dates[:count])
    return np.concatenate(parts), frequency
