"""Many series, one network: memory and time per training window as the panel grows.

A synthetic panel of ``N`` series x 150 monthly steps (each a random level from 10 to
100,000 times a seasonal pattern, a trend and noise) in one long frame, fed through
``make_supervised(..., group="unique_id")`` and ``SlidingWindow(36, group="unique_id")``
to ``LSTMRegressor(hidden_size=16, max_epochs=1, early_stopping=False, batch_size=1024)``
(per-window log scaling and the closed-form linear start as by default; one epoch, so the
time is that of one pass over every training window). Each size runs in a fresh process.

The table gives the rows, the training windows, the peak resident set size of the whole
process (Python, torch, the frame and the model), the time to build the design (targets
and windows), to fit, and the fit time per training window, relative to that of the
smallest panel. The target: under 3 GB at 100,000 series, and the time per window there
within 1.15x of that at 10,000 series (memory and time linear in the rows).

Usage::

    python benchmarks/panel_scale.py                     # 10,000 and 100,000 series
    python benchmarks/panel_scale.py --series 1000 10000 # a quick look
"""

import argparse
import os
import warnings

import _harness
import numpy as np

HERE = os.path.abspath(__file__)
LENGTH, WINDOW, SEASON = 150, 36, 12
BUDGET_MB, RATIO_TARGET = 3000, 1.15


def panel(n_series, seed=0):
    """Long frame (unique_id, y) of `n_series` positive seasonal series."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    t = np.arange(LENGTH)
    level = 10 ** rng.uniform(1, 5, size=(n_series, 1))
    season = rng.normal(0, 0.1, size=(n_series, SEASON))[:, t % SEASON]
    trend = rng.normal(0, 0.003, size=(n_series, 1)) * t
    noise = np.cumsum(rng.normal(0, 0.02, size=(n_series, LENGTH)), axis=1)
    values = level * np.exp(season + trend + noise)
    return pd.DataFrame(
        {
            "unique_id": np.repeat(np.arange(n_series), LENGTH),
            "y": values.ravel().astype(np.float32),
        }
    )


def worker(n_series):
    import torch
    from sklearn.pipeline import make_pipeline

    from skrnn import LSTMRegressor, SlidingWindow, make_supervised

    torch.set_num_threads(2)
    warnings.simplefilter("ignore")
    frame = panel(n_series)
    with _harness.Usage() as build:
        X, y = make_supervised(frame, target="y", horizon=1, group="unique_id")
    model = make_pipeline(
        SlidingWindow(WINDOW, group="unique_id"),
        LSTMRegressor(
            hidden_size=16, max_epochs=1, early_stopping=False, batch_size=1024, random_state=0
        ),
    )
    with _harness.Usage() as fit:
        model.fit(X, y)
    _harness.emit(
        {
            "series": n_series,
            "rows": len(frame),
            "windows": len(y),
            "build_s": build.seconds,
            "fit_s": fit.seconds,
            "fit_peak_mb": _harness.peak_rss_mb(),
        }
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series", nargs="+", type=int, default=[10_000, 100_000])
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return
    print(f"machine: {_harness.machine_description()}")
    print(
        f"workload: N series x {LENGTH} steps, SlidingWindow({WINDOW}, group=...) -> "
        "LSTMRegressor(hidden_size=16, max_epochs=1, early_stopping=False, batch_size=1024), "
        "2 torch threads, one process per size\n"
    )
    rows = []
    first = None
    for n_series in args.series:
        res = _harness.run_worker(HERE, [n_series], timeout=3600)
        per_window = res["fit_s"] / res["windows"] * 1e6
        first = first or per_window
        rows.append(
            [
                f"{n_series:,}",
                f"{res['rows']:,}",
                f"{res['windows']:,}",
                res["peak_rss_mb"],
                res["build_s"],
                res["fit_s"],
                per_window,
                per_window / first,
                res["others"],
            ]
        )
        print(f"  {n_series:,} series: fit {res['fit_s']:.1f} s", flush=True)
    header = [
        "series",
        "rows",
        "training windows",
        "peak RSS MB",
        "build s",
        "fit s",
        "fit us/window",
        "ratio",
        "others (cores)",
    ]
    print()
    print(_harness.format_table(header, rows))
    largest = rows[-1]
    print(
        f"\ntargets at {largest[0]} series: peak RSS {largest[3]:.0f} MB (under {BUDGET_MB}), "
        f"time per window {largest[7]:.2f}x that at {rows[0][0]} series (at most {RATIO_TARGET})"
    )


if __name__ == "__main__":
    main()
