"""``skrnn predict``: the forecasts a saved model makes from every row of a CSV series.

The output is long: one line per forecast, with the date it was made from (``origin``), the
date it is of (``target_date``) and how many steps ahead that is (``step``).
"""

import sys

import numpy as np
import pandas as pd

from ._data import target_dates
from ._output import check_output
from ._text import date_text
from .evaluate import model_and_data


def run(args):
    if args.out != "-":
        check_output(args.out, "--out")
    model, _, target, frame, features = model_and_data(args)
    y_pred = np.asarray(model.predict(frame[features])).reshape(len(frame), -1)
    steps = y_pred.shape[1]
    dates, frequency = target_dates(frame.index, steps)
    predictions = pd.DataFrame(
        {
            "origin": np.repeat(frame.index.to_numpy(), steps),
            "target_date": dates.ravel(),
            "step": np.tile(np.arange(1, steps + 1), len(frame)),
            f"{target}_forecast": y_pred.ravel(),
        }
    )
    if args.out == "-":
        predictions.to_csv(sys.stdout, index=False)
        return 0
    predictions.to_csv(args.out, index=False)
    ahead = "1 step" if steps == 1 else f"1 to {steps} steps"
    future = pd.DatetimeIndex(dates[-1])
    until = "" if steps == 1 else f" to {date_text(future[-1])}"
    print(
        f"Wrote {len(predictions)} forecasts of {target} to {args.out}, {ahead} ahead of each "
        f"of the {len(frame)} rows. Each line has the forecast's origin (the date it was made "
        f"from, with the rows up to it), its step and its target_date (the date it forecasts). "
        f"The forecasts from the last row ({date_text(frame.index[-1])}) are of the future: "
        f"{date_text(future[0])}{until}, {frequency}."
    )
    return 0
