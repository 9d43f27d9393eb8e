"""Forecast accuracy of the default networks beside persistence and ridge on lags.

For each series and cell: one-step-ahead MAE on a chronological hold-out of
``make_pipeline(<scaler>, SlidingWindow(w), <Cell>Regressor(random_state=seed))`` with
default hyperparameters, divided by the MAE of persistence ("tomorrow = today") and of
RidgeCV on the target's own lags; mean and worst over seeds; fit seconds.

    python benchmarks/accuracy.py                 # bundled stocks, sine, AR(2)
    python benchmarks/accuracy.py --extra         # + statsmodels' offline data sets
    python benchmarks/accuracy.py --plain         # the plain network (skip=None, center=False)

Fits run on one torch thread (``--threads``): these networks are small, and on a busy
machine two OpenMP threads per process can make a fit many times slower.
"""

import argparse
import os
import platform
import sys
import time
import warnings

import numpy as np
import pandas as pd
import torch
from sklearn.linear_model import RidgeCV
from sklearn.metrics import mean_absolute_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from skrnn import (
    GRURegressor,
    LSTMRegressor,
    PersistenceRegressor,
    RNNRegressor,
    SlidingWindow,
    make_supervised,
)
from skrnn.datasets import load_stock, make_sine

CELLS = {"rnn": RNNRegressor, "lstm": LSTMRegressor, "gru": GRURegressor}
SCALERS = {"standard": StandardScaler, "minmax": MinMaxScaler}


def ar2(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    x = np.zeros(n)
    for t in range(2, n):
        x[t] = 0.6 * x[t - 1] - 0.3 * x[t - 2] + rng.standard_normal()
    return pd.DataFrame({"value": x})


def series_list(extra):
    """(name, frame, target, window, train fraction)."""
    out = [(t, load_stock(t), "Close", 7, 0.7) for t in ("IBM", "AAPL", "MSFT")]
    out.append(("sine", make_sine(1000, noise=0.1, random_state=0), "value", 20, 0.8))
    out.append(("ar2", ar2(), "value", 10, 0.8))
    if extra:
        out += _statsmodels_series()
    return out


def _statsmodels_series():
    import statsmodels.api as sm

    sun = sm.datasets.sunspots.load_pandas().data[["SUNACTIVITY"]]
    co2 = sm.datasets.co2.load_pandas().data.interpolate().dropna()
    macro = sm.datasets.macrodata.load_pandas().data[["realgdp", "realcons", "realinv"]]
    nino = sm.datasets.elnino.load_pandas().data.drop(columns="YEAR").to_numpy().ravel()
    return [
        ("GOOG", load_stock("GOOG"), "Close", 7, 0.7),
        ("sunspots", sun, "SUNACTIVITY", 24, 0.8),
        ("co2", co2, "co2", 52, 0.8),
        ("realgdp", macro, "realgdp", 8, 0.8),
        ("elnino", pd.DataFrame({"temp": nino}), "temp", 24, 0.8),
    ]


def evaluate(frame, target, window, train_fraction, make_model):
    X, y = make_supervised(frame, target=target)
    n_train = int(len(X) * train_fraction)
    model = make_model()
    start = time.perf_counter()
    model.fit(X.iloc[:n_train], y.iloc[:n_train])
    seconds = time.perf_counter() - start
    pred = model.predict(X.iloc[n_train:])
    return mean_absolute_error(y.iloc[n_train:], pred), seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", action="store_true", help="add statsmodels data sets")
    parser.add_argument("--plain", action="store_true", help="skip=None, center=False")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--cells", nargs="+", default=list(CELLS), choices=list(CELLS))
    parser.add_argument("--scalers", nargs="+", default=list(SCALERS), choices=list(SCALERS))
    parser.add_argument("--series", nargs="*", help="only these series")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    extra_params = {"skip": None, "center": False} if args.plain else {}

    rows = []
    for name, frame, target, window, frac in series_list(args.extra):
        if args.series and name not in args.series:
            continue
        for scaler_name in args.scalers:
            scaler = SCALERS[scaler_name]

            def pipe(last, scaler=scaler, window=window, **kw):
                return make_pipeline(scaler(), SlidingWindow(window, **kw), last)

            persistence, _ = evaluate(
                frame, target, window, frac, lambda: pipe(PersistenceRegressor())
            )
            ridge, _ = evaluate(
                frame[[target]],
                target,
                window,
                frac,
                lambda: pipe(RidgeCV(np.logspace(-6, 6, 25)), flatten=True),
            )
            for cell in args.cells:
                maes, secs = [], []
                for seed in range(args.seeds):
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        mae, sec = evaluate(
                            frame,
                            target,
                            window,
                            frac,
                            lambda cell=cell, seed=seed: pipe(
                                CELLS[cell](random_state=seed, **extra_params)
                            ),
                        )
                    maes.append(mae)
                    secs.append(sec)
                maes = np.array(maes)
                rows.append(
                    {
                        "series": name,
                        "scaler": scaler_name,
                        "cell": cell,
                        "mae": maes.mean(),
                        "persistence": persistence,
                        "ridge": ridge,
                        "vs_persistence": maes.mean() / persistence,
                        "worst_vs_persistence": maes.max() / persistence,
                        "vs_ridge": maes.mean() / ridge,
                        "worst_vs_ridge": maes.max() / ridge,
                        "fit_s": np.mean(secs),
                    }
                )
                print(_format(pd.DataFrame(rows[-1:])).splitlines()[-1], file=sys.stderr)
    table = pd.DataFrame(rows)
    print(f"# python benchmarks/accuracy.py {' '.join(sys.argv[1:])}".rstrip())
    print(
        f"# {platform.node()}: {os.cpu_count()} CPUs, torch {torch.__version__}, "
        f"{args.threads} torch thread(s), {time.strftime('%Y-%m-%d')}"
    )
    print(_format(table))
    print()
    print("# per series: mean over cells and scalers, worst over everything")
    summary = table.groupby("series", sort=False).agg(
        vs_persistence=("vs_persistence", "mean"),
        worst_vs_persistence=("worst_vs_persistence", "max"),
        vs_ridge=("vs_ridge", "mean"),
        worst_vs_ridge=("worst_vs_ridge", "max"),
    )
    print(summary.round(4).to_string())
    stocks = table[table["series"].isin(["IBM", "AAPL", "MSFT"])]
    if len(stocks):
        print(
            f"# IBM, AAPL, MSFT: mean {stocks['vs_persistence'].mean():.4f}x persistence, "
            f"worst seed {stocks['worst_vs_persistence'].max():.4f}x"
        )


def _format(table):
    return table.to_string(index=False, float_format=lambda v: f"{v:.4g}")


if __name__ == "__main__":
    main()
