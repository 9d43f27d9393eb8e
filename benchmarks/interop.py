"""skrnn inside skforecast and sktime, and forecasting past the end: recursive or direct.

Two tables, on the bundled stocks and a seasonal series (AirPassengers, monthly):

1. **The same model three ways.** One LSTM regressor (fixed seed, fixed epochs) as a native
   skrnn pipeline, inside skforecast's ``ForecasterRecursive`` (backtested by skforecast,
   refit=False) and inside sktime's ``make_reduction(..., pooling="global")`` (rolled over the
   hold-out by sktime's ``update_predict``): one-step forecasts of every hold-out value. The
   frameworks train on the rows with a full window, so the native pipeline does too. The
   MAEs must agree to 1e-6 relative: the frameworks' lag matrices reach the network as the
   native windows do.
2. **Recursive or direct, H = 5 and 20.** From each origin of the hold-out, H values ahead:
   a one-step network applied recursively (:func:`skrnn.forecast`), a direct network with H
   outputs (``make_supervised(..., horizon=H)``), persistence (the last value, H times) and
   the seasonal naive forecast (the value one season earlier).

Run in the extras environment (skforecast and sktime pin pandas below 3)::

    .venv-extras/bin/python benchmarks/interop.py          # writes results/interop.txt
"""

import argparse
import io
import sys
import time
import warnings
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

import skrnn
from skrnn import LSTMRegressor, SlidingWindow, make_supervised
from skrnn.datasets import load_stock

RESULTS = Path(__file__).resolve().parent / "results" / "interop.txt"
# Table 1: a fixed number of epochs, so that the three routes train the very same network.
MODEL = dict(hidden_size=16, max_epochs=10, early_stopping=False, random_state=0)
# Table 2: the defaults a user gets (early stopping, and the keep-or-discard test against
# the linear start), fewer epochs at most.
NETWORK = dict(hidden_size=16, max_epochs=30, random_state=0)
HORIZONS = (5, 20)


@dataclass(frozen=True)
class Series:
    name: str
    values: np.ndarray
    window: int
    season: int
    n_test: int
    stride: int  # origins of table 2: every stride-th row of the hold-out


def load_series():
    stocks = [
        Series(ticker, load_stock(ticker)["Close"].to_numpy()[-1000:], 7, 1, 250, 5)
        for ticker in ("IBM", "MSFT")
    ]
    from sktime.datasets import load_airline

    airline = load_airline().to_numpy(dtype=float)
    return [*stocks, Series("AirPassengers", airline, 13, 12, 48, 1)]


def as_frame(values):
    return pd.DataFrame({"y": values}, index=pd.RangeIndex(len(values)))


# -- table 1: the same model, natively and inside the frameworks ---------------------------------
def native_one_step(series):
    """One-step forecasts of the hold-out from a pipeline fitted on the full-window rows of
    the training part (the rows the frameworks' lag matrices hold)."""
    frame = as_frame(series.values)
    n_train = len(frame) - series.n_test
    X, y = make_supervised(frame, target="y")
    sliding = SlidingWindow(series.window).fit(X)
    windows = sliding.transform(X)
    rows = np.arange(series.window - 1, n_train - 1)  # targets before the hold-out
    model = LSTMRegressor(**MODEL).fit(windows[rows], y.to_numpy()[rows])
    pipeline = Pipeline([("window", sliding), ("model", model)])
    return pipeline.predict(X)[n_train - 1 :]


def skforecast_one_step(series):
    from skforecast.model_selection import TimeSeriesFold, backtesting_forecaster
    from skforecast.recursive import ForecasterRecursive

    y = pd.Series(series.values, index=pd.RangeIndex(len(series.values)), name="y")
    n_train = len(y) - series.n_test
    forecaster = ForecasterRecursive(
        LSTMRegressor(lags="newest_first", **MODEL), lags=series.window
    )
    folds = TimeSeriesFold(steps=1, initial_train_size=n_train, refit=False)
    _, predictions = backtesting_forecaster(
        forecaster, y, cv=folds, metric="mean_absolute_error", show_progress=False
    )
    return predictions["pred"].to_numpy()


def sktime_one_step(series):
    from sktime.forecasting.compose import make_reduction
    from sktime.split import ExpandingWindowSplitter

    y = pd.Series(series.values, index=pd.RangeIndex(len(series.values)), name="y")
    n_train = len(y) - series.n_test
    forecaster = make_reduction(
        LSTMRegressor(**MODEL), strategy="recursive", window_length=series.window, pooling="global"
    ).set_config(remember_data=True)
    forecaster.fit(y.iloc[:n_train], fh=[1])
    splitter = ExpandingWindowSplitter(fh=[1], initial_window=n_train, step_length=1)
    predictions = forecaster.update_predict(y, cv=splitter, update_params=False)
    return predictions.to_numpy()


