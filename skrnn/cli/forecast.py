"""``skrnn forecast``: the values after the last row of a CSV series, with their dates.

What :func:`skrnn.forecast` does in Python: the saved model forecasts from the end of the
file, directly (a model trained with ``--horizon h``) or recursively (a one-step model);
``--future`` gives the values of future-known covariates past the end, and the dates.
"""

import re
import sys

import pandas as pd

import skrnn

from ._data import base_columns, infer_offset, read_csv
from ._output import check_output, write_output
from ._text import date_text, names
from .evaluate import model_and_data


def run(args):
    if args.out != "-":
        check_output(args.out, "--out", args)
    model, info, target, frame, features, covariates = model_and_data(args)
    base, _ = base_columns(features, frame.columns)
    horizon = int(info.get("horizon") or 1)
    steps = args.steps or horizon
    if target not in base:
        raise ValueError(
            f"the model does not take target={target!r} as an input (its inputs: "
            f"{names(base)}): it cannot forecast {target} past the end; pass the --target it "
            "was trained for."
        )
    future = None if args.future is None else _read_future(args)
    if covariates and future is None:
        raise ValueError(
            f"the model takes the values of {names(covariates)} at the dates it forecasts "
            "(trained with --future-covariates): pass --future, a CSV file of the dates after "
            f"the end of {args.data} with those columns."
        )
    if steps > horizon > 1:
        raise ValueError(
            f"--steps {steps}, but the model forecasts {horizon} steps at once (trained with "
            f"--horizon {horizon}): pass --steps {horizon} or less, or train with --horizon "
            f"{steps}."
        )
    if steps > horizon:
        _check_recursive(args, target, base, covariates, future, steps)
    group = info.get("group")
    ids = [] if group is None else [group]
    history = frame[list(dict.fromkeys([*ids, *base, target, *covariates]))]
    try:
        forecasts = skrnn.forecast(
            model, history, target=target, steps=steps, future=future, group=group
        )
    except ValueError as error:
        raise ValueError(_in_cli_terms(error, args)) from None

    method = forecasts["method"].iloc[0]
    table = pd.DataFrame(
        {
            **{name: forecasts[name].to_numpy() for name in ids},
            "target_date": forecasts.index,
            "step": forecasts["step"].to_numpy(),
            f"{target}_forecast": forecasts[target].to_numpy(),
            "method": method,
        }
    )
    if args.out == "-":
        table.to_csv(sys.stdout, index=False)
        return 0
    write_output(args.out, "--out", lambda file: table.to_csv(file, index=False))
    how = (
        f"directly ({type(_final(model)).__name__} forecasts {horizon} steps at once)"
        if method == "direct"
        else f"recursively ({type(_final(model)).__name__} forecasts one step; each forecast "
        "became the next row's target)"
    )
    if future is not None:
        dates = f"the dates of {args.future}"
    else:
        # The spacing of one series: the stacked dates of many are not in time order.
        first = frame.index if group is None else frame.index[frame[group] == frame[group].iloc[0]]
        _, frequency = infer_offset(first)
        dates = f"dates {frequency}"
    if group is not None:
        print(
            f"Forecast {steps} value(s) of {target} after the last row of each of the "
            f"{frame[group].nunique()} series (--group {group}) of {args.data}, {how}: "
            f"{date_text(forecasts.index.min())} to {date_text(forecasts.index.max())}, "
            f"{dates}. Wrote them to {args.out}."
        )
        return 0
    print(
        f"Forecast {steps} value(s) of {target} after the last row of {args.data} "
        f"({date_text(frame.index[-1])}), {how}: {date_text(forecasts.index[0])} to "
        f"{date_text(forecasts.index[-1])}, {dates}. Wrote them to {args.out}."
    )
    return 0


def _read_future(args):
    """The --future file, read with the options of DATA (gaps are found where they matter)."""
    return read_csv(
        args.future,
        args.date_column or "Date",
        sep=args.sep,
        decimal=args.decimal,
        date_format=args.date_format,
        dayfirst=args.dayfirst,
        group=args.group,
    )


def _check_recursive(args, target, base, covariates, future, steps):
    """A recursive forecast needs every input but the target in --future: say so in the
    command's terms before anything runs."""
    have = set() if future is None else set(future.columns)
    unknown = [name for name in dict.fromkeys([*base, *covariates]) if name != target]
    unknown = [name for name in unknown if name not in have]
    if unknown:
        where = "no --future file is given" if future is None else f"{args.future} lacks them"
        raise ValueError(
            f"--steps {steps} from a one-step model is a recursive forecast: each forecast of "
            f"{target} becomes the next row's, so the model's other inputs ({names(unknown)}) "
            f"must be known at the dates forecast, but {where}. Train a direct model "
            f"(skrnn train --horizon {steps}), or one on {target} alone (--features {target})."
        )


def _in_cli_terms(error, args):
    """skrnn.forecast's message, with its parameter names tied to the command's files."""
    message = str(error)
    terms = [f"history is {args.data}"]
    if args.future is not None:
        terms.append(f"future is --future {args.future}")
    if not re.search(r"\b(history|future)\b", message):
        return message
    return f"{message} Here, {' and '.join(terms)}."


def _final(model):
    return model[-1] if hasattr(model, "steps") else model