def table_same_model(all_series):
    rows = []
    for series in all_series:
        truth = series.values[-series.n_test :]
        forecasts = {}
        for name, run in (
            ("native", native_one_step),
            ("skforecast", skforecast_one_step),
            ("sktime", sktime_one_step),
        ):
            start = time.perf_counter()
            forecasts[name] = run(series)
            forecasts[f"{name} s"] = time.perf_counter() - start
        mae = {
            name: np.abs(forecasts[name] - truth).mean()
            for name in ("native", "skforecast", "sktime")
        }
        persistence = np.abs(series.values[-series.n_test - 1 : -1] - truth).mean()
        relative = max(abs(mae[name] / mae["native"] - 1) for name in ("skforecast", "sktime"))
        largest = max(
            np.abs(forecasts[name] - forecasts["native"]).max() for name in ("skforecast", "sktime")
        )
        rows.append(
            {
                "series": series.name,
                "train/test": f"{len(series.values) - series.n_test}/{series.n_test}",
                "MAE native": mae["native"],
                "MAE skforecast": mae["skforecast"],
                "MAE sktime": mae["sktime"],
                "max rel. MAE diff": relative,
                "max |forecast diff|": largest,
                "equal (1e-6)": "yes" if relative <= 1e-6 else "NO",
                "MAE persistence": persistence,
                "fit+predict s (native/skf/skt)": "/".join(
                    f"{forecasts[f'{name} s']:.1f}" for name in ("native", "skforecast", "sktime")
                ),
            }
        )
    return pd.DataFrame(rows)


# -- table 2: recursive or direct -----------------------------------------------------------------
def network(window):
    return make_pipeline(StandardScaler(), SlidingWindow(window), LSTMRegressor(**NETWORK))


def recursive_or_direct(series, horizon):
    frame = as_frame(series.values)
    n = len(frame)
    n_train = n - series.n_test  # values[n_train:] are the hold-out
    origins = np.arange(n_train - 1, n - horizon, series.stride)  # targets in the hold-out
    truth = np.stack([series.values[origin + 1 : origin + 1 + horizon] for origin in origins])

    X1, y1 = make_supervised(frame, target="y")
    one_step = network(series.window).fit(X1.iloc[: n_train - 1], y1.iloc[: n_train - 1])
    recursive = np.stack(
        [
            skrnn.forecast(one_step, frame.iloc[: origin + 1], target="y", steps=horizon)[
                "y"
            ].to_numpy()
            for origin in origins
        ]
    )
    XH, yH = make_supervised(frame, target="y", horizon=horizon)
    n_fit = n_train - horizon  # rows whose H targets all lie before the hold-out
    direct_model = network(series.window).fit(XH.iloc[:n_fit], yH.iloc[:n_fit])
    direct = direct_model.predict(frame)[origins]

    persistence = np.repeat(series.values[origins, None], horizon, axis=1)
    steps = np.arange(1, horizon + 1)
    back = series.season * np.ceil(steps / series.season).astype(int)  # one season earlier
    seasonal = series.values[origins[:, None] + steps - back]
    return truth, {
        "persistence": persistence,
        "seasonal naive": seasonal,
        "recursive": recursive,
        "direct": direct,
    }


def table_recursive_direct(all_series):
    rows = []
    for series in all_series:
        for horizon in HORIZONS:
            start = time.perf_counter()
            truth, forecasts = recursive_or_direct(series, horizon)
            mae = {name: np.abs(values - truth).mean() for name, values in forecasts.items()}
            naive = "seasonal naive" if series.season > 1 else "persistence"
            rows.append(
                {
                    "series": series.name,
                    "H": horizon,
                    "origins": len(truth),
                    **{f"MAE {name}": value for name, value in mae.items()},
                    "recursive / naive": mae["recursive"] / mae[naive],
                    "direct / naive": mae["direct"] / mae[naive],
                    "naive": naive,
                    "s": time.perf_counter() - start,
                }
            )
    return pd.DataFrame(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(RESULTS), help="where to save the tables")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", message=".*kept its untrained start")
    all_series = load_series()
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        print("skrnn inside skforecast and sktime; forecasting past the end: recursive or direct")
        print()
        print("1. The same model natively, in skforecast (ForecasterRecursive, backtesting)")
        print("   and in sktime (make_reduction, pooling='global', update_predict):")
        print("   one-step forecasts of every hold-out value, from")
        print(f"   LSTMRegressor({', '.join(f'{k}={v}' for k, v in MODEL.items())})")
        print(table_same_model(all_series).to_string(index=False, float_format="{:.6g}".format))
        print()
        print("2. H values ahead from each origin of the hold-out (MAE over all of them):")
        print("   recursive (one-step network, skrnn.forecast) or direct (H outputs), from")
        print(
            "   StandardScaler -> SlidingWindow -> LSTMRegressor("
            + ", ".join(f"{k}={v}" for k, v in NETWORK.items())
            + ")"
        )
        table = table_recursive_direct(all_series)
        print(table.to_string(index=False, float_format="{:.4g}".format))
    text = buffer.getvalue()
    sys.stdout.write(text)
    Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
